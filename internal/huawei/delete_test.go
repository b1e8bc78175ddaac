package huawei

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func okDelete(w http.ResponseWriter, jobID string) {
	writeJSON(w, 202, map[string]string{"job_id": jobID})
}

func TestDeleteRequestBody(t *testing.T) {
	tests := []DeleteOptions{
		{},
		{DeleteUsers: true},
		{EmailNotification: true},
		{IsForceDelete: true},
		{DeleteUsers: true, EmailNotification: true, IsForceDelete: true},
	}
	for _, opts := range tests {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okDelete(w, "job-1") })
		c := newTestClient(t, f.srv.URL)
		out := c.Deleter(opts).Act(context.Background(), batch("d1", "d2"))
		if !sameIDs(out.Done, []string{"d1", "d2"}) {
			t.Fatalf("%+v: outcome %+v", opts, out)
		}
		reqs := f.requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests", len(reqs))
		}
		s := reqs[0]
		if s.Method != http.MethodPost || s.Path != "/v2/"+testProject+"/desktops/batch-delete" {
			t.Errorf("%s %s", s.Method, s.Path)
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(s.Body, &body); err != nil {
			t.Fatalf("body %q: %v", s.Body, err)
		}
		want := map[string]bool{"delete_users": opts.DeleteUsers, "email_notification": opts.EmailNotification, "is_force_delete": opts.IsForceDelete}
		for k, v := range want {
			raw, ok := body[k]
			if !ok {
				t.Errorf("%+v: body %s lacks %s", opts, s.Body, k)
				continue
			}
			var got bool
			if err := json.Unmarshal(raw, &got); err != nil || got != v {
				t.Errorf("%+v: %s = %s, want %v", opts, k, raw, v)
			}
		}
		if len(body) != 4 || !slices.Equal(s.IDs(), []string{"d1", "d2"}) {
			t.Errorf("body %s", s.Body)
		}
	}
}

