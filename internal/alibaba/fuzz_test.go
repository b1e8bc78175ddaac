package alibaba

// Fuzz tests of everything that turns an ECD answer into Go values or
// errors: darabonba's error decoding and ours of success bodies (successBody),
// toCloudError and errorBody, snippet, retryHint, and DescribeDesktops
// paging. The seeds below and those under testdata/fuzz run with every
// `go test`; to search for more:
//
//	go test ./internal/alibaba -run='^$' -fuzz=FuzzCallResponse -fuzztime=60s
//
// (one target at a time; likewise FuzzDescribePages, FuzzErrorBody,
// FuzzRetryHint). Keep every crasher found under testdata/fuzz.

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
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/httplog"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// fuzzLoginToken is a request secret (a client-API LoginToken) that must
// never show in an error, however the answer echoes it.
const fuzzLoginToken = "fuzz-login-token-0123456789"

// fuzzSecrets are every secret a fuzzed call knows: the client's keys and
// the request's token.
var fuzzSecrets = []string{testAK, testSK, fuzzLoginToken}

// canned is one HTTP answer made up by the fuzzer.
type canned struct {
	status                                        int
	contentType, requestID, retryAfter, rateLimit string
	body                                          []byte
	// cut, when in 0..len(body), makes reading the body fail after that
	// many bytes, as a connection dropped mid-body does.
	cut int
}

// served is the answer as clienttest serves it.
func (c canned) served() clienttest.Canned {
	return clienttest.Canned{Status: c.status, Body: c.body, Cut: c.cut, Header: map[string]string{
		"Content-Type": c.contentType, "x-acs-request-id": c.requestID,
		"Retry-After": c.retryAfter, "x-ratelimit-user-api": c.rateLimit,
	}}
}

// roundTripper answers each request with answer(n), n counting from 0.
type roundTripper struct {
	answer func(n int) canned
	n      int
}

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	a := rt.answer(rt.n)
	rt.n++
	return a.served().Response(req), nil
}

