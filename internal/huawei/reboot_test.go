package huawei

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

func okReboot(w http.ResponseWriter) {
	writeJSON(w, 200, map[string]any{"failed_operation_list": []any{}})
}

func TestRebootRequestBody(t *testing.T) {
	tests := []struct{ typ, want string }{
		{"", "SOFT"},
		{"SOFT", "SOFT"},
		{"HARD", "HARD"},
		{"hard", "HARD"},
	}
	for _, tt := range tests {
		t.Run("type "+tt.typ, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okReboot(w) })
			c := newTestClient(t, f.srv.URL)
			out := c.Rebooter(RebootOptions{Type: tt.typ}).Act(context.Background(), batch("d1", "d2"))
			if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
				t.Fatalf("outcome %+v", out)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			s := reqs[0]
			if s.Method != http.MethodPost || s.Path != "/v2/"+testProject+"/desktops/action" {
				t.Errorf("%s %s", s.Method, s.Path)
			}
			var body map[string]any
			if err := json.Unmarshal(s.Body, &body); err != nil {
				t.Fatalf("body %q: %v", s.Body, err)
			}
			if body["op_type"] != "reboot" || body["type"] != tt.want || len(body) != 3 {
				t.Errorf("body %s", s.Body)
			}
			if !slices.Equal(s.IDs(), []string{"d1", "d2"}) {
				t.Errorf("desktop_ids %v", s.IDs())
			}
			if out.RequestIDs[0] != "req-action-1" {
				t.Errorf("RequestIDs %v", out.RequestIDs)
			}
		})
	}
}

func TestRebootInvalidTypeMakesNoCall(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okReboot(w) })
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{Type: "WARM"}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 || len(f.requests()) != 0 {
		t.Fatalf("outcome %+v, %d requests", out, len(f.requests()))
	}
}

func TestRebootFailedOperationList(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		w.Header().Set("X-Request-Id", "rid-reboot")
		writeJSON(w, 200, map[string]any{"failed_operation_list": []map[string]string{
			{"desktop_id": "d2", "desktop_name": "pc-d2", "error_code": "WKS.0127", "error_msg": "The desktop is being operated."},
			{"desktop_id": "not-in-batch", "error_code": "X", "error_msg": "ignored"},
		}})
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2", "d3"))
	if !sameIDs(out.Done, []string{"d1", "d3"}) || !sameIDs(failedIDs(out), []string{"d2"}) {
		t.Fatalf("outcome %+v", out)
	}
	ce := cloudErr(t, out.Failed[0].Err)
	if ce.Operation != "BatchRunDesktops" || ce.Code != "WKS.0127" || ce.Message != "The desktop is being operated." ||
		ce.RequestID != "rid-reboot" || !slices.Equal(ce.DesktopIDs, []string{"d2"}) || ce.HTTPStatus != 200 {
		t.Errorf("CloudError %+v", *ce)
	}
}

// TestRebootFailedEntryWithoutReason: an entry of failed_operation_list
// with only desktop_id still fails its desktop with an error that says
// something (found by FuzzRebootResponse).
func TestRebootFailedEntryWithoutReason(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		writeJSON(w, 200, map[string]any{"failed_operation_list": []map[string]any{{"desktop_id": "d1"}}})
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d2"}) || !sameIDs(failedIDs(out), []string{"d1"}) {
		t.Fatalf("outcome %+v", out)
	}
	if ce := cloudErr(t, out.Failed[0].Err); !strings.Contains(ce.Message, "failed_operation_list") {
		t.Errorf("CloudError %+v", *ce)
	}
}

