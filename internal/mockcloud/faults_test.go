package mockcloud

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// Every response-shaping fault on both clouds, through the official SDKs:
// whether the SDK sees an error, what was recorded, and whether the reboot
// happened (AfterApply is the "lost response" case).
func TestFaultKinds(t *testing.T) {
	tests := []struct {
		name        string
		fault       Fault
		wantErr     bool
		wantStatus  int // recorded; 0 for a reset
		wantApplied bool
	}{
		{name: "throttle", fault: Fault{Kind: FaultThrottle}, wantErr: true, wantStatus: -1},
		{name: "server error", fault: Fault{Kind: FaultServerError}, wantErr: true, wantStatus: 503},
		{name: "server error 500", fault: Fault{Kind: FaultServerError, Status: 500}, wantErr: true, wantStatus: 500},
		{name: "server error after apply", fault: Fault{Kind: FaultServerError, Status: 504, AfterApply: true}, wantErr: true, wantStatus: 504, wantApplied: true},
		{name: "reset", fault: Fault{Kind: FaultReset}, wantErr: true, wantStatus: 0},
		{name: "reset after apply", fault: Fault{Kind: FaultReset, AfterApply: true}, wantErr: true, wantStatus: 0, wantApplied: true},
		{name: "html", fault: Fault{Kind: FaultHTML}, wantErr: true, wantStatus: 502},
		{name: "html after apply", fault: Fault{Kind: FaultHTML, AfterApply: true}, wantErr: true, wantStatus: 502, wantApplied: true},
		{name: "truncated json", fault: Fault{Kind: FaultTruncatedJSON}, wantErr: true, wantStatus: 200},
		{name: "truncated json after apply", fault: Fault{Kind: FaultTruncatedJSON, AfterApply: true}, wantErr: true, wantStatus: 200, wantApplied: true},
		{name: "error", fault: Fault{Kind: FaultError, Status: 409, Code: "Custom.Code", Message: "custom message"}, wantErr: true, wantStatus: 409},
		{name: "latency", fault: Fault{Kind: FaultLatency, Latency: 20 * time.Millisecond}, wantStatus: 200, wantApplied: true},
		{name: "job failed does not touch responses", fault: Fault{Kind: FaultJobFailed}, wantStatus: 200, wantApplied: true},
	}
	for _, cloud := range []string{CloudAlibaba, CloudHuawei} {
		for _, tt := range tests {
			t.Run(cloud+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, Timing{})
				f := tt.fault
				f.Cloud, f.Count = cloud, 1
				var id string
				var call func() error
				if cloud == CloudAlibaba {
					id = e.srv.SeedFleet(cloud, DemoAlibabaRegion, "f", 1)[0]
					call = func() error {
						_, err := aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery([]string{id}))
						return err
					}
					f.Operation = "RebootDesktops"
				} else {
					id = e.srv.SeedFleet(cloud, DemoHuaweiProject, "f", 1)[0]
					call = func() error {
						_, err := hwReboot(e.hw(t), []string{id})
						return err
					}
					f.Operation = "BatchRunDesktops"
				}
				e.srv.InjectFault(f)
				start := time.Now()
				err := call()
				if (err != nil) != tt.wantErr {
					t.Fatalf("error %v, want error %v", err, tt.wantErr)
				}
				if f.Kind == FaultLatency && time.Since(start) < f.Latency {
					t.Errorf("answered after %v, before the injected %v", time.Since(start), f.Latency)
				}
				c := lastCall(t, e.srv)
				wantStatus := tt.wantStatus
				if wantStatus == -1 { // throttle differs per cloud
					wantStatus = map[string]int{CloudAlibaba: 400, CloudHuawei: 429}[cloud]
				}
				wantFault := string(f.Kind)
				if f.Kind == FaultJobFailed {
					wantFault = ""
				}
				if c.Status != wantStatus || c.Fault != wantFault || c.Applied != tt.wantApplied {
					t.Errorf("recorded status %d fault %q applied %v; want %d %q %v", c.Status, c.Fault, c.Applied, wantStatus, wantFault, tt.wantApplied)
				}
				want := 0
				if tt.wantApplied {
					want = 1
				}
				if n := e.srv.RebootCount(cloud, id); n != want {
					t.Errorf("rebooted %d times, want %d", n, want)
				}
				// Count 1: the next call is served normally.
				if err := call(); err != nil && tt.wantApplied {
					// The desktop may still be rebooting in another
					// test's timing; with Timing{} it is Running again.
					t.Errorf("call after the fault: %v", err)
				} else if err != nil && !tt.wantApplied {
					t.Errorf("call after the fault: %v", err)
				}
			})
		}
	}
}

