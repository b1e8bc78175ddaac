package huawei

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// TestUnknownWordsNeverEndAWait: a job status, a sub-job status or a
// desktop task that no source names is logged at WARN, once, with the word;
// it ends no wait (the wait runs into its deadline here), and the failure
// names the last word seen. (A desktop status after a reboot: clienttest's
// TestUnknownDesktopWordNeverEndsAWait, for both clouds.)
func TestUnknownWordsNeverEndAWait(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(m *clienttest.Cloud)
		wantWord string
	}{
		{
			name:     "job status",
			setup:    func(m *clienttest.Cloud) { m.InjectFault(reply(opShowJob, 200, `{"id":"job-1","status":"ARCHIVED"}`)) },
			wantWord: "ARCHIVED",
		},
		{
			name: "sub-job status under a running job",
			setup: func(m *clienttest.Cloud) {
				m.InjectFault(reply(opShowJob, 200, `{"id":"job-1","status":"RUNNING","sub_jobs":[{"id":"s1","status":"SUSPENDED","entities":{"desktop_id":"d1"}}]}`))
			},
			wantWord: "SUSPENDED",
		},
		{
			// A lost delete call had started deleting d1: it is
			// followed through the listing, where its task turns into
			// a word no source names.
			name: "desktop task while followed for a delete",
			setup: func(m *clienttest.Cloud) {
				set(m, "d1", "ACTIVE", "deleting")
				m.InjectFault(mockcloud.Fault{Cloud: hw, Operation: opBatchDelete, Kind: mockcloud.FaultReset})
				m.At(hw, opList, 2, func() { set(m, "d1", "ACTIVE", "shredding") })
			},
			wantWord: "shredding",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "d1")
			tt.setup(m)
			c := newTestClient(t, m.URL)
			ctx, logs := clienttest.CaptureLogs(context.Background())
			ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(ctx, batch("d1"))
			last, err := onlyFailure(out.Failed)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the wait ended with %v, want the deadline", err)
			}
			if !strings.Contains(last, tt.wantWord) {
				t.Errorf("last status %q does not name %q", last, tt.wantWord)
			}
			if n := logs.Warned(t, tt.wantWord); n != 1 {
				t.Errorf("%d WARN lines naming %q, want 1", n, tt.wantWord)
			}
		})
	}
}

// onlyFailure is the last status and error of the one failed desktop.
func onlyFailure(failed []fleet.DesktopFailure) (string, error) {
	if len(failed) != 1 {
		return "", errors.New("not exactly one failure")
	}
	return failed[0].LastStatus, failed[0].Err
}
