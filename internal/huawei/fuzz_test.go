package huawei

// Fuzz tests of everything that turns a Workspace answer into Go values or
// errors: HandleError (parseErrorResponse, parseRetryAfter, detailString,
// snippet, the success-body check), toCloudError, the SDK's decoding of
// the four responses as batchRun, batchDelete, showJob and listPages drive
// it, failed_operation_list, sub_jobs (settleJob) and offset paging. The
// seeds below and those under testdata/fuzz run with every `go test`; to
// search for more:
//
//	go test ./internal/huawei -run='^$' -fuzz=FuzzHandleError -fuzztime=60s
//
// (one target at a time; likewise FuzzRebootResponse, FuzzDeleteResponse,
// FuzzListDesktops). Keep every crasher found under testdata/fuzz.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/response"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/httplog"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// answer is one HTTP answer made up by the fuzzer.
type answer struct {
	status                  int
	contentType, retryAfter string
	body                    []byte
	// cut, when in 0..len(body), makes reading the body fail after that
	// many bytes, as a connection dropped mid-body does.
	cut int
}

// served is the answer as clienttest serves it, with reqID as its
// request ID.
func (a answer) served(reqID string) clienttest.Canned {
	return clienttest.Canned{Status: a.status, Body: a.body, Cut: a.cut, Header: map[string]string{
		"Content-Type": a.contentType, "Retry-After": a.retryAfter, "X-Request-Id": reqID,
	}}
}

func (a answer) cuts() bool { return a.served("").Cuts() }

// Routes of the four calls, as the in-memory transport tells them apart.
const (
	routeAction = "action"
	routeDelete = "batch-delete"
	routeJob    = "job"
	routeList   = "list"
)

func routeOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/desktops/action"):
		return routeAction
	case strings.HasSuffix(p, "/desktops/batch-delete"):
		return routeDelete
	case strings.Contains(p, "/workspace-jobs/"):
		return routeJob
	case strings.HasSuffix(p, "/desktops/detail"):
		return routeList
	}
	return "other:" + p
}

// memTransport answers by route (routeOf); each answer
// carries the request ID "req-<route>-<n>".
type memTransport struct {
	mu     sync.Mutex
	answer func(route string, n int) answer
	counts map[string]int
}

func newMemTransport(fn func(route string, n int) answer) *memTransport {
	return &memTransport{answer: fn, counts: map[string]int{}}
}

func (m *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	route := routeOf(req)
	m.mu.Lock()
	n := m.counts[route]
	m.counts[route]++
	m.mu.Unlock()
	return m.answer(route, n).served("req-" + route + "-" + strconv.Itoa(n+1)).Response(req), nil
}

func (m *memTransport) calls(route string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[route]
}

// newMemClient builds a client whose every exchange is answered by rt in
// memory, through the same SDK, error handler and logging layers as a real
// call, without retries.
func newMemClient(t *testing.T, rt http.RoundTripper) *Client {
	t.Helper()
	c, err := NewClient(Config{
		Region: "cn-north-4", ProjectID: testProject, AccessKey: testAK, SecretKey: testSK,
		Endpoint: "http://workspace.fuzz.invalid", Retry: retry.Policy{MaxRetries: 0}, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.transport = httplog.Wrap(rt, "huawei")
	return c
}

// emptyList is a well-formed listing with no desktop: every desktop is gone.
var emptyList = answer{status: 200, contentType: "application/json", body: []byte(`{"desktops":[],"total_count":0}`), cut: -1}

// fromBody reports whether s is a string of body: decoded from its JSON
// (keys included), or its raw bytes (the SDK's JSON decoder keeps invalid
// UTF-8 that encoding/json replaces).
func fromBody(body []byte, s string) bool {
	if s != "" && bytes.Contains(body, []byte(s)) {
		return true
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return false
	}
	found := false
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			found = found || t == s
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for k, e := range t {
				found = found || k == s
				walk(e)
			}
		}
	}
	walk(v)
	return found
}

