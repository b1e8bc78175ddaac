package alibaba

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestFleetStatus(t *testing.T) {
	tests := map[string]fleet.Status{
		"Pending": fleet.StatusPending, "Starting": fleet.StatusStarting, "Running": fleet.StatusRunning,
		"Stopping": fleet.StatusStopping, "Stopped": fleet.StatusStopped, "Rebuilding": fleet.StatusBusy,
		"Expired": fleet.StatusExpired, "Deleted": fleet.StatusDeleted, "running": fleet.StatusRunning,
		"Hibernated": fleet.StatusUnknown, "": fleet.StatusUnknown,
	}
	for native, want := range tests {
		if got := fleetStatus(native); got != want {
			t.Errorf("fleetStatus(%q) = %q, want %q", native, got, want)
		}
	}
}

func TestListDesktops(t *testing.T) {
	tests := []struct {
		name     string
		seed     int
		pageSize int
		filter   []string
		calls    [][2]int // per call: DesktopId.N count and NextToken present (0/1)
		want     int
	}{
		{"everything, paged", 250, 0, nil, [][2]int{{0, 0}, {0, 1}, {0, 1}}, 250},
		{"server pages smaller than asked", 25, 10, nil, [][2]int{{0, 0}, {0, 1}, {0, 1}}, 25},
		{"empty region", 0, 0, nil, [][2]int{{0, 0}}, 0},
		{"filter in chunks of 100", 300, 0, idRange("d", 150), [][2]int{{100, 0}, {50, 0}}, 150},
		{"filter with duplicates and unknown IDs", 5, 0, []string{"d-001", "d-001", "nope", "d-004"}, [][2]int{{3, 0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.seed(statusRunning, idRange("d", tt.seed)...)
			f.pageSize = tt.pageSize
			c := newTestClient(t, f.srv.URL)
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("%d desktops, want %d", len(got), tt.want)
			}
			for _, d := range got {
				if d.Status != fleet.StatusRunning || d.NativeStatus != "Running" || d.Name != "name-"+d.ID {
					t.Errorf("desktop %+v", d)
				}
			}
			calls := f.callsTo(opDescribe)
			var shape [][2]int
			for _, call := range calls {
				if call.Query.Get("MaxResults") != "100" || call.Query.Get("RegionId") != "cn-hangzhou" {
					t.Errorf("call %v", call.Query)
				}
				hasToken := 0
				if call.Query.Has("NextToken") {
					hasToken = 1
				}
				shape = append(shape, [2]int{len(call.IDs), hasToken})
			}
			if !slices.Equal(shape, tt.calls) {
				t.Errorf("calls %v, want %v", shape, tt.calls)
			}
		})
	}
}

// TestListFollowsNextTokenExactly: the token of each page is sent with the
// next call, unchanged.
func TestListFollowsNextTokenExactly(t *testing.T) {
	f := newFake(t)
	pages := map[string]map[string]any{
		"":        {"RequestId": "r1", "NextToken": "tok/+=2", "Desktops": []map[string]any{{"DesktopId": "a", "DesktopStatus": "Stopped"}}},
		"tok/+=2": {"RequestId": "r2", "NextToken": "tok 3", "Desktops": []map[string]any{{"DesktopId": "b", "DesktopStatus": "Rebuilding"}}},
		"tok 3":   {"RequestId": "r3", "Desktops": []map[string]any{{"DesktopId": "c", "DesktopStatus": "Weird"}, {"DesktopId": "a", "DesktopStatus": "Stopped"}}},
	}
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		page, ok := pages[s.Query.Get("NextToken")]
		if !ok {
			t.Errorf("unknown NextToken %q", s.Query.Get("NextToken"))
		}
		writeJSON(w, 200, page)
		return true
	})
	c := newTestClient(t, f.srv.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []fleet.Desktop{
		{ID: "a", Status: fleet.StatusStopped, NativeStatus: "Stopped"},
		{ID: "b", Status: fleet.StatusBusy, NativeStatus: "Rebuilding"},
		{ID: "c", Status: fleet.StatusUnknown, NativeStatus: "Weird"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestListStopsOnARepeatedNextToken(t *testing.T) {
	f := newFake(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		writeJSON(w, 200, map[string]any{"RequestId": "r", "NextToken": "same", "Desktops": []any{}})
		return true
	})
	c := newTestClient(t, f.srv.URL)
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err == nil || !strings.Contains(err.Error(), "NextToken") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.callsTo(opDescribe)); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

// TestListDropsDesktopsNotAskedFor: a server that ignores the DesktopId
// filter must not add desktops to a filtered listing (found by
// FuzzDescribePages).
func TestListDropsDesktopsNotAskedFor(t *testing.T) {
	f := newFake(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		writeJSON(w, 200, map[string]any{"RequestId": "r", "Desktops": []map[string]any{
			{"DesktopId": "a", "DesktopStatus": "Running"}, {"DesktopId": "x", "DesktopStatus": "Running"},
		}})
		return true
	})
	c := newTestClient(t, f.srv.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "a" {
		t.Errorf("got %v, want only a", got)
	}
}
