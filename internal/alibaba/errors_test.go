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

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
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
	// answer is an answer of the test's making; with no request ID
	// header unless header names one.
	answer := func(status int, contentType, body string, header ...string) mockcloud.Fault {
		h := map[string]string{"Content-Type": contentType, "x-acs-request-id": ""}
		for i := 0; i+1 < len(header); i += 2 {
			h[header[i]] = header[i+1]
		}
		return mockcloud.Fault{Kind: mockcloud.FaultAnswer, Status: status, Header: h, Body: body}
	}
	const js = "application/json"
	throttled := mockcloud.Fault{Kind: mockcloud.FaultThrottle, RetryAfter: time.Second}
	tests := []struct {
		name    string
		fault   mockcloud.Fault // how DescribeDesktops fails; Count limits it
		calls   int
		wantErr bool
		status  int
		code    string
		// reqID is the request ID the error names: "" for none,
		// lastCall for the one the mock answered the last call with.
		reqID    string
		message  string // substring of Error(); {rid} is the request ID
		retry    bool
		ambig    bool
		retryHnt time.Duration
	}{
		{name: "Throttling.User retried then success", fault: withCount(throttled, 2), calls: 3},
		{
			name: "throttled to the end", fault: throttled,
			calls: 4, wantErr: true, status: 400, code: "Throttling.User", reqID: lastCall,
			message: "Throttling.User: Request was denied due to user flow control.; request ID {rid}",
			retry:   true, retryHnt: time.Second,
		},
		{
			name: "throttled with a rate-limit hint",
			fault: answer(400, js, `{"Code":"Throttling.Api","Message":"Request was denied due to api flow control.","RequestId":"req-api"}`,
				"x-ratelimit-user-api", "Limit:10,Remain:0,TimeLeft:1500,Reset:1700000000000", "x-acs-request-id", "req-api"),
			calls: 4, wantErr: true, status: 400, code: "Throttling.Api", reqID: "req-api", message: "api flow control",
			retry: true, retryHnt: 1500 * time.Millisecond,
		},
		{
			name:  "403 not retried",
			fault: mockcloud.Fault{Kind: mockcloud.FaultError, Status: 403, Code: "Forbidden.RAM", Message: "User not authorized to operate on the specified resource."},
			calls: 1, wantErr: true, status: 403, code: "Forbidden.RAM", reqID: lastCall,
			message: "alibaba DescribeDesktops failed (HTTP 403): Forbidden.RAM: User not authorized to operate on the specified resource.; request ID {rid}",
		},
		{
			name:  "HTML 502 page",
			fault: answer(502, "text/html", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", "x-acs-request-id", "req-gw"),
			calls: 4, wantErr: true, status: 502, reqID: "req-gw", message: `unexpected response: "<html> <head><title>502 Bad Gateway`,
			retry: true, ambig: true,
		},
		{name: "HTML 502 then success", fault: mockcloud.Fault{Kind: mockcloud.FaultHTML, Count: 1}, calls: 2},
		{
			name: "XML-typed garbage on 503", fault: answer(503, "text/xml;charset=utf-8", "<<<not xml"),
			calls: 4, wantErr: true, status: 503, message: "unexpected response", retry: true, ambig: true,
		},
		{
			name: "500 InternalError retried", fault: mockcloud.Fault{Kind: mockcloud.FaultServerError, Status: 500},
			calls: 4, wantErr: true, status: 500, code: "InternalError", reqID: lastCall, retry: true, ambig: true,
		},
		{
			name: "redirect not followed", fault: answer(302, js, `{"RequestId":"req-302"}`, "Location", "https://elsewhere.example.com/"),
			calls: 1, wantErr: true, status: 302, message: "unexpected",
		},
		{
			name: "truncated JSON on 200", fault: mockcloud.Fault{Kind: mockcloud.FaultTruncatedJSON},
			calls: 4, wantErr: true, status: 200, reqID: lastCall, message: "malformed response", retry: true, ambig: true,
		},
		{name: "truncated JSON on 200 retried", fault: mockcloud.Fault{Kind: mockcloud.FaultTruncatedJSON, Count: 1}, calls: 2},
		{name: "truncated JSON on 503 retried", fault: withCount(answer(503, js, `{"Code":"ServiceUnav`), 1), calls: 2},
		{
			name: "empty 200 body", fault: mockcloud.Fault{Kind: mockcloud.FaultEmptyBody},
			calls: 4, wantErr: true, status: 200, reqID: lastCall, message: "malformed response: empty or non-object body", retry: true, ambig: true,
		},
		{
			name: "JSON array on 200", fault: answer(200, js, "[1,2]"),
			calls: 4, wantErr: true, status: 200, message: "malformed response", retry: true, ambig: true,
		},
		{
			name: "200 without RequestId", fault: answer(200, js, `{"Desktops":[]}`),
			calls: 4, wantErr: true, status: 200, message: "no RequestId", retry: true, ambig: true,
		},
		{
			name: "wrong shape on 200", fault: answer(200, js, `{"RequestId":"req-shape","Desktops":"none"}`),
			calls: 4, wantErr: true, status: 200, reqID: "req-shape", message: "malformed response", retry: true, ambig: true,
		},
		{name: "connection reset", fault: mockcloud.Fault{Kind: mockcloud.FaultReset}, calls: 4, wantErr: true, retry: true, ambig: true},
		{name: "connection reset then success", fault: mockcloud.Fault{Kind: mockcloud.FaultReset, Count: 1}, calls: 2},
		{
			name: "body cut off mid-way", fault: answer(200, js, `{"RequestId":"req-short"`, "Content-Length", "500"),
			calls: 4, wantErr: true, status: 200, message: "response body cut off", retry: true, ambig: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "", "d1")
			f := tt.fault
			f.Cloud, f.Operation = ali, opDescribe
			m.InjectFault(f)
			c := newTestClient(t, m.URL)
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: []string{"d1"}})
			calls := m.CallsTo(ali, opDescribe)
			if len(calls) != tt.calls {
				t.Errorf("%d calls, want %d", len(calls), tt.calls)
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
			reqID := tt.reqID
			if reqID == lastCall {
				reqID = calls[len(calls)-1].RequestID
			}
			if ce.Cloud != "alibaba" || ce.Operation != opDescribe || len(ce.DesktopIDs) != 1 || ce.DesktopIDs[0] != "d1" {
				t.Errorf("cloud %q operation %q desktops %v", ce.Cloud, ce.Operation, ce.DesktopIDs)
			}
			if ce.HTTPStatus != tt.status || ce.Code != tt.code || ce.RequestID != reqID {
				t.Errorf("status %d code %q request %q, want %d %q %q", ce.HTTPStatus, ce.Code, ce.RequestID, tt.status, tt.code, reqID)
			}
			if ce.Retryable != tt.retry || ce.Ambiguous != tt.ambig {
				t.Errorf("retryable %v ambiguous %v, want %v %v", ce.Retryable, ce.Ambiguous, tt.retry, tt.ambig)
			}
			if message := strings.ReplaceAll(tt.message, "{rid}", reqID); !strings.Contains(err.Error(), message) {
				t.Errorf("error %q does not contain %q", err.Error(), message)
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

// lastCall stands for the request ID of the last call the mock answered.
const lastCall = "(the last call's)"

func withCount(f mockcloud.Fault, n int) mockcloud.Fault {
	f.Count = n
	return f
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
	m := clienttest.Start(t)
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultAnswer, Status: 400,
		Header: map[string]string{"x-acs-request-id": "req-\x87"}})
	c := newTestClient(t, m.URL, func(cfg *Config) { cfg.Retry = retry.Policy{} })
	_, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err == nil {
		t.Fatal("no error")
	}
	if !utf8.ValidString(err.Error()) || !strings.Contains(err.Error(), "req-\uFFFD") {
		t.Errorf("error %q", err.Error())
	}
}
