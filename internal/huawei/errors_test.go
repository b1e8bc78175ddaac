package huawei

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name          string
		kind          failureKind
		status        int
		sent          bool
		wantRetryable bool
		wantAmbiguous bool
	}{
		{"400", kindHTTP, 400, true, false, false},
		{"401", kindHTTP, 401, true, false, false},
		{"403", kindHTTP, 403, true, false, false},
		{"404", kindHTTP, 404, true, false, false},
		{"409", kindHTTP, 409, true, false, false},
		{"500", kindHTTP, 500, true, true, true},
		{"501", kindHTTP, 501, true, true, true},
		{"520 from a CDN", kindHTTP, 520, true, true, true},
		{"301", kindHTTP, 301, true, false, false},
		{"429", kindHTTP, 429, true, true, false},
		{"502", kindHTTP, 502, true, true, true},
		{"503", kindHTTP, 503, true, true, true},
		{"504", kindHTTP, 504, true, true, true},
		{"malformed 200", kindMalformed, 200, true, true, true},
		{"malformed 202", kindMalformed, 202, true, true, true},
		{"refused before sending", kindTransport, 0, false, true, false},
		{"reset after sending", kindTransport, 0, true, true, true},
		{"cancelled before sending", kindCancelled, 0, false, false, false},
		{"cancelled after sending", kindCancelled, 0, true, false, true},
		{"build error", kindLocal, 0, false, false, false},
		{"sdk panic after sending", kindLocal, 200, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a := classify(tt.kind, tt.status, tt.sent)
			if r != tt.wantRetryable || a != tt.wantAmbiguous {
				t.Errorf("classify(%v, %d, %v) = retryable %v, ambiguous %v; want %v, %v",
					tt.kind, tt.status, tt.sent, r, a, tt.wantRetryable, tt.wantAmbiguous)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0},
		// Found by FuzzHandleError: these overflowed time.Duration.
		{"9223372036854775807", maxRetryAfter},
		{"99999999999999999999", 0}, // not an int: no hint
		{"Fri, 31 Dec 9999 23:59:59 GMT", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestErrorStatusesSurfaced sends a delete that fails with each documented
// refusal (4xx): everything the body and headers say reaches the
// CloudError, and nothing is retried. (500, also documented, is retried
// after a read-back: TestRebootAmbiguousNotResent.)
func TestErrorStatusesSurfaced(t *testing.T) {
	tests := []struct {
		status int
		code   string
		msg    string
	}{
		{400, "WKS.0001", "Invalid parameter."},
		{401, "APIGW.0301", "Incorrect IAM authentication information."},
		{403, "WKS.0002", "Forbidden."},
		{404, "WKS.0004", "Desktop not found."},
		{409, "WKS.0127", "Desktop is being operated."},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			m := clienttest.Start(t)
			// A 404 makes the default path read which desktops exist:
			// both do, so the 404 stands.
			add(m, "d1", "d2")
			m.InjectFault(failure(opBatchDelete, tt.status, tt.code, tt.msg))
			c := newTestClient(t, m.URL)
			ids := []string{"d1", "d2"}
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch(ids...))
			calls := m.CallsTo(hw, opBatchDelete)
			if len(calls) != 1 {
				t.Fatalf("%d delete requests, want 1 (no retry)", len(calls))
			}
			rid := calls[0].RequestID
			if len(out.Done) != 0 || !sameIDs(clienttest.FailedIDs(out), ids) {
				t.Fatalf("outcome %+v", out)
			}
			for _, fl := range out.Failed {
				ce := clienttest.CloudError(t, fl.Err)
				// The mock repeats the message as error_detail.
				if ce.Cloud != "huawei" || ce.Operation != "BatchDeleteDesktops" || ce.HTTPStatus != tt.status ||
					ce.Code != tt.code || ce.Message != tt.msg || ce.Detail != tt.msg ||
					ce.RequestID != rid || rid == "" || !sameIDs(ce.DesktopIDs, ids) || ce.Retryable || ce.Ambiguous {
					t.Errorf("CloudError %+v", *ce)
				}
				var sre *sdkerr.ServiceResponseError
				if !errors.As(ce, &sre) || sre.StatusCode != tt.status {
					t.Errorf("the SDK's error is not reachable through the CloudError: %v", sre)
				}
				msg := ce.Error()
				for _, want := range []string{"huawei", "BatchDeleteDesktops", tt.code, tt.msg, rid, "d1, d2"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q lacks %q", msg, want)
					}
				}
			}
			if len(out.RequestIDs) != 1 || out.RequestIDs[0] != rid {
				t.Errorf("RequestIDs %v", out.RequestIDs)
			}
		})
	}
}