// TestRebootAmbiguousNotResent: the first call's connection is reset after
// it was sent. The batch is read back in one list call; d1 is already
// rebooting, so only d2 and d3 are resent.
func TestRebootAmbiguousNotResent(t *testing.T) {
	tests := []struct {
		name     string
		first    func(t *testing.T, w http.ResponseWriter)
		listed   []desk
		wantSend []string // desktop_ids of the second call; nil for none
	}{
		{
			name:     "reset, one rebooting",
			first:    func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) },
			listed:   []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", ""}, {"d3", "SHUTOFF", ""}},
			wantSend: []string{"d2", "d3"},
		},
		{
			name:     "504, hard reboot task and REBOOT status",
			first:    func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 504, "text/html", "<h1>Gateway Timeout</h1>") },
			listed:   []desk{{"d1", "ACTIVE", "reboot_started_hard"}, {"d2", "REBOOT", ""}, {"d3", "ACTIVE", ""}},
			wantSend: []string{"d3"},
		},
		{
			name: "500 WKS.0500, one rebooting",
			first: func(t *testing.T, w http.ResponseWriter) {
				writeJSON(w, 500, map[string]string{"error_code": "WKS.0500", "error_msg": "Internal error."})
			},
			listed:   []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", ""}, {"d3", "ACTIVE", ""}},
			wantSend: []string{"d2", "d3"},
		},
		{
			name:   "reset, all rebooting",
			first:  func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) },
			listed: []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", "rebooting"}, {"d3", "ACTIVE", "rebooting"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch {
				case s.Route == routeAction && s.N == 1:
					tt.first(t, w)
				case s.Route == routeAction:
					okReboot(w)
				case s.Route == routeList:
					writeList(w, s, tt.listed)
				}
			})
			c := newTestClient(t, f.srv.URL)
			out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2", "d3"))
			if !sameIDs(out.Done, []string{"d1", "d2", "d3"}) || len(out.Failed) != 0 {
				t.Fatalf("outcome %+v", out)
			}
			actions := f.of(routeAction)
			if tt.wantSend == nil {
				if len(actions) != 1 {
					t.Errorf("%d action calls, want 1", len(actions))
				}
			} else if len(actions) != 2 || !sameIDs(actions[1].IDs(), tt.wantSend) {
				t.Errorf("resent %d calls, second with %v; want %v", len(actions), actions[len(actions)-1].IDs(), tt.wantSend)
			}
			lists := f.of(routeList)
			if len(lists) != 1 || !sameIDs(lists[0].IDs(), []string{"d1", "d2", "d3"}) {
				t.Errorf("list calls %d, filter %v", len(lists), lists[0].IDs())
			}
		})
	}
}

func TestRebootWait(t *testing.T) {
	var mu sync.Mutex
	polls := 0
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			okReboot(w)
		case routeList:
			mu.Lock()
			polls++
			n := polls
			mu.Unlock()
			switch n {
			case 1:
				writeList(w, s, []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "SHUTOFF", "powering-on"}})
			case 2:
				writeList(w, s, []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", "rebooting"}})
			default:
				writeList(w, s, []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", ""}})
			}
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	lists := f.of(routeList)
	if len(lists) != 3 {
		t.Errorf("%d polls, want 3", len(lists))
	}
	// d1 was done after the second poll: the third asks only for d2.
	if !slices.Equal(lists[2].IDs(), []string{"d2"}) {
		t.Errorf("third poll asked for %v", lists[2].IDs())
	}
	if len(out.RequestIDs) != 1 { // the reboot call; polls are not counted
		t.Errorf("RequestIDs %v", out.RequestIDs)
	}
}

func TestRebootWaitFailures(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			okReboot(w)
		case routeList:
			writeList(w, s, []desk{{"d1", "ERROR", ""}, {"d3", "ACTIVE", ""}, {"d4", "DELETED", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Millisecond}).Act(context.Background(), batch("d1", "d2", "d3", "d4"))
	if !sameIDs(out.Done, []string{"d3"}) || !sameIDs(failedIDs(out), []string{"d1", "d2", "d4"}) {
		t.Fatalf("outcome %+v", out)
	}
	for _, fl := range out.Failed {
		ce := cloudErr(t, fl.Err)
		if ce.RequestID != "req-list-1" || ce.Message == "" {
			t.Errorf("%s: %+v", fl.DesktopID, *ce)
		}
		if fl.DesktopID == "d1" && fl.LastStatus != "ERROR" {
			t.Errorf("d1 LastStatus %q", fl.LastStatus)
		}
	}
}

// TestRebootWaitCancelled: ctx ends while a desktop is still rebooting.
func TestRebootWaitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			okReboot(w)
		case routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", ""}})
			if s.N == 3 {
				cancel()
			}
		}
	})
	c := newTestClient(t, f.srv.URL)
	// d2, never seen rebooting, is back on its second idle read.
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Nanosecond}).Act(ctx, batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d2"}) || !sameIDs(failedIDs(out), []string{"d1"}) {
		t.Fatalf("outcome %+v", out)
	}
	fl := out.Failed[0]
	if !errors.Is(fl.Err, context.Canceled) || fl.LastStatus != "ACTIVE/rebooting" {
		t.Errorf("failure %+v", fl)
	}
	if n := len(f.of(routeList)); n != 3 {
		t.Errorf("%d polls after cancel, want 3", n)
	}
}

