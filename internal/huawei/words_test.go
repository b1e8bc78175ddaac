package huawei

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestUnknownWordsNeverEndAWait: a job status, a sub-job status or a
// desktop word that no source names is logged at WARN, once, with the word;
// it ends no wait (the wait runs into its deadline here), and the failure
// names the last word seen.
func TestUnknownWordsNeverEndAWait(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(t *testing.T, w http.ResponseWriter, s seen)
		act      func(c *Client, ctx context.Context) (failedLast string, err error)
		wantWord string
	}{
		{
			name: "job status",
			answer: func(t *testing.T, w http.ResponseWriter, s seen) {
				switch s.Route {
				case routeDelete:
					okDelete(w, "job-1")
				case routeJob:
					writeJSON(w, 200, map[string]any{"id": "job-1", "status": "ARCHIVED"})
				}
			},
			act: func(c *Client, ctx context.Context) (string, error) {
				out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1"))
				return onlyFailure(out.Failed)
			},
			wantWord: "ARCHIVED",
		},
		{
			name: "sub-job status under a running job",
			answer: func(t *testing.T, w http.ResponseWriter, s seen) {
				switch s.Route {
				case routeDelete:
					okDelete(w, "job-1")
				case routeJob:
					writeJSON(w, 200, map[string]any{"id": "job-1", "status": "RUNNING", "sub_jobs": []map[string]any{
						{"id": "s1", "status": "SUSPENDED", "entities": map[string]string{"desktop_id": "d1"}},
					}})
				}
			},
			act: func(c *Client, ctx context.Context) (string, error) {
				out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1"))
				return onlyFailure(out.Failed)
			},
			wantWord: "SUSPENDED",
		},
		{
			name: "desktop status after a reboot",
			answer: func(t *testing.T, w http.ResponseWriter, s seen) {
				switch s.Route {
				case routeAction:
					okReboot(w)
				case routeList:
					writeList(w, s, []desk{{"d1", "MAINTENANCE", ""}})
				}
			},
			act: func(c *Client, ctx context.Context) (string, error) {
				out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Nanosecond}).Act(ctx, batch("d1"))
				return onlyFailure(out.Failed)
			},
			wantWord: "MAINTENANCE",
		},
		{
			name: "desktop task while followed for a delete",
			answer: func(t *testing.T, w http.ResponseWriter, s seen) {
				switch {
				case s.Route == routeDelete:
					resetConn(t, w)
				case s.Route == routeList && s.N == 1:
					writeList(w, s, []desk{{"d1", "ACTIVE", "deleting"}})
				case s.Route == routeList:
					writeList(w, s, []desk{{"d1", "ACTIVE", "shredding"}})
				}
			},
			act: func(c *Client, ctx context.Context) (string, error) {
				out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1"))
				return onlyFailure(out.Failed)
			},
			wantWord: "shredding",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { tt.answer(t, w, s) })
			c := newTestClient(t, f.srv.URL)
			var buf bytes.Buffer
			ctx, cancel := context.WithTimeout(tflogtest.RootLogger(context.Background(), &buf), 200*time.Millisecond)
			defer cancel()
			last, err := tt.act(c, ctx)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the wait ended with %v, want the deadline", err)
			}
			if !strings.Contains(last, tt.wantWord) {
				t.Errorf("last status %q does not name %q", last, tt.wantWord)
			}
			entries, err := tflogtest.MultilineJSONDecode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			warned := 0
			for _, e := range entries {
				if e["@level"] == "warn" && strings.Contains(e["@message"].(string), "unknown") && e["word"] == tt.wantWord {
					warned++
				}
			}
			if warned != 1 {
				t.Errorf("%d WARN lines naming %q, want 1", warned, tt.wantWord)
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