// checkCloudError checks what every failed call must return.
func checkCloudError(t *testing.T, err error, ops []string, ids []string) *fleet.CloudError {
	t.Helper()
	var ce *fleet.CloudError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T (%v) is not a *fleet.CloudError", err, err)
	}
	var pe *panicError
	if errors.As(ce.Cause, &pe) {
		t.Fatalf("the SDK panicked: %v", pe.value)
	}
	if ce.Cloud != cloudName || !slices.Contains(ops, ce.Operation) {
		t.Errorf("cloud %q operation %q, want %q %q", ce.Cloud, ce.Operation, cloudName, ops)
	}
	for _, id := range ce.DesktopIDs {
		if !slices.Contains(ids, id) {
			t.Errorf("error names desktop %q, not in %q", id, ids)
		}
	}
	if ce.Code == "" && ce.Message == "" && ce.Cause == nil {
		t.Errorf("error says nothing: %#v", ce)
	}
	if ce.RetryAfter < 0 || ce.RetryAfter > maxRetryAfter {
		t.Errorf("retry hint %s", ce.RetryAfter)
	}
	// Diagnostics travel over Terraform's protocol, which takes UTF-8 only.
	if msg := ce.Error(); !utf8.ValidString(msg) {
		t.Errorf("error text is not UTF-8: %q", msg)
	}
	_ = ce.Brief()
	return ce
}

// checkPartition checks that each of ids ends exactly once in Done or
// Failed, and nothing else does.
func checkPartition(t *testing.T, out fleet.Outcome, ids []string) {
	t.Helper()
	count := map[string]int{}
	for _, id := range out.Done {
		count[id]++
	}
	for _, f := range out.Failed {
		count[f.DesktopID]++
		if f.Err == nil {
			t.Errorf("desktop %q failed without an error", f.DesktopID)
		}
	}
	for _, id := range ids {
		if count[id] != 1 {
			t.Errorf("desktop %q settled %d times (done %q, failed %d)", id, count[id], out.Done, len(out.Failed))
		}
		delete(count, id)
	}
	for id := range count {
		t.Errorf("desktop %q settled but never sent", id)
	}
}

