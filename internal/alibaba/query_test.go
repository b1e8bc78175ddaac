package alibaba

import (
	"maps"
	"testing"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// TestRPCQueryMatchesDarabonba: rpcQuery flattens every parameter shape the
// client sends exactly as openapiutil.Query does.
func TestRPCQueryMatchesDarabonba(t *testing.T) {
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = "ecd-" + string(rune('a'+i%26)) + "x"
	}
	for name, params := range map[string]map[string]any{
		"admin reboot":   {"RegionId": "cn-hangzhou", "DesktopId": []string{"ecd-1", "ecd-2"}, "OsUpdate": true},
		"no OsUpdate":    {"RegionId": "cn-hangzhou", "DesktopId": []string{"ecd-1"}, "OsUpdate": false},
		"describe page":  {"RegionId": "cn-hangzhou", "MaxResults": 100, "NextToken": "abc==", "DesktopId": hundred},
		"client reboot":  {"RegionId": "cn-hangzhou", "DesktopId": []string{"ecd-7"}, "ClientId": "", "ClientToken": "t-1", "LoginToken": "v1<&>é", "Uuid": "u"},
		"empty list":     {"DesktopId": []string{}, "RegionId": ""},
		"nil list":       {"DesktopId": []string(nil)},
		"negative":       {"MaxResults": -1},
		"not UTF-8":      {"DesktopId": []string{"ecd-\xff"}, "Name": "a\xfeb"},
		"other type":     {"Limit": int64(5), "DesktopId": []string{"x"}},
		"nested map":     {"Tag": map[string]any{"Key": "k"}},
		"string slice 1": {"DesktopId": []string{"only"}},
	} {
		t.Run(name, func(t *testing.T) {
			want := openapiutil.Query(params)
			if got := rpcQuery(params); !maps.EqualFunc(got, want, func(a, b *string) bool { return dara.StringValue(a) == dara.StringValue(b) }) {
				t.Errorf("rpcQuery = %v\nopenapiutil.Query = %v", deref(got), deref(want))
			}
		})
	}
}

// FuzzRPCQueryMatchesDarabonba holds rpcQuery to openapiutil.Query on any
// desktop IDs and text parameter.
func FuzzRPCQueryMatchesDarabonba(f *testing.F) {
	f.Add("ecd-1", "ecd-2", "token", 100, true)
	f.Add("", "\xff", "é<>&\"\\", -3, false)
	f.Fuzz(func(t *testing.T, id1, id2, text string, n int, flag bool) {
		params := map[string]any{"DesktopId": []string{id1, id2}, "ClientToken": text, "MaxResults": n, "OsUpdate": flag}
		want := openapiutil.Query(params)
		if got := rpcQuery(params); !maps.EqualFunc(got, want, func(a, b *string) bool { return dara.StringValue(a) == dara.StringValue(b) }) {
			t.Errorf("rpcQuery = %v\nopenapiutil.Query = %v", deref(got), deref(want))
		}
	})
}

func deref(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = dara.StringValue(v)
	}
	return out
}

// BenchmarkRPCQuery: the query of a call naming 100 desktops.
func BenchmarkRPCQuery(b *testing.B) {
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = "ecd-0123456789abcdef"
	}
	params := map[string]any{"RegionId": "cn-hangzhou", "MaxResults": 100, "DesktopId": ids}
	b.Run("rpcQuery", func(b *testing.B) {
		for b.Loop() {
			rpcQuery(params)
		}
	})
	b.Run("openapiutil.Query", func(b *testing.B) {
		for b.Loop() {
			openapiutil.Query(params)
		}
	})
}
