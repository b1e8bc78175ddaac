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
)

func TestRebootRequestBody(t *testing.T) {
	tests := []struct{ typ, want string }{
		{"", "SOFT"},
		{"SOFT", "SOFT"},
		{"HARD", "HARD"},
		{"hard", "HARD"},
	}
	for _, tt := range tests {
		t.Run("type "+tt.typ, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "d1", "d2")
			c := newTestClient(t, m.URL)
			out := c.Rebooter(RebootOptions{Type: tt.typ}).Act(context.Background(), batch("d1", "d2"))
			if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
				t.Fatalf("outcome %+v", out)
			}
			calls := m.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d requests", len(calls))
			}
			call := calls[0]
			if call.Method != http.MethodPost || call.Path != "/v2/"+testProject+"/desktops/action" || !call.Applied {
				t.Errorf("%s %s, applied %v", call.Method, call.Path, call.Applied)
			}
			var body map[string]any
			if err := json.Unmarshal(call.Body, &body); err != nil {
				t.Fatalf("body %q: %v", call.Body, err)
			}
			if body["op_type"] != "reboot" || body["type"] != tt.want || len(body) != 3 {
				t.Errorf("body %s", call.Body)
			}
			if !slices.Equal(call.DesktopIDs, []string{"d1", "d2"}) {
				t.Errorf("desktop_ids %v", call.DesktopIDs)
			}
			if !slices.Equal(out.RequestIDs, []string{call.RequestID}) || call.RequestID == "" {
				t.Errorf("RequestIDs %v, want the call's %q", out.RequestIDs, call.RequestID)
			}
		})
	}
}

func TestRebootInvalidTypeMakesNoCall(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1")
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{Type: "WARM"}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 || len(m.Calls()) != 0 {
		t.Fatalf("outcome %+v, %d requests", out, len(m.Calls()))
	}
}

// TestRebootFailedOperationList: the desktops the answer lists in
// failed_operation_list fail with their own error, the rest are done; an
// entry for a desktop not in the batch is ignored.
func TestRebootFailedOperationList(t *testing.T) {
	t.Run("the cloud's own list", func(t *testing.T) {
		m := clienttest.Start(t)
		add(m, "d1", "d3")
		set(m, "d2", "ACTIVE", "rebooting") // busy: the cloud lists it
		c := newTestClient(t, m.URL)
		out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2", "d3"))
		if !sameIDs(out.Done, []string{"d1", "d3"}) || !sameIDs(clienttest.FailedIDs(out), []string{"d2"}) {
			t.Fatalf("outcome %+v", out)
		}
		ce := clienttest.CloudError(t, out.Failed[0].Err)
		if ce.Operation != "BatchRunDesktops" || ce.Code != "WKS.0409" || !strings.Contains(ce.Message, "rebooting") ||
			ce.RequestID != m.RequestIDs(hw, opBatchRun)[0] || !slices.Equal(ce.DesktopIDs, []string{"d2"}) || ce.HTTPStatus != 200 {
			t.Errorf("CloudError %+v", *ce)
		}
		if m.RebootCount(hw, "d1") != 1 || m.RebootCount(hw, "d2") != 0 {
			t.Errorf("d1 rebooted %d times, d2 %d", m.RebootCount(hw, "d1"), m.RebootCount(hw, "d2"))
		}
	})
	t.Run("an answer naming a desktop not in the batch", func(t *testing.T) {
		m := clienttest.Start(t)
		add(m, "d1", "d2", "d3")
		m.InjectFault(reply(opBatchRun, 200, `{"failed_operation_list":[`+
			`{"desktop_id":"d2","desktop_name":"pc-d2","error_code":"WKS.0127","error_msg":"The desktop is being operated."},`+
			`{"desktop_id":"not-in-batch","error_code":"X","error_msg":"ignored"}]}`, "X-Request-Id", "rid-reboot"))
		c := newTestClient(t, m.URL)
		out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2", "d3"))
		if !sameIDs(out.Done, []string{"d1", "d3"}) || !sameIDs(clienttest.FailedIDs(out), []string{"d2"}) {
			t.Fatalf("outcome %+v", out)
		}
		ce := clienttest.CloudError(t, out.Failed[0].Err)
		if ce.Operation != "BatchRunDesktops" || ce.Code != "WKS.0127" || ce.Message != "The desktop is being operated." ||
			ce.RequestID != "rid-reboot" || !slices.Equal(ce.DesktopIDs, []string{"d2"}) || ce.HTTPStatus != 200 {
			t.Errorf("CloudError %+v", *ce)
		}
	})
}

