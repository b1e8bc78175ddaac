package huawei

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

func TestDeleteRequestBody(t *testing.T) {
	tests := []DeleteOptions{
		{},
		{DeleteUsers: true},
		{EmailNotification: true},
		{IsForceDelete: true},
		{DeleteUsers: true, EmailNotification: true, IsForceDelete: true},
	}
	for _, opts := range tests {
		m := clienttest.Start(t)
		add(m, "d1", "d2")
		c := newTestClient(t, m.URL)
		out := c.Deleter(opts).Act(context.Background(), batch("d1", "d2"))
		if !sameIDs(out.Done, []string{"d1", "d2"}) {
			t.Fatalf("%+v: outcome %+v", opts, out)
		}
		calls := m.Calls()
		if len(calls) != 1 {
			t.Fatalf("%d requests", len(calls))
		}
		call := calls[0]
		if call.Method != http.MethodPost || call.Path != "/v2/"+testProject+"/desktops/batch-delete" || call.JobID == "" {
			t.Errorf("%s %s, job %q", call.Method, call.Path, call.JobID)
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(call.Body, &body); err != nil {
			t.Fatalf("body %q: %v", call.Body, err)
		}
		want := map[string]bool{"delete_users": opts.DeleteUsers, "email_notification": opts.EmailNotification, "is_force_delete": opts.IsForceDelete}
		for k, v := range want {
			raw, ok := body[k]
			if !ok {
				t.Errorf("%+v: body %s lacks %s", opts, call.Body, k)
				continue
			}
			var got bool
			if err := json.Unmarshal(raw, &got); err != nil || got != v {
				t.Errorf("%+v: %s = %s, want %v", opts, k, raw, v)
			}
		}
		if du, en, fd, ok := m.HuaweiDeleteFlags(call.JobID); !ok || du != opts.DeleteUsers || en != opts.EmailNotification || fd != opts.IsForceDelete {
			t.Errorf("%+v: the mock's job has delete_users %v email_notification %v is_force_delete %v", opts, du, en, fd)
		}
		if len(body) != 4 || !slices.Equal(call.DesktopIDs, []string{"d1", "d2"}) {
			t.Errorf("body %s", call.Body)
		}
	}
}

// jobAnswer is a ShowJob answer of the test's making: a job status, and
// sub-jobs as desktop, status, error code and reason.
func jobAnswer(status, jobCode, jobReason string, subs ...[4]string) mockcloud.Fault {
	body := map[string]any{"id": "job-7", "job_type": "BATCH_DELETE_DESKTOPS", "status": status}
	if len(subs) > 0 {
		var list []map[string]any
		for i, s := range subs {
			list = append(list, map[string]any{
				"id": "sub-" + string(rune('a'+i)), "status": s[1], "error_code": s[2], "fail_reason": s[3],
				"entities": map[string]string{"desktop_id": s[0]},
			})
		}
		body["sub_jobs"], body["sub_jobs_total"] = list, len(list)
	}
	if jobCode != "" {
		body["job_error_code"], body["fail_reason"] = jobCode, jobReason
	}
	b, _ := json.Marshal(body)
	return reply(opShowJob, 200, string(b))
}

// TestDeleteWaitJob follows one job to its end through each word the
// sources use (SUCCESS or COMPLETE, FAILED or FAIL; INIT, WAITING, RUNNING
// on the way), and a word nobody documents, which ends nothing. A desktop
// the ended job has no sub-job for, or whose sub-job ended on a word not
// known, is followed through the listing rather than taken as deleted.
// Where the mock's own jobs say it, they do; the words and shapes it never
// answers with come as answers of the test's making.
func TestDeleteWaitJob(t *testing.T) {
	tests := []struct {
		name        string
		failMissing bool
		timing      mockcloud.Timing // of the mock's own jobs
		// setup seeds the desktops and shapes the job.
		setup      func(t *testing.T, m *clienttest.Cloud)
		statuses   []string // the job status each poll reads
		wantDone   []string
		wantFailed map[string]string // desktop -> error code
		wantLists  int
	}{
		{
			name:   "success after waiting and running, sub-jobs",
			timing: mockcloud.Timing{JobWaiting: time.Hour, JobRunning: time.Hour},
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				m.StepClock(hw, opShowJob, time.Hour)
			},
			statuses: []string{"WAITING", "RUNNING", "SUCCESS"},
			wantDone: []string{"d1", "d2", "d3"},
		},
		{
			name: "INIT then COMPLETE, the provider's words",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				m.InTurn(jobAnswer("INIT", "", ""),
					jobAnswer("COMPLETE", "", "", [4]string{"d1", "SUCCESS"}, [4]string{"d2", "COMPLETE"}, [4]string{"d3", "FAIL", "WKS.0105", "in use"}))
			},
			statuses: []string{"INIT", "COMPLETE"},
			wantDone: []string{"d1", "d2"}, wantFailed: map[string]string{"d3": "WKS.0105"},
		},
		{
			name: "a word not known is not an end",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				subs := [][4]string{{"d1", "SUCCESS"}, {"d2", "SUCCESS"}, {"d3", "SUCCESS"}}
				m.InTurn(jobAnswer("RUNNING", "", ""), jobAnswer("PAUSED", "", ""), jobAnswer("SUCCESS", "", "", subs...))
			},
			statuses: []string{"RUNNING", "PAUSED", "SUCCESS"},
			wantDone: []string{"d1", "d2", "d3"},
		},
		{
			// The cloud skips IDs it does not know: none here, so the
			// job has no sub-job at all.
			name: "success without sub-jobs: followed until the listing leaves them out",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				if err := m.SetBehaviour(mockcloud.Behaviour{HuaweiUnknownIDs: mockcloud.UnknownSkip}); err != nil {
					t.Fatal(err)
				}
			},
			statuses: []string{"SUCCESS"},
			wantDone: []string{"d1", "d2", "d3"}, wantLists: 1,
		},
		{
			name: "a sub-job on a word not known is followed through the listing",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				// The listing shows d3 deleteFailed, as the mock does
				// for a failed sub-job; the job says ARCHIVED.
				m.InjectFault(mockcloud.Fault{Cloud: hw, Kind: mockcloud.FaultJobFailed, DesktopIDs: []string{"d3"}})
				m.InjectFault(jobAnswer("SUCCESS", "", "", [4]string{"d1", "SUCCESS"}, [4]string{"d2", "SUCCESS"}, [4]string{"d3", "ARCHIVED"}))
			},
			statuses: []string{"SUCCESS"},
			wantDone: []string{"d1", "d2"}, wantFailed: map[string]string{"d3": ""}, wantLists: 1,
		},
		{
			// d3 is not known: the mock gives it a sub-job that fails
			// with WKS.0004, which counts as deleted.
			name:   "failed with sub-jobs, ignore missing",
			timing: mockcloud.Timing{JobRunning: time.Hour},
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2")
				m.InjectFault(mockcloud.Fault{Cloud: hw, Kind: mockcloud.FaultJobFailed, DesktopIDs: []string{"d2"}, Code: "WKS.0105", Message: "The desktop is in use."})
				m.StepClock(hw, opShowJob, time.Hour)
			},
			statuses:   []string{"RUNNING", "FAILED"},
			wantDone:   []string{"d1", "d3"},
			wantFailed: map[string]string{"d2": "WKS.0105"},
		},
		{
			name:        "failed with sub-jobs, missing counts as failure",
			failMissing: true,
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				m.InjectFault(mockcloud.Fault{Cloud: hw, Kind: mockcloud.FaultJobFailed, DesktopIDs: []string{"d2"}, Code: "WKS.0105", Message: "The desktop is in use."})
				m.InjectFault(mockcloud.Fault{Cloud: hw, Kind: mockcloud.FaultJobFailed, DesktopIDs: []string{"d3"}, Code: "WKS.9999", Message: "Desktop not found"})
			},
			statuses:   []string{"FAILED"},
			wantDone:   []string{"d1"},
			wantFailed: map[string]string{"d2": "WKS.0105", "d3": "WKS.9999"},
			wantLists:  1, // the read before the delete
		},
		{
			name: "failed job without sub-jobs",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				m.InjectFault(jobAnswer("FAILED", "WKS.0600", "Job failed."))
			},
			statuses:   []string{"FAILED"},
			wantFailed: map[string]string{"d1": "WKS.0600", "d2": "WKS.0600", "d3": "WKS.0600"},
		},
		{
			name: "success with one failed sub-job",
			setup: func(t *testing.T, m *clienttest.Cloud) {
				add(m, "d1", "d2", "d3")
				m.InjectFault(jobAnswer("SUCCESS", "", "", [4]string{"d1", "SUCCESS"}, [4]string{"d2", "FAILED", "WKS.0105", "in use"}, [4]string{"d3", "SUCCESS"}))
			},
			statuses:   []string{"SUCCESS"},
			wantDone:   []string{"d1", "d3"},
			wantFailed: map[string]string{"d2": "WKS.0105"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t, timing(tt.timing), func(cfg *mockcloud.Config) { cfg.HuaweiJobIDs = []string{"job-7"} })
			tt.setup(t, m)
			c := newTestClient(t, m.URL)
			// A word wrongly taken for "still running" would wait forever.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, FailMissing: tt.failMissing, Poll: testPoll}}).Act(ctx, batch("d1", "d2", "d3"))
			if !sameIDs(out.Done, tt.wantDone) || len(out.Failed) != len(tt.wantFailed) {
				t.Fatalf("outcome %+v", out)
			}
			jobs := m.CallsTo(hw, opShowJob)
			if len(jobs) != len(tt.statuses) {
				t.Errorf("%d ShowJob calls, want %d", len(jobs), len(tt.statuses))
			}
			if n := len(m.CallsTo(hw, opList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			final := tt.statuses[len(tt.statuses)-1]
			for _, fl := range out.Failed {
				ce := clienttest.CloudError(t, fl.Err)
				if code, ok := tt.wantFailed[fl.DesktopID]; !ok || ce.Code != code || ce.Message == "" ||
					!slices.Equal(ce.DesktopIDs, []string{fl.DesktopID}) {
					t.Errorf("%s: %+v (LastStatus %q)", fl.DesktopID, *ce, fl.LastStatus)
				}
				lastJob := jobs[len(jobs)-1].RequestID
				if code := tt.wantFailed[fl.DesktopID]; code != "" && (ce.RequestID != lastJob || lastJob == "" || fl.LastStatus != final) {
					t.Errorf("%s: request ID %s, last status %q; want %s, %q", fl.DesktopID, ce.RequestID, fl.LastStatus, lastJob, final)
				}
			}
			// Polls are not action calls: only the batch-delete counts.
			if len(out.RequestIDs) != 1 {
				t.Errorf("RequestIDs %v", out.RequestIDs)
			}
		})
	}
}