// TestThrottlingRetried: 429 with and without a body, and 503, are retried
// until the call succeeds; a non-ambiguous failure does not read state.
func TestThrottlingRetried(t *testing.T) {
	tests := []struct {
		name      string
		fail      mockcloud.Fault
		failures  int
		wantLists int
	}{
		{"429 with body", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Message: "The request is throttled."}, 2, 0},
		{"429 without body", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "-"}, 3, 0},
		{"429 with retry-after", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "-", RetryAfter: time.Second}, 1, 0},
		// 503 is ambiguous: the batch is read back before each resend.
		{"503", mockcloud.Fault{Kind: mockcloud.FaultServerError, Code: "WKS.0503", Message: "busy"}, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "d1")
			f := tt.fail
			f.Cloud, f.Operation, f.Count = hw, opBatchDelete, tt.failures
			m.InjectFault(f)
			c := newTestClient(t, m.URL)
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
			if !sameIDs(out.Done, []string{"d1"}) || len(out.Failed) != 0 {
				t.Fatalf("outcome %+v", out)
			}
			if n := len(m.CallsTo(hw, opBatchDelete)); n != tt.failures+1 {
				t.Errorf("%d delete calls, want %d", n, tt.failures+1)
			}
			if n := len(m.CallsTo(hw, opList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			if !slices.Equal(out.RequestIDs, m.RequestIDs(hw, opBatchDelete)) {
				t.Errorf("RequestIDs %v, want every call's %v", out.RequestIDs, m.RequestIDs(hw, opBatchDelete))
			}
			if n := m.DeleteCount(hw, "d1"); n != 1 {
				t.Errorf("deleted %d times, want 1", n)
			}
		})
	}
}

func TestThrottlingExhaustedKeepsHint(t *testing.T) {
	m := clienttest.Start(t)
	m.InjectFault(mockcloud.Fault{Cloud: hw, Operation: opList, Kind: mockcloud.FaultThrottle, Code: "-", RetryAfter: 7 * time.Second})
	c := newTestClient(t, m.URL, func(c *Config) { c.Retry = retry.Policy{MaxRetries: 0} })
	_, err := c.ListDesktops(context.Background(), fleetFilter("d1"))
	ce := clienttest.CloudError(t, err)
	if ce.HTTPStatus != 429 || !ce.Retryable || ce.Ambiguous || ce.RetryAfter != 7*time.Second || ce.Message != "Too Many Requests" {
		t.Errorf("CloudError %+v", *ce)
	}
	if n := len(m.Calls()); n != 1 {
		t.Errorf("%d calls with MaxRetries 0", n)
	}
}

