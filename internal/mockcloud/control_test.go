package mockcloud

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// control calls the control API and decodes the JSON answer into out.
func (e *env) control(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, e.hs.URL+"/_mock"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

func TestControlAPI(t *testing.T) {
	e := newEnv(t, Timing{RebootStopping: time.Minute})

	// Seeding, a list, and a single desktop.
	var added struct{ IDs []string }
	if st := e.control(t, "POST", "/desktops", `{"cloud":"alibaba","region":"cn-hangzhou","prefix":"ctl","count":3}`, &added); st != 200 || len(added.IDs) != 3 {
		t.Fatalf("seed: HTTP %d %v", st, added.IDs)
	}
	aliIDs := added.IDs
	if st := e.control(t, "POST", "/desktops", `[{"cloud":"huawei","id":"hw-1","status":"SHUTOFF"},{"cloud":"huawei","id":"hw-2"}]`, &added); st != 200 || len(added.IDs) != 2 {
		t.Fatalf("list: HTTP %d %v", st, added.IDs)
	}
	if st := e.control(t, "POST", "/desktops", `{"cloud":"alibaba","id":"ecd-prepaid0000000001","chargeType":"PrePaid"}`, &added); st != 200 || added.IDs[0] != "ecd-prepaid0000000001" {
		t.Fatalf("one: HTTP %d %v", st, added.IDs)
	}
	for _, bad := range []string{`{"cloud":"aws","count":1}`, `[{"cloud":"gcp"}]`, `not json`, `{"cloud":"huawei","count":0}`} {
		if st := e.control(t, "POST", "/desktops", bad, nil); st != 400 {
			t.Errorf("%s: HTTP %d, want 400", bad, st)
		}
	}
	var ds []Desktop
	e.control(t, "GET", "/desktops", "", &ds)
	if len(ds) != 6 || ds[0].Cloud != CloudAlibaba || ds[5].ID != "hw-2" {
		t.Fatalf("desktops %+v", ds)
	}
	if d, _ := e.srv.Desktop(CloudHuawei, "hw-1"); d.Status != "SHUTOFF" || d.Region != DemoHuaweiProject {
		t.Errorf("hw-1 %+v", d)
	}

	// Faults: added with a friendly duration, listed, fired, removed.
	var created struct{ ID int }
	if st := e.control(t, "POST", "/faults", `{"cloud":"alibaba","operation":"RebootDesktops","kind":"throttle","retryAfter":"2s","count":1}`, &created); st != 200 || created.ID == 0 {
		t.Fatalf("fault: HTTP %d", st)
	}
	var faults []FaultInfo
	e.control(t, "GET", "/faults", "", &faults)
	if len(faults) != 1 || faults[0].Fault.RetryAfter != 2*time.Second || faults[0].Fault.Kind != FaultThrottle {
		t.Fatalf("faults %+v", faults)
	}
	for _, bad := range []string{`{"kind":"meteor"}`, `{"kind":"throttle","probability":2}`, `{"kind":"latency","latency":"soon"}`, `{"kind":"throttle","typo":1}`} {
		if st := e.control(t, "POST", "/faults", bad, nil); st != 400 {
			t.Errorf("%s: HTTP %d, want 400", bad, st)
		}
	}
	_, err := aliCall(e.aliAnon(t), "RebootDesktops", aliClientVersion, true, clientQuery(aliIDs[:1], "c1"))
	wantAliErr(t, err, "Throttling.User", 400)
	_, err = aliCall(e.aliAnon(t), "RebootDesktops", aliClientVersion, true, clientQuery(aliIDs[:1], "c1"))
	mustOK(t, err)
	e.control(t, "POST", "/faults", `{"kind":"error","status":500,"code":"Boom"}`, &created)
	if st := e.control(t, "DELETE", "/faults/"+itoa(created.ID), "", nil); st != 204 {
		t.Errorf("delete one fault: HTTP %d", st)
	}
	e.control(t, "POST", "/faults", `{"kind":"latency","latency":1000000}`, nil)
	if st := e.control(t, "DELETE", "/faults", "", nil); st != 204 || len(e.srv.Faults()) != 0 {
		t.Errorf("clear faults: HTTP %d, %d left", st, len(e.srv.Faults()))
	}

	// Calls, with the login token redacted.
	var calls []map[string]any
	e.control(t, "GET", "/calls", "", &calls)
	if len(calls) != 2 || calls[0]["fault"] != "throttle" || calls[1]["applied"] != true {
		t.Fatalf("calls %v", calls)
	}
	if p := calls[1]["params"].(map[string]any); p["LoginToken"] != "REDACTED" || p["ClientToken"] != "c1" {
		t.Errorf("params %v", p)
	}

	// Counts, and the clock.
	var counts []DesktopCounts
	e.control(t, "GET", "/counts", "", &counts)
	if len(counts) != 1 || counts[0].ID != aliIDs[0] || counts[0].Reboots != 1 {
		t.Errorf("counts %+v", counts)
	}
	resp, err := http.Get(e.hs.URL + "/_mock/counts?format=text")
	if err != nil {
		t.Fatal(err)
	}
	table, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "alibaba  " + aliIDs[0] + "  1        0"; !strings.Contains(string(table), want) || !strings.HasPrefix(string(table), "CLOUD") {
		t.Errorf("text counts %q, want a header and a row %q", table, want)
	}
	if d, _ := e.srv.Desktop(CloudAlibaba, aliIDs[0]); d.Status != "Stopping" {
		t.Errorf("before advance %s", d.Status)
	}
	if st := e.control(t, "POST", "/advance", `{"duration":"1m"}`, nil); st != 200 {
		t.Errorf("advance: HTTP %d", st)
	}
	if d, _ := e.srv.Desktop(CloudAlibaba, aliIDs[0]); d.Status != "Running" {
		t.Errorf("after advance %s", d.Status)
	}

	// Jobs.
	_, err = hwDelete(e.hw(t), []string{"hw-2"})
	mustOK(t, err)
	job := lastCall(t, e.srv).JobID
	var info map[string]any
	if st := e.control(t, "GET", "/jobs/"+job, "", &info); st != 200 || info["status"] != "SUCCESS" || info["emailNotification"] != true {
		t.Errorf("job: HTTP %d %v", st, info)
	}

	if st := e.control(t, "DELETE", "/calls", "", nil); st != 204 || len(e.srv.Calls()) != 0 {
		t.Errorf("reset calls: HTTP %d", st)
	}
	if st := e.control(t, "GET", "/nothing", "", nil); st != 404 {
		t.Errorf("unknown endpoint: HTTP %d", st)
	}
	// The control API is not a cloud call.
	if n := len(e.srv.Calls()); n != 0 {
		t.Errorf("%d control requests recorded as calls", n)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Paths that belong to neither cloud are recorded and answered 404.
func TestUnknownPath(t *testing.T) {
	e := newEnv(t, Timing{})
	resp, err := http.Get(e.hs.URL + "/api/v1/desktops")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := lastCall(t, e.srv); resp.StatusCode != 404 || c.Operation != "Unknown" || c.Status != 404 {
		t.Errorf("HTTP %d, recorded %+v", resp.StatusCode, c)
	}
}
