package alibaba

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

var quickPoll = retry.Poller{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// TestRebootParameters checks every parameter that arrives, for both APIs.
func TestRebootParameters(t *testing.T) {
	yes, no := true, false
	full := &ClientAPI{ClientID: "client-1", SessionID: "sess-1", LoginToken: "login-tok", SessionToken: "sess-tok", ClientOS: "Linux", ClientVersion: "7.5.0", UUID: "device-0001"}
	tests := []struct {
		name    string
		opts    RebootOptions
		version string
		want    map[string]string
	}{
		{
			name: "client API, everything set", opts: RebootOptions{ClientAPI: full, OsUpdate: &no}, version: clientAPIVersion,
			want: map[string]string{
				"RegionId": "cn-hangzhou", "ClientId": "client-1", "ClientToken": "batch-token-0", "SessionId": "sess-1",
				"LoginToken": "login-tok", "SessionToken": "sess-tok", "ClientOS": "Linux", "ClientVersion": "7.5.0",
				"Uuid": "device-0001", "OsUpdate": "false", "DesktopId.1": "d1", "DesktopId.2": "d2", "DesktopId.3": "d3",
			},
		},
		{
			name: "client API, optional ones empty", opts: RebootOptions{ClientAPI: &ClientAPI{ClientID: "client-1", SessionID: "sess-1", LoginToken: "login-tok"}}, version: clientAPIVersion,
			want: map[string]string{
				"RegionId": "cn-hangzhou", "ClientId": "client-1", "ClientToken": "batch-token-0", "SessionId": "sess-1",
				"LoginToken": "login-tok", "DesktopId.1": "d1", "DesktopId.2": "d2", "DesktopId.3": "d3",
			},
		},
		{
			name: "admin API", opts: RebootOptions{OsUpdate: &yes}, version: adminAPIVersion,
			want: map[string]string{"RegionId": "cn-hangzhou", "OsUpdate": "true", "DesktopId.1": "d1", "DesktopId.2": "d2", "DesktopId.3": "d3"},
		},
		{
			name: "admin API, no OsUpdate", opts: RebootOptions{}, version: adminAPIVersion,
			want: map[string]string{"RegionId": "cn-hangzhou", "DesktopId.1": "d1", "DesktopId.2": "d2", "DesktopId.3": "d3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.seed(statusRunning, "d1", "d2", "d3")
			c := newTestClient(t, f.srv.URL)
			o := c.Rebooter(tt.opts).Act(context.Background(), batch("batch-token-0", "d3", "d1", "d2"))
			if !slices.Equal(sorted(o.Done), []string{"d1", "d2", "d3"}) || len(o.Failed) != 0 {
				t.Fatalf("outcome %+v", o)
			}
			calls := f.callsTo(opReboot)
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			if calls[0].Version != tt.version {
				t.Errorf("version %s, want %s", calls[0].Version, tt.version)
			}
			got := map[string]string{}
			for k, v := range calls[0].Query {
				got[k] = v[0]
			}
			// The client API goes as an RPC V2 request, whose common
			// parameters travel in the query too; the admin API (ACS3)
			// carries them in headers.
			for _, k := range []string{"Action", "Version", "Format", "Timestamp", "SignatureNonce"} {
				if _, ok := got[k]; ok != (tt.version == clientAPIVersion) {
					t.Errorf("%s API: query parameter %s present = %t", tt.version, k, ok)
				}
				delete(got, k)
			}
			// The batch's order is kept: fleet.Run sorts, Act does not.
			tt.want["DesktopId.1"], tt.want["DesktopId.2"], tt.want["DesktopId.3"] = "d3", "d1", "d2"
			if !maps.Equal(got, tt.want) {
				t.Errorf("parameters\n got %v\nwant %v", got, tt.want)
			}
			if !slices.Equal(o.RequestIDs, []string{"req-RebootDesktops-1"}) {
				t.Errorf("request IDs %v", o.RequestIDs)
			}
		})
	}
}

// TestClientTokenStableAcrossRetries: every attempt of a batch carries the
// batch's token, so the cloud reboots once however often the call is sent.
func TestClientTokenStableAcrossRetries(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1", "d2")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		switch {
		case s.Action != opReboot:
			return false
		case s.N == 1:
			writeError(w, 503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.", "req-503")
		case s.N == 2:
			// Applied, but the answer is lost.
			f.apply(s)
			resetConn(w)
		default:
			return false
		}
		return true
	})
	c := newTestClient(t, f.srv.URL)
	api := &ClientAPI{ClientID: "client-1", SessionID: "sess-1", LoginToken: "login-tok"}
	o := c.Rebooter(RebootOptions{ClientAPI: api}).Act(context.Background(), batch("reboot-7f3a-0", "d1", "d2"))
	if !slices.Equal(sorted(o.Done), []string{"d1", "d2"}) || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	calls := f.callsTo(opReboot)
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i, call := range calls {
		if tok := call.Query.Get("ClientToken"); tok != "reboot-7f3a-0" {
			t.Errorf("attempt %d ClientToken %q", i+1, tok)
		}
		if !slices.Equal(call.IDs, []string{"d1", "d2"}) {
			t.Errorf("attempt %d desktops %v", i+1, call.IDs)
		}
	}
	for _, id := range []string{"d1", "d2"} {
		if n := f.actedOn(id); n != 1 {
			t.Errorf("%s rebooted %d times", id, n)
		}
	}
	// The 503 and the replayed success returned request IDs; the reset did not.
	if !slices.Equal(o.RequestIDs, []string{"req-503", "req-RebootDesktops-2"}) {
		t.Errorf("request IDs %v", o.RequestIDs)
	}
}

