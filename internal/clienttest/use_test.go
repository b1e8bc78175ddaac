package clienttest_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestNothingSentOnceStopped: no action sends anything for an operation
// that has already ended, and its desktops are left unaccounted, which
// fleet.Run reports as not processed; a listing returns the context's
// error.
func TestNothingSentOnceStopped(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 1, defaults)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			for _, w := range []wait{{}, {wait: true}} {
				for name, a := range c.actions(w) {
					if o := a.Act(ctx, fleet.Batch{DesktopIDs: ids, Token: "tok"}); len(o.Done)+len(o.Failed)+len(o.RequestIDs) != 0 {
						t.Errorf("%s (wait %v): %+v", name, w.wait, o)
					}
				}
			}
			if _, err := c.ListDesktops(ctx, fleet.ListFilter{}); !errors.Is(err, context.Canceled) {
				t.Errorf("list: %v", err)
			}
			if n := len(m.Calls()); n != 0 {
				t.Errorf("%d calls made after the context ended", n)
			}
		})
	}
}

// TestConcurrentUse shares one client between batches in flight at once,
// as the provider does with max_concurrency: a fleet rebooted while another
// is deleted, then deleted in turn, under each kind of credential (Alibaba's
// from its default credential chain); run with -race. Every desktop is
// acted on exactly once per action.
func TestConcurrentUse(t *testing.T) {
	tests := []struct {
		name    string
		cloud   cloud
		connect func(t *testing.T, endpoint string) client
	}{
		{"alibaba, default chain", clouds[0], func(t *testing.T, endpoint string) client {
			clienttest.IsolateAlibabaCredentials(t)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", mockcloud.DemoAlibabaAccessKey)
			t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", mockcloud.DemoAlibabaSecret)
			c, err := alibaba.NewClient(alibaba.Config{Region: mockcloud.DemoAlibabaRegion, Endpoint: endpoint, Retry: fast})
			if err != nil {
				t.Fatal(err)
			}
			return alibabaClient(c)
		}},
		{"huawei, AK/SK", clouds[1], func(t *testing.T, endpoint string) client { return connectHuawei(t, endpoint, defaults) }},
		{"huawei, IAM token", clouds[1], func(t *testing.T, endpoint string) client {
			c, err := huawei.NewClient(huawei.Config{ProjectID: mockcloud.DemoHuaweiProject, AuthToken: mockcloud.DemoHuaweiAuthToken, Endpoint: endpoint, Retry: fast})
			if err != nil {
				t.Fatal(err)
			}
			return huaweiClient(c)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			rebooted, deleted := tt.cloud.seed(m, 250), m.SeedFleet(tt.cloud.name, tt.cloud.region, "other", 50)
			c := tt.connect(t, m.URL)
			ctx := context.Background()
			var reboot, deleteOther fleet.Report
			var wg sync.WaitGroup
			wg.Go(func() {
				reboot = fleet.Run(ctx, rebooted, c.reboot(wait{wait: true, settle: time.Millisecond}), 4, nil)
			})
			wg.Go(func() { deleteOther = fleet.Run(ctx, deleted, c.delete(wait{wait: true}), 4, nil) })
			wg.Wait()
			if len(reboot.Done) != 250 || len(reboot.Failed)+len(reboot.NotProcessed) != 0 || len(reboot.RequestIDs) != 3 {
				t.Fatalf("reboot: done %d failed %v not processed %d requests %v", len(reboot.Done), reboot.Failed, len(reboot.NotProcessed), reboot.RequestIDs)
			}
			if len(deleteOther.Done) != 50 || len(deleteOther.Failed)+len(deleteOther.NotProcessed) != 0 {
				t.Fatalf("delete: done %d failed %v not processed %d", len(deleteOther.Done), deleteOther.Failed, len(deleteOther.NotProcessed))
			}
			r := fleet.Run(ctx, rebooted, c.delete(wait{wait: true}), 4, nil)
			if len(r.Done) != 250 || len(r.Failed)+len(r.NotProcessed) != 0 {
				t.Fatalf("delete after the reboot: done %d failed %v not processed %d", len(r.Done), r.Failed, len(r.NotProcessed))
			}
			for _, id := range rebooted {
				if r, d := m.RebootCount(tt.cloud.name, id), m.DeleteCount(tt.cloud.name, id); r != 1 || d != 1 {
					t.Errorf("%s rebooted %d and deleted %d times, want once each", id, r, d)
				}
			}
			for _, id := range deleted {
				if r, d := m.RebootCount(tt.cloud.name, id), m.DeleteCount(tt.cloud.name, id); r != 0 || d != 1 {
					t.Errorf("%s rebooted %d and deleted %d times, want deleted once", id, r, d)
				}
			}
		})
	}
}

// TestWaitsRunSideBySide: a batch waiting for its desktops holds none of
// the operation's places between reads, so with one call at a time every
// batch is sent while the first still waits. Here each wait lasts at least
// the settle window (the mock's reboots are instant, so no desktop is seen
// rebooting); when a waiting batch kept its place, each batch's reboot
// call came only after the batch before had finished waiting.
func TestWaitsRunSideBySide(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 300, defaults)
			r := fleet.Run(context.Background(), ids, c.reboot(wait{wait: true, settle: 100 * time.Millisecond}), 1, nil)
			if len(r.Done) != len(ids) {
				t.Fatalf("%d of %d rebooted: %v", len(r.Done), len(ids), r.Failed)
			}
			first := slices.Sorted(slices.Values(ids))[:100] // the first batch
			lastReboot, lastFirstRead := -1, -1
			for i, call := range m.Calls() {
				switch {
				case call.Operation == cl.reboot:
					lastReboot = i
				case call.Operation == cl.read && slices.ContainsFunc(call.DesktopIDs, func(id string) bool { return slices.Contains(first, id) }):
					lastFirstRead = i
				}
			}
			if lastReboot < 0 || lastFirstRead < 0 || lastReboot > lastFirstRead {
				t.Errorf("the last batch was sent (call %d) after the first batch's wait had ended (its last read: call %d)", lastReboot, lastFirstRead)
			}
		})
	}
}