// Throttling bodies, codes and headers, seen on the wire.
func TestThrottleDetails(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "t", 1)
	tests := []struct {
		name       string
		fault      Fault
		cloud      string
		wantStatus int
		wantCode   string
		wantRetry  string
		wantEmpty  bool
	}{
		{name: "alibaba default", fault: Fault{Kind: FaultThrottle}, cloud: CloudAlibaba, wantStatus: 400, wantCode: "Throttling.User"},
		{name: "alibaba api", fault: Fault{Kind: FaultThrottle, Code: "Throttling.Api"}, cloud: CloudAlibaba, wantStatus: 400, wantCode: "Throttling.Api"},
		{name: "alibaba plain", fault: Fault{Kind: FaultThrottle, Code: "Throttling", RetryAfter: 1500 * time.Millisecond}, cloud: CloudAlibaba,
			wantStatus: 400, wantCode: "Throttling", wantRetry: "2"},
		{name: "alibaba unavailable", fault: Fault{Kind: FaultThrottle, Code: "ServiceUnavailable"}, cloud: CloudAlibaba, wantStatus: 503, wantCode: "ServiceUnavailable"},
		{name: "huawei default", fault: Fault{Kind: FaultThrottle, RetryAfter: 3 * time.Second}, cloud: CloudHuawei, wantStatus: 429, wantCode: "APIGW.0308", wantRetry: "3"},
		{name: "huawei bare 429", fault: Fault{Kind: FaultThrottle, Code: "-"}, cloud: CloudHuawei, wantStatus: 429, wantEmpty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.srv.ClearFaults()
			tt.fault.Cloud = tt.cloud
			e.srv.InjectFault(tt.fault)
			var resp *http.Response
			var err error
			if tt.cloud == CloudAlibaba {
				resp, err = http.Post(e.hs.URL+"/?"+anonReboot(ids[0], "tok-"+tt.name).Encode(), "", nil)
			} else {
				req, _ := http.NewRequest("GET", e.hs.URL+hwPath("/desktops/detail"), nil)
				req.Header.Set("X-Auth-Token", DemoHuaweiAuthToken)
				resp, err = http.DefaultClient.Do(req)
			}
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Retry-After") != tt.wantRetry {
				t.Errorf("HTTP %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			if tt.wantEmpty != (len(body) == 0) || !strings.Contains(string(body), tt.wantCode) {
				t.Errorf("body %q, want code %q", body, tt.wantCode)
			}
			if strings.HasPrefix(tt.name, "huawei default") && !strings.Contains(string(body), "The throttling threshold has been reached") {
				t.Errorf("body %s", body)
			}
		})
	}
	if n := e.srv.RebootCount(CloudAlibaba, ids[0]); n != 0 {
		t.Errorf("throttled calls rebooted %d times", n)
	}
}

// anonReboot is the query of a client-API reboot in the RPC V2 shape the
// official SDK sends (see checkRPCV2Anonymous).
func anonReboot(id, token string) url.Values {
	return url.Values{"Action": {"RebootDesktops"}, "Version": {aliClientVersion}, "Format": {"JSON"},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "SignatureNonce": {"nonce-" + token},
		"RegionId": {DemoAlibabaRegion}, "ClientId": {"c"}, "SessionId": {DemoAlibabaSessionID}, "LoginToken": {DemoAlibabaLoginToken},
		"ClientToken": {token}, "DesktopId.1": {id}}
}