// FuzzHandleError runs any status, Retry-After and body (possibly cut
// short) through the SDK error hook and toCloudError.
func FuzzHandleError(f *testing.F) {
	const js = "application/json"
	for _, s := range []struct {
		status                  int
		contentType, retryAfter string
		body                    string
		cut                     int
	}{
		{200, js, "", `{"failed_operation_list":[]}`, -1},
		{202, js, "", `{"job_id":"job-1"}`, -1},
		{202, js, "", `{"job_id": "job-`, -1},
		{202, js, "", ``, -1},
		{202, js, "", `   `, -1},
		{200, js, "", `null`, -1},
		{200, js, "", `[{"job_id":"x"}]`, -1},
		{200, js, "", `{"job_id":"x"} trailing`, -1},
		{200, "text/html", "", "<html><body>Login</body></html>", -1},
		{200, js, "", `{"job_id":"x"}`, 5},
		{400, js, "", `{"error_code":"WKS.0001","error_msg":"bad request","error_detail":"desktop_ids is empty","encoded_authorization_message":"abc"}`, -1},
		{401, js, "", `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`, -1},
		{403, js, "", `{"error":{"code":"APIGW.0302","message":"denied","title":"Forbidden"}}`, -1},
		{404, js, "", `{"error_code":"WKS.0004","error_msg":"desktop not found","error_detail":{"desktop_ids":["d1"]}}`, -1},
		{409, js, "", `{"error_code":"WKS.0409"}`, -1},
		{429, js, "7", `{}`, -1},
		{429, js, "Wed, 21 Oct 2015 07:28:00 GMT", ``, -1},
		{429, js, "99999999999999999999", `{"error_msg":"too many"}`, -1},
		{429, js, "9223372036854775807", ``, -1},
		{429, js, "Fri, 31 Dec 9999 23:59:59 GMT", ``, -1},
		{500, js, "", `{"error_code":null,"error_msg":null,"error_detail":null}`, -1},
		{500, js, "", `{"error_code":42,"error_msg":["x"],"error_detail":[1,{"a":null}]}`, -1},
		{502, "text/html", "", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", -1},
		{503, js, "", `{"error_code":"WKS.05`, -1},
		{504, "text/plain", "-1", "\xff\xfe\x00 binary", -1},
		{500, js, "", `{"error_detail":"` + strings.Repeat("x", 300) + `"}`, 20},
		{302, js, "", `{"job_id":"x"}`, -1},
		{100, "", "", ``, -1},
		{400, "application/bson", "", "\x05\x00\x00\x00\x00", -1},
		{500, "application/bson", "", "\xff\xff\xff\x7f\x02a\x00", -1},
		{400, js, "", "{\"error_code\":\"WKS.\xff\",\"error_msg\":\"bad \xc3\"}", -1},
	} {
		f.Add(s.status, s.contentType, s.retryAfter, []byte(s.body), s.cut)
	}
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter string, body []byte, cut int) {
		a := answer{status: clienttest.FuzzStatus(status), contentType: contentType, retryAfter: retryAfter, body: body, cut: cut}
		resp := response.NewDefaultHttpResponse(a.served("req-1").Response(nil))
		rec := &callRecord{}
		err := rec.HandleError(nil, resp)
		if rec.status != a.status || rec.requestID != "req-1" {
			t.Errorf("record %d %q", rec.status, rec.requestID)
		}
		success := a.status >= 200 && a.status <= 299
		switch {
		case a.cuts():
			var be *bodyReadError
			if !errors.As(err, &be) || be.status != a.status {
				t.Fatalf("body cut short: %T %v", err, err)
			}
		case success && err == nil:
			// The SDK decodes the body next: it must get it whole, read as
			// encoding/json reads it.
			want := bytes.ToValidUTF8(body, []byte("\uFFFD"))
			if got, _ := io.ReadAll(resp.Response.Body); !bytes.Equal(got, want) {
				t.Errorf("body handed back %q, want %q", got, want)
			}
			trimmed := bytes.TrimSpace(body)
			if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
				t.Errorf("accepted %q", body)
			}
		case success:
			var me *malformedError
			if !errors.As(err, &me) || me.status != a.status || me.reason == "" {
				t.Fatalf("2xx %q: %T %v", body, err, err)
			}
			if n := utf8.RuneCountInString(me.snippet); n > maxSnippet+3 {
				t.Errorf("snippet of %d runes", n)
			}
		default:
			var he *httpError
			if !errors.As(err, &he) {
				t.Fatalf("HTTP %d: %T %v", a.status, err, err)
			}
			if he.status != a.status || he.message == "" {
				t.Errorf("httpError %+v", he)
			}
			if he.retryAfter < 0 || he.retryAfter > maxRetryAfter {
				t.Errorf("Retry-After %q read as %s", retryAfter, he.retryAfter)
			}
			if secs, perr := strconv.Atoi(strings.TrimSpace(retryAfter)); perr == nil && secs > 0 {
				if want := min(time.Duration(min(secs, 1<<30))*time.Second, maxRetryAfter); he.retryAfter < want {
					t.Errorf("Retry-After %q read as %s", retryAfter, he.retryAfter)
				}
			}
			_ = he.Error()
		}
		if err == nil {
			return
		}
		ids := []string{"d1", "d2"}
		rec.sent.Store(true)
		ce := checkCloudError(t, toCloudError(context.Background(), opBatchDelete, ids, rec, err), []string{opBatchDelete}, ids)
		if !slices.Equal(ce.DesktopIDs, ids) || ce.HTTPStatus != a.status || ce.RequestID != "req-1" {
			t.Errorf("CloudError %+v", *ce)
		}
		switch s := a.status; {
		case a.cuts():
			if !ce.Retryable || !ce.Ambiguous {
				t.Errorf("body cut short: retryable %v ambiguous %v", ce.Retryable, ce.Ambiguous)
			}
		case success:
			// Maybe applied: retried only after the caller's read back.
			if !ce.Retryable || !ce.Ambiguous {
				t.Errorf("2xx with an unusable body: retryable %v ambiguous %v", ce.Retryable, ce.Ambiguous)
			}
		case s == 429:
			if !ce.Retryable || ce.Ambiguous {
				t.Errorf("HTTP 429: retryable %v ambiguous %v", ce.Retryable, ce.Ambiguous)
			}
		case s >= 500:
			if !ce.Retryable || !ce.Ambiguous {
				t.Errorf("HTTP %d: retryable %v ambiguous %v", s, ce.Retryable, ce.Ambiguous)
			}
		default:
			if ce.Retryable || ce.Ambiguous {
				t.Errorf("HTTP %d: retryable %v ambiguous %v", s, ce.Retryable, ce.Ambiguous)
			}
		}
	})
}