// TestBadResponses: gateway pages, broken bodies and dropped connections all
// end in a CloudError (never a panic) with the right classification. The
// desktops stay idle, so ambiguous deletes are resent after reading state.
func TestBadResponses(t *testing.T) {
	const page502 = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>\n</html>\n"
	tests := []struct {
		name          string
		answer        mockcloud.Fault
		wantStatus    int
		wantRetryable bool
		wantMessage   string // substring
		wantDetail    string // substring
		wantDeletes   int
		wantLists     int
	}{
		{
			name:   "502 html page",
			answer: reply(opBatchDelete, 502, page502, "Content-Type", "text/html"),
			// 4 attempts; state read before each of the 3 resends and once after the last.
			wantStatus: 502, wantRetryable: true, wantMessage: "Bad Gateway", wantDetail: "502 Bad Gateway nginx",
			wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "truncated json",
			answer:     reply(opBatchDelete, 202, `{"job_id": "job-`),
			wantStatus: 202, wantMessage: "truncated or invalid JSON", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "empty 202",
			answer:     reply(opBatchDelete, 202, ""),
			wantStatus: 202, wantMessage: "empty body", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "202 without job_id",
			answer:     reply(opBatchDelete, 202, `{}`),
			wantStatus: 202, wantMessage: "no job_id", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "job_id of the wrong type",
			answer:     reply(opBatchDelete, 202, `{"job_id": 42}`),
			wantStatus: 202, wantMessage: "malformed response", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "html 200",
			answer:     reply(opBatchDelete, 200, "<html><body>Login</body></html>", "Content-Type", "text/html"),
			wantStatus: 200, wantMessage: "HTML instead of JSON", wantDetail: "Login", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "body cut short",
			answer:     reply(opBatchDelete, 202, `{"job_id":`, "Content-Length", "100"),
			wantStatus: 202, wantRetryable: true, wantMessage: "cut off", wantDeletes: 4, wantLists: 4,
		},
		{
			name:          "connection reset",
			answer:        mockcloud.Fault{Cloud: hw, Operation: opBatchDelete, Kind: mockcloud.FaultReset},
			wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "d1", "d2")
			m.InjectFault(tt.answer)
			c := newTestClient(t, m.URL)
			out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(context.Background(), batch("d1", "d2"))
			if len(out.Done) != 0 || !sameIDs(clienttest.FailedIDs(out), []string{"d1", "d2"}) {
				t.Fatalf("outcome %+v", out)
			}
			ce := clienttest.CloudError(t, out.Failed[0].Err)
			if ce.HTTPStatus != tt.wantStatus || ce.Retryable != tt.wantRetryable || !ce.Ambiguous ||
				!strings.Contains(ce.Message+" "+ce.Error(), tt.wantMessage) || !strings.Contains(ce.Detail, tt.wantDetail) {
				t.Errorf("CloudError %+v (%s)", *ce, ce.Error())
			}
			if strings.Contains(ce.Detail, "<") {
				t.Errorf("detail keeps markup: %q", ce.Detail)
			}
			if n := len(m.CallsTo(hw, opBatchDelete)); n != tt.wantDeletes {
				t.Errorf("%d delete calls, want %d", n, tt.wantDeletes)
			}
			if n := len(m.CallsTo(hw, opList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			if n := len(m.Calls()); n != tt.wantDeletes+tt.wantLists {
				t.Errorf("%d calls in all: a job was polled although none was accepted", n)
			}
		})
	}
}

// TestBadListBodies: every malformed listing is an error, not a panic and
// not an empty success, once the retries (a mangled body may be a proxy's
// doing) are spent.
func TestBadListBodies(t *testing.T) {
	bodies := map[string]string{
		"empty":          "",
		"truncated":      `{"desktops":[{"desktop_id":"d1"`,
		"html":           "<html>oops</html>",
		"array":          `[]`,
		"null":           `null`,
		"wrong type":     `{"desktops":"none","total_count":1}`,
		"wrong count":    `{"desktops":[],"total_count":"many"}`,
		"trailing bytes": `{"desktops":[]} x`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			m := clienttest.Start(t)
			m.InjectFault(reply(opList, 200, body))
			c := newTestClient(t, m.URL)
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
			if err == nil {
				t.Fatalf("ListDesktops = %v, nil; want an error", got)
			}
			calls := m.CallsTo(hw, opList)
			ce := clienttest.CloudError(t, err)
			if ce.Operation != "ListDesktopsDetail" || ce.HTTPStatus != 200 || !ce.Retryable || ce.RequestID != calls[len(calls)-1].RequestID || ce.RequestID == "" {
				t.Errorf("CloudError %+v", *ce)
			}
			if len(calls) != 4 {
				t.Errorf("%d calls, want 4", len(calls))
			}
		})
	}
}