// newFuzzClient builds a client whose every HTTP exchange is answered by
// rt in memory (through the same recording and logging layers as a real
// call), without retries.
func newFuzzClient(t *testing.T, rt http.RoundTripper) *Client {
	t.Helper()
	c, err := NewClient(Config{
		Region: "cn-hangzhou", AccessKey: testAK, SecretKey: testSK, Endpoint: "http://ecd.fuzz.invalid",
		Retry: retry.Policy{MaxRetries: 0}, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	rc := newRecordingClient()
	rc.http.Transport = httplog.Wrap(rt, "alibaba")
	c.apiConfig.HttpClient = rc
	return c
}

// jsonStrings is every string (keys included) in the first JSON value of
// body, the way darabonba reads it; nil when it is not JSON.
func jsonStrings(body []byte) map[string]bool {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil
	}
	out := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			out[t] = true
		case []any:
			for _, e := range t {
				walk(e)
			}
		case map[string]any:
			for k, e := range t {
				out[k] = true
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// checkCloudError checks what every failed call must return: a
// *fleet.CloudError about this cloud, operation and desktops, that says
// something, with no secret in the parts the API could have filled.
func checkCloudError(t *testing.T, err error, op string, ids []string) *fleet.CloudError {
	t.Helper()
	var ce *fleet.CloudError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T (%v) is not a *fleet.CloudError", err, err)
	}
	if ce.Cloud != cloudName || ce.Operation != op {
		t.Errorf("cloud %q operation %q, want %q %q", ce.Cloud, ce.Operation, cloudName, op)
	}
	if !slices.Equal(ce.DesktopIDs, ids) {
		t.Errorf("desktop IDs %q, want %q", ce.DesktopIDs, ids)
	}
	if ce.Code == "" && ce.Message == "" && ce.Cause == nil {
		t.Errorf("error says nothing: %#v", ce)
	}
	if ce.RetryAfter < 0 {
		t.Errorf("negative retry hint %s", ce.RetryAfter)
	}
	if ce.RetryAfter > maxRetryHint {
		t.Errorf("retry hint %s beyond %s", ce.RetryAfter, maxRetryHint)
	}
	msg := ce.Error()
	_ = ce.Brief()
	if !utf8.ValidString(msg) {
		t.Errorf("error text is not UTF-8: %q", msg)
	}
	parts := []string{ce.Code, ce.Message, ce.Detail}
	if ce.Cause != nil {
		parts = append(parts, ce.Cause.Error())
	}
	for _, p := range parts {
		for _, s := range fuzzSecrets {
			if strings.Contains(p, s) {
				t.Errorf("secret %q in error part %q", s, p)
			}
		}
	}
	return ce
}

// transientCode reports the codes retried whatever their status.
func transientCode(code string) bool {
	for _, word := range []string{"Throttling", "ServiceUnavailable", "InternalError"} {
		if strings.Contains(code, word) {
			return true
		}
	}
	return false
}

// FuzzCallResponse feeds one made-up answer (status, headers, body, a body
// cut short) to a real call: darabonba's decoding, the status check,
// successBody decoding into describeResponse, toCloudError, errorBody,
// snippet, retryHint and redaction.
func FuzzCallResponse(f *testing.F) {
	type seed struct {
		status                                 int
		contentType, reqID, retryAfter, rlimit string
		body                                   string
		cut                                    int
		decode                                 bool
	}
	const js = "application/json;charset=utf-8"
	for _, s := range []seed{
		// Well-formed answers.
		{200, js, "req-1", "", "", `{"RequestId":"req-1"}`, -1, false},
		{200, js, "req-2", "", "", `{"RequestId":"req-2","NextToken":"","TotalCount":2,"Desktops":[{"DesktopId":"ecd-1","DesktopName":"a","DesktopStatus":"Running"},{"DesktopId":"ecd-2","DesktopStatus":"Stopped"}]}`, -1, true},
		{400, js, "req-3", "1", "", `{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"req-3","HostId":"ecd.cn-hangzhou.aliyuncs.com"}`, -1, false},
		{400, js, "", "", "Limit:10,Remain:0,TimeLeft:1500,Reset:1700000000000", `{"Code":"Throttling.Api","Message":"slow down","RequestId":"req-4"}`, -1, false},
		{404, js, "req-5", "", "", `{"Code":"InvalidDesktopId.NotFound","Message":"The specified desktop ecd-1 is not found.","RequestId":"req-5"}`, -1, false},
		{403, js, "req-6", "", "", `{"Code":"Forbidden.RAM","Message":"denied","RequestId":"req-6","AccessDeniedDetail":{"PolicyType":"AccountLevelIdentityBasedPolicy","AuthAction":"ecd:RebootDesktops"}}`, -1, false},
		{500, js, "req-7", "", "", `{"Code":"InternalError","Message":"oops","RequestId":"req-7"}`, -1, false},
		{503, js, "", "", "", `{"Code":"ServiceUnavailable","Message":"busy","RequestId":"req-8"}`, -1, false},
		// Gateways and broken bodies.
		{502, "text/html", "", "", "", "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", -1, false},
		{200, "text/html", "", "", "", "<html><body>Login</body></html>", -1, true},
		{200, js, "req-9", "", "", `{"RequestId":"req-9","Desktops":[{"DesktopId":"ecd-1",`, -1, true},
		{503, js, "", "", "", `{"Code":"ServiceUnav`, -1, false},
		{200, js, "", "", "", "", -1, false},
		{200, js, "", "", "", "null", -1, false},
		{200, js, "", "", "", "[1,2]", -1, false},
		{200, js, "", "", "", `"RequestId"`, -1, false},
		{200, js, "", "", "", `{"Desktops":[]}`, -1, true},
		{200, js, "", "", "", `{"RequestId":null,"Desktops":null}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-10","Desktops":"none"}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-11","Desktops":{"DesktopId":"ecd-1"}}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-12","Desktops":[null,{"DesktopId":null},{"DesktopId":12345678901234567890},{"DesktopId":["x"]}]}`, -1, true},
		{200, js, "", "", "", `{"RequestId":12345,"Desktops":[]}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-13","TotalCount":1e400}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-14","NextToken":7}`, -1, true},
		{200, js, "", "", "", `{"RequestId":"req-15"} trailing garbage`, -1, true},
		{200, js, "", "", "", "{\"RequestId\":\"req-\xff\xfe\",\"Desktops\":[{\"DesktopId\":\"ecd-\xc3\"}]}", -1, true},
		{200, js, "req-16", "", "", `{"RequestId":"req-16","Desktops":[]}`, 10, true},
		{400, js, "", "", "", `{"Code":null,"Message":null,"RequestId":null}`, -1, false},
		{400, js, "", "", "", `{"Code":123,"Message":["a"],"RequestId":{"x":1}}`, -1, false},
		{400, js, "", "", "", `{"code":"InvalidParameter","message":"lower-case keys","requestId":"req-17"}`, -1, false},
		{400, js, "", "", "", `["Code","Throttling"]`, -1, false},
		{400, js, "", "", "", `"just a string"`, -1, false},
		{401, js, "", "", "", `{"Code":"InvalidLoginToken","Message":"LoginToken fuzz-login-token-0123456789 is invalid for LTAI-test-access-key","RequestId":"req-18"}`, -1, false},
		{400, js, "", "", "", `{"Code":"Bad","Message":"\u0066uzz-login-token-0123456789"}`, -1, false},
		{404, "text/plain", "", "", "", "test-secret-key-value", -1, false},
		{302, js, "", "", "", `{"RequestId":"req-302"}`, -1, false},
		{204, js, "", "", "", "", -1, false},
		{429, js, "", "99999999999999999", "TimeLeft:9223372036854775807", `{"Code":"Throttling","RequestId":"req-19"}`, -1, false},
		{503, "text/xml;charset=utf-8", "", "-5", "TimeLeft:-1", "<<<not xml", -1, false},
		{500, js, "", "", "", `{"Code":"InternalError","RequestId":"req-20"}`, 5, false},
	} {
		f.Add(s.status, s.contentType, s.reqID, s.retryAfter, s.rlimit, []byte(s.body), s.cut, s.decode)
	}
	f.Fuzz(func(t *testing.T, status int, contentType, reqIDHeader, retryAfter, rateLimit string, body []byte, cut int, decodeBody bool) {
		a := canned{status: clienttest.FuzzStatus(status), contentType: contentType, requestID: reqIDHeader,
			retryAfter: retryAfter, rateLimit: rateLimit, body: body, cut: cut}
		c := newFuzzClient(t, &roundTripper{answer: func(int) canned { return a }})
		ids := []string{"ecd-fuzz-1", "ecd-fuzz-2"}
		var resp describeResponse
		var out answer
		if decodeBody {
			out = &resp
		}
		req := request{action: opDescribe, version: adminAPIVersion, ids: ids, secrets: []string{fuzzLoginToken},
			params: map[string]any{"MaxResults": maxPerCall, "DesktopId": ids, "LoginToken": fuzzLoginToken}}
		reqID, err := c.call(context.Background(), req, out)

		strs := jsonStrings(body)
		if err == nil {
			if a.status < 200 || a.status > 299 {
				t.Fatalf("HTTP %d accepted", a.status)
			}
			if a.served().Cuts() {
				t.Fatalf("a body cut after %d of %d bytes accepted", a.cut, len(body))
			}
			if reqID == "" || !strs[reqID] {
				t.Fatalf("request ID %q is not from the body", reqID)
			}
			for _, d := range resp.Desktops {
				if d.ID != "" && !strs[d.ID] {
					t.Errorf("desktop ID %q is not from the body", d.ID)
				}
			}
			return
		}
		var pe *panicError
		if errors.As(err, &pe) {
			t.Fatalf("darabonba panicked: %v", pe.value)
		}
		ce := checkCloudError(t, err, opDescribe, ids)
		if reqID != ce.RequestID {
			t.Errorf("call returned request ID %q, the error %q", reqID, ce.RequestID)
		}
		if ce.RequestID != "" && ce.RequestID != strings.ToValidUTF8(reqIDHeader, "\uFFFD") && !strs[ce.RequestID] {
			t.Errorf("request ID %q is from neither the header nor the body", ce.RequestID)
		}
		if ce.HTTPStatus != a.status {
			t.Errorf("HTTP status %d, the answer was %d", ce.HTTPStatus, a.status)
		}
		switch s := a.status; {
		case s >= 200 && s <= 299 && a.served().Cuts():
			if !ce.Ambiguous {
				t.Errorf("2xx cut short: not ambiguous: %v", ce)
			}
		case s >= 200 && s <= 299:
			// Maybe applied: retried only after the caller's read back
			// or under the same ClientToken.
			if !ce.Retryable || !ce.Ambiguous {
				t.Errorf("2xx with an unusable body: retryable %v ambiguous %v, want true true (%v)", ce.Retryable, ce.Ambiguous, ce)
			}
		case s >= 300 && s <= 399:
			if ce.Retryable {
				t.Errorf("HTTP %d retried: %v", s, ce)
			}
		case s >= 400 && s <= 499:
			if ce.Retryable != transientCode(ce.Code) {
				t.Errorf("HTTP %d code %q: retryable %v", s, ce.Code, ce.Retryable)
			}
			if strings.Contains(ce.Code, "Throttling") && ce.Ambiguous {
				t.Errorf("throttled yet ambiguous: %v", ce)
			}
		case s >= 500:
			if !ce.Retryable {
				t.Errorf("HTTP %d not retried: %v", s, ce)
			}
		}
	})
}

// FuzzDescribePages feeds DescribeDesktops pages to ListDesktops: the
// first call gets page1, every later one page2, so that a NextToken that
// never ends or repeats is covered. filter is a comma-separated DesktopId
// filter ("" lists everything).
func FuzzDescribePages(f *testing.F) {
	page := func(reqID, next string, ids ...string) string {
		var ds []map[string]any
		for _, id := range ids {
			ds = append(ds, map[string]any{"DesktopId": id, "DesktopName": "n-" + id, "DesktopStatus": "Running"})
		}
		b, _ := json.Marshal(map[string]any{"RequestId": reqID, "NextToken": next, "Desktops": ds, "TotalCount": len(ids)})
		return string(b)
	}
	for _, s := range [][3]string{
		{page("r1", "", "ecd-1", "ecd-2"), page("r2", ""), ""},
		{page("r1", "t1", "ecd-1"), page("r2", "", "ecd-2"), ""},
		{page("r1", "t1", "ecd-1"), page("r2", "t1", "ecd-2"), ""},
		{page("r1", "t1", "ecd-1"), page("r2", "t2", "ecd-1"), ""},
		{page("r1", "", "ecd-1", "ecd-2", "ecd-3"), page("r2", ""), "ecd-1,ecd-3"},
		{page("r1", "", "ecd-1", "ecd-9"), page("r2", ""), "ecd-1"},
		{page("r1", "", "ecd-1", "ecd-1", ""), page("r2", ""), ""},
		{`{"RequestId":"r1","NextToken":null,"Desktops":[null,{"DesktopId":null,"DesktopStatus":null}]}`, `{}`, ""},
		{`{"RequestId":"r1","NextToken":"t","Desktops":[]}`, `<html>502</html>`, ""},
		{`{"RequestId":"r1","NextToken":"t","Desktops":[]}`, `{"RequestId":"r2","NextToken":`, "ecd-1"},
		{`{"RequestId":"r1","NextToken":{"a":1},"Desktops":[]}`, ``, ""},
		{`{"RequestId":"r1","Desktops":[{"DesktopId":"ecd-1","DesktopStatus":7}]}`, ``, ""},
		{`{"RequestId":"r1","Desktops":[{"desktopid":"ecd-2","DesktopId":"ecd-1"}]}`, ``, "ecd-1,ecd-2"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]), s[2])
	}
	f.Fuzz(func(t *testing.T, page1, page2 []byte, filter string) {
		filterIDs := clienttest.FuzzFilter(t, filter, 3*maxPerCall)
		rt := &roundTripper{answer: func(n int) canned {
			return canned{status: 200, contentType: "application/json", body: clienttest.Paged(page1, page2, n), cut: -1}
		}}
		c := newFuzzClient(t, rt)
		got, err := c.ListDesktops(context.Background(), fleet.ListFilter{IDs: filterIDs})
		// Each chunk of 100 filter IDs may page through both pages once
		// and then find the token repeated.
		chunks := max(1, (len(filterIDs)+maxPerCall-1)/maxPerCall)
		if rt.n > chunks*3+1 {
			t.Errorf("%d DescribeDesktops calls for %d chunks", rt.n, chunks)
		}
		if err != nil {
			if got != nil {
				t.Errorf("both a result and an error")
			}
			var pe *panicError
			if errors.As(err, &pe) {
				t.Fatalf("darabonba panicked: %v", pe.value)
			}
			var ce *fleet.CloudError
			if !errors.As(err, &ce) || ce.Cloud != cloudName || ce.Operation != opDescribe {
				t.Fatalf("error %T %v is not a DescribeDesktops CloudError", err, err)
			}
			return
		}
		strs := jsonStrings(page1)
		for s := range jsonStrings(page2) {
			strs[s] = true
		}
		seenIDs := map[string]bool{}
		for _, d := range got {
			switch {
			case d.ID == "":
				t.Errorf("desktop without an ID: %+v", d)
			case seenIDs[d.ID]:
				t.Errorf("desktop %q listed twice", d.ID)
			case !strs[d.ID]:
				t.Errorf("desktop %q is not from the answers", d.ID)
			case len(filterIDs) > 0 && !slices.Contains(filterIDs, d.ID):
				t.Errorf("desktop %q was not asked for (filter %q)", d.ID, filterIDs)
			}
			seenIDs[d.ID] = true
			if d.NativeStatus != "" && !strs[d.NativeStatus] {
				t.Errorf("status %q is not from the answers", d.NativeStatus)
			}
			if d.Status != fleetStatus(d.NativeStatus) {
				t.Errorf("status %q for %q", d.Status, d.NativeStatus)
			}
		}
	})
}

