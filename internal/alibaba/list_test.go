package alibaba

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
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
		name      string
		seed      int
		pageLimit int // the most a page holds, below MaxResults
		filter    []string
		calls     [][2]int // per call: DesktopId.N count and NextToken present (0/1)
		want      int
	}{
		{"everything, paged", 250, 0, nil, [][2]int{{0, 0}, {0, 1}, {0, 1}}, 250},
		{"server pages smaller than asked", 25, 10, nil, [][2]int{{0, 0}, {0, 1}, {0, 1}}, 25},
		{"empty region", 0, 0, nil, [][2]int{{0, 0}}, 0},
		{"filter in chunks of 100", 300, 0, idRange(150), [][2]int{{100, 0}, {50, 0}}, 150},
		{"filter with duplicates and unknown IDs", 5, 0, []string{"d-001", "d-001", "nope", "d-004"}, [][2]int{{3, 0}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.Behaviour.AlibabaPageLimit = tt.pageLimit })
			for _, id := range idRange(tt.seed) {
				m.AddDesktops(mockcloud.Desktop{Cloud: ali, ID: id, Name: "name-" + id})
			}
			c := newTestClient(t, m.URL)
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
			var shape [][2]int
			for _, call := range m.CallsTo(ali, opDescribe) {
				if call.Params["MaxResults"] != "100" || call.Params["RegionId"] != "cn-hangzhou" {
					t.Errorf("call %v", call.Params)
				}
				hasToken := 0
				if _, ok := call.Params["NextToken"]; ok {
					hasToken = 1
				}
				shape = append(shape, [2]int{len(call.DesktopIDs), hasToken})
			}
			if !slices.Equal(shape, tt.calls) {
				t.Errorf("calls %v, want %v", shape, tt.calls)
			}
		})
	}
}

// page is a DescribeDesktops answer of the test's making.
func page(t *testing.T, body map[string]any) mockcloud.Fault {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultAnswer, Body: string(b)}
}

// TestListFollowsNextTokenExactly: the token of each page is sent with the
// next call, unchanged, and a desktop listed twice is listed once.
func TestListFollowsNextTokenExactly(t *testing.T) {
	m := clienttest.Start(t)
	m.InTurn(
		page(t, map[string]any{"RequestId": "r1", "NextToken": "tok/+=2", "Desktops": []map[string]any{{"DesktopId": "a", "DesktopStatus": "Stopped"}}}),
		page(t, map[string]any{"RequestId": "r2", "NextToken": "tok 3", "Desktops": []map[string]any{{"DesktopId": "b", "DesktopStatus": "Rebuilding"}}}),
		page(t, map[string]any{"RequestId": "r3", "Desktops": []map[string]any{{"DesktopId": "c", "DesktopStatus": "Weird"}, {"DesktopId": "a", "DesktopStatus": "Stopped"}}}),
	)
	c := newTestClient(t, m.URL)
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
	var tokens []string
	for _, call := range m.CallsTo(ali, opDescribe) {
		tokens = append(tokens, call.Params["NextToken"])
	}
	if !slices.Equal(tokens, []string{"", "tok/+=2", "tok 3"}) {
		t.Errorf("NextTokens sent %q", tokens)
	}
}

func TestListStopsOnARepeatedNextToken(t *testing.T) {
	m := clienttest.Start(t)
	m.InjectFault(page(t, map[string]any{"RequestId": "r", "NextToken": "same", "Desktops": []any{}}))
	c := newTestClient(t, m.URL)
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err == nil || !strings.Contains(err.Error(), "NextToken") {
		t.Fatalf("err = %v", err)
	}
	if n := len(m.CallsTo(ali, opDescribe)); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

// TestListDropsDesktopsNotAskedFor: a server that ignores the DesktopId
// filter must not add desktops to a filtered listing (found by
// FuzzDescribePages).
func TestListDropsDesktopsNotAskedFor(t *testing.T) {
	m := clienttest.Start(t)
	m.InjectFault(page(t, map[string]any{"RequestId": "r", "Desktops": []map[string]any{
		{"DesktopId": "a", "DesktopStatus": "Running"}, {"DesktopId": "x", "DesktopStatus": "Running"},
	}}))
	c := newTestClient(t, m.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != "a" {
		t.Errorf("got %v, want only a", got)
	}
}