func TestRebootBatchLimits(t *testing.T) {
	tests := []struct {
		name      string
		clientAPI bool
		n         int
		max       int
		calls     []int
	}{
		{"client API full batch", true, 20, 20, []int{20}},
		{"client API oversized batch is split", true, 45, 20, []int{20, 20, 5}},
		{"admin full batch", false, 100, 100, []int{100}},
		{"admin oversized batch is split", false, 130, 100, []int{100, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			ids := idRange("d", tt.n)
			f.seed(statusRunning, ids...)
			c := newTestClient(t, f.srv.URL)
			opts := RebootOptions{}
			if tt.clientAPI {
				opts.ClientAPI = &ClientAPI{ClientID: "c", SessionID: "s", LoginToken: "lt"}
			}
			a := c.Rebooter(opts)
			if a.MaxBatch() != tt.max {
				t.Errorf("MaxBatch = %d, want %d", a.MaxBatch(), tt.max)
			}
			o := a.Act(context.Background(), batch("tok", ids...))
			if len(o.Done) != tt.n || len(o.Failed) != 0 {
				t.Fatalf("done %d failed %v", len(o.Done), o.Failed)
			}
			var sizes []int
			tokens := map[string]bool{}
			for _, call := range f.callsTo(opReboot) {
				sizes = append(sizes, len(call.IDs))
				tokens[call.Query.Get("ClientToken")] = true
			}
			if !slices.Equal(sizes, tt.calls) {
				t.Errorf("call sizes %v, want %v", sizes, tt.calls)
			}
			if tt.clientAPI && len(tokens) != len(tt.calls) {
				t.Errorf("chunks share tokens: %v", tokens)
			}
		})
	}
}

func TestClientTokenChecked(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1")
	c := newTestClient(t, f.srv.URL)
	a := c.Rebooter(RebootOptions{ClientAPI: &ClientAPI{LoginToken: "lt"}})
	for _, tok := range []string{strings.Repeat("x", 65), "tök"} {
		o := a.Act(context.Background(), batch(tok, "d1"))
		if len(o.Failed) != 1 || !strings.Contains(o.Failed[0].Err.Error(), "ClientToken") {
			t.Errorf("token %q: %+v", tok, o)
		}
	}
	// No token at all: one of our own, still the same across retries.
	o := a.Act(context.Background(), batch("", "d1"))
	if len(o.Done) != 1 || len(f.callsTo(opReboot)) != 1 || f.callsTo(opReboot)[0].Query.Get("ClientToken") == "" {
		t.Errorf("without a batch token: %+v", o)
	}
}

