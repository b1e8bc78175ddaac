package alibaba

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name                 string
		f                    failure
		retryable, ambiguous bool
	}{
		{"Throttling", failure{kind: kindHTTP, status: 400, code: "Throttling"}, true, false},
		{"Throttling.User", failure{kind: kindHTTP, status: 400, code: "Throttling.User"}, true, false},
		{"Rejected.Throttling", failure{kind: kindHTTP, status: 400, code: "Rejected.Throttling"}, true, false},
		{"Throttling.Api on 503", failure{kind: kindHTTP, status: 503, code: "Throttling.Api"}, true, false},
		{"ServiceUnavailable", failure{kind: kindHTTP, status: 503, code: "ServiceUnavailable"}, true, true},
		{"ServiceUnavailable on 400", failure{kind: kindHTTP, status: 400, code: "ServiceUnavailable"}, true, true},
		{"InternalError", failure{kind: kindHTTP, status: 500, code: "InternalError"}, true, true},
		{"InternalError on 400", failure{kind: kindHTTP, status: 400, code: "InternalError"}, true, true},
		{"InternalError.Dispatch", failure{kind: kindHTTP, status: 500, code: "InternalError.Dispatch"}, true, true},
		{"502 page", failure{kind: kindHTTP, status: 502}, true, true},
		{"503 with a code", failure{kind: kindHTTP, status: 503, code: "SomethingElse"}, true, true},
		{"504", failure{kind: kindHTTP, status: 504, code: "GatewayTimeout"}, true, true},
		{"500 HTML page", failure{kind: kindHTTP, status: 500}, true, true},
		{"501 non-JSON", failure{kind: kindHTTP, status: 501}, true, true},
		{"501 with a code", failure{kind: kindHTTP, status: 501, code: "NotImplemented"}, true, true},
		{"400", failure{kind: kindHTTP, status: 400, code: "InvalidParameter"}, false, false},
		{"401", failure{kind: kindHTTP, status: 401, code: "InvalidAccessKeyId"}, false, false},
		{"403", failure{kind: kindHTTP, status: 403, code: "Forbidden.RAM"}, false, false},
		{"404", failure{kind: kindHTTP, status: 404, code: "InvalidDesktopId.NotFound"}, false, false},
		{"409", failure{kind: kindHTTP, status: 409, code: "OperationConflict"}, false, false},
		{"404 HTML page", failure{kind: kindHTTP, status: 404}, false, false},
		{"redirect", failure{kind: kindHTTP, status: 302}, false, false},
		{"malformed 200", failure{kind: kindMalformed, status: 200, sent: true}, true, true},
		{"reset after sending", failure{kind: kindTransport, sent: true}, true, true},
		{"refused", failure{kind: kindTransport}, true, false},
		{"cancelled in flight", failure{kind: kindCancelled, sent: true}, false, true},
		{"cancelled before sending", failure{kind: kindCancelled}, false, false},
		{"no credentials", failure{kind: kindLocal}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a := classify(tt.f)
			if r != tt.retryable || a != tt.ambiguous {
				t.Errorf("classify(%+v) = retryable %v ambiguous %v, want %v %v", tt.f, r, a, tt.retryable, tt.ambiguous)
			}
		})
	}
}

