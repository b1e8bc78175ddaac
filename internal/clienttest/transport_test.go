package clienttest_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// TestHTTPSVerifiesCertificates: an https endpoint whose certificate no
// trusted authority signed is refused before any request is made; nothing
// in the clients turns verification off.
func TestHTTPSVerifiesCertificates(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m := mockcloud.New(mockcloud.DemoConfig())
			srv := httptest.NewTLSServer(m)
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
			t.Cleanup(srv.Close)
			if !strings.HasPrefix(srv.URL, "https://") {
				t.Fatalf("test server %s is not https", srv.URL)
			}
			c := cl.connect(t, srv.URL, defaults)
			for name, a := range c.actions(wait{}) {
				o := a.Act(context.Background(), batch("d1"))
				if len(o.Done) != 0 || len(o.Failed) != 1 {
					t.Fatalf("%s: outcome %+v, want d1 failed", name, o)
				}
				if msg := o.Failed[0].Err.Error(); !strings.Contains(msg, "TLS certificate is not trusted") || !strings.Contains(msg, "x509: certificate signed by unknown authority") {
					t.Errorf("%s: error %q does not say the certificate was refused", name, msg)
				}
				var ce *fleet.CloudError
				if !errors.As(o.Failed[0].Err, &ce) || ce.Retryable || ce.Ambiguous {
					t.Errorf("%s: failure %#v: want a final, unambiguous CloudError (retrying cannot fix a certificate)", name, o.Failed[0].Err)
				}
			}
			if n := len(m.Calls()); n != 0 {
				t.Errorf("the mock cloud received %d calls, want none", n)
			}
		})
	}
}

// TestPlainHTTPBearer: over http:// to a host that is not loopback, no call
// carrying a bearer credential leaves a client (Alibaba: the client API's
// login token, a security token; Huawei: the IAM token, a security token),
// unless AllowPlainHTTP opts in. Alibaba refuses when the call is made,
// since a security token from its credential chain is only known then;
// Huawei when the client is built. Nothing listens at 192.0.2.1 (TEST-NET):
// a call that was not refused fails differently, within a millisecond.
func TestPlainHTTPBearer(t *testing.T) {
	const (
		loginToken = "LT-SECRET-1"
		sts        = "STS-SECRET-2"
		iamToken   = "TOKEN-SECRET-3"
	)
	clientAPI := &alibaba.ClientAPI{ClientID: "c", LoginToken: loginToken}
	alibabaAct := func(api *alibaba.ClientAPI, securityToken string, allow bool) func(string) (fleet.BatchAction, error) {
		return func(endpoint string) (fleet.BatchAction, error) {
			c, err := alibaba.NewClient(alibaba.Config{Region: "cn-hangzhou", AccessKey: "AK", SecretKey: "SK-SECRET-4", SecurityToken: securityToken,
				Endpoint: endpoint, AllowPlainHTTP: allow, Timeout: time.Millisecond})
			if err != nil {
				return nil, err
			}
			return c.Rebooter(alibaba.RebootOptions{ClientAPI: api}), nil
		}
	}
	huaweiAct := func(edit func(*huawei.Config)) func(string) (fleet.BatchAction, error) {
		return func(endpoint string) (fleet.BatchAction, error) {
			cfg := huawei.Config{ProjectID: "p", AccessKey: "AK", SecretKey: "SK-SECRET-4", Endpoint: endpoint, Timeout: time.Millisecond}
			edit(&cfg)
			c, err := huawei.NewClient(cfg)
			if err != nil {
				return nil, err
			}
			return c.Rebooter(huawei.RebootOptions{}), nil
		}
	}
	tests := []struct {
		name     string
		connect  func(endpoint string) (fleet.BatchAction, error)
		endpoint string
		refused  string // what the refusal says, "" when the call may go
	}{
		{"alibaba client API, remote http", alibabaAct(clientAPI, "", false), "http://192.0.2.1:9", "refusing to send the client API's login token over plain http"},
		{"alibaba STS key, remote http", alibabaAct(nil, sts, false), "http://192.0.2.1:9", "refusing to send the STS security token over plain http"},
		{"alibaba plain AK, remote http", alibabaAct(nil, "", false), "http://192.0.2.1:9", ""},
		{"alibaba client API, opted in", alibabaAct(clientAPI, "", true), "http://192.0.2.1:9", ""},
		{"alibaba STS key, opted in", alibabaAct(nil, sts, true), "http://192.0.2.1:9", ""},
		{"alibaba client API, loopback", alibabaAct(clientAPI, "", false), "http://127.0.0.1:9", ""},
		{"alibaba STS key, https", alibabaAct(nil, sts, false), "https://192.0.2.1", ""},
		{"huawei token, remote http", huaweiAct(func(c *huawei.Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", iamToken }),
			"http://192.0.2.1:80", "refusing to send the IAM or security token over plain http"},
		{"huawei token and keys, remote http", huaweiAct(func(c *huawei.Config) { c.AuthToken = iamToken }),
			"http://192.0.2.1:80", "refusing to send the IAM or security token over plain http"},
		{"huawei security token, remote http", huaweiAct(func(c *huawei.Config) { c.SecurityToken = sts }), "http://192.0.2.1", "refusing to send"},
		{"huawei token, opted in", huaweiAct(func(c *huawei.Config) { c.AuthToken, c.AllowPlainHTTP = iamToken, true }), "http://192.0.2.1", ""},
		{"huawei token, loopback", huaweiAct(func(c *huawei.Config) { c.AuthToken = iamToken }), "http://localhost:18080", ""},
		{"huawei plain AK, remote http", huaweiAct(func(*huawei.Config) {}), "http://192.0.2.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.connect(tt.endpoint)
			if err != nil {
				if tt.refused == "" || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("building the client: %v, want refused %q", err, tt.refused)
				}
				if strings.Contains(err.Error(), "SECRET") {
					t.Errorf("the refusal shows a credential: %v", err)
				}
				return
			}
			o := a.Act(context.Background(), fleet.Batch{DesktopIDs: []string{"ecd-1"}, Token: "token-0"})
			if tt.refused == "" {
				for _, f := range o.Failed {
					if strings.Contains(f.Err.Error(), "refusing") {
						t.Errorf("refused: %v", f.Err)
					}
				}
				return
			}
			if len(o.Failed) != 1 {
				t.Fatalf("outcome %+v, want the call refused", o)
			}
			msg := o.Failed[0].Err.Error()
			var ce *fleet.CloudError
			if !errors.As(o.Failed[0].Err, &ce) || ce.Retryable || ce.Ambiguous || len(o.RequestIDs) != 0 || !strings.Contains(ce.Message, tt.refused) {
				t.Fatalf("outcome %+v, want refused %q", o, tt.refused)
			}
			if strings.Contains(msg, "SECRET") {
				t.Errorf("the refusal shows a credential: %s", msg)
			}
		})
	}
}