// TestAdminRebootAfterAmbiguousFailure: the admin API has no token, so the
// batch is read back before resending: desktops already rebooting are not
// rebooted again, Running ones are resent, others fail with what was seen.
func TestAdminRebootAfterAmbiguousFailure(t *testing.T) {
	tests := []struct {
		name      string
		lost      func(w http.ResponseWriter, f *fakeECD, s seen) // the first call's fate
		resent    []string
		done      []string
		failed    []string
		lastState map[string]string
		reboots   map[string]int
	}{
		{
			name: "applied to some, answer lost",
			lost: func(w http.ResponseWriter, f *fakeECD, s seen) {
				f.apply(seen{Action: opReboot, IDs: []string{"d1", "d2"}, N: 99})
				resetConn(w)
			},
			resent:  []string{"d3"},
			done:    []string{"d1", "d2", "d3"},
			reboots: map[string]int{"d1": 1, "d2": 1, "d3": 1},
		},
		{
			name: "applied to all, 504 from the gateway",
			lost: func(w http.ResponseWriter, f *fakeECD, s seen) {
				f.apply(s)
				writeRaw(w, 504, "text/html", "<html>Gateway Timeout</html>")
			},
			done:    []string{"d1", "d2", "d3"},
			reboots: map[string]int{"d1": 1, "d2": 1, "d3": 1},
		},
		{
			name: "a stopped desktop is neither resent nor reported rebooted",
			lost: func(w http.ResponseWriter, f *fakeECD, s seen) {
				f.setScript("d3", statusStopped)
				resetConn(w)
			},
			resent:    []string{"d1", "d2"},
			done:      []string{"d1", "d2"},
			failed:    []string{"d3"},
			lastState: map[string]string{"d3": statusStopped},
			reboots:   map[string]int{"d1": 1, "d2": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.seed(statusRunning, "d1", "d2", "d3")
			f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
				if s.Action == opReboot && s.N == 1 {
					tt.lost(w, f, s)
					return true
				}
				return false
			})
			c := newTestClient(t, f.srv.URL)
			o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1", "d2", "d3"))
			if !slices.Equal(sorted(o.Done), tt.done) || !slices.Equal(failedIDs(o), tt.failed) {
				t.Fatalf("done %v failed %v, want %v %v", o.Done, o.Failed, tt.done, tt.failed)
			}
			calls := f.callsTo(opReboot)
			if tt.resent == nil {
				if len(calls) != 1 {
					t.Errorf("%d calls, want no resend", len(calls))
				}
			} else if len(calls) != 2 || !slices.Equal(calls[1].IDs, tt.resent) {
				t.Errorf("resent %v, want %v", calls[len(calls)-1].IDs, tt.resent)
			}
			for _, id := range []string{"d1", "d2", "d3"} {
				if f.actedOn(id) != tt.reboots[id] {
					t.Errorf("%s rebooted %d times, want %d", id, f.actedOn(id), tt.reboots[id])
				}
			}
			for _, fl := range o.Failed {
				var ce *fleet.CloudError
				if !errors.As(fl.Err, &ce) || !ce.Ambiguous || fl.LastStatus != tt.lastState[fl.DesktopID] {
					t.Errorf("failure %s: %v (last status %q)", fl.DesktopID, fl.Err, fl.LastStatus)
				}
			}
		})
	}
}