// TestRebootFailedEntryWithoutReason: an entry of failed_operation_list
// with only desktop_id still fails its desktop with an error that says
// something (found by FuzzRebootResponse).
func TestRebootFailedEntryWithoutReason(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1", "d2")
	m.InjectFault(reply(opBatchRun, 200, `{"failed_operation_list":[{"desktop_id":"d1"}]}`))
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d2"}) || !sameIDs(clienttest.FailedIDs(out), []string{"d1"}) {
		t.Fatalf("outcome %+v", out)
	}
	if ce := clienttest.CloudError(t, out.Failed[0].Err); !strings.Contains(ce.Message, "failed_operation_list") {
		t.Errorf("CloudError %+v", *ce)
	}
}

// TestRebootAmbiguousNotResent: the first call may have been applied (its
// connection reset after it was sent, a gateway's 504, a 500). The batch is
// read back in one list call; desktops already rebooting are not sent
// again, the others are (the cloud refuses one that is off, listing it in
// failed_operation_list).
func TestRebootAmbiguousNotResent(t *testing.T) {
	tests := []struct {
		name       string
		first      mockcloud.Fault
		states     [][2]string // d1, d2, d3: status and task at the read-back
		wantSend   []string    // desktop_ids of the second call; nil for none
		wantFailed []string
	}{
		{
			name:     "reset, one rebooting",
			first:    mockcloud.Fault{Kind: mockcloud.FaultReset},
			states:   [][2]string{{"ACTIVE", "rebooting"}, {"", ""}, {"SHUTOFF", ""}},
			wantSend: []string{"d2", "d3"}, wantFailed: []string{"d3"},
		},
		{
			name:     "504, hard reboot task and REBOOT status",
			first:    reply("", 504, "<h1>Gateway Timeout</h1>", "Content-Type", "text/html"),
			states:   [][2]string{{"ACTIVE", "reboot_started_hard"}, {"REBOOT", ""}, {"", ""}},
			wantSend: []string{"d3"},
		},
		{
			name:     "500 WKS.0500, one rebooting",
			first:    mockcloud.Fault{Kind: mockcloud.FaultServerError, Status: 500},
			states:   [][2]string{{"ACTIVE", "rebooting"}, {"", ""}, {"", ""}},
			wantSend: []string{"d2", "d3"},
		},
		{
			name:   "reset, all rebooting",
			first:  mockcloud.Fault{Kind: mockcloud.FaultReset},
			states: [][2]string{{"ACTIVE", "rebooting"}, {"ACTIVE", "rebooting"}, {"ACTIVE", "rebooting"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			for i, s := range tt.states {
				set(m, []string{"d1", "d2", "d3"}[i], s[0], s[1])
			}
			f := tt.first
			f.Cloud, f.Operation, f.Count = hw, opBatchRun, 1
			m.InjectFault(f)
			c := newTestClient(t, m.URL)
			out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2", "d3"))
			if !sameIDs(append(out.Done, clienttest.FailedIDs(out)...), []string{"d1", "d2", "d3"}) || !sameIDs(clienttest.FailedIDs(out), tt.wantFailed) {
				t.Fatalf("outcome %+v", out)
			}
			actions := m.CallsTo(hw, opBatchRun)
			if tt.wantSend == nil {
				if len(actions) != 1 {
					t.Errorf("%d action calls, want 1", len(actions))
				}
			} else if len(actions) != 2 || !sameIDs(actions[1].DesktopIDs, tt.wantSend) {
				t.Errorf("resent %d calls, second with %v; want %v", len(actions), actions[len(actions)-1].DesktopIDs, tt.wantSend)
			}
			lists := m.CallsTo(hw, opList)
			if len(lists) != 1 || !sameIDs(lists[0].DesktopIDs, []string{"d1", "d2", "d3"}) {
				t.Errorf("list calls %d, filter %v", len(lists), lists[0].DesktopIDs)
			}
			for _, id := range []string{"d1", "d2", "d3"} {
				want := 0
				if slices.Contains(tt.wantSend, id) && !slices.Contains(tt.wantFailed, id) {
					want = 1
				}
				if n := m.RebootCount(hw, id); n != want {
					t.Errorf("%s rebooted %d times, want %d", id, n, want)
				}
			}
		})
	}
}

// TestRebootWait follows each desktop through the reads until it is back
// up: d1 reads rebooting, then idle; d2 first powering on, then rebooting,
// then idle. A desktop done is not read again.
func TestRebootWait(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1", "d2")
	m.At(hw, opList, 1, func() { set(m, "d1", "ACTIVE", "rebooting"); set(m, "d2", "SHUTOFF", "powering-on") })
	m.At(hw, opList, 2, func() { add(m, "d1"); set(m, "d2", "ACTIVE", "rebooting") })
	m.At(hw, opList, 3, func() { add(m, "d2") })
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	lists := m.CallsTo(hw, opList)
	if len(lists) != 3 {
		t.Errorf("%d polls, want 3", len(lists))
	}
	// d1 was done after the second poll: the third asks only for d2.
	if !slices.Equal(lists[2].DesktopIDs, []string{"d2"}) {
		t.Errorf("third poll asked for %v", lists[2].DesktopIDs)
	}
	if len(out.RequestIDs) != 1 { // the reboot call; polls are not counted
		t.Errorf("RequestIDs %v", out.RequestIDs)
	}
}

// TestRebootWaitFailures: a desktop in ERROR, one that disappeared and one
// DELETED fail at once, naming the read that showed it; one back up is
// done.
func TestRebootWaitFailures(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1", "d2", "d3", "d4")
	m.At(hw, opList, 1, func() {
		set(m, "d1", "ERROR", "")
		m.RemoveDesktops(hw, "d2")
		set(m, "d4", "DELETED", "")
	})
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Millisecond}).Act(context.Background(), batch("d1", "d2", "d3", "d4"))
	if !sameIDs(out.Done, []string{"d3"}) || !sameIDs(clienttest.FailedIDs(out), []string{"d1", "d2", "d4"}) {
		t.Fatalf("outcome %+v", out)
	}
	for _, fl := range out.Failed {
		ce := clienttest.CloudError(t, fl.Err)
		if ce.RequestID != m.RequestIDs(hw, opList)[0] || ce.Message == "" {
			t.Errorf("%s: %+v", fl.DesktopID, *ce)
		}
		if fl.DesktopID == "d1" && fl.LastStatus != "ERROR" {
			t.Errorf("d1 LastStatus %q", fl.LastStatus)
		}
	}
}