func TestDeleteWithoutWaitMakesNoJobCall(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1")
	c := newTestClient(t, m.URL)
	out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
	if !sameIDs(out.Done, []string{"d1"}) || len(m.Calls()) != 1 || m.DeleteCount(hw, "d1") != 1 {
		t.Fatalf("outcome %+v, %d requests", out, len(m.Calls()))
	}
}

// TestDeleteNotFound: a 404 for the whole call. By default (ignore_missing)
// the batch is then read: unknown desktops are Done, still existing ones
// are sent again. With FailMissing the batch is read before the call, so a
// desktop that does not exist fails unsent; a 404 despite that (the
// desktop vanished in between) fails the call's desktops with it.
func TestDeleteNotFound(t *testing.T) {
	const notExist = "does not exist"
	// notFound is a 404 naming d1, whatever the cloud knows of it.
	notFound := mockcloud.Fault{Cloud: hw, Operation: opBatchDelete, Kind: mockcloud.FaultError, Status: 404, Code: "WKS.0004",
		Message: "Desktop d1 not found.", DesktopIDs: []string{"d1"}}
	tests := []struct {
		name        string
		failMissing bool
		setup       func(m *clienttest.Cloud) // d1 is unknown unless it says otherwise
		wantDone    []string
		wantFailed  map[string]string // desktop -> what its error says
		wantDeletes int
		wantSent    [][]string
	}{
		{
			name: "fail missing: the unknown one fails unsent", failMissing: true, setup: func(m *clienttest.Cloud) { add(m, "d2") },
			wantDone: []string{"d2"}, wantFailed: map[string]string{"d1": notExist}, wantDeletes: 1, wantSent: [][]string{{"d2"}},
		},
		{
			name: "fail missing: listed, yet 404", failMissing: true, setup: func(m *clienttest.Cloud) { add(m, "d1", "d2"); m.InjectFault(notFound) },
			wantFailed: map[string]string{"d1": "Desktop d1 not found", "d2": "Desktop d1 not found"}, wantDeletes: 1,
		},
		{name: "ignore, none listed", setup: func(*clienttest.Cloud) {}, wantDone: []string{"d1", "d2"}, wantDeletes: 1},
		{
			name:     "ignore, one DELETED",
			setup:    func(m *clienttest.Cloud) { set(m, "d2", "DELETED", "") },
			wantDone: []string{"d1", "d2"}, wantDeletes: 1,
		},
		{
			name: "ignore, one still exists", setup: func(m *clienttest.Cloud) { add(m, "d2") },
			wantDone: []string{"d1", "d2"}, wantDeletes: 2, wantSent: [][]string{{"d1", "d2"}, {"d2"}},
		},
		{
			name:       "ignore, all exist",
			setup:      func(m *clienttest.Cloud) { add(m, "d1"); set(m, "d2", "SHUTOFF", ""); m.InjectFault(notFound) },
			wantFailed: map[string]string{"d1": "Desktop d1 not found", "d2": "Desktop d1 not found"}, wantDeletes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The cloud refuses a whole batch that names a desktop it
			// does not know.
			m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.Behaviour.HuaweiUnknownIDs = mockcloud.UnknownReject })
			tt.setup(m)
			c := newTestClient(t, m.URL)
			out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{FailMissing: tt.failMissing}}).Act(context.Background(), batch("d1", "d2"))
			if !sameIDs(out.Done, tt.wantDone) || len(out.Failed) != len(tt.wantFailed) {
				t.Fatalf("outcome %+v", out)
			}
			for _, fl := range out.Failed {
				ce := clienttest.CloudError(t, fl.Err)
				if want, ok := tt.wantFailed[fl.DesktopID]; !ok || ce.Code != "WKS.0004" || !strings.Contains(ce.Error(), want) || ce.RequestID == "" {
					t.Errorf("%s: %+v", fl.DesktopID, *ce)
				}
			}
			deletes := m.CallsTo(hw, opBatchDelete)
			if len(deletes) != tt.wantDeletes {
				t.Fatalf("%d delete calls, want %d", len(deletes), tt.wantDeletes)
			}
			for i, want := range tt.wantSent {
				if !sameIDs(deletes[i].DesktopIDs, want) {
					t.Errorf("delete call %d sent %v, want %v", i+1, deletes[i].DesktopIDs, want)
				}
			}
		})
	}
}