// FuzzErrorBody runs an SDK error with any code, status and body (Data,
// and the head the transport kept) through toCloudError, errorBody and
// snippet, without darabonba in between.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []struct {
		status    int
		code, msg string
		data      string
		head      string
		header    string
	}{
		{400, "InvalidParameter", "code: 400, bad request id: r1", `{"Code":"InvalidParameter","Message":"bad","RequestId":"r1"}`, `{"Code":"InvalidParameter"}`, "r1"},
		{400, "Throttling.User", "", `{"Code":"Throttling.User","requestId":"r2","message":"slow"}`, "", ""},
		{503, "<nil>", "", `{"RequestId":"<nil>","Message":"<nil>"}`, "<html>503 Service Unavailable</html>", "r3"},
		{500, "", "", `not json`, "\xff\xfe\x00 binary \x1b[31m", ""},
		{404, "NotFound", "", `null`, strings.Repeat("é", 200), ""},
		{401, "InvalidToken", "", `{"Message":"token fuzz-login-token-0123456789 rejected, key LTAI-test-access-key"}`, "fuzz-login-token-0123456789", ""},
		{400, "X", "", `{"Message":{"nested":null},"RequestId":["r"]}`, "", ""},
		{200, "", "", ``, ``, ""},
		{0, "", "", ``, ``, ""},
	} {
		f.Add(s.status, s.code, s.msg, []byte(s.data), []byte(s.head), s.header)
	}
	f.Fuzz(func(t *testing.T, status int, code, message string, data, head []byte, headerReqID string) {
		if len(head) > headLimit {
			head = head[:headLimit]
		}
		// darabonba takes Code and Message from the body through
		// encoding/json and makes Data with json.Marshal: they are UTF-8
		// (Data need not be JSON). The header's request ID and the head
		// of the body are raw bytes.
		code, message = strings.ToValidUTF8(code, "?"), strings.ToValidUTF8(message, "?")
		data = bytes.ToValidUTF8(data, []byte("?"))
		ids := []string{"ecd-fuzz-1"}
		se := &tea.SDKError{Code: tea.String(code), StatusCode: tea.Int(status), Message: tea.String(message), Data: tea.String(string(data))}
		rec := &callRecord{status: status, requestID: headerReqID, head: head}
		rec.sent.Store(true)
		ce := checkCloudError(t, toCloudError(context.Background(), opReboot, ids, rec, se, fuzzSecrets), opReboot, ids)
		if status >= 400 && ce.HTTPStatus != status {
			t.Errorf("HTTP status %d, want %d", ce.HTTPStatus, status)
		}
		if ce.Code == "<nil>" {
			t.Errorf("code %q", ce.Code)
		}
		if ce.RequestID == "<nil>" && headerReqID != "<nil>" {
			t.Errorf("request ID %q", ce.RequestID)
		}
		if ce.RequestID != "" && ce.RequestID != strings.ToValidUTF8(headerReqID, "\uFFFD") && !jsonStrings(data)[ce.RequestID] {
			t.Errorf("request ID %q is from neither the header nor the body", ce.RequestID)
		}
		// A body of any size makes a message of bounded size.
		if s := snippet(head); len(s) > 4*120+16 {
			t.Errorf("snippet of %d bytes", len(s))
		}
	})
}