// TestBadListBodyReadAgain: one mangled listing is read again, not failed.
func TestBadListBodyReadAgain(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1")
	truncated := reply(opList, 200, `{"desktops":[{"desktop_id":"d1"`)
	truncated.Count = 1
	m.InjectFault(truncated)
	c := newTestClient(t, m.URL)
	got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
	if err != nil || len(got) != 1 || got[0].ID != "d1" {
		t.Fatalf("ListDesktops = %v, %v; want d1", got, err)
	}
	if n := len(m.Calls()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestShowJobWithoutStatusIsAnError(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "d1")
	m.InjectFault(reply(opShowJob, 200, `{"id":"job-1"}`))
	c := newTestClient(t, m.URL)
	out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	ce := clienttest.CloudError(t, out.Failed[0].Err)
	if ce.Operation != "ShowJob" || !strings.Contains(ce.Message, "no status") {
		t.Errorf("CloudError %+v", *ce)
	}
	if n := len(m.CallsTo(hw, opShowJob)); n != 4 {
		t.Errorf("%d ShowJob calls, want 4 (retried as a mangled answer)", n)
	}
}

func TestSafeCallRecoversPanics(t *testing.T) {
	err := safeCall(func() error { panic("boom") })
	var pe *panicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("safeCall = %v", err)
	}
	rec := &callRecord{}
	rec.sent.Store(true)
	ce := toCloudError(context.Background(), opBatchRun, []string{"d1"}, rec, err)
	if ce.Retryable || !ce.Ambiguous {
		t.Errorf("panic after sending: %+v", *ce)
	}
}

// TestDecodedTextIsUTF8: invalid UTF-8 in a body, and the raw bytes
// json-iterator quotes in its own errors, never reach an error text or a
// status (Terraform's protocol carries UTF-8 only). Found by the fuzzers.
func TestDecodedTextIsUTF8(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
	}{
		{"error body", "{\"error_code\":\"WKS.\xff\",\"error_msg\":\"bad \xc3\"}", 400},
		{"HTML page", "<html>\xff\xfe broken</html>", 502},
		{"SDK decoding error", `{"desktops":[],"total_count":"2"}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			m.InjectFault(reply(opList, tt.status, tt.body))
			c := newTestClient(t, m.URL, func(cfg *Config) { cfg.Retry = retry.Policy{} })
			_, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
			if err == nil {
				t.Fatal("no error")
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("error text is not UTF-8: %q", err.Error())
			}
		})
	}
	t.Run("listing", func(t *testing.T) {
		m := clienttest.Start(t)
		m.InjectFault(reply(opList, 200, "{\"desktops\":[{\"desktop_id\":\"d1\",\"status\":\"ACT\xffIVE\"}],\"total_count\":1}"))
		c := newTestClient(t, m.URL)
		got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
		if err != nil || len(got) != 1 || got[0].NativeStatus != "ACT\uFFFDIVE" {
			t.Fatalf("ListDesktops = %+v, %v", got, err)
		}
	})
}

// TestUnnamedStatusSaysWhat: a status net/http has no text for still
// makes an error that names it (found by FuzzHandleError).
func TestUnnamedStatusSaysWhat(t *testing.T) {
	resp := &http.Response{StatusCode: 520, Header: http.Header{}}
	e := parseErrorResponse(resp, nil, time.Now())
	if e.message != "unexpected HTTP status 520" {
		t.Errorf("message %q", e.message)
	}
}
