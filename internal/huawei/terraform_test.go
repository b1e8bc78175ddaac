package huawei

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

// TestAdapterConfigure: the provider block's attributes win over the
// environment; HW_ names win over the SDK's; a value not yet known holds
// plan-time checks back.
func TestAdapterConfigure(t *testing.T) {
	tests := []struct {
		name  string
		block map[string]attr.Value // nil: no block written
		env   map[string]string
		want  settings
	}{
		{"environment alone", nil,
			map[string]string{"HW_REGION_NAME": "cn-north-4", "HW_PROJECT_ID": "p1", "HUAWEICLOUD_SDK_AK": "hak", "HUAWEICLOUD_SDK_SK": "hsk",
				"HW_SECURITY_TOKEN": "st", "HW_AUTH_TOKEN": "tok", "CLOUDDESKTOP_HUAWEI_ENDPOINT": "http://127.0.0.1:1"},
			settings{regionName: "cn-north-4", projectID: "p1", accessKey: "hak", secretKey: "hsk", securityToken: "st", authToken: "tok",
				endpoint: "http://127.0.0.1:1"}},
		{"HW_ names win over the SDK's", nil,
			map[string]string{"HW_ACCESS_KEY": "hw", "HUAWEICLOUD_SDK_AK": "sdk", "HW_PROJECT_ID": "hw-p", "HUAWEICLOUD_SDK_PROJECT_ID": "sdk-p"},
			settings{accessKey: "hw", projectID: "hw-p"}},
		{"the attribute wins", map[string]attr.Value{"auth_token": types.StringValue("tok"), "allow_plain_http": types.BoolValue(true)},
			map[string]string{"HW_AUTH_TOKEN": "env-tok"},
			settings{authToken: "tok", allowPlainHTTP: true}},
		{"unknown", map[string]attr.Value{"project_id": types.StringUnknown()}, nil, settings{unknown: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clienttest.Configure(t, Adapter{}, tt.block, tt.env)
			if s := got.(*settings); *s != tt.want {
				t.Errorf("settings %+v, want %+v", *s, tt.want)
			}
		})
	}
}

func TestSettingsCheckNamesWhatIsMissing(t *testing.T) {
	tests := []struct {
		name     string
		settings settings
		region   string
		want     []string
	}{
		{"nothing", settings{}, "", []string{"HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY", "HW_AUTH_TOKEN"}},
		{"no project", settings{regionName: "r", accessKey: "a", secretKey: "s"}, "", []string{"huawei.project_id"}},
		{"half a key", settings{regionName: "r", projectID: "p", accessKey: "a"}, "", []string{"huawei.secret_key"}},
		{"token is enough", settings{projectID: "p", authToken: "t"}, "cn-north-4", nil},
		{"endpoint stands in for a region", settings{projectID: "p", authToken: "t", endpoint: "http://127.0.0.1:1"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.settings.check(tt.region)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}
