package alibaba

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

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
				"Uuid": "device-0001", "OsUpdate": "false",
			},
		},
		{
			name: "client API, optional ones empty", opts: RebootOptions{ClientAPI: &ClientAPI{ClientID: "client-1", SessionID: "sess-1", LoginToken: "login-tok"}}, version: clientAPIVersion,
			want: map[string]string{
				"RegionId": "cn-hangzhou", "ClientId": "client-1", "ClientToken": "batch-token-0", "SessionId": "sess-1", "LoginToken": "login-tok",
			},
		},
		{
			name: "admin API", opts: RebootOptions{OsUpdate: &yes}, version: adminAPIVersion,
			want: map[string]string{"RegionId": "cn-hangzhou", "OsUpdate": "true"},
		},
		{
			name: "admin API, no OsUpdate", opts: RebootOptions{}, version: adminAPIVersion,
			want: map[string]string{"RegionId": "cn-hangzhou"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.AlibabaLoginTokens["sess-1"] = "login-tok" })
			add(m, "", "d1", "d2", "d3")
			c := newTestClient(t, m.URL)
			o := c.Rebooter(tt.opts).Act(context.Background(), batch("batch-token-0", "d3", "d1", "d2"))
			if !slices.Equal(clienttest.Sorted(o.Done), []string{"d1", "d2", "d3"}) || len(o.Failed) != 0 {
				t.Fatalf("outcome %+v", o)
			}
			calls := m.CallsTo(ali, opReboot)
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			if calls[0].Version != tt.version || !calls[0].Applied {
				t.Errorf("version %s, want %s; applied %v", calls[0].Version, tt.version, calls[0].Applied)
			}
			got := maps.Clone(calls[0].Params)
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
			if !slices.Equal(o.RequestIDs, []string{calls[0].RequestID}) || calls[0].RequestID == "" {
				t.Errorf("request IDs %v, want the call's %q", o.RequestIDs, calls[0].RequestID)
			}
		})
	}
}

