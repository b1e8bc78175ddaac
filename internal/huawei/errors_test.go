package huawei

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

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
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				if s.Route == routeList {
					// A 404 makes the default path read which
					// desktops exist: all do, so the 404 stands.
					writeList(w, s, []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", ""}})
					return
				}
				w.Header().Set("X-Request-Id", "rid-"+tt.code)
				writeJSON(w, tt.status, map[string]string{
					"error_code": tt.code, "error_msg": tt.msg, "error_detail": "detail of " + tt.code,
					"encoded_authorization_message": "",
				})
			})
			c := newTestClient(t, f.srv.URL)
			ids := []string{"d1", "d2"}
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch(ids...))
			if n := len(f.of(routeDelete)); n != 1 {
				t.Errorf("%d delete requests, want 1 (no retry)", n)
			}
			if len(out.Done) != 0 || !sameIDs(failedIDs(out), ids) {
				t.Fatalf("outcome %+v", out)
			}
			for _, fl := range out.Failed {
				ce := cloudErr(t, fl.Err)
				if ce.Cloud != "huawei" || ce.Operation != "BatchDeleteDesktops" || ce.HTTPStatus != tt.status ||
					ce.Code != tt.code || ce.Message != tt.msg || ce.Detail != "detail of "+tt.code ||
					ce.RequestID != "rid-"+tt.code || !sameIDs(ce.DesktopIDs, ids) || ce.Retryable || ce.Ambiguous {
					t.Errorf("CloudError %+v", *ce)
				}
				var sre *sdkerr.ServiceResponseError
				if !errors.As(ce, &sre) || sre.StatusCode != tt.status {
					t.Errorf("the SDK's error is not reachable through the CloudError: %v", sre)
				}
				msg := ce.Error()
				for _, want := range []string{"huawei", "BatchDeleteDesktops", tt.code, tt.msg, "rid-" + tt.code, "d1, d2"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q lacks %q", msg, want)
					}
				}
			}
			if len(out.RequestIDs) != 1 || out.RequestIDs[0] != "rid-"+tt.code {
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
		fail      func(w http.ResponseWriter)
		failures  int
		wantLists int
	}{
		{"429 with body", func(w http.ResponseWriter) { writeError(w, 429, "APIGW.0308", "The request is throttled.") }, 2, 0},
		{"429 without body", func(w http.ResponseWriter) { w.WriteHeader(429) }, 3, 0},
		{"429 with retry-after", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		}, 1, 0},
		// 503 is ambiguous: the batch is read back before each resend.
		{"503", func(w http.ResponseWriter) { writeError(w, 503, "WKS.0503", "busy") }, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch {
				case s.Route == routeDelete && s.N <= tt.failures:
					tt.fail(w)
				case s.Route == routeDelete:
					writeJSON(w, 202, map[string]string{"job_id": "job-1"})
				case s.Route == routeList:
					writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
				}
			})
			c := newTestClient(t, f.srv.URL)
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
			if !sameIDs(out.Done, []string{"d1"}) || len(out.Failed) != 0 {
				t.Fatalf("outcome %+v", out)
			}
			if n := len(f.of(routeDelete)); n != tt.failures+1 {
				t.Errorf("%d delete calls, want %d", n, tt.failures+1)
			}
			if n := len(f.of(routeList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			if len(out.RequestIDs) != tt.failures+1 {
				t.Errorf("RequestIDs %v", out.RequestIDs)
			}
		})
	}
}

func TestThrottlingExhaustedKeepsHint(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(429)
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.Retry = retry.Policy{MaxRetries: 0} })
	_, err := c.ListDesktops(context.Background(), fleetFilter("d1"))
	ce := cloudErr(t, err)
	if ce.HTTPStatus != 429 || !ce.Retryable || ce.Ambiguous || ce.RetryAfter != 7*time.Second || ce.Message != "Too Many Requests" {
		t.Errorf("CloudError %+v", *ce)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d calls with MaxRetries 0", n)
	}
}