// FuzzRebootResponse answers BatchRunDesktops with any status and body;
// listings (the read-back after an ambiguous answer) are empty. Each
// desktop must end accepted or failed, exactly once, and one named in
// failed_operation_list of a readable answer must fail.
func FuzzRebootResponse(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"failed_operation_list":[]}`},
		{200, `{}`},
		{200, `{"failed_operation_list":[{"desktop_id":"d2","desktop_name":"pc","error_code":"WKS.0010","error_msg":"desktop is busy"}],"job_id":"job-1"}`},
		{200, `{"failed_operation_list":[{"desktop_id":"d1"},{"desktop_id":"d1"},{"desktop_id":"d9"},{"desktop_id":""},{}]}`},
		{200, `{"failed_operation_list":null,"job_id":null}`},
		{200, `{"failed_operation_list":[null]}`},
		{200, `{"failed_operation_list":{"desktop_id":"d1"}}`},
		{200, `{"failed_operation_list":[{"desktop_id":1}]}`},
		{200, `{"failed_operation_list":[{"desktop_id":"d1","error_code":{"a":1},"error_msg":12345678901234567890}]}`},
		{200, `{"failed_operation_list":"d1"}`},
		{200, `{"job_id":123}`},
		{200, `{"failed_operation_list":[{"desktop_id":"d1"`},
		{200, `<html>ok</html>`},
		{200, ``},
		{202, `[]`},
		{400, `{"error_code":"WKS.0001","error_msg":"bad"}`},
		{404, `{"error_code":"WKS.0004","error_msg":"not found"}`},
		{429, `{"error_msg":"slow down"}`},
		{502, `<html>502</html>`},
		{500, `{"error_code":"WKS.0500"}`},
	} {
		f.Add(s.status, "application/json;charset=UTF-8", []byte(s.body))
	}
	f.Add(200, "application/bson", []byte(`{"failed_operation_list":[{"desktop_id":"d1"}]}`))
	f.Add(200, "application/xml", []byte(`{"failed_operation_list":[]}`))
	f.Add(200, "application/json", []byte("{\"failed_operation_list\":[{\"desktop_id\":\"d1\",\"error_msg\":\"\xff\xfe\"}]}"))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		a := answer{status: clienttest.FuzzStatus(status), contentType: contentType, body: body, cut: -1}
		rt := newMemTransport(func(route string, n int) answer {
			if route == routeAction {
				return a
			}
			return emptyList
		})
		c := newMemClient(t, rt)
		ids := []string{"d1", "d2", "d3"}
		out := c.Rebooter(RebootOptions{}).Act(context.Background(), batch(ids...))
		checkPartition(t, out, ids)
		for _, fl := range out.Failed {
			ce := checkCloudError(t, fl.Err, []string{opBatchRun, opList}, ids)
			if !slices.Contains(ce.DesktopIDs, fl.DesktopID) {
				t.Errorf("failure of %q names %q", fl.DesktopID, ce.DesktopIDs)
			}
		}
		for _, id := range out.RequestIDs {
			if !strings.HasPrefix(id, "req-") {
				t.Errorf("request ID %q", id)
			}
		}
		if rt.calls(routeAction) != 1 {
			t.Errorf("%d reboot calls", rt.calls(routeAction))
		}
		// A readable answer that names a desktop as failed fails it.
		var parsed struct {
			Failed []struct {
				ID string `json:"desktop_id"`
			} `json:"failed_operation_list"`
		}
		if a.status >= 200 && a.status <= 299 && json.Unmarshal(body, &parsed) == nil && len(out.Failed) < len(ids) {
			for _, fo := range parsed.Failed {
				if slices.Contains(ids, fo.ID) && slices.Contains(out.Done, fo.ID) {
					t.Errorf("desktop %q is in failed_operation_list but done", fo.ID)
				}
			}
		}
		if a.status >= 400 && a.status != 429 && a.status != 502 && a.status != 503 && a.status != 504 && len(out.Done) > 0 {
			t.Errorf("HTTP %d, yet done: %q", a.status, out.Done)
		}
	})
}

// FuzzDeleteResponse answers BatchDeleteDesktops and the first ShowJob
// with any status and body (later ShowJob calls see SUCCESS, so that a job
// still running ends); listings are empty. Each desktop must end done or
// failed, exactly once.
func FuzzDeleteResponse(f *testing.F) {
	const ok = `{"job_id":"job-1"}`
	for _, s := range []struct {
		delStatus int
		delBody   string
		jobStatus int
		jobBody   string
		ignore    bool
	}{
		{202, ok, 200, `{"id":"job-1","status":"SUCCESS","sub_jobs_total":2}`, false},
		{202, ok, 200, `{"id":"job-1","status":"RUNNING"}`, false},
		{202, ok, 200, `{"id":"job-1","status":"FAILED","job_error_code":"WKS.0099","fail_reason":"boom"}`, false},
		{202, ok, 200, `{"status":"FAILED","sub_jobs":[{"entities":{"desktop_id":"d1"},"status":"SUCCESS"},{"entities":{"desktop_id":"d2"},"status":"FAILED","error_code":"WKS.0004","fail_reason":"desktop not found"},{"entity":"d3","status":"FAILED","error_code":"WKS.0001"}]}`, true},
		{202, ok, 200, `{"status":"SUCCESS","sub_jobs":[{"entities":null,"status":"FAILED"},{"entities":{"desktop_id":null}},null,{"entity":"d9","status":"FAILED"}]}`, false},
		{202, ok, 200, `{"status":"success","sub_jobs":[{"entities":{"desktop_id":"d1"},"status":"failed","fail_reason":"Not Exist"}]}`, true},
		{202, ok, 200, `{"status":"SUCCESS","sub_jobs":{"entities":{"desktop_id":"d1"}}}`, false},
		{202, ok, 200, `{"status":"SUCCESS","sub_jobs":[{"entities":{"desktop_id":1}}]}`, false},
		{202, ok, 200, `{"status":"SUCCESS","sub_jobs_total":99999999999}`, false},
		{202, ok, 200, `{"status":null}`, false},
		{202, ok, 200, `{"status":""}`, false},
		{202, ok, 200, `{"status":7}`, false},
		{202, ok, 200, `{}`, false},
		{202, ok, 404, `{"error_code":"WKS.0404","error_msg":"job not found"}`, false},
		{202, ok, 200, `<html>`, false},
		{202, `{"job_id":""}`, 200, `{"status":"SUCCESS"}`, false},
		{202, `{"job_id":null}`, 200, `{"status":"SUCCESS"}`, false},
		{202, `{"job_id":42}`, 200, `{"status":"SUCCESS"}`, false},
		{202, `{"job_id":["job-1"]}`, 200, `{"status":"SUCCESS"}`, false},
		{202, `{"job_id": "job-`, 200, `{"status":"SUCCESS"}`, false},
		{202, ``, 200, `{"status":"SUCCESS"}`, false},
		{202, `{"job_id":"../../desktops/detail?x="}`, 200, `{"status":"SUCCESS"}`, false},
		{404, `{"error_code":"WKS.0004","error_msg":"not found"}`, 200, `{"status":"SUCCESS"}`, true},
		{404, `{"error_code":"WKS.0004","error_msg":"not found"}`, 200, `{"status":"SUCCESS"}`, false},
		{409, `{"error_code":"WKS.0409","error_msg":"conflict","error_detail":"d1 is busy"}`, 200, `{"status":"SUCCESS"}`, false},
		{504, `<html>Gateway Timeout</html>`, 200, `{"status":"SUCCESS"}`, false},
	} {
		f.Add(s.delStatus, []byte(s.delBody), s.jobStatus, []byte(s.jobBody), s.ignore)
	}
	f.Fuzz(func(t *testing.T, delStatus int, delBody []byte, jobStatus int, jobBody []byte, ignoreMissing bool) {
		del := answer{status: clienttest.FuzzStatus(delStatus), contentType: "application/json", body: delBody, cut: -1}
		job := answer{status: clienttest.FuzzStatus(jobStatus), contentType: "application/json", body: jobBody, cut: -1}
		rt := newMemTransport(func(route string, n int) answer {
			switch {
			case route == routeDelete:
				return del
			case route == routeJob && n == 0:
				return job
			case route == routeJob:
				return answer{status: 200, contentType: "application/json", body: []byte(`{"status":"SUCCESS"}`), cut: -1}
			}
			return emptyList
		})
		c := newMemClient(t, rt)
		ids := []string{"d1", "d2", "d3"}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, FailMissing: !ignoreMissing, Poll: retry.Poller{Interval: time.Microsecond}}})
		out := d.Act(ctx, batch(ids...))
		if ctx.Err() != nil {
			t.Fatalf("the wait did not end")
		}
		checkPartition(t, out, ids)
		for _, fl := range out.Failed {
			ce := checkCloudError(t, fl.Err, []string{opBatchDelete, opShowJob, opList}, ids)
			if !slices.Contains(ce.DesktopIDs, fl.DesktopID) {
				t.Errorf("failure of %q names %q", fl.DesktopID, ce.DesktopIDs)
			}
		}
		if n := rt.calls(routeJob); n > 2 {
			t.Errorf("%d job reads", n)
		}
		s := del.status
		if s >= 400 && s != 404 && s != 429 && s != 502 && s != 503 && s != 504 && len(out.Done) > 0 {
			t.Errorf("delete answered HTTP %d, yet done: %q", s, out.Done)
		}
		if s == 404 && !ignoreMissing && len(out.Done) > 0 {
			t.Errorf("404 without ignore_missing, yet done: %q", out.Done)
		}
		// A job that reads FAILED with no sub-jobs fails every desktop,
		// unless its reason is a missing desktop under ignore_missing.
		var parsed struct {
			Status  *string `json:"status"`
			Code    *string `json:"job_error_code"`
			Reason  *string `json:"fail_reason"`
			SubJobs *[]any  `json:"sub_jobs"`
		}
		if s >= 200 && s <= 299 && rt.calls(routeJob) > 0 && job.status >= 200 && job.status <= 299 &&
			json.Unmarshal(jobBody, &parsed) == nil && parsed.SubJobs == nil && strings.EqualFold(deref(parsed.Status), "FAILED") &&
			(!ignoreMissing || !notFoundFailure(deref(parsed.Code), deref(parsed.Reason))) && len(out.Done) > 0 {
			t.Errorf("job FAILED, yet done: %q", out.Done)
		}
	})
}

