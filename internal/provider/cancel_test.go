package provider

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// These tests interrupt an apply the way Terraform does on Ctrl-C: the
// plugin server cancels the context of the ApplyResourceChange call in
// flight (terraform-plugin-go does this on StopProvider). The CLI cannot
// be interrupted from terraform-plugin-testing, so they speak the
// protocol to the provider server directly.

// gatedCloud holds the first action call (reboot or delete) at the door
// until the test releases it, and counts every action call that arrives.
type gatedCloud struct {
	mock    *mockcloud.Server
	arrived chan struct{} // closed when the first action call arrives
	release chan struct{} // closed by the test to let it through
	actions atomic.Int32
}

func (g *gatedCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isActionCall(r) && g.actions.Add(1) == 1 {
		close(g.arrived)
		<-g.release
	}
	g.mock.ServeHTTP(w, r)
}

// isActionCall recognises reboot and delete calls on either cloud's wire.
func isActionCall(r *http.Request) bool {
	action := r.Header.Get("x-acs-action")
	if action == "" {
		action = r.URL.Query().Get("Action")
	}
	return action == "RebootDesktops" || action == "DeleteDesktops" ||
		strings.HasSuffix(r.URL.Path, "/desktops/action") || strings.HasSuffix(r.URL.Path, "/desktops/batch-delete")
}

func TestCancelledApplyStopsIssuingCalls(t *testing.T) {
	tests := []struct {
		name     string
		cloud    cloudFixture
		resource string
		destroy  bool
	}{
		{"alibaba reboot", alibabaCloud, rebootType, false},
		{"huawei reboot", huaweiCloud, rebootType, false},
		{"alibaba delete", alibabaCloud, deleteType, true},
		{"huawei delete", huaweiCloud, deleteType, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock := newTestCloud(t, mockcloud.Timing{})
			g := &gatedCloud{mock: mock.Server, arrived: make(chan struct{}), release: make(chan struct{})}
			hs := mock.serveThrough(t, g)
			// 250 desktops, 100 a call, one call at a time: three calls.
			ids := slices.Sorted(slices.Values(mock.seed(tt.cloud, "cancel", 250)))

			p := newProtocolProvider(t, mock.URL)
			config := p.fleet(tt.resource, tt.cloud.name, ids)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var resp *tfprotov6.ApplyResourceChangeResponse
			applied := make(chan struct{})
			go func() {
				defer close(applied)
				if tt.destroy {
					state := p.create(t, tt.resource, config) // no cloud call
					resp = p.apply(ctx, t, tt.resource, state, p.null(tt.resource), p.null(tt.resource))
				} else {
					planned := p.plan(t, tt.resource, p.null(tt.resource), config)
					resp = p.apply(ctx, t, tt.resource, p.null(tt.resource), planned, config)
				}
			}()
			<-g.arrived
			cancel() // Ctrl-C while the first call is in flight
			<-applied
			close(g.release)
			hs.Close() // waits for the held call to finish in the mock

			if n := g.actions.Load(); n != 1 {
				t.Errorf("%d action calls reached the cloud, want 1: no call may start after the cancel", n)
			}
			op := tt.cloud.rebootOp
			if tt.destroy {
				op = tt.cloud.deleteOp
			}
			if n := len(mock.CallsTo(tt.cloud.name, op)); n > 1 {
				t.Errorf("the mock recorded %d %s calls, want at most 1", n, op)
			}
			text := protocolDiagsText(resp.Diagnostics)
			if !strings.Contains(text, "Not processed") {
				t.Fatalf("diagnostics do not say which desktops were not processed:\n%s", text)
			}
			// The desktops of the second and third call were never sent,
			// and the report names every one of them.
			for _, id := range ids[100:] {
				if !strings.Contains(text, id) {
					t.Errorf("desktop %s, never sent, is missing from the report", id)
					break
				}
				if mock.RebootCount(tt.cloud.name, id)+mock.DeleteCount(tt.cloud.name, id) != 0 {
					t.Errorf("desktop %s was acted on after the cancel", id)
				}
			}
			if tt.destroy {
				// The resource stays, holding every desktop not known to be
				// deleted, so the next destroy finishes the job.
				kept := p.stateDesktopIDs(t, tt.resource, resp.NewState)
				if len(kept) < 150 {
					t.Errorf("state keeps %d desktops, want at least the 150 never sent", len(kept))
				}
			}
		})
	}
}