// The broken bodies on the wire: HTML gateway page, half a JSON, nothing.
func TestBrokenBodies(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "b", 3)
	full := func() string {
		_, _, raw := e.rawHuawei(t, "GET", hwPath("/desktops/detail"), DemoHuaweiAuthToken, "", nil)
		return string(raw)
	}
	whole := full()
	for _, tt := range []struct {
		kind       FaultKind
		wantStatus int
		wantType   string
		check      func(body string) bool
	}{
		{FaultHTML, 502, "text/html", func(b string) bool { return strings.Contains(b, "<html>") }},
		{FaultTruncatedJSON, 200, "application/json", func(b string) bool { return len(b) == len(whole)/2 && strings.HasPrefix(whole, b) }},
		{FaultEmptyBody, 200, "application/json", func(b string) bool { return b == "" }},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			id := e.srv.InjectFault(Fault{Kind: tt.kind, Count: 1})
			defer e.srv.RemoveFault(id)
			req, _ := http.NewRequest("GET", e.hs.URL+hwPath("/desktops/detail"), nil)
			req.Header.Set("X-Auth-Token", DemoHuaweiAuthToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.wantType) || !tt.check(string(b)) {
				t.Errorf("HTTP %d %s: %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		})
	}
	// An empty 202 to a delete: the SDK gets no job_id, and the cloud did
	// not delete anything unless AfterApply.
	for _, after := range []bool{false, true} {
		e.srv.InjectFault(Fault{Kind: FaultEmptyBody, Operation: "BatchDeleteDesktops", Count: 1, AfterApply: after})
		resp, err := hwDelete(e.hw(t), ids[:1])
		if err == nil && resp.JobId != nil {
			t.Errorf("empty body gave job_id %s", *resp.JobId)
		}
		want := 0
		if after {
			want = 1
		}
		if n := e.srv.DeleteCount(CloudHuawei, ids[0]); n != want {
			t.Errorf("after apply %v: deleted %d times, want %d", after, n, want)
		}
	}
}

func TestFaultMatching(t *testing.T) {
	e := newEnv(t, Timing{})
	ali := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "m", 2)
	hw := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "m", 1)

	t.Run("cloud and operation", func(t *testing.T) {
		id := e.srv.InjectFault(Fault{Cloud: CloudHuawei, Operation: "ShowDesktopDetail", Kind: FaultServerError})
		defer e.srv.RemoveFault(id)
		_, err := aliCall(e.ali(t), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
		mustOK(t, err)
		_, err = hwReboot(e.hw(t), hw)
		mustOK(t, err)
		_, err = e.hw(t).ShowDesktopDetail(showReq(hw[0]))
		wantHwErr(t, err, "APIGW.0203", 503)
	})
	t.Run("count", func(t *testing.T) {
		e.srv.InjectFault(Fault{Cloud: CloudAlibaba, Kind: FaultError, Code: "Once", Count: 2})
		defer e.srv.ClearFaults()
		for i, want := range []string{"Once", "Once", ""} {
			_, err := aliCall(e.ali(t), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
			if want == "" {
				mustOK(t, err)
			} else {
				wantAliErr(t, err, want, 400)
			}
			if got := e.srv.Faults(); got[0].Fired != min(i+1, 2) {
				t.Errorf("fired %d", got[0].Fired)
			}
		}
	})
	t.Run("error only for named desktops", func(t *testing.T) {
		e.srv.InjectFault(Fault{Cloud: CloudAlibaba, Kind: FaultError, Status: 400, Code: "IncorrectDesktopStatus", Message: "nope", DesktopIDs: []string{ali[1]}})
		defer e.srv.ClearFaults()
		_, err := aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery(ali[:1]))
		mustOK(t, err)
		_, err = aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery(ali))
		wantAliErr(t, err, "IncorrectDesktopStatus", 400)
		if !strings.Contains(err.Error(), "nope") {
			t.Errorf("message not used: %v", err)
		}
	})
	t.Run("probability is seeded", func(t *testing.T) {
		pattern := func() string {
			e := newEnv(t, Timing{})
			e.srv.InjectFault(Fault{Kind: FaultError, Probability: 0.5})
			var b strings.Builder
			for range 40 {
				_, err := aliCall(e.ali(t), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
				b.WriteString(map[bool]string{true: "x", false: "."}[err != nil])
			}
			return b.String()
		}
		a, b := pattern(), pattern()
		if a != b {
			t.Errorf("same seed, different faults:\n%s\n%s", a, b)
		}
		if n := strings.Count(a, "x"); n < 8 || n > 32 {
			t.Errorf("probability 0.5 fired %d of 40 times: %s", n, a)
		}
	})
	t.Run("auth comes before faults", func(t *testing.T) {
		e.srv.InjectFault(Fault{Kind: FaultServerError})
		defer e.srv.ClearFaults()
		_, err := aliCall(e.aliWith(t, DemoAlibabaAccessKey, "wrong", ""), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
		wantAliErr(t, err, "SignatureDoesNotMatch", 400)
		if c := lastCall(t, e.srv); c.Fault != "" {
			t.Errorf("fault %q fired on an unauthenticated call", c.Fault)
		}
	})
}

// A retry after a lost response is answered from the ClientToken cache.
func TestLostResponseThenReplay(t *testing.T) {
	e := newEnv(t, Timing{RebootStopping: hours})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "lost", 2)
	c := e.aliAnon(t)
	e.srv.InjectFault(Fault{Cloud: CloudAlibaba, Operation: "RebootDesktops", Kind: FaultReset, AfterApply: true, Count: 1})
	_, err := aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids, "lost-1"))
	if err == nil {
		t.Fatal("the reset call succeeded")
	}
	_, err = aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids, "lost-1"))
	mustOK(t, err)
	for _, id := range ids {
		if n := e.srv.RebootCount(CloudAlibaba, id); n != 1 {
			t.Errorf("%s rebooted %d times, want 1", id, n)
		}
	}
	calls := e.srv.CallsTo(CloudAlibaba, "RebootDesktops")
	if len(calls) != 2 || !calls[0].Applied || calls[0].Fault != "reset" || calls[1].Applied || calls[1].RequestID == "" {
		t.Errorf("calls %+v", calls)
	}
}