// TestConnectionRefused: nothing listening is retried and is not
// ambiguous, since nothing was sent, so nothing is read back first.
func TestConnectionRefused(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m := clienttest.Start(t)
			srv := httptest.NewServer(m.Server)
			url := srv.URL
			srv.Close()
			c := cl.connect(t, url, defaults)
			for name, a := range c.actions(wait{}) {
				o := a.Act(context.Background(), batch("d1"))
				if len(o.Failed) != 1 {
					t.Fatalf("%s: outcome %+v", name, o)
				}
				ce := clienttest.CloudError(t, o.Failed[0].Err)
				if !ce.Retryable || ce.Ambiguous || ce.HTTPStatus != 0 || ce.Cause == nil {
					t.Errorf("%s: error %#v", name, ce)
				}
				if !strings.Contains(ce.Error(), "connection refused") {
					t.Errorf("%s: error %q does not say what happened", name, ce.Error())
				}
			}
		})
	}
}

// TestPerCallTimeout: a call that gets no answer within the per-call
// timeout ends, well before the operation's, and is retried (ambiguous:
// it was sent); one answered on a retry succeeds.
func TestPerCallTimeout(t *testing.T) {
	for _, cl := range clouds {
		for _, tt := range []struct {
			name     string
			hangs    int // calls that get no answer; 0: all
			calls    int
			wantList bool
		}{
			{"answered on the retry", 1, 2, true},
			{"never answered", 0, 4, false},
		} {
			t.Run(cl.name+"/"+tt.name, func(t *testing.T) {
				m, ids, c := cl.start(t, 1, settings{retry: fast, timeout: 50 * time.Millisecond})
				m.InjectFault(mockcloud.Fault{Cloud: cl.name, Operation: cl.read, Kind: mockcloud.FaultLatency, Latency: time.Hour, Count: tt.hangs})
				got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: ids})
				if n := len(m.CallsTo(cl.name, cl.read)); n != tt.calls {
					t.Errorf("%d calls, want %d", n, tt.calls)
				}
				if tt.wantList {
					if err != nil || len(got) != 1 || got[0].ID != ids[0] {
						t.Fatalf("list = %v, %v", got, err)
					}
					return
				}
				ce := clienttest.CloudError(t, err)
				if ce.Operation != cl.read || !ce.Retryable || !ce.Ambiguous || ce.HTTPStatus != 0 || ce.RequestID != "" {
					t.Errorf("error %#v", ce)
				}
				if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "Timeout") {
					t.Errorf("error %v does not say the call timed out", err)
				}
				// Alibaba's query can carry a login token: its errors never
				// show it.
				if cl.name == mockcloud.CloudAlibaba && (!strings.Contains(err.Error(), "per-call timeout") || !errors.Is(err, context.DeadlineExceeded) ||
					strings.Contains(err.Error(), "RegionId=") || strings.Contains(err.Error(), "SDKError")) {
					t.Errorf("error %v does not name the per-call timeout and wrap the deadline, or shows the query", err)
				}
			})
		}
	}
}