// FuzzListDesktops feeds ListDesktopsDetail pages to ListDesktops: the
// first call gets page1, every later one page2, so that a total_count
// that is never reached and an offset the server ignores are covered.
// filter is a comma-separated desktop_id filter ("" lists everything).
func FuzzListDesktops(f *testing.F) {
	page := func(total int, ids ...string) string {
		var ds []map[string]any
		for _, id := range ids {
			ds = append(ds, map[string]any{"desktop_id": id, "computer_name": "pc-" + id, "status": "ACTIVE"})
		}
		b, _ := json.Marshal(map[string]any{"desktops": ds, "total_count": total})
		return string(b)
	}
	for _, s := range [][3]string{
		{page(2, "d1", "d2"), page(2), ""},
		{page(3, "d1", "d2"), page(3, "d3"), ""},
		{page(9, "d1"), page(9, "d1"), ""},
		{page(1000, "d1"), page(1000, "d2"), ""},
		{page(-1, "d1"), page(0), ""},
		{page(3, "d1", "d2", "d3"), page(0), "d1,d3"},
		{page(2, "d1", "d9"), page(0), "d1"},
		{page(3, "d1", "d1", ""), page(0), ""},
		{`{"desktops":[{"desktop_id":"d1","status":"ACTIVE","task_status":"rebooting"},{"desktop_id":"d2","status":"DELETED"},{"desktop_id":"d3"}]}`, `{}`, ""},
		{`{"desktops":[null,{"desktop_id":null,"status":null}],"total_count":null}`, `{}`, ""},
		{`{"desktops":[],"total_count":5}`, `{}`, ""},
		{`{"desktops":[{"desktop_id":"d1"}],"total_count":2147483648}`, `{}`, ""},
		{`{"desktops":[{"desktop_id":"d1"}],"total_count":"2"}`, `{}`, ""},
		{`{"desktops":[{"desktop_id":"d1","flavor":7}]}`, `{}`, ""},
		{`{"desktops":[{"desktop_id":"d1","addresses":{"net":[{"addr":null}]},"internet_mode":"NAT","attach_state":12}]}`, `{}`, ""},
		{`{"desktops":{"desktop_id":"d1"}}`, `{}`, ""},
		{page(2, "d1"), `<html>`, ""},
		{page(2, "d1"), `{"desktops":[{"desktop_id":"d2"`, "d1,d2"},
		{"{\"desktops\":[{\"desktop_id\":\"d\xff1\"}]}", `{}`, ""},
	} {
		f.Add([]byte(s[0]), []byte(s[1]), s[2])
	}
	f.Fuzz(func(t *testing.T, page1, page2 []byte, filter string) {
		// The filter comes from configuration, which Terraform keeps UTF-8.
		filter = strings.ToValidUTF8(filter, "?")
		filterIDs := clienttest.FuzzFilter(t, filter, 3*pageLimit)
		rt := newMemTransport(func(route string, n int) answer {
			return answer{status: 200, contentType: "application/json", body: clienttest.Paged(page1, page2, n), cut: -1}
		})
		c := newMemClient(t, rt)
		got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: filterIDs})
		// Each chunk of 100 filter IDs reads page1 or page2, page2 once
		// more at most before it brings nothing new.
		chunks := max(1, (len(filterIDs)+pageLimit-1)/pageLimit)
		if n := rt.calls(routeList); n > chunks*3+1 {
			t.Errorf("%d list calls for %d chunks", n, chunks)
		}
		if err != nil {
			if got != nil {
				t.Errorf("both a result and an error")
			}
			_ = checkCloudError(t, err, []string{opList}, filterIDs) // it reports what is wrong; the error itself is not needed here
			return
		}
		seenIDs := map[string]bool{}
		for _, d := range got {
			switch {
			case d.ID == "":
				t.Errorf("desktop without an ID: %+v", d)
			case seenIDs[d.ID]:
				t.Errorf("desktop %q listed twice", d.ID)
			case !fromBody(page1, d.ID) && !fromBody(page2, d.ID):
				t.Errorf("desktop %q is not from the answers", d.ID)
			case len(filterIDs) > 0 && !slices.Contains(filterIDs, d.ID):
				t.Errorf("desktop %q was not asked for (filter %q)", d.ID, filterIDs)
			}
			seenIDs[d.ID] = true
		}
	})
}