// A latency fault gives up with the client, and nothing is applied.
func TestLatencyHonoursCancellation(t *testing.T) {
	s := New(DemoConfig())
	ids := s.SeedFleet(CloudHuawei, DemoHuaweiProject, "lat", 1)
	s.InjectFault(Fault{Kind: FaultLatency, Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body := fmt.Sprintf(`{"desktop_ids":[%q],"op_type":"reboot"}`, ids[0])
	req := httptest.NewRequestWithContext(ctx, "POST", hwPath("/desktops/action"), strings.NewReader(body))
	req.Header.Set("X-Auth-Token", DemoHuaweiAuthToken)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	s.ServeHTTP(httptest.NewRecorder(), req)
	if time.Since(start) > time.Minute {
		t.Fatal("the delay ignored cancellation")
	}
	c := lastCall(t, s)
	if c.Fault != "latency" || c.Applied || c.Status != 0 || s.RebootCount(CloudHuawei, ids[0]) != 0 {
		t.Errorf("recorded %+v, reboots %d", c, s.RebootCount(CloudHuawei, ids[0]))
	}
}

// A reset is a transport error: no HTTP response at all, on either cloud.
func TestResetIsATransportError(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "r", 1)
	e.srv.InjectFault(Fault{Kind: FaultReset})
	for _, cloud := range []string{CloudAlibaba, CloudHuawei} {
		var req *http.Request
		if cloud == CloudAlibaba {
			req, _ = http.NewRequest("POST", e.hs.URL+"/?"+anonReboot("ecd-x", "t").Encode(), nil)
		} else {
			req, _ = http.NewRequest("POST", e.hs.URL+hwPath("/desktops/batch-delete"), strings.NewReader(delBody(ids, false)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Auth-Token", DemoHuaweiAuthToken)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: got HTTP %d, want the connection closed", cloud, resp.StatusCode)
		}
		if c := lastCall(t, e.srv); c.Cloud != cloud || c.Fault != "reset" || c.Status != 0 {
			t.Errorf("recorded %+v", c)
		}
	}
	if _, err := hwDelete(e.hw(t), ids); err == nil {
		t.Error("the SDK saw no error")
	} else if errors.As(err, new(*sdkerr.ServiceResponseError)) {
		t.Errorf("the SDK saw a cloud error: %v", err)
	}
}

func TestCallRecord(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "rec", 2)
	_, err := aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery(ids, "OsUpdate", false))
	mustOK(t, err)
	c := lastCall(t, e.srv)
	if c.Cloud != CloudAlibaba || c.Operation != "RebootDesktops" || c.Version != aliAdminVersion || c.Method != "POST" || c.Path != "/" ||
		c.Params["DesktopId.1"] != ids[0] || c.Params["DesktopId.2"] != ids[1] || c.Params["OsUpdate"] != "false" ||
		strings.Join(c.DesktopIDs, ",") != strings.Join(ids, ",") || c.Status != 200 || c.RequestID == "" || !c.Applied {
		t.Errorf("recorded %+v", c)
	}
	// Calls are copies.
	c.Params["DesktopId.1"] = "changed"
	if lastCall(t, e.srv).Params["DesktopId.1"] != ids[0] {
		t.Error("Calls() shares its maps")
	}
	if len(e.srv.CallsTo(CloudAlibaba, "RebootDesktops")) != 1 || len(e.srv.CallsTo(CloudHuawei, "RebootDesktops")) != 0 {
		t.Error("CallsTo filters wrongly")
	}
	e.srv.ResetCalls()
	if len(e.srv.Calls()) != 0 {
		t.Error("ResetCalls kept calls")
	}
	if e.srv.RebootCount(CloudAlibaba, ids[0]) != 1 {
		t.Error("ResetCalls reset counts")
	}
}