// TestCancelStopsACallInFlight: cancelling the operation ends the HTTP
// request itself, well before the per-call timeout, not only the waits
// between calls. The call was sent, so it is ambiguous, and not retried.
func TestCancelStopsACallInFlight(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 1, settings{retry: fast, timeout: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			m.At(cl.name, cl.reboot, 1, cancel)
			m.InjectFault(mockcloud.Fault{Cloud: cl.name, Operation: cl.reboot, Kind: mockcloud.FaultLatency, Latency: time.Hour})
			o := c.reboot(wait{}).Act(ctx, batch(ids...))
			if len(o.Failed) != 1 {
				t.Fatalf("outcome %+v", o)
			}
			ce := clienttest.CloudError(t, o.Failed[0].Err)
			if ce.Retryable || !ce.Ambiguous || !errors.Is(ce, context.Canceled) {
				t.Errorf("err = %#v", ce)
			}
			if n := len(m.CallsTo(cl.name, cl.reboot)); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
			if n := m.RebootCount(cl.name, ids[0]); n != 0 {
				t.Errorf("rebooted %d times, want 0", n)
			}
		})
	}
}

// TestCancelledWhileWaitingToRetry: a throttled call is certainly not
// applied, so a stop during the wait before its retry leaves the desktops
// not processed, not failed with the throttling error. The stop comes when
// the retry is logged, which is after the answer was read and before the
// wait: that line must carry the attempt, the wait and the request ID.
func TestCancelledWhileWaitingToRetry(t *testing.T) {
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 2, settings{retry: retry.Policy{MaxRetries: 3, BaseDelay: time.Hour, MaxDelay: time.Hour}, timeout: 5 * time.Second})
			m.InjectFault(mockcloud.Fault{Cloud: cl.name, Operation: cl.reboot, Kind: mockcloud.FaultThrottle})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var retryLine map[string]any
			ctx = tflogtest.RootLogger(ctx, clienttest.LogLines(func(line map[string]any) {
				if line["@message"] == "retrying cloud call" && retryLine == nil {
					retryLine = line
					cancel()
				}
			}))
			o := c.reboot(wait{}).Act(ctx, batch(ids...))
			calls := m.CallsTo(cl.name, cl.reboot)
			if len(calls) != 1 || len(o.Done) != 0 || len(o.Failed) != 0 {
				t.Fatalf("outcome %+v after %d calls, want one call and nothing accounted", o, len(calls))
			}
			if retryLine == nil {
				t.Fatal("the retry was not logged")
			}
			for field, want := range map[string]any{"attempt": float64(1), "of": float64(3), "operation": cl.reboot, "request_id": calls[0].RequestID} {
				if retryLine[field] != want || want == "" {
					t.Errorf("retry log %s = %v, want %v (line %v)", field, retryLine[field], want, retryLine)
				}
			}
			if w, _ := retryLine["wait"].(string); w == "" || w == "0s" {
				t.Errorf("retry log wait = %v, want the backoff", retryLine["wait"])
			}
		})
	}
}

// TestConnectionsReused: a fleet operation keeps its connections open
// between calls, one for each call in flight, instead of opening new ones
// (against a real endpoint each new one is a TCP and TLS handshake). The
// transport once kept Go's default of two idle connections per host, and
// at four calls in flight these 200 calls opened 35 (Alibaba) and 42
// (Huawei) connections.
func TestConnectionsReused(t *testing.T) {
	const concurrency = 4
	for _, cl := range clouds {
		t.Run(cl.name, func(t *testing.T) {
			m, ids, c := cl.start(t, 5000, defaults)
			for _, w := range []wait{{}, {wait: true, settle: time.Millisecond}} {
				r := fleet.Run(context.Background(), ids, c.reboot(w), concurrency, nil)
				if len(r.Failed) != 0 || len(r.Done) != len(ids) {
					t.Fatalf("reboot (wait %v): %d done, %d failed: %v", w.wait, len(r.Done), len(r.Failed), r.Failed)
				}
			}
			calls := len(m.Calls())
			// A call may find every open connection busy just before one
			// comes back to the pool; twice the calls in flight leaves room
			// for that and none for a connection per call.
			if n := m.Connections(); n > 2*concurrency {
				t.Errorf("%d calls opened %d connections, want at most %d (%d in flight)", calls, n, 2*concurrency, concurrency)
			}
		})
	}
}