// TestErrorMapping runs each kind of failure through a real call (a
// DescribeDesktops, retried by the policy) and checks the attempts made
// and the error the caller gets.
func TestErrorMapping(t *testing.T) {
	throttled := func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		writeError(w, 400, "Throttling.User", "Request was denied due to user flow control.", "req-throttled")
	}
	tests := []struct {
		name     string
		answer   func(w http.ResponseWriter, r *http.Request, n int) bool // false: let the fake answer
		timeout  time.Duration
		calls    int
		wantErr  bool
		status   int
		code     string
		reqID    string
		message  string // substring of Error()
		retry    bool
		ambig    bool
		cause    error
		retryHnt time.Duration
	}{
		{
			name: "Throttling.User retried then success",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n <= 2 {
					throttled(w)
					return true
				}
				return false
			},
			calls: 3,
		},
		{
			name:   "throttled to the end",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool { throttled(w); return true },
			calls:  4, wantErr: true, status: 400, code: "Throttling.User", reqID: "req-throttled",
			message: "Throttling.User: Request was denied due to user flow control.; request ID req-throttled",
			retry:   true, retryHnt: time.Second,
		},
		{
			name: "throttled with a rate-limit hint",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("x-ratelimit-user-api", "Limit:10,Remain:0,TimeLeft:1500,Reset:1700000000000")
				writeError(w, 400, "Throttling.Api", "Request was denied due to api flow control.", "req-api")
				return true
			},
			calls: 4, wantErr: true, status: 400, code: "Throttling.Api", reqID: "req-api", message: "api flow control",
			retry: true, retryHnt: 1500 * time.Millisecond,
		},
		{
			name: "403 not retried",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeError(w, 403, "Forbidden.RAM", "User not authorized to operate on the specified resource.", "req-403")
				return true
			},
			calls: 1, wantErr: true, status: 403, code: "Forbidden.RAM", reqID: "req-403",
			message: "alibaba DescribeDesktops failed (HTTP 403): Forbidden.RAM: User not authorized to operate on the specified resource.; request ID req-403",
		},
		{
			name: "HTML 502 page",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("x-acs-request-id", "req-gw")
				writeRaw(w, 502, "text/html", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>")
				return true
			},
			calls: 4, wantErr: true, status: 502, reqID: "req-gw", message: `unexpected response: "<html> <head><title>502 Bad Gateway`,
			retry: true, ambig: true,
		},
		{
			name: "HTML 502 then success",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					writeRaw(w, 502, "text/html", "<html>bad gateway</html>")
					return true
				}
				return false
			},
			calls: 2,
		},
		{
			name: "XML-typed garbage on 503",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 503, "text/xml;charset=utf-8", "<<<not xml")
				return true
			},
			calls: 4, wantErr: true, status: 503, message: "unexpected response", retry: true, ambig: true,
		},
		{
			name: "500 InternalError retried",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeError(w, 500, "InternalError", "The request processing has failed due to some unknown error.", "req-500")
				return true
			},
			calls: 4, wantErr: true, status: 500, code: "InternalError", reqID: "req-500", retry: true, ambig: true,
		},
		{
			name: "redirect not followed",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Location", "https://elsewhere.example.com/")
				writeRaw(w, 302, "application/json", `{"RequestId":"req-302"}`)
				return true
			},
			calls: 1, wantErr: true, status: 302, message: "unexpected",
		},
		{
			name: "truncated JSON on 200",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 200, "application/json", `{"RequestId":"req-cut","Desktops":[{"DesktopId":"d1",`)
				return true
			},
			calls: 4, wantErr: true, status: 200, message: "malformed response", retry: true, ambig: true,
		},
		{
			name: "truncated JSON on 200 retried",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					writeRaw(w, 200, "application/json", `{"RequestId":"req-cut","Desktops":[{"DesktopId":"d1",`)
					return true
				}
				return false
			},
			calls: 2,
		},
		{
			name: "truncated JSON on 503 retried",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					writeRaw(w, 503, "application/json", `{"Code":"ServiceUnav`)
					return true
				}
				return false
			},
			calls: 2,
		},
		{
			name: "empty 200 body",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 200, "application/json", "")
				return true
			},
			calls: 4, wantErr: true, status: 200, message: "malformed response: empty or non-object body", retry: true, ambig: true,
		},
		{
			name: "JSON array on 200",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 200, "application/json", "[1,2]")
				return true
			},
			calls: 4, wantErr: true, status: 200, message: "malformed response", retry: true, ambig: true,
		},
		{
			name: "200 without RequestId",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 200, "application/json", `{"Desktops":[]}`)
				return true
			},
			calls: 4, wantErr: true, status: 200, message: "no RequestId", retry: true, ambig: true,
		},
		{
			name: "wrong shape on 200",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				writeRaw(w, 200, "application/json", `{"RequestId":"req-shape","Desktops":"none"}`)
				return true
			},
			calls: 4, wantErr: true, status: 200, reqID: "req-shape", message: "malformed response", retry: true, ambig: true,
		},
		{
			name: "connection reset",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				resetConn(w)
				return true
			},
			calls: 4, wantErr: true, retry: true, ambig: true,
		},
		{
			name: "connection reset then success",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 1 {
					resetConn(w)
					return true
				}
				return false
			},
			calls: 2,
		},
		{
			name: "body cut off mid-way",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"RequestId":"req-short"`))
				w.(http.Flusher).Flush()
				resetConn(w)
				return true
			},
			calls: 4, wantErr: true, status: 200, message: "response body cut off", retry: true, ambig: true,
		},
		{
			name: "no answer within the per-call timeout",
			answer: func(w http.ResponseWriter, r *http.Request, n int) bool {
				<-r.Context().Done()
				return true
			},
			timeout: 20 * time.Millisecond,
			calls:   4, wantErr: true, message: "per-call timeout", retry: true, ambig: true, cause: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.seed(statusRunning, "d1")
			f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
				return tt.answer(w, r, s.N)
			})
			c := newTestClient(t, f.srv.URL, func(c *Config) {
				if tt.timeout > 0 {
					c.Timeout = tt.timeout
				}
			})
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"d1"}})
			if n := len(f.callsTo(opDescribe)); n != tt.calls {
				t.Errorf("%d calls, want %d", n, tt.calls)
			}
			if !tt.wantErr {
				if err != nil || len(got) != 1 || got[0].ID != "d1" {
					t.Fatalf("list = %v, %v", got, err)
				}
				return
			}
			var ce *fleet.CloudError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %#v, want a *fleet.CloudError", err)
			}
			if ce.Cloud != "alibaba" || ce.Operation != opDescribe || len(ce.DesktopIDs) != 1 || ce.DesktopIDs[0] != "d1" {
				t.Errorf("cloud %q operation %q desktops %v", ce.Cloud, ce.Operation, ce.DesktopIDs)
			}
			if ce.HTTPStatus != tt.status || ce.Code != tt.code || ce.RequestID != tt.reqID {
				t.Errorf("status %d code %q request %q, want %d %q %q", ce.HTTPStatus, ce.Code, ce.RequestID, tt.status, tt.code, tt.reqID)
			}
			if ce.Retryable != tt.retry || ce.Ambiguous != tt.ambig {
				t.Errorf("retryable %v ambiguous %v, want %v %v", ce.Retryable, ce.Ambiguous, tt.retry, tt.ambig)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not contain %q", err.Error(), tt.message)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("error %v does not wrap %v", err, tt.cause)
			}
			if ce.RetryAfter != tt.retryHnt {
				t.Errorf("retry hint %v, want %v", ce.RetryAfter, tt.retryHnt)
			}
			if strings.Contains(err.Error(), "RegionId=") {
				t.Errorf("error shows the request's query: %q", err.Error())
			}
			if strings.Contains(err.Error(), "SDKError") || strings.Contains(err.Error(), "code: ") {
				t.Errorf("error carries the SDK's own formatting: %q", err.Error())
			}
		})
	}
}

// TestConnectionRefused: nothing listening is retried and is not
// ambiguous, since nothing was sent.
func TestConnectionRefused(t *testing.T) {
	f := newFake(t)
	url := f.srv.URL
	f.srv.Close()
	c := newTestClient(t, url)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "d1"))
	if len(o.Failed) != 1 {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || !ce.Retryable || ce.Ambiguous || ce.HTTPStatus != 0 {
		t.Fatalf("err = %#v", o.Failed[0].Err)
	}
	if !strings.Contains(ce.Error(), "connection refused") {
		t.Errorf("error %q does not say what happened", ce.Error())
	}
}

// TestCausesAreRedacted: a transport error keeps its chain for errors.As
// but loses the query of its URL and any secret in its text.
func TestCausesAreRedacted(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "http://h:1/?LoginToken=S3CRET&RegionId=x", Err: errors.New("proxy refused S3CRET")}
	ce := toCloudError(context.Background(), opReboot, []string{"d1"}, &callRecord{}, err, []string{"S3CRET"})
	var ue *url.Error
	if strings.Contains(ce.Error(), "S3CRET") || strings.Contains(ce.Error(), "RegionId") || !errors.As(ce, &ue) || ue.URL != "http://h:1/" {
		t.Errorf("error %q, url error %v", ce.Error(), ue)
	}
	if !ce.Retryable || ce.Ambiguous {
		t.Errorf("a transport error before sending: %#v", ce)
	}
}

// TestPanicInsideTheSDKIsAnError: a panic under CallApi fails the call.
func TestPanicInsideTheSDKIsAnError(t *testing.T) {
	res, err := safeCall(func() (map[string]any, error) { panic("index out of range") })
	var pe *panicError
	if res != nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("safeCall = %v, %v", res, err)
	}
	ce := toCloudError(context.Background(), opReboot, []string{"d1"}, &callRecord{}, err, nil)
	if ce.Retryable || ce.Ambiguous || !strings.Contains(ce.Error(), "panicked") {
		t.Errorf("panic maps to %#v", ce)
	}
}

// TestRetryHintBounded: header values too large for time.Duration are read
// as the longest hint, never as a negative or short one (found by
// FuzzRetryHint).
func TestRetryHintBounded(t *testing.T) {
	tests := []struct {
		retryAfter, rateLimit string
		want                  time.Duration
	}{
		{"3", "", 3 * time.Second},
		{"", "Limit:10,Remain:0,TimeLeft:1500", 1500 * time.Millisecond},
		{"2", "TimeLeft:500", 2 * time.Second},
		{"-1", "TimeLeft:-5", 0},
		{"99999999999999999", "", maxRetryHint},
		{"", "TimeLeft:9300000000000000", maxRetryHint},
		{"9223372036854775807", "TimeLeft:9223372036854775807", maxRetryHint},
	}
	for _, tt := range tests {
		h := http.Header{}
		h.Set("Retry-After", tt.retryAfter)
		h.Set("x-ratelimit-user-api", tt.rateLimit)
		if got := retryHint(h); got != tt.want {
			t.Errorf("retryHint(Retry-After %q, x-ratelimit-user-api %q) = %s, want %s", tt.retryAfter, tt.rateLimit, got, tt.want)
		}
	}
}

// TestErrorTextIsUTF8: a request ID header with bytes that are not UTF-8
// does not make an error text Terraform's protocol cannot carry (found by
// FuzzCallResponse).
func TestErrorTextIsUTF8(t *testing.T) {
	f := newFake(t)
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		w.Header().Set("x-acs-request-id", "req-\x87")
		writeRaw(w, 400, "application/json", "")
		return true
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Retry = retry.Policy{} })
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err == nil {
		t.Fatal("no error")
	}
	if !utf8.ValidString(err.Error()) || !strings.Contains(err.Error(), "req-\uFFFD") {
		t.Errorf("error %q", err.Error())
	}
}