// The log line names the call but holds no secret.
func TestLogHasNoSecrets(t *testing.T) {
	log := &syncWriter{}
	cfg := DemoConfig()
	cfg.Timing = Timing{}
	cfg.Log = log
	e := newEnvConfig(t, cfg)
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "log", 1)
	_, err := aliCall(e.aliAnon(t), "RebootDesktops", aliClientVersion, true, clientQuery(ids, "tok"))
	mustOK(t, err)
	_, err = aliCall(e.aliWith(t, DemoAlibabaAccessKey, DemoAlibabaSecret, "sts-secret-token"), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
	mustOK(t, err)
	hwids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "log", 1)
	e.rawHuawei(t, "GET", hwPath("/desktops/%s", hwids[0]), DemoHuaweiAuthToken, "", nil)
	out := log.String()
	if strings.Count(out, "\n") != 3 || !strings.Contains(out, "RebootDesktops") || !strings.Contains(out, "ShowDesktopDetail") {
		t.Errorf("log:\n%s", out)
	}
	for _, secret := range []string{DemoAlibabaLoginToken, DemoAlibabaSecret, "sts-secret-token", DemoHuaweiAuthToken, "Signature="} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}

// syncWriter is a log sink the server goroutines and the test can share.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFaultAnswer: the answer of the test's choice, with the cloud's
// request-ID header unless the fault leaves it out, a Content-Length that
// cuts the body short, and AfterApply applying the call first.
func TestFaultAnswer(t *testing.T) {
	tests := []struct {
		name         string
		fault        Fault
		wantStatus   int
		wantBody     string
		wantIDHeader bool
		wantCut      bool
		wantApplied  bool
	}{
		{name: "defaults", fault: Fault{Body: `{"x":1}`}, wantStatus: 200, wantBody: `{"x":1}`, wantIDHeader: true},
		{name: "status, type, no request ID", fault: Fault{Status: 502, Body: "<html>down</html>",
			Header: map[string]string{"Content-Type": "text/html", "X-Request-Id": "", "x-acs-request-id": ""}},
			wantStatus: 502, wantBody: "<html>down</html>"},
		{name: "body cut short", fault: Fault{Status: 202, Body: `{"job_id":`, Header: map[string]string{"Content-Length": "100"}},
			wantStatus: 202, wantBody: `{"job_id":`, wantIDHeader: true, wantCut: true},
		{name: "after apply", fault: Fault{Body: `{}`, AfterApply: true}, wantStatus: 200, wantBody: `{}`, wantIDHeader: true, wantApplied: true},
	}
	for _, cloud := range []string{CloudAlibaba, CloudHuawei} {
		for _, tt := range tests {
			t.Run(cloud+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, Timing{})
				f := tt.fault
				f.Kind, f.Cloud, f.Count = FaultAnswer, cloud, 1
				var req *http.Request
				var id string
				if cloud == CloudAlibaba {
					id = e.srv.SeedFleet(cloud, DemoAlibabaRegion, "a", 1)[0]
					f.Operation = "RebootDesktops"
					req, _ = http.NewRequest(http.MethodPost, e.hs.URL+"/?"+anonReboot(id, "tok").Encode(), nil)
				} else {
					id = e.srv.SeedFleet(cloud, DemoHuaweiProject, "a", 1)[0]
					f.Operation = "BatchRunDesktops"
					req, _ = http.NewRequest(http.MethodPost, e.hs.URL+hwPath("/desktops/action"),
						strings.NewReader(`{"desktop_ids":["`+id+`"],"op_type":"reboot"}`))
					req.Header.Set("X-Auth-Token", DemoHuaweiAuthToken)
					req.Header.Set("Content-Type", "application/json")
				}
				e.srv.InjectFault(f)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, readErr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody || (readErr != nil) != tt.wantCut {
					t.Errorf("answer %d %q (read error %v), want %d %q, cut %v", resp.StatusCode, body, readErr, tt.wantStatus, tt.wantBody, tt.wantCut)
				}
				idHeader := map[string]string{CloudAlibaba: "x-acs-request-id", CloudHuawei: "X-Request-Id"}[cloud]
				c := lastCall(t, e.srv)
				if got := resp.Header.Get(idHeader); (got != "") != tt.wantIDHeader || got != c.RequestID {
					t.Errorf("%s %q, recorded request ID %q", idHeader, got, c.RequestID)
				}
				if c.Fault != string(FaultAnswer) || c.Applied != tt.wantApplied || (e.srv.RebootCount(cloud, id) == 1) != tt.wantApplied {
					t.Errorf("recorded fault %q applied %v, %d reboots; want applied %v", c.Fault, c.Applied, e.srv.RebootCount(cloud, id), tt.wantApplied)
				}
			})
		}
	}
}

// TestJobFailuresPerDesktop: several job failures shape one job, each
// sub-job failing by the first that names its desktop (or names none).
func TestJobFailuresPerDesktop(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "jf", 3)
	e.srv.InjectFault(Fault{Cloud: CloudHuawei, Kind: FaultJobFailed, DesktopIDs: ids[1:2], Code: "WKS.0105", Message: "in use"})
	e.srv.InjectFault(Fault{Cloud: CloudHuawei, Kind: FaultJobFailed, DesktopIDs: ids[1:], Code: "WKS.9999", Message: "Desktop not found"})
	c := e.hw(t)
	resp, err := hwDelete(c, ids)
	mustOK(t, err)
	var got []string
	for _, sj := range deref(showJob(t, c, deref(resp.JobId)).SubJobs) {
		got = append(got, deref(sj.Status)+" "+deref(sj.ErrorCode))
	}
	want := []string{"SUCCESS ", "FAILED WKS.0105", "FAILED WKS.9999"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sub-jobs %q, want %q", got, want)
	}
}