// TestDeleteWaitJob follows one job to its end through each word the
// sources use (SUCCESS or COMPLETE, FAILED or FAIL; INIT, WAITING, RUNNING
// on the way), and a word nobody documents, which ends nothing. A desktop
// the ended job has no sub-job for, or whose sub-job ended on a word not
// known, is followed through the listing rather than taken as deleted.
func TestDeleteWaitJob(t *testing.T) {
	type sub struct{ id, status, code, reason string }
	tests := []struct {
		name        string
		failMissing bool
		statuses    []string // job status per poll; the last repeats
		jobCode     string
		jobReason   string
		subs        []sub
		listed      []desk // what every listing shows
		wantDone    []string
		wantFailed  map[string]string // desktop -> error code
		wantLists   int
	}{
		{
			name:     "success after running, sub-jobs",
			statuses: []string{"WAITING", "RUNNING", "SUCCESS"},
			subs:     []sub{{"d1", "SUCCESS", "", ""}, {"d2", "SUCCESS", "", ""}, {"d3", "SUCCESS", "", ""}},
			wantDone: []string{"d1", "d2", "d3"},
		},
		{
			name:     "INIT then COMPLETE, the provider's words",
			statuses: []string{"INIT", "COMPLETE"},
			subs:     []sub{{"d1", "SUCCESS", "", ""}, {"d2", "COMPLETE", "", ""}, {"d3", "FAIL", "WKS.0105", "in use"}},
			wantDone: []string{"d1", "d2"}, wantFailed: map[string]string{"d3": "WKS.0105"},
		},
		{
			name:     "a word not known is not an end",
			statuses: []string{"RUNNING", "PAUSED", "SUCCESS"},
			subs:     []sub{{"d1", "SUCCESS", "", ""}, {"d2", "SUCCESS", "", ""}, {"d3", "SUCCESS", "", ""}},
			wantDone: []string{"d1", "d2", "d3"},
		},
		{
			name:     "success without sub-jobs: followed until the listing leaves them out",
			statuses: []string{"SUCCESS"},
			wantDone: []string{"d1", "d2", "d3"}, wantLists: 1,
		},
		{
			name:     "a sub-job on a word not known is followed through the listing",
			statuses: []string{"SUCCESS"},
			subs:     []sub{{"d1", "SUCCESS", "", ""}, {"d2", "SUCCESS", "", ""}, {"d3", "ARCHIVED", "", ""}},
			listed:   []desk{{"d3", "ACTIVE", "deleteFailed"}},
			wantDone: []string{"d1", "d2"}, wantFailed: map[string]string{"d3": ""}, wantLists: 1,
		},
		{
			name:     "failed with sub-jobs, ignore missing",
			statuses: []string{"RUNNING", "FAILED"},
			subs: []sub{
				{"d1", "SUCCESS", "", ""},
				{"d2", "FAILED", "WKS.0105", "The desktop is in use."},
				{"d3", "FAILED", "WKS.0004", "The desktop does not exist."},
			},
			wantDone:   []string{"d1", "d3"},
			wantFailed: map[string]string{"d2": "WKS.0105"},
		},
		{
			name:        "failed with sub-jobs, missing counts as failure",
			failMissing: true,
			statuses:    []string{"FAILED"},
			subs: []sub{
				{"d1", "SUCCESS", "", ""},
				{"d2", "FAILED", "WKS.0105", "The desktop is in use."},
				{"d3", "FAILED", "WKS.9999", "Desktop not found"},
			},
			listed:     []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", ""}, {"d3", "ACTIVE", ""}},
			wantDone:   []string{"d1"},
			wantFailed: map[string]string{"d2": "WKS.0105", "d3": "WKS.9999"},
			wantLists:  1, // the read before the delete
		},
		{
			name:       "failed job without sub-jobs",
			statuses:   []string{"FAILED"},
			jobCode:    "WKS.0600",
			jobReason:  "Job failed.",
			wantFailed: map[string]string{"d1": "WKS.0600", "d2": "WKS.0600", "d3": "WKS.0600"},
		},
		{
			name:       "success with one failed sub-job",
			statuses:   []string{"SUCCESS"},
			subs:       []sub{{"d1", "SUCCESS", "", ""}, {"d2", "FAILED", "WKS.0105", "in use"}, {"d3", "SUCCESS", "", ""}},
			wantDone:   []string{"d1", "d3"},
			wantFailed: map[string]string{"d2": "WKS.0105"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			final := tt.statuses[len(tt.statuses)-1]
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch s.Route {
				case routeDelete:
					okDelete(w, "job-7")
				case routeJob:
					status := tt.statuses[min(s.N, len(tt.statuses))-1]
					body := map[string]any{"id": "job-7", "job_type": "DELETE_DESKTOP", "status": status}
					if status == final {
						var subs []map[string]any
						for i, sj := range tt.subs {
							subs = append(subs, map[string]any{
								"id": "sub-" + string(rune('a'+i)), "status": sj.status, "error_code": sj.code, "fail_reason": sj.reason,
								"entities": map[string]string{"desktop_id": sj.id},
							})
						}
						body["sub_jobs"] = subs
						body["sub_jobs_total"] = len(subs)
						if tt.jobCode != "" {
							body["job_error_code"], body["fail_reason"] = tt.jobCode, tt.jobReason
						}
					}
					writeJSON(w, 200, body)
				case routeList:
					writeList(w, s, tt.listed)
				}
			})
			c := newTestClient(t, f.srv.URL)
			out := c.Deleter(DeleteOptions{Wait: true, FailMissing: tt.failMissing, Poll: testPoll}).Act(context.Background(), batch("d1", "d2", "d3"))
			if !sameIDs(out.Done, tt.wantDone) || len(out.Failed) != len(tt.wantFailed) {
				t.Fatalf("outcome %+v", out)
			}
			jobs := f.of(routeJob)
			if len(jobs) != len(tt.statuses) {
				t.Errorf("%d ShowJob calls, want %d", len(jobs), len(tt.statuses))
			}
			if n := len(f.of(routeList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			for _, fl := range out.Failed {
				ce := cloudErr(t, fl.Err)
				if code, ok := tt.wantFailed[fl.DesktopID]; !ok || ce.Code != code || ce.Message == "" ||
					!slices.Equal(ce.DesktopIDs, []string{fl.DesktopID}) {
					t.Errorf("%s: %+v (LastStatus %q)", fl.DesktopID, *ce, fl.LastStatus)
				}
				lastJob := "req-job-" + string(rune('0'+len(jobs)))
				if code := tt.wantFailed[fl.DesktopID]; code != "" && (ce.RequestID != lastJob || fl.LastStatus != final) {
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
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okDelete(w, "job-1") })
	c := newTestClient(t, f.srv.URL)
	out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
	if !sameIDs(out.Done, []string{"d1"}) || len(f.requests()) != 1 {
		t.Fatalf("outcome %+v, %d requests", out, len(f.requests()))
	}
}

// TestDeleteNotFound: a 404 for the whole call. By default (ignore_missing)
// the batch is then read: unknown desktops are Done, still existing ones
// are sent again. With FailMissing the batch is read before the call, so a
// desktop that does not exist fails unsent; a 404 despite that (the
// desktop vanished in between) fails the call's desktops with it.
func TestDeleteNotFound(t *testing.T) {
	const notExist = "does not exist"
	tests := []struct {
		name        string
		failMissing bool
		listed      []desk
		wantDone    []string
		wantFailed  map[string]string // desktop -> what its error says
		wantDeletes int
		wantSent    [][]string
	}{
		{
			name: "fail missing: the unknown one fails unsent", failMissing: true, listed: []desk{{"d2", "ACTIVE", ""}},
			wantDone: []string{"d2"}, wantFailed: map[string]string{"d1": notExist}, wantDeletes: 1, wantSent: [][]string{{"d2"}},
		},
		{
			name: "fail missing: listed, yet 404", failMissing: true, listed: []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", ""}},
			wantFailed: map[string]string{"d1": "Desktop d1 not found", "d2": "Desktop d1 not found"}, wantDeletes: 1,
		},
		{name: "ignore, none listed", wantDone: []string{"d1", "d2"}, wantDeletes: 1},
		{name: "ignore, one DELETED", listed: []desk{{"d2", "DELETED", ""}}, wantDone: []string{"d1", "d2"}, wantDeletes: 1},
		{
			name: "ignore, one still exists", listed: []desk{{"d2", "ACTIVE", ""}},
			wantDone: []string{"d1", "d2"}, wantDeletes: 2, wantSent: [][]string{{"d1", "d2"}, {"d2"}},
		},
		{
			name: "ignore, all exist", listed: []desk{{"d1", "ACTIVE", ""}, {"d2", "SHUTOFF", ""}},
			wantFailed: map[string]string{"d1": "Desktop d1 not found", "d2": "Desktop d1 not found"}, wantDeletes: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch {
				case s.Route == routeDelete && slices.Contains(s.IDs(), "d1"):
					writeError(w, 404, "WKS.0004", "Desktop d1 not found.")
				case s.Route == routeDelete:
					okDelete(w, "job-2")
				case s.Route == routeList:
					writeList(w, s, tt.listed)
				}
			})
			c := newTestClient(t, f.srv.URL)
			out := c.Deleter(DeleteOptions{FailMissing: tt.failMissing}).Act(context.Background(), batch("d1", "d2"))
			if !sameIDs(out.Done, tt.wantDone) || len(out.Failed) != len(tt.wantFailed) {
				t.Fatalf("outcome %+v", out)
			}
			for _, fl := range out.Failed {
				ce := cloudErr(t, fl.Err)
				if want, ok := tt.wantFailed[fl.DesktopID]; !ok || ce.Code != "WKS.0004" || !strings.Contains(ce.Error(), want) || ce.RequestID == "" {
					t.Errorf("%s: %+v", fl.DesktopID, *ce)
				}
			}
			deletes := f.of(routeDelete)
			if len(deletes) != tt.wantDeletes {
				t.Fatalf("%d delete calls, want %d", len(deletes), tt.wantDeletes)
			}
			for i, want := range tt.wantSent {
				if !sameIDs(deletes[i].IDs(), want) {
					t.Errorf("delete call %d sent %v, want %v", i+1, deletes[i].IDs(), want)
				}
			}
		})
	}
}