// TestAdminRebootCannotReadBack: when the read after an ambiguous failure
// fails for good, the desktops fail with the reboot's own error, and the
// read's retries are not multiplied by the reboot's.
func TestAdminRebootCannotReadBack(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		switch s.Action {
		case opReboot:
			resetConn(w)
		case opDescribe:
			writeError(w, 503, "ServiceUnavailable", "try later", "req-read")
		}
		return true
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1"))
	if len(o.Failed) != 1 {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Operation != opReboot || !ce.Ambiguous {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if reboots, reads := len(f.callsTo(opReboot)), len(f.callsTo(opDescribe)); reboots != 1 || reads != 4 {
		t.Errorf("%d reboot calls and %d reads, want 1 and 4", reboots, reads)
	}
}

// TestAdminRebootAmbiguousToTheEnd: when every attempt is lost, the batch
// is read once more, so that a desktop the cloud did reboot is not
// reported failed (and rebooted again by the next apply).
func TestAdminRebootAmbiguousToTheEnd(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1", "d2")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		if s.Action != opReboot {
			return false
		}
		if s.N == 4 { // the last attempt lands, its answer does not
			f.apply(seen{Action: opReboot, IDs: []string{"d1"}, N: 99})
		}
		writeRaw(w, 503, "text/html", "<html>Service Unavailable</html>")
		return true
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1", "d2"))
	if !slices.Equal(o.Done, []string{"d1"}) || !slices.Equal(failedIDs(o), []string{"d2"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.HTTPStatus != 503 || !ce.Ambiguous {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if n := len(f.callsTo(opReboot)); n != 4 || f.actedOn("d1") != 1 {
		t.Errorf("%d calls, d1 rebooted %d times", n, f.actedOn("d1"))
	}
}

// TestRebootWholeCallFailure: a rejected call fails each of its desktops
// with the full error.
func TestRebootWholeCallFailure(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1")
	f.seed(statusStopped, "d2")
	c := newTestClient(t, f.srv.URL)
	o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1", "d2"))
	if len(o.Done) != 0 || !slices.Equal(failedIDs(o), []string{"d1", "d2"}) {
		t.Fatalf("outcome %+v", o)
	}
	for _, fl := range o.Failed {
		var ce *fleet.CloudError
		if !errors.As(fl.Err, &ce) || ce.Code != "IncorrectDesktopStatus" || ce.RequestID != "req-RebootDesktops-1" ||
			ce.HTTPStatus != 400 || !slices.Equal(ce.DesktopIDs, []string{"d1", "d2"}) || ce.Message == "" {
			t.Errorf("failure %s: %#v", fl.DesktopID, fl.Err)
		}
	}
	if !slices.Equal(o.RequestIDs, []string{"req-RebootDesktops-1"}) || len(f.callsTo(opReboot)) != 1 {
		t.Errorf("request IDs %v, calls %d", o.RequestIDs, len(f.callsTo(opReboot)))
	}
	if len(f.callsTo(opDescribe)) != 0 {
		t.Errorf("waited for desktops that were never rebooted")
	}
}

func TestRebootWait(t *testing.T) {
	t.Run("until running again", func(t *testing.T) {
		f := newFake(t)
		ids := idRange("d", 100)
		f.seed(statusRunning, ids...)
		c := newTestClient(t, f.srv.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", ids...))
		if len(o.Done) != 100 || len(o.Failed) != 0 {
			t.Fatalf("done %d failed %v", len(o.Done), o.Failed)
		}
		// Stopping, Starting, Running: three reads of one call each.
		reads := f.callsTo(opDescribe)
		if len(reads) != 3 {
			t.Errorf("%d reads, want 3", len(reads))
		}
		for _, r := range reads {
			if len(r.IDs) == 0 || len(r.IDs) > 100 {
				t.Errorf("read of %d desktops", len(r.IDs))
			}
		}
		if len(o.RequestIDs) != 1 {
			t.Errorf("reads were counted as request IDs: %v", o.RequestIDs)
		}
	})

	t.Run("never seen rebooting: back only once the settle window has passed", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1")
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			if s.Action == opReboot {
				// A reboot that the first read does not show yet.
				f.mu.Lock()
				f.acted["d1"]++
				f.mu.Unlock()
				writeJSON(w, 200, map[string]any{"RequestId": "req-1"})
				return true
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		const settle = 50 * time.Millisecond
		start := time.Now()
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll, Settle: settle}).Act(context.Background(), batch("", "d1"))
		if len(o.Done) != 1 {
			t.Fatalf("outcome %+v", o)
		}
		// A lower bound only: Running reads never count before the
		// window, however fast the machine.
		if took := time.Since(start); took < settle {
			t.Errorf("counted rebooted after %v, before the settle window of %v", took, settle)
		}
		if n := len(f.callsTo(opDescribe)); n < 2 {
			t.Errorf("%d reads, want at least 2", n)
		}
	})

	t.Run("a desktop that disappears fails", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1", "d2")
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			if s.Action == opReboot {
				status, body := f.apply(s)
				f.setScript("d2", statusStopping, "")
				writeJSON(w, status, body)
				return true
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1", "d2"))
		if !slices.Equal(o.Done, []string{"d1"}) || !slices.Equal(failedIDs(o), []string{"d2"}) {
			t.Fatalf("outcome %+v", o)
		}
		fl := o.Failed[0]
		var ce *fleet.CloudError
		if !errors.As(fl.Err, &ce) || !strings.Contains(ce.Message, "disappeared") || ce.RequestID == "" || fl.LastStatus != statusStopping {
			t.Errorf("failure %v (last status %q)", fl.Err, fl.LastStatus)
		}
	})

	t.Run("a status word not known never ends the wait", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1")
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			if s.Action == opReboot {
				status, body := f.apply(s)
				f.setScript("d1", "Hibernating", "Hibernating")
				writeJSON(w, status, body)
				return true
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		var buf bytes.Buffer
		ctx, cancel := context.WithTimeout(tflogtest.RootLogger(context.Background(), &buf), 150*time.Millisecond)
		defer cancel()
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll, Settle: time.Nanosecond}).Act(ctx, batch("", "d1"))
		if len(o.Done) != 0 || len(o.Failed) != 1 || !errors.Is(o.Failed[0].Err, context.DeadlineExceeded) || o.Failed[0].LastStatus != "Hibernating" {
			t.Fatalf("outcome %+v", o)
		}
		entries, err := tflogtest.MultilineJSONDecode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		warned := 0
		for _, e := range entries {
			if e["@level"] == "warn" && e["word"] == "Hibernating" {
				warned++
			}
		}
		if warned != 1 {
			t.Errorf("%d WARN lines naming the word, want 1", warned)
		}
	})

	t.Run("context ends first", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1", "d2")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			switch {
			case s.Action == opReboot:
				f.apply(s)
				f.setScript("d2", statusStopping, statusStopping) // never comes back
				writeJSON(w, 200, map[string]any{"RequestId": "req-1"})
				return true
			case s.Action == opDescribe && s.N == 4:
				cancel() // the create timeout, say
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch("", "d1", "d2"))
		if !slices.Equal(o.Done, []string{"d1"}) || !slices.Equal(failedIDs(o), []string{"d2"}) {
			t.Fatalf("outcome %+v", o)
		}
		if fl := o.Failed[0]; !errors.Is(fl.Err, context.Canceled) || fl.LastStatus != statusStopping {
			t.Errorf("failure %v (last status %q)", fl.Err, fl.LastStatus)
		}
	})

	t.Run("context ends during a read", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			if s.Action == opDescribe && s.N == 2 {
				cancel()
				<-r.Context().Done()
				return true
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch("", "d1"))
		// The context's own error, not a read's failure.
		if len(o.Failed) != 1 || o.Failed[0].Err != context.Canceled || o.Failed[0].LastStatus != statusStopping {
			t.Fatalf("outcome %+v", o)
		}
	})

	t.Run("a read that fails for good ends the wait", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "d1")
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			if s.Action == opDescribe && s.N >= 2 {
				writeError(w, 403, "Forbidden.RAM", "not allowed to describe", "req-403-"+strconv.Itoa(s.N))
				return true
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1"))
		if len(o.Failed) != 1 || o.Failed[0].LastStatus != statusStopping {
			t.Fatalf("outcome %+v", o)
		}
		var ce *fleet.CloudError
		if !errors.As(o.Failed[0].Err, &ce) || ce.Operation != opDescribe || ce.Code != "Forbidden.RAM" {
			t.Errorf("failure %v", o.Failed[0].Err)
		}
		if n := len(f.callsTo(opDescribe)); n != 2 {
			t.Errorf("%d reads, want 2 (403 is not retried)", n)
		}
	})
}