// TestRebootCancelledBeforeStart: nothing is sent, and the desktops are
// left unaccounted, which the batch runner reports as not processed.
func TestRebootCancelledBeforeStart(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okReboot(w) })
	c := newTestClient(t, f.srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1", "d2"))
	if len(f.requests()) != 0 || len(out.Done) != 0 || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v after %d requests, want nothing sent and nothing accounted", out, len(f.requests()))
	}
}

// TestCancelledWhileWaitingToRetry: a throttled call is certainly not
// applied, so a stop during the wait before its retry leaves the desktops
// not processed, not failed with the throttling error. The stop comes when
// the retry is logged, which is after the answer was read and before the
// wait: that line must carry the attempt, the wait and the request ID.
func TestCancelledWhileWaitingToRetry(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		w.Header().Set("X-Request-Id", "req-throttled")
		writeJSON(w, 429, map[string]string{"error_code": "WKS.0429", "error_msg": "slow down"})
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) {
		c.Retry = retry.Policy{MaxRetries: 3, BaseDelay: time.Hour, MaxDelay: time.Hour}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var retryLine map[string]any
	ctx = tflogtest.RootLogger(ctx, logLines(func(line map[string]any) {
		if line["@message"] == "retrying cloud call" && retryLine == nil {
			retryLine = line
			cancel()
		}
	}))
	out := c.Rebooter(RebootOptions{}).Act(ctx, batch("d1", "d2"))
	if len(f.requests()) != 1 || len(out.Done) != 0 || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v after %d requests, want one call and nothing accounted", out, len(f.requests()))
	}
	if retryLine == nil {
		t.Fatal("the retry was not logged")
	}
	for field, want := range map[string]any{"attempt": float64(1), "of": float64(3), "operation": "BatchRunDesktops", "request_id": "req-throttled"} {
		if retryLine[field] != want {
			t.Errorf("retry log %s = %v, want %v (line %v)", field, retryLine[field], want, retryLine)
		}
	}
	if w, _ := retryLine["wait"].(string); w == "" || w == "0s" {
		t.Errorf("retry log wait = %v, want the backoff", retryLine["wait"])
	}
}

// logLines is an io.Writer for tflogtest that hands each JSON line to fn.
type logLines func(map[string]any)

func (fn logLines) Write(p []byte) (int, error) {
	for _, raw := range bytes.Split(p, []byte("\n")) {
		var line map[string]any
		if json.Unmarshal(raw, &line) == nil {
			fn(line)
		}
	}
	return len(p), nil
}

// TestCancelInFlight: cancelling ctx aborts a call the server is still
// holding, well before the per-call timeout.
func TestCancelInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	arrived := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		close(arrived)
		<-r.Context().Done() // hold the call until the client gives up
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.Timeout = time.Hour })
	go func() {
		<-arrived
		cancel()
	}()
	done := make(chan fleet.Outcome)
	go func() { done <- c.Rebooter(RebootOptions{}).Act(ctx, batch("d1")) }()
	select {
	case out := <-done:
		if len(out.Failed) != 1 || !errors.Is(out.Failed[0].Err, context.Canceled) {
			t.Fatalf("outcome %+v", out)
		}
		ce := cloudErr(t, out.Failed[0].Err)
		if ce.Retryable || !ce.Ambiguous {
			t.Errorf("cancelled after sending: %+v", *ce)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("%d requests", n)
		}
	case <-time.After(30 * time.Second): // a hang guard, not synchronisation
		t.Fatal("Act did not return after ctx was cancelled")
	}
}