// TestClientTokenStableAcrossRetries: every attempt of a batch carries the
// batch's token, so the cloud reboots once however often the call is sent.
func TestClientTokenStableAcrossRetries(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "", "d1", "d2")
	// A 503, then a call applied whose answer is lost; the third is
	// answered from the token.
	m.InTurn(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultServerError},
		mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultReset, AfterApply: true, Count: 1})
	c := newTestClient(t, m.URL)
	o := c.Rebooter(RebootOptions{ClientAPI: clientAPI()}).Act(context.Background(), batch("reboot-7f3a-0", "d1", "d2"))
	if !slices.Equal(clienttest.Sorted(o.Done), []string{"d1", "d2"}) || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	calls := m.CallsTo(ali, opReboot)
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i, call := range calls {
		if call.ClientToken != "reboot-7f3a-0" {
			t.Errorf("attempt %d ClientToken %q", i+1, call.ClientToken)
		}
		if !slices.Equal(call.DesktopIDs, []string{"d1", "d2"}) {
			t.Errorf("attempt %d desktops %v", i+1, call.DesktopIDs)
		}
	}
	for _, id := range []string{"d1", "d2"} {
		if n := m.RebootCount(ali, id); n != 1 {
			t.Errorf("%s rebooted %d times", id, n)
		}
	}
	// The 503 and the replayed success returned request IDs; the reset did not.
	if !slices.Equal(o.RequestIDs, []string{calls[0].RequestID, calls[2].RequestID}) || calls[1].RequestID != "" || calls[2].Applied {
		t.Errorf("request IDs %v; calls %+v", o.RequestIDs, calls)
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
			m := clienttest.Start(t)
			ids := idRange(tt.n)
			add(m, "", ids...)
			c := newTestClient(t, m.URL)
			opts := RebootOptions{}
			if tt.clientAPI {
				opts.ClientAPI = clientAPI()
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
			for _, call := range m.CallsTo(ali, opReboot) {
				sizes = append(sizes, len(call.DesktopIDs))
				tokens[call.ClientToken] = true
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
	m := clienttest.Start(t)
	add(m, "", "d1")
	c := newTestClient(t, m.URL)
	a := c.Rebooter(RebootOptions{ClientAPI: clientAPI()})
	for _, tok := range []string{strings.Repeat("x", 65), "tök"} {
		o := a.Act(context.Background(), batch(tok, "d1"))
		if len(o.Failed) != 1 || !strings.Contains(o.Failed[0].Err.Error(), "ClientToken") {
			t.Errorf("token %q: %+v", tok, o)
		}
	}
	if n := len(m.Calls()); n != 0 {
		t.Errorf("%d calls with a token the API would refuse", n)
	}
	// No token at all: one of our own, still the same across retries.
	o := a.Act(context.Background(), batch("", "d1"))
	if calls := m.CallsTo(ali, opReboot); len(o.Done) != 1 || len(calls) != 1 || calls[0].ClientToken == "" {
		t.Errorf("without a batch token: %+v", o)
	}
}

// TestAdminRebootAfterAmbiguousFailure: the admin API has no token, so the
// batch is read back before resending: desktops already rebooting are not
// rebooted again, Running ones are resent, others fail with what was seen.
func TestAdminRebootAfterAmbiguousFailure(t *testing.T) {
	tests := []struct {
		name      string
		lost      func(m *clienttest.Cloud) // the first call's fate
		resent    []string
		done      []string
		failed    []string
		lastState map[string]string
		reboots   map[string]int
	}{
		{
			name: "applied to some, answer lost",
			lost: func(m *clienttest.Cloud) {
				m.At(ali, opReboot, 1, func() { m.ApplyReboot(ali, "d1", "d2") })
				m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultReset, Count: 1})
			},
			resent:  []string{"d3"},
			done:    []string{"d1", "d2", "d3"},
			reboots: map[string]int{"d1": 1, "d2": 1, "d3": 1},
		},
		{
			name: "applied to all, 504 from the gateway",
			lost: func(m *clienttest.Cloud) {
				m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultAnswer, AfterApply: true, Count: 1,
					Status: 504, Body: "<html>Gateway Timeout</html>", Header: map[string]string{"Content-Type": "text/html", "x-acs-request-id": ""}})
			},
			done:    []string{"d1", "d2", "d3"},
			reboots: map[string]int{"d1": 1, "d2": 1, "d3": 1},
		},
		{
			name: "a stopped desktop is neither resent nor reported rebooted",
			lost: func(m *clienttest.Cloud) {
				m.At(ali, opReboot, 1, func() { add(m, statusStopped, "d3") })
				m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultReset, Count: 1})
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
			// A reboot shows as Stopping for an hour: the read-back sees it.
			m := clienttest.Start(t, timing(mockcloud.Timing{RebootStopping: time.Hour}))
			add(m, "", "d1", "d2", "d3")
			tt.lost(m)
			c := newTestClient(t, m.URL)
			o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1", "d2", "d3"))
			if !slices.Equal(clienttest.Sorted(o.Done), tt.done) || !slices.Equal(clienttest.FailedIDs(o), tt.failed) {
				t.Fatalf("done %v failed %v, want %v %v", o.Done, o.Failed, tt.done, tt.failed)
			}
			calls := m.CallsTo(ali, opReboot)
			if tt.resent == nil {
				if len(calls) != 1 {
					t.Errorf("%d calls, want no resend", len(calls))
				}
			} else if len(calls) != 2 || !slices.Equal(calls[1].DesktopIDs, tt.resent) {
				t.Errorf("resent %v, want %v", calls[len(calls)-1].DesktopIDs, tt.resent)
			}
			for _, id := range []string{"d1", "d2", "d3"} {
				if n := m.RebootCount(ali, id); n != tt.reboots[id] {
					t.Errorf("%s rebooted %d times, want %d", id, n, tt.reboots[id])
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
	m := clienttest.Start(t)
	add(m, "", "d1")
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultReset})
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultServerError, Message: "try later"})
	c := newTestClient(t, m.URL)
	o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1"))
	if len(o.Failed) != 1 {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Operation != opReboot || !ce.Ambiguous {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if reboots, reads := len(m.CallsTo(ali, opReboot)), len(m.CallsTo(ali, opDescribe)); reboots != 1 || reads != 4 {
		t.Errorf("%d reboot calls and %d reads, want 1 and 4", reboots, reads)
	}
}

// TestAdminRebootAmbiguousToTheEnd: when every attempt is lost, the batch
// is read once more, so that a desktop the cloud did reboot is not
// reported failed (and rebooted again by the next apply).
func TestAdminRebootAmbiguousToTheEnd(t *testing.T) {
	m := clienttest.Start(t, timing(mockcloud.Timing{RebootStopping: time.Hour}))
	add(m, "", "d1", "d2")
	// The last attempt lands on d1, its answer does not.
	m.At(ali, opReboot, 4, func() { m.ApplyReboot(ali, "d1") })
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opReboot, Kind: mockcloud.FaultAnswer, Status: 503,
		Body: "<html>Service Unavailable</html>", Header: map[string]string{"Content-Type": "text/html", "x-acs-request-id": ""}})
	c := newTestClient(t, m.URL)
	o := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d1", "d2"))
	if !slices.Equal(o.Done, []string{"d1"}) || !slices.Equal(clienttest.FailedIDs(o), []string{"d2"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.HTTPStatus != 503 || !ce.Ambiguous {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if n := len(m.CallsTo(ali, opReboot)); n != 4 || m.RebootCount(ali, "d1") != 1 || m.RebootCount(ali, "d2") != 0 {
		t.Errorf("%d calls, d1 rebooted %d times, d2 %d", n, m.RebootCount(ali, "d1"), m.RebootCount(ali, "d2"))
	}
}

// TestRebootWholeCallFailure: a rejected call fails each of its desktops
// with the full error.
func TestRebootWholeCallFailure(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "", "d1")
	add(m, statusStopped, "d2")
	c := newTestClient(t, m.URL)
	o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1", "d2"))
	if len(o.Done) != 0 || !slices.Equal(clienttest.FailedIDs(o), []string{"d1", "d2"}) {
		t.Fatalf("outcome %+v", o)
	}
	reqIDs := m.RequestIDs(ali, opReboot)
	for _, fl := range o.Failed {
		var ce *fleet.CloudError
		if !errors.As(fl.Err, &ce) || ce.Code != "IncorrectDesktopStatus" || ce.RequestID != reqIDs[0] ||
			ce.HTTPStatus != 400 || !slices.Equal(ce.DesktopIDs, []string{"d1", "d2"}) || ce.Message == "" {
			t.Errorf("failure %s: %#v", fl.DesktopID, fl.Err)
		}
	}
	if !slices.Equal(o.RequestIDs, reqIDs) || len(reqIDs) != 1 {
		t.Errorf("request IDs %v, calls %v", o.RequestIDs, reqIDs)
	}
	if len(m.CallsTo(ali, opDescribe)) != 0 {
		t.Errorf("waited for desktops that were never rebooted")
	}
}

func TestRebootWait(t *testing.T) {
	// Each read comes an hour after the one before: a rebooted desktop
	// reads Stopping, then Starting, then Running.
	hourly := func(t *testing.T) *clienttest.Cloud {
		m := clienttest.Start(t, timing(mockcloud.Timing{RebootStopping: time.Hour, RebootStarting: time.Hour}))
		m.StepClock(ali, opDescribe, time.Hour)
		return m
	}

	t.Run("until running again", func(t *testing.T) {
		m := hourly(t)
		ids := idRange(100)
		add(m, "", ids...)
		c := newTestClient(t, m.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", ids...))
		if len(o.Done) != 100 || len(o.Failed) != 0 {
			t.Fatalf("done %d failed %v", len(o.Done), o.Failed)
		}
		// Stopping, Starting, Running: three reads of one call each.
		reads := m.CallsTo(ali, opDescribe)
		if len(reads) != 3 {
			t.Errorf("%d reads, want 3", len(reads))
		}
		for _, r := range reads {
			if len(r.DesktopIDs) == 0 || len(r.DesktopIDs) > 100 {
				t.Errorf("read of %d desktops", len(r.DesktopIDs))
			}
		}
		if len(o.RequestIDs) != 1 {
			t.Errorf("reads were counted as request IDs: %v", o.RequestIDs)
		}
	})

	t.Run("a desktop that disappears fails", func(t *testing.T) {
		m := hourly(t)
		add(m, "", "d1", "d2")
		m.At(ali, opDescribe, 2, func() { m.RemoveDesktops(ali, "d2") })
		c := newTestClient(t, m.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1", "d2"))
		if !slices.Equal(o.Done, []string{"d1"}) || !slices.Equal(clienttest.FailedIDs(o), []string{"d2"}) {
			t.Fatalf("outcome %+v", o)
		}
		fl := o.Failed[0]
		var ce *fleet.CloudError
		if !errors.As(fl.Err, &ce) || !strings.Contains(ce.Message, "disappeared") || ce.RequestID != m.RequestIDs(ali, opDescribe)[1] || fl.LastStatus != statusStopping {
			t.Errorf("failure %v (last status %q)", fl.Err, fl.LastStatus)
		}
	})

	t.Run("context ends during a read", func(t *testing.T) {
		m := hourly(t)
		add(m, "", "d1")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		m.At(ali, opDescribe, 2, func() {
			// This read never gets its answer: the context ends first.
			m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultLatency, Latency: time.Hour})
			cancel()
		})
		c := newTestClient(t, m.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch("", "d1"))
		// The context's own error, not a read's failure.
		if len(o.Failed) != 1 || o.Failed[0].Err != context.Canceled || o.Failed[0].LastStatus != statusStopping {
			t.Fatalf("outcome %+v", o)
		}
	})

	t.Run("a read that fails for good ends the wait", func(t *testing.T) {
		m := hourly(t)
		add(m, "", "d1")
		m.At(ali, opDescribe, 2, func() {
			m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultError, Status: 403, Code: "Forbidden.RAM", Message: "not allowed to describe"})
		})
		c := newTestClient(t, m.URL)
		o := c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "d1"))
		if len(o.Failed) != 1 || o.Failed[0].LastStatus != statusStopping {
			t.Fatalf("outcome %+v", o)
		}
		var ce *fleet.CloudError
		if !errors.As(o.Failed[0].Err, &ce) || ce.Operation != opDescribe || ce.Code != "Forbidden.RAM" {
			t.Errorf("failure %v", o.Failed[0].Err)
		}
		if n := len(m.CallsTo(ali, opDescribe)); n != 2 {
			t.Errorf("%d reads, want 2 (403 is not retried)", n)
		}
	})
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