func TestRebootBatchSplit(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	if c.Rebooter(RebootOptions{}).MaxBatch() != 100 || c.Deleter(DeleteOptions{}).MaxBatch() != 100 {
		t.Fatal("MaxBatch is not 100")
	}
	m := clienttest.Start(t)
	ids := idsN("d", 250)
	add(m, ids...)
	c = newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch(ids...))
	if !sameIDs(out.Done, ids) {
		t.Fatalf("%d done", len(out.Done))
	}
	var sizes []int
	var all []string
	for _, call := range m.CallsTo(hw, opBatchRun) {
		sizes = append(sizes, len(call.DesktopIDs))
		all = append(all, call.DesktopIDs...)
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) || !sameIDs(all, ids) {
		t.Errorf("batch sizes %v", sizes)
	}
}

// TestRebootMalformedAnswerReadBack: an empty 200 may have been applied, so
// before the retry the batch is read back: a desktop already rebooting is
// Done and only the others are sent again.
func TestRebootMalformedAnswerReadBack(t *testing.T) {
	m := clienttest.Start(t)
	set(m, "d1", "ACTIVE", "rebooting")
	add(m, "d2")
	m.InjectFault(mockcloud.Fault{Cloud: hw, Operation: opBatchRun, Kind: mockcloud.FaultEmptyBody, Count: 1})
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1", "d2"}) || len(out.Failed) != 0 {
		t.Fatalf("outcome %+v", out)
	}
	actions := m.CallsTo(hw, opBatchRun)
	if a, l := len(actions), len(m.CallsTo(hw, opList)); a != 2 || l != 1 {
		t.Fatalf("%d action and %d list calls, want 2 and 1", a, l)
	}
	if !slices.Equal(actions[1].DesktopIDs, []string{"d2"}) || m.RebootCount(hw, "d2") != 1 {
		t.Errorf("resend %v, want d2 only, rebooted once", actions[1].DesktopIDs)
	}
	if len(out.RequestIDs) != 2 {
		t.Errorf("RequestIDs %v", out.RequestIDs)
	}
}

// TestRebootMalformedToTheEnd: when every answer is unusable the desktops
// not seen rebooting fail with the reboot call's error.
func TestRebootMalformedToTheEnd(t *testing.T) {
	m := clienttest.Start(t)
	set(m, "d1", "ACTIVE", "rebooting")
	add(m, "d2")
	m.InjectFault(mockcloud.Fault{Cloud: hw, Operation: opBatchRun, Kind: mockcloud.FaultEmptyBody})
	c := newTestClient(t, m.URL)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1", "d2"))
	if !sameIDs(out.Done, []string{"d1"}) || !sameIDs(clienttest.FailedIDs(out), []string{"d2"}) {
		t.Fatalf("outcome %+v", out)
	}
	ce := clienttest.CloudError(t, out.Failed[0].Err)
	if ce.Operation != "BatchRunDesktops" || ce.HTTPStatus != 200 || !ce.Ambiguous || !strings.Contains(ce.Message, "empty body") {
		t.Errorf("%+v", *ce)
	}
	if a := len(m.CallsTo(hw, opBatchRun)); a != 4 {
		t.Errorf("%d action calls, want 4", a)
	}
}
