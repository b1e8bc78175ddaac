package huawei

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// listing is a ListDesktopsDetail answer of the test's making: the
// desktops, ACTIVE, and total_count when total is not nil.
func listing(ids []string, total any) mockcloud.Fault {
	rows := []map[string]any{}
	for _, id := range ids {
		rows = append(rows, map[string]any{"desktop_id": id, "status": "ACTIVE"})
	}
	body := map[string]any{"desktops": rows}
	if total != nil {
		body["total_count"] = total
	}
	b, _ := json.Marshal(body)
	return reply(opList, 200, string(b))
}

// TestListPagination pages through 250 desktops: the mock's honest pages,
// and servers whose total_count is wrong or missing and one that ignores
// offset.
func TestListPagination(t *testing.T) {
	all := idsN("d", 250)
	pages := func(total any, extra ...[]string) []mockcloud.Fault {
		out := []mockcloud.Fault{listing(all[:100], total), listing(all[100:200], total), listing(all[200:], total)}
		for _, ids := range extra {
			out = append(out, listing(ids, total))
		}
		return out
	}
	tests := []struct {
		name      string
		answers   []mockcloud.Fault // in turn; none: the mock's own listing
		wantCount int
		wantCalls int
	}{
		{"honest total", nil, 250, 3},
		{"total too high", pages(1000, nil), 250, 4},
		{"no total", pages(nil), 250, 3},
		{"offset ignored", []mockcloud.Fault{listing(all[:100], len(all))}, 100, 2},
		{"always empty", []mockcloud.Fault{listing(nil, 5)}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, all...)
			m.InTurn(tt.answers...)
			c := newTestClient(t, m.URL)
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantCount {
				t.Errorf("%d desktops, want %d", len(got), tt.wantCount)
			}
			calls := m.CallsTo(hw, opList)
			if len(calls) != tt.wantCalls {
				t.Errorf("%d calls, want %d", len(calls), tt.wantCalls)
			}
			for i, call := range calls {
				if call.Params["limit"] != "100" || call.Params["offset"] != strconv.Itoa(min(i*100, 250)) {
					t.Errorf("call %d: limit %s offset %s", i, call.Params["limit"], call.Params["offset"])
				}
				if _, ok := call.Params["desktop_id"]; ok {
					t.Errorf("unfiltered list sent desktop_id")
				}
			}
		})
	}
}

// TestListIDsChunked: 250 IDs go out 100 at a time, an ID named twice once,
// and desktops the server returns without being asked are dropped.
func TestListIDsChunked(t *testing.T) {
	ids := idsN("d", 250)
	m := clienttest.Start(t)
	add(m, ids...)
	// A server that adds a stranger to every answer.
	for _, chunk := range [][]string{ids[:100], ids[100:200], ids[200:]} {
		f := listing(append([]string{"stranger"}, chunk...), len(chunk)+1)
		f.Count = 1
		m.InjectFault(f)
	}
	c := newTestClient(t, m.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: append(ids, ids[0])})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, d := range got {
		gotIDs = append(gotIDs, d.ID)
	}
	if !sameIDs(gotIDs, ids) {
		t.Errorf("got %d desktops", len(gotIDs))
	}
	var sizes []int
	var asked []string
	for _, call := range m.CallsTo(hw, opList) {
		sizes = append(sizes, len(call.DesktopIDs))
		asked = append(asked, call.DesktopIDs...)
	}
	if len(sizes) != 3 || sizes[0] != 100 || sizes[1] != 100 || sizes[2] != 50 || !sameIDs(asked, ids) {
		t.Errorf("chunk sizes %v", sizes)
	}
}

func TestListMapping(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1")
	set(m, "d2", "ACTIVE", "rebooting")
	set(m, "d3", "SHUTOFF", "")
	set(m, "d4", "DELETED", "")
	c := newTestClient(t, m.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []fleet.Desktop{
		{ID: "d1", Name: "pc-d1", Status: fleet.StatusRunning, NativeStatus: "ACTIVE"},
		{ID: "d2", Name: "pc-d2", Status: fleet.StatusBusy, NativeStatus: "ACTIVE/rebooting"},
		{ID: "d3", Name: "pc-d3", Status: fleet.StatusStopped, NativeStatus: "SHUTOFF"},
		{ID: "d4", Name: "pc-d4", Status: fleet.StatusDeleted, NativeStatus: "DELETED"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("desktop %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestListErrorIsCloudError(t *testing.T) {
	m := clienttest.Start(t)
	m.InjectFault(failure(opList, 403, "WKS.0003", "No permission."))
	c := newTestClient(t, m.URL)
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"d1"}})
	ce := clienttest.CloudError(t, err)
	calls := m.CallsTo(hw, opList)
	if ce.Operation != "ListDesktopsDetail" || ce.HTTPStatus != 403 || ce.Code != "WKS.0003" || len(calls) != 1 || ce.RequestID != calls[0].RequestID {
		t.Errorf("%+v", *ce)
	}
}