// TestBadResponses: gateway pages, broken bodies and dropped connections all
// end in a CloudError (never a panic) with the right classification. The
// list answers "idle", so ambiguous deletes are resent after reading state.
func TestBadResponses(t *testing.T) {
	const page502 = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>\n</html>\n"
	tests := []struct {
		name          string
		respond       func(t *testing.T, w http.ResponseWriter)
		wantStatus    int
		wantRetryable bool
		wantMessage   string // substring
		wantDetail    string // substring
		wantDeletes   int
		wantLists     int
	}{
		{
			name:    "502 html page",
			respond: func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 502, "text/html", page502) },
			// 4 attempts; state read before each of the 3 resends and once after the last.
			wantStatus: 502, wantRetryable: true, wantMessage: "Bad Gateway", wantDetail: "502 Bad Gateway nginx",
			wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "truncated json",
			respond:    func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 202, "application/json", `{"job_id": "job-`) },
			wantStatus: 202, wantMessage: "truncated or invalid JSON", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "empty 202",
			respond:    func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 202, "application/json", "") },
			wantStatus: 202, wantMessage: "empty body", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "202 without job_id",
			respond:    func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 202, "application/json", `{}`) },
			wantStatus: 202, wantMessage: "no job_id", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name:       "job_id of the wrong type",
			respond:    func(t *testing.T, w http.ResponseWriter) { writeRaw(w, 202, "application/json", `{"job_id": 42}`) },
			wantStatus: 202, wantMessage: "malformed response", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name: "html 200",
			respond: func(t *testing.T, w http.ResponseWriter) {
				writeRaw(w, 200, "text/html", "<html><body>Login</body></html>")
			},
			wantStatus: 200, wantMessage: "HTML instead of JSON", wantDetail: "Login", wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
		{
			name: "body cut short",
			respond: func(t *testing.T, w http.ResponseWriter) {
				w.Header().Set("Content-Length", "100")
				w.WriteHeader(202)
				_, _ = w.Write([]byte(`{"job_id":`))
			},
			wantStatus: 202, wantRetryable: true, wantMessage: "cut off", wantDeletes: 4, wantLists: 4,
		},
		{
			name:          "connection reset",
			respond:       func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) },
			wantRetryable: true, wantDeletes: 4, wantLists: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch s.Route {
				case routeDelete:
					tt.respond(t, w)
				case routeList:
					writeList(w, s, []desk{{"d1", "ACTIVE", ""}, {"d2", "ACTIVE", ""}})
				default:
					t.Errorf("unexpected %s", s.Route)
				}
			})
			c := newTestClient(t, f.srv.URL)
			out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1", "d2"))
			if len(out.Done) != 0 || !sameIDs(failedIDs(out), []string{"d1", "d2"}) {
				t.Fatalf("outcome %+v", out)
			}
			ce := cloudErr(t, out.Failed[0].Err)
			if ce.HTTPStatus != tt.wantStatus || ce.Retryable != tt.wantRetryable || !ce.Ambiguous ||
				!strings.Contains(ce.Message+" "+ce.Error(), tt.wantMessage) || !strings.Contains(ce.Detail, tt.wantDetail) {
				t.Errorf("CloudError %+v (%s)", *ce, ce.Error())
			}
			if strings.Contains(ce.Detail, "<") {
				t.Errorf("detail keeps markup: %q", ce.Detail)
			}
			if n := len(f.of(routeDelete)); n != tt.wantDeletes {
				t.Errorf("%d delete calls, want %d", n, tt.wantDeletes)
			}
			if n := len(f.of(routeList)); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
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
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				writeRaw(w, 200, "application/json", body)
			})
			c := newTestClient(t, f.srv.URL)
			got, err := c.ListDesktops(context.Background(), fleet0())
			if err == nil {
				t.Fatalf("ListDesktops = %v, nil; want an error", got)
			}
			ce := cloudErr(t, err)
			if ce.Operation != "ListDesktopsDetail" || ce.HTTPStatus != 200 || !ce.Retryable || ce.RequestID != "req-list-4" {
				t.Errorf("CloudError %+v", *ce)
			}
			if n := len(f.requests()); n != 4 {
				t.Errorf("%d calls, want 4", n)
			}
		})
	}
}

// TestBadListBodyReadAgain: one mangled listing is read again, not failed.
func TestBadListBodyReadAgain(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		if s.N == 1 {
			writeRaw(w, 200, "application/json", `{"desktops":[{"desktop_id":"d1"`)
			return
		}
		writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
	})
	c := newTestClient(t, f.srv.URL)
	got, err := c.ListDesktops(context.Background(), fleet0())
	if err != nil || len(got) != 1 || got[0].ID != "d1" {
		t.Fatalf("ListDesktops = %v, %v; want d1", got, err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

func TestShowJobWithoutStatusIsAnError(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeDelete:
			writeJSON(w, 202, map[string]string{"job_id": "job-1"})
		case routeJob:
			writeRaw(w, 200, "application/json", `{"id":"job-1"}`)
		}
	})
	c := newTestClient(t, f.srv.URL)
	out := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	ce := cloudErr(t, out.Failed[0].Err)
	if ce.Operation != "ShowJob" || !strings.Contains(ce.Message, "no status") {
		t.Errorf("CloudError %+v", *ce)
	}
	if n := len(f.of(routeJob)); n != 4 {
		t.Errorf("%d ShowJob calls, want 4 (retried as a mangled answer)", n)
	}
}

// TestRefusedConnectionIsNotAmbiguous: nothing was sent, so nothing is read
// back before the retries.
func TestRefusedConnectionIsNotAmbiguous(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {})
	url := f.srv.URL
	f.srv.Close()
	c := newTestClient(t, url)
	out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch("d1"))
	if len(out.Failed) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	ce := cloudErr(t, out.Failed[0].Err)
	if !ce.Retryable || ce.Ambiguous || ce.HTTPStatus != 0 || ce.Cause == nil {
		t.Errorf("CloudError %+v", *ce)
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
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				writeRaw(w, tt.status, "application/json", tt.body)
			})
			c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Retry = retry.Policy{} })
			_, err := c.ListDesktops(context.Background(), fleet0())
			if err == nil {
				t.Fatal("no error")
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("error text is not UTF-8: %q", err.Error())
			}
		})
	}
	t.Run("listing", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
			writeRaw(w, 200, "application/json", "{\"desktops\":[{\"desktop_id\":\"d1\",\"status\":\"ACT\xffIVE\"}],\"total_count\":1}")
		})
		c := newTestClient(t, f.srv.URL)
		got, err := c.ListDesktops(context.Background(), fleet0())
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