func TestPerCallTimeoutRetried(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		if s.N == 1 {
			<-r.Context().Done() // only the client's timeout ends this
			return
		}
		writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	got, err := c.ListDesktops(context.Background(), fleetFilter("d1"))
	if err != nil || len(got) != 1 {
		t.Fatalf("ListDesktops = %v, %v", got, err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestRebootBatchSplit(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	if c.Rebooter(RebootOptions{}).MaxBatch() != 100 || c.Deleter(DeleteOptions{}).MaxBatch() != 100 {
		t.Fatal("MaxBatch is not 100")
	}
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) { okReboot(w) })
	c = newTestClient(t, f.srv.URL)
	ids := idsN("d", 250)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch(ids...))
	if !sameIDs(out.Done, ids) {
		t.Fatalf("%d done", len(out.Done))
	}
	var sizes []int
	var all []string
	for _, s := range f.of(routeAction) {
		sizes = append(sizes, len(s.IDs()))
		all = append(all, s.IDs()...)
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) || !sameIDs(all, ids) {
		t.Errorf("batch sizes %v", sizes)
	}
}

// TestRebootMalformedAnswerReadBack: an empty 200 may have been applied, so
// before the retry the batch is read back: a desktop already rebooting is
// Done and only the others are sent again.
func TestRebootMalformedAnswerReadBack(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			if s.N == 1 {
				writeRaw(w, 200, "application/json", "")
				return
			}
			okReboot(w)
		case routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	actions := f.of(routeAction)
	if a, l := len(actions), len(f.of(routeList)); a != 2 || l != 1 {
		t.Fatalf("%d action and %d list calls, want 2 and 1", a, l)
	}
	if body := string(actions[1].Body); strings.Contains(body, `"d1"`) || !strings.Contains(body, `"d2"`) {
		t.Errorf("resend %s, want d2 only", body)
	}
	if len(out.RequestIDs) != 2 {
		t.Errorf("RequestIDs %v", out.RequestIDs)
	}
}

// TestRebootMalformedToTheEnd: when every answer is unusable the desktops
// not seen rebooting fail with the reboot call's error.
func TestRebootMalformedToTheEnd(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			writeRaw(w, 200, "application/json", "")
		case routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", "rebooting"}, {"d2", "ACTIVE", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1"}) || !sameIDs(failedIDs(out), []string{"d2"}) {
		t.Fatalf("outcome %+v", out)
	}
	ce := cloudErr(t, out.Failed[0].Err)
	if ce.Operation != "BatchRunDesktops" || ce.HTTPStatus != 200 || !ce.Ambiguous || !strings.Contains(ce.Message, "empty body") {
		t.Errorf("%+v", *ce)
	}
	if a := len(f.of(routeAction)); a != 4 {
		t.Errorf("%d action calls, want 4", a)
	}
}

// TestRebootWaitIdleUntilTheSettleWindow: a desktop that shows ACTIVE and
// idle straight after the call may not have started its reboot yet (task
// state can stay empty for a while): never seen rebooting, it counts as
// back up only once it has stayed idle across the settle window, on at
// least two reads.
func TestRebootWaitIdleUntilTheSettleWindow(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			okReboot(w)
		case routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	const settle = 50 * time.Millisecond
	start := time.Now()
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: settle}).Act(context.Background(), batch("d1"))
	if !slices.Equal(out.Done, []string{"d1"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	// A lower bound only: idle reads never count before the window.
	if took := time.Since(start); took < settle {
		t.Errorf("counted rebooted after %v, before the settle window of %v", took, settle)
	}
	if n := len(f.of(routeList)); n < 2 {
		t.Errorf("%d reads, want at least 2", n)
	}
}