// TestDeleteAmbiguousNotResent: the first delete answers 504; reading the
// batch shows d1 deleting and d2 gone, so only d3 is resent. With Wait, d3
// follows its job and d1 is followed through the listing until it reads
// DELETED.
func TestDeleteAmbiguousNotResent(t *testing.T) {
	m := clienttest.Start(t)
	set(m, "d1", "ACTIVE", "deleting")
	add(m, "d3")
	gateway := reply(opBatchDelete, 504, "<html>Gateway Timeout</html>", "Content-Type", "text/html", "X-Request-Id", "")
	gateway.Count = 1
	m.InjectFault(gateway)
	m.At(hw, opList, 3, func() { set(m, "d1", "DELETED", "") })
	c := newTestClient(t, m.URL)
	out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(context.Background(), batch("d1", "d2", "d3"))
	if !sameIDs(out.Done, []string{"d1", "d2", "d3"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	deletes := m.CallsTo(hw, opBatchDelete)
	if len(deletes) != 2 || !slices.Equal(deletes[1].DesktopIDs, []string{"d3"}) {
		t.Errorf("delete calls %d, second with %v", len(deletes), deletes[len(deletes)-1].DesktopIDs)
	}
	if m.DeleteCount(hw, "d3") != 1 || m.DeleteCount(hw, "d1") != 0 {
		t.Errorf("d3 deleted %d times, d1 %d", m.DeleteCount(hw, "d3"), m.DeleteCount(hw, "d1"))
	}
	lists := m.CallsTo(hw, opList)
	// Read back, then the first poll of d1 and d2 (d2 gone: done), then d1 alone.
	if len(lists) != 3 || !sameIDs(lists[0].DesktopIDs, []string{"d1", "d2", "d3"}) ||
		!sameIDs(lists[1].DesktopIDs, []string{"d1", "d2"}) || !slices.Equal(lists[2].DesktopIDs, []string{"d1"}) {
		t.Errorf("%d list calls", len(lists))
	}
}

// TestDeleteWatchedDesktopStopsDeleting: a desktop a lost call had started
// deleting, followed through the listing, turns idle again: it was not
// deleted after all, and fails with what was seen.
func TestDeleteWatchedDesktopStopsDeleting(t *testing.T) {
	m := clienttest.Start(t)
	set(m, "d1", "ACTIVE", "deleting")
	m.InjectFault(mockcloud.Fault{Cloud: hw, Operation: opBatchDelete, Kind: mockcloud.FaultReset})
	m.At(hw, opList, 2, func() { add(m, "d1") })
	c := newTestClient(t, m.URL)
	out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 || out.Failed[0].LastStatus != "ACTIVE" {
		t.Fatalf("outcome %+v", out)
	}
	if n := len(m.CallsTo(hw, opBatchDelete)); n != 1 {
		t.Errorf("%d delete calls, want 1", n)
	}
}