// FuzzRetryHint reads any Retry-After and rate-limit headers: the hint is
// never negative, never beyond maxRetryHint, and never shorter than a
// plain Retry-After in seconds asked for.
func FuzzRetryHint(f *testing.F) {
	for _, s := range [][3]string{
		{"1", "", ""},
		{"", "Limit:10,Remain:0,TimeLeft:1500,Reset:1700000000000", ""},
		{"2", "TimeLeft:500", "Limit:1,TimeLeft:4000"},
		{"0", "TimeLeft:0", "TimeLeft:-5"},
		{"-1", "TimeLeft:abc", "TimeLeft"},
		{"Wed, 21 Oct 2015 07:28:00 GMT", "Remain:0", ""},
		{"99999999999999999", "", ""},
		{"9223372036854775807", "TimeLeft:9223372036854775807", ""},
		{"", "TimeLeft:9300000000000000", ""},
		{" 3 ", "TimeLeft: 10", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, retryAfter, rateUserAPI, rateUser string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		h.Set("x-ratelimit-user-api", rateUserAPI)
		h.Set("x-ratelimit-user", rateUser)
		hint := retryHint(h)
		if hint < 0 || hint > maxRetryHint {
			t.Fatalf("hint %s for Retry-After %q, x-ratelimit-user-api %q, x-ratelimit-user %q", hint, retryAfter, rateUserAPI, rateUser)
		}
		if secs, err := strconv.Atoi(retryAfter); err == nil && secs > 0 {
			if want := min(time.Duration(min(secs, 1<<30))*time.Second, maxRetryHint); hint < want {
				t.Fatalf("hint %s for Retry-After %q", hint, retryAfter)
			}
		}
	})
}
