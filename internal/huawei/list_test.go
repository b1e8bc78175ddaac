package huawei

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestListPagination pages through 250 desktops, including servers whose
// total_count is wrong or missing and one that ignores offset.
func TestListPagination(t *testing.T) {
	all := idsN("d", 250)
	rows := func(ids []string) []map[string]any {
		out := []map[string]any{}
		for _, id := range ids {
			out = append(out, map[string]any{"desktop_id": id, "status": "ACTIVE"})
		}
		return out
	}
	page := func(s seen) []string {
		off, _ := strconv.Atoi(s.Query.Get("offset"))
		lim, _ := strconv.Atoi(s.Query.Get("limit"))
		return all[min(off, len(all)):min(off+lim, len(all))]
	}
	tests := []struct {
		name      string
		respond   func(w http.ResponseWriter, s seen)
		wantCount int
		wantCalls int
	}{
		{"honest total", func(w http.ResponseWriter, s seen) {
			writeJSON(w, 200, map[string]any{"desktops": rows(page(s)), "total_count": len(all)})
		}, 250, 3},
		{"total too high", func(w http.ResponseWriter, s seen) {
			writeJSON(w, 200, map[string]any{"desktops": rows(page(s)), "total_count": 1000})
		}, 250, 4},
		{"no total", func(w http.ResponseWriter, s seen) {
			writeJSON(w, 200, map[string]any{"desktops": rows(page(s))})
		}, 250, 3},
		{"offset ignored", func(w http.ResponseWriter, s seen) {
			writeJSON(w, 200, map[string]any{"desktops": rows(all[:100]), "total_count": len(all)})
		}, 100, 2},
		{"always empty", func(w http.ResponseWriter, s seen) {
			writeJSON(w, 200, map[string]any{"desktops": []any{}, "total_count": 5})
		}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { tt.respond(w, s) })
			c := newTestClient(t, f.srv.URL)
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.wantCount {
				t.Errorf("%d desktops, want %d", len(got), tt.wantCount)
			}
			reqs := f.requests()
			if len(reqs) != tt.wantCalls {
				t.Errorf("%d calls, want %d", len(reqs), tt.wantCalls)
			}
			for i, s := range reqs {
				if s.Query.Get("limit") != "100" || s.Query.Get("offset") != strconv.Itoa(min(i*100, 250)) {
					t.Errorf("call %d: limit %s offset %s", i, s.Query.Get("limit"), s.Query.Get("offset"))
				}
				if s.Query.Has("desktop_id") {
					t.Errorf("unfiltered list sent desktop_id")
				}
			}
		})
	}
}

// TestListIDsChunked: 250 IDs go out 100 at a time, and desktops the server
// returns without being asked are dropped.
func TestListIDsChunked(t *testing.T) {
	ids := idsN("d", 250)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		var desks []desk
		for _, id := range s.Query["desktop_id"] {
			desks = append(desks, desk{id, "ACTIVE", ""})
		}
		rows := []map[string]any{{"desktop_id": "stranger", "status": "ACTIVE"}}
		for _, d := range desks {
			rows = append(rows, map[string]any{"desktop_id": d.id, "status": d.status})
		}
		writeJSON(w, 200, map[string]any{"desktops": rows, "total_count": len(rows)})
	})
	c := newTestClient(t, f.srv.URL)
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
	for _, s := range f.requests() {
		sizes = append(sizes, len(s.Query["desktop_id"]))
	}
	if len(sizes) != 3 || sizes[0] != 100 || sizes[1] != 100 || sizes[2] != 50 {
		t.Errorf("chunk sizes %v", sizes)
	}
}

func TestListMapping(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		writeList(w, s, []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", "rebooting"}, {"d3", "SHUTOFF", ""}, {"d4", "DELETED", ""}})
	})
	c := newTestClient(t, f.srv.URL)
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
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		writeError(w, 403, "WKS.0003", "No permission.")
	})
	c := newTestClient(t, f.srv.URL)
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"d1"}})
	ce := cloudErr(t, err)
	if ce.Operation != "ListDesktopsDetail" || ce.HTTPStatus != 403 || ce.Code != "WKS.0003" || ce.RequestID != "req-list-1" || len(f.requests()) != 1 {
		t.Errorf("%+v", *ce)
	}
}
