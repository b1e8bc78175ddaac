package clienttest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestRebootWaitIdleUntilTheSettleWindow: a desktop that reads running and
// idle straight after the call may not have started its reboot yet (the
// cloud shows it only after a lag): never seen rebooting, it counts as back
// up only once it has stayed so across the settle window, on at least two
// reads.
func TestRebootWaitIdleUntilTheSettleWindow(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 1, defaults, func(cfg *mockcloud.Config) { cfg.Timing.RebootLag = 24 * time.Hour })
			const settle = 50 * time.Millisecond
			start := time.Now()
			o := c.reboot(wait{wait: true, settle: settle}).Act(context.Background(), batch(ids...))
			if !slices.Equal(o.Done, ids) || len(o.Failed) != 0 {
				t.Fatalf("outcome %+v", o)
			}
			// A lower bound only: idle reads never count before the
			// window, however fast the machine.
			if took := time.Since(start); took < settle {
				t.Errorf("counted rebooted after %v, before the settle window of %v", took, settle)
			}
			if n := len(m.CallsTo(cl.name, cl.read)); n < 2 {
				t.Errorf("%d reads, want at least 2", n)
			}
			if n := m.RebootCount(cl.name, ids[0]); n != 1 {
				t.Errorf("rebooted %d times, want 1", n)
			}
		})
	}
}

// TestUnknownDesktopWordNeverEndsAWait: a desktop status no source names,
// read while waiting for a reboot, is logged at WARN, once, with the word;
// it ends no wait (the wait runs into its deadline here), and the failure
// names the last word seen.
func TestUnknownDesktopWordNeverEndsAWait(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 1, defaults)
			m.At(cl.name, cl.read, 1, func() {
				m.AddDesktops(mockcloud.Desktop{Cloud: cl.name, Region: cl.region, ID: ids[0], Status: cl.unknownWord})
			})
			ctx, logs := clienttest.CaptureLogs(context.Background())
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			o := c.reboot(wait{wait: true, settle: time.Nanosecond}).Act(ctx, batch(ids...))
			if len(o.Done) != 0 || len(o.Failed) != 1 {
				t.Fatalf("outcome %+v", o)
			}
			if f := o.Failed[0]; !errors.Is(f.Err, context.DeadlineExceeded) || !strings.Contains(f.LastStatus, cl.unknownWord) {
				t.Errorf("failure %v, last status %q; want the deadline, and %q", f.Err, f.LastStatus, cl.unknownWord)
			}
			if n := logs.Warned(t, cl.unknownWord); n != 1 {
				t.Errorf("%d WARN lines naming %q, want 1", n, cl.unknownWord)
			}
		})
	}
}

// TestWaitEndsWithTheContext: the context ends (a create or delete
// timeout, say) while one desktop is still rebooting, or being deleted
// (Alibaba: still Stopping; Huawei: its sub-job, and so the job, still
// RUNNING): that one fails with the context's error and the status it was
// last seen in; the other, done with, is done. Nothing is read after.
func TestWaitEndsWithTheContext(t *testing.T) {
	for _, cl := range clouds {
		for _, tt := range []struct {
			action     string
			w          wait
			read, last string // what the wait reads, and the last status it sees
		}{
			// The one not stuck reboots at once: never seen rebooting,
			// it is back on its second idle read.
			{"reboot", wait{wait: true, settle: time.Nanosecond}, cl.read, cl.rebooting},
			{"delete", wait{wait: true}, cl.deleteWait, cl.deleting},
		} {
			t.Run(cl.name+"/"+tt.action, func(t *testing.T) {
				m, ids, c := cl.start(t, 2, defaults)
				m.AddDesktops(mockcloud.Desktop{Cloud: cl.name, Region: cl.region, ID: ids[1], Stuck: true})
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				m.At(cl.name, tt.read, 3, cancel)
				o := c.act[tt.action](tt.w).Act(ctx, batch(ids...))
				if !slices.Equal(o.Done, ids[:1]) || !slices.Equal(clienttest.FailedIDs(o), ids[1:]) {
					t.Fatalf("outcome %+v", o)
				}
				if f := o.Failed[0]; !errors.Is(f.Err, context.Canceled) || f.LastStatus != tt.last {
					t.Errorf("failure %v (last status %q), want cancelled in %q", f.Err, f.LastStatus, tt.last)
				}
				if n := len(m.CallsTo(cl.name, tt.read)); n != 3 {
					t.Errorf("%d reads, want 3: none after the context ended", n)
				}
			})
		}
	}
}
