package huawei

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/response"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

var _ sdkerr.ErrorHandler = (*callRecord)(nil)

// HandleError is the SDK's hook for every response, successful or not. We
// use it to keep the request ID (the SDK drops it on success), to read the
// fields the SDK does not (error_detail, Retry-After), and to reject success
// bodies the SDK would accept silently (an empty 202 decodes to a response
// with no job_id and no error).
func (r *callRecord) HandleError(_ *request.DefaultHttpRequest, resp *response.DefaultHttpResponse) error {
	r.status = resp.GetStatusCode()
	// A header may carry any byte; the request ID ends up in errors, which
	// must be UTF-8 to reach Terraform (see FuzzHandleError).
	r.requestID = strings.ToValidUTF8(resp.GetHeader("X-Request-Id"), "\uFFFD")

	data, err := io.ReadAll(resp.Response.Body)
	_ = resp.Response.Body.Close()
	if err != nil {
		return &bodyReadError{status: r.status, err: err}
	}
	if !utf8.Valid(data) {
		// Invalid UTF-8 can only sit inside JSON strings (or make up a
		// body that is not JSON). encoding/json would read it as U+FFFD;
		// the SDK's decoder keeps the raw bytes, which then reach error
		// texts and statuses that Terraform's protocol cannot carry
		// (found by FuzzHandleError). Read it the way encoding/json does.
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	// The SDK decodes the body after us: give it the bytes back.
	resp.Response.Body = io.NopCloser(bytes.NewReader(data))

	switch {
	case r.status >= 200 && r.status < 300:
		if !isJSONObject(data) {
			return &malformedError{status: r.status, reason: describeBadBody(data), snippet: snippet(data)}
		}
		return nil
	default:
		return parseErrorResponse(resp.Response, data, time.Now())
	}
}

// httpError is an error status from the API, with everything the body and
// headers said about it.
type httpError struct {
	status     int
	code       string
	message    string
	detail     string
	retryAfter time.Duration
	sdk        *sdkerr.ServiceResponseError // what the SDK itself makes of the body
}

func (e *httpError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.message)
}

// Unwrap lets callers match the SDK's own error type.
func (e *httpError) Unwrap() error { return e.sdk }

// malformedError is a success status whose body is not the JSON object the
// API documents (empty, truncated, HTML, or missing a required field).
type malformedError struct {
	status  int
	reason  string
	snippet string
}

func (e *malformedError) Error() string {
	return fmt.Sprintf("HTTP %d with an unreadable body: %s", e.status, e.reason)
}

// bodyReadError is a response whose body broke off mid-read: a transport
// failure after the server had already answered.
type bodyReadError struct {
	status int
	err    error
}

func (e *bodyReadError) Error() string {
	return fmt.Sprintf("reading the HTTP %d response body: %v", e.status, e.err)
}

func (e *bodyReadError) Unwrap() error { return e.err }

// parseErrorResponse reads {error_code, error_msg, error_detail} and the
// retry hint. The SDK's parser runs first because it also understands the
// API gateway's nested {"error":{"code","message"}} layout.
func parseErrorResponse(resp *http.Response, data []byte, now time.Time) *httpError {
	clone := *resp
	clone.Body = io.NopCloser(bytes.NewReader(data))
	sdk := sdkerr.NewServiceResponseError(&clone)

	e := &httpError{status: resp.StatusCode, sdk: sdk}
	var top map[string]any
	if json.Unmarshal(data, &top) == nil && top != nil {
		e.code, e.message = sdk.ErrorCode, sdk.ErrorMessage
		if e.code == "" {
			// The SDK only takes a code paired with a message, and puts
			// the raw body in ErrorMessage otherwise.
			e.code = firstString(top, "error_code", "code")
			e.message = firstString(top, "error_msg", "message")
		}
		e.detail = detailString(top["error_detail"])
	} else if len(bytes.TrimSpace(data)) > 0 {
		// Not JSON: an HTML page from a gateway, say. Keep a short,
		// readable piece of it rather than the whole page.
		e.detail = snippet(data)
	}
	if e.message == "" {
		e.message = http.StatusText(e.status)
	}
	if e.message == "" {
		// A status net/http has no name for (a CDN's 520, nginx's 499)
		// would leave the error saying nothing (found by FuzzHandleError).
		e.message = "unexpected HTTP status " + strconv.Itoa(e.status)
	}
	e.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// detailString renders error_detail, which is documented as a string but
// may be structured.
func detailString(v any) string {
	switch d := v.(type) {
	case nil:
		return ""
	case string:
		return d
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return ""
		}
		return truncate(string(b), maxSnippet)
	}
}

// maxRetryAfter bounds a server's wait hint. retry.Policy caps every wait
// far lower anyway; the bound keeps a huge delay-seconds from overflowing
// time.Duration into a negative or short wait (found by FuzzHandleError:
// "Retry-After: 9223372036854775807" read as -1s).
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads either form of Retry-After: delay-seconds or an
// HTTP date. Anything else is no hint.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

func isJSONObject(data []byte) bool {
	trimmed := bytes.TrimSpace(data)
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(trimmed)
}

func describeBadBody(data []byte) string {
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return "empty body"
	case trimmed[0] == '<':
		return "HTML instead of JSON"
	case trimmed[0] == '{' || trimmed[0] == '[':
		if trimmed[0] == '{' {
			return "truncated or invalid JSON"
		}
		return "a JSON array instead of an object"
	default:
		return "not JSON"
	}
}

const maxSnippet = 200

var (
	tagPattern   = regexp.MustCompile(`<[^>]*>`)
	spacePattern = regexp.MustCompile(`\s+`)
)

// snippet makes a body fit in one line of an error message: tags removed,
// whitespace collapsed, truncated.
func snippet(data []byte) string {
	s := tagPattern.ReplaceAllString(string(data), " ")
	s = strings.TrimSpace(spacePattern.ReplaceAllString(s, " "))
	return truncate(s, maxSnippet)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}