// TestDeleteAmbiguousNotResent: the first delete answers 504; reading the
// batch shows d1 deleting and d2 gone, so only d3 is resent. With Wait, d3
// follows its job and d1 is followed through the listing.
func TestDeleteAmbiguousNotResent(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch {
		case s.Route == routeDelete && s.N == 1:
			writeRaw(w, 504, "text/html", "<html>Gateway Timeout</html>")
		case s.Route == routeDelete:
			okDelete(w, "job-3")
		case s.Route == routeJob:
			writeJSON(w, 200, map[string]any{"id": "job-3", "status": "SUCCESS", "sub_jobs": []map[string]any{
				{"id": "sub-1", "status": "SUCCESS", "entities": map[string]string{"desktop_id": "d3"}},
			}})
		case s.Route == routeList && s.N == 1:
			writeList(w, s, []desk{{"d1", "ACTIVE", "deleting"}, {"d3", "ACTIVE", ""}})
		case s.Route == routeList && s.N == 2:
			writeList(w, s, []desk{{"d1", "ACTIVE", "deleting"}})
		case s.Route == routeList:
			writeList(w, s, []desk{{"d1", "DELETED", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1", "d2", "d3"))
	if !sameIDs(out.Done, []string{"d1", "d2", "d3"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	deletes := f.of(routeDelete)
	if len(deletes) != 2 || !slices.Equal(deletes[1].IDs(), []string{"d3"}) {
		t.Errorf("delete calls %d, second with %v", len(deletes), deletes[len(deletes)-1].IDs())
	}
	lists := f.of(routeList)
	// Read back, then the first poll of d1 and d2 (d2 gone: done), then d1 alone.
	if len(lists) != 3 || !sameIDs(lists[0].IDs(), []string{"d1", "d2", "d3"}) ||
		!sameIDs(lists[1].IDs(), []string{"d1", "d2"}) || !slices.Equal(lists[2].IDs(), []string{"d1"}) {
		t.Errorf("%d list calls", len(lists))
	}
}

func TestDeleteWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeDelete:
			okDelete(w, "job-9")
		case routeJob:
			writeJSON(w, 200, map[string]any{"id": "job-9", "status": "RUNNING"})
			if s.N == 2 {
				cancel()
			}
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1", "d2"))
	if len(out.Done) != 0 || !sameIDs(failedIDs(out), []string{"d1", "d2"}) {
		t.Fatalf("outcome %+v", out)
	}
	for _, fl := range out.Failed {
		if !errors.Is(fl.Err, context.Canceled) || fl.LastStatus != "RUNNING" {
			t.Errorf("failure %+v", fl)
		}
	}
	if n := len(f.of(routeJob)); n != 2 {
		t.Errorf("%d ShowJob calls, want 2", n)
	}
}

func TestDeleteWatchedDesktopStopsDeleting(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch {
		case s.Route == routeDelete:
			resetConn(t, w)
		case s.Route == routeList && s.N == 1:
			writeList(w, s, []desk{{"d1", "ACTIVE", "deleting"}})
		case s.Route == routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 || out.Failed[0].LastStatus != "ACTIVE" {
		t.Fatalf("outcome %+v", out)
	}
	if n := len(f.of(routeDelete)); n != 1 {
		t.Errorf("%d delete calls, want 1", n)
	}
}