// TestCancelledWhileWaitingToRetry: a throttled call is certainly not
// applied, so a stop during the wait before its retry leaves the desktops
// not processed, not failed with the throttling error. The stop comes when
// the retry is logged, which is after the answer was read and before the
// wait: that line must carry the attempt, the wait and the request ID.
func TestCancelledWhileWaitingToRetry(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "d1", "d2")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		writeError(w, 400, "Throttling.User", "Request was denied due to user flow control.", "req-throttled")
		return true
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
	o := c.Rebooter(RebootOptions{}).Act(ctx, batch("", "d1", "d2"))
	if n := len(f.callsTo(opReboot)); n != 1 || len(o.Done) != 0 || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v after %d calls, want one call and nothing accounted", o, n)
	}
	if retryLine == nil {
		t.Fatal("the retry was not logged")
	}
	for field, want := range map[string]any{"attempt": float64(1), "of": float64(3), "operation": opReboot, "request_id": "req-throttled"} {
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

// TestCheckClientToken: the document's rule, no more: ASCII, at most 64.
func TestCheckClientToken(t *testing.T) {
	for token, ok := range map[string]bool{
		"40401e62-5caf-4508-8de7-bf98af12****": true,
		strings.Repeat("a", 64):                true,
		strings.Repeat("a", 65):                false,
		"with space and ~!@#":                  true,
		"tök":                                  false,
	} {
		if err := checkClientToken(token); (err == nil) != ok {
			t.Errorf("%q: %v, want ok %v", token, err, ok)
		}
	}
}
