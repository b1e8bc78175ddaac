package alibaba

import (
	"context"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/connpool"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/httplog"
)

// callRecord is what the HTTP layer saw of one API call. darabonba drops
// most of it: on a body that is not JSON it returns a bare decoding error
// without the HTTP status, and it never says whether the request reached
// the wire, which decides whether a failure is ambiguous.
type callRecord struct {
	sent       atomic.Bool // the request was written to the connection
	status     int         // HTTP status, 0 when no response arrived
	requestID  string      // x-acs-request-id response header
	retryAfter time.Duration
	bodyErr    error  // reading the response body failed
	head       []byte // the first bytes of the body, for error messages
}

// headLimit bounds the body bytes kept for messages about bodies that
// cannot be read.
const headLimit = 512

type recordKey struct{}

func withRecord(ctx context.Context, rec *callRecord) context.Context {
	return context.WithValue(ctx, recordKey{}, rec)
}

// recordingClient is the dara.HttpClient every call goes through. It
// replaces dara's default client for three reasons: to fill the callRecord
// of the call (found in the request's context, which CallApiWithCtx
// passes on), to keep one transport and its connections across calls
// (dara builds a fresh http.Transport per request), and to stop redirects,
// which would turn a POST into a GET.
type recordingClient struct {
	http *http.Client
}

func newRecordingClient() *recordingClient {
	return &recordingClient{http: &http.Client{
		// Logged at TRACE with credentials masked; the record is filled
		// from the response the caller sees, after the log has read it.
		Transport: httplog.Wrap(connpool.New(), "alibaba"),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Call implements dara.HttpClient. The transport dara built is ignored in
// favour of the shared one (proxies still come from the environment).
func (c *recordingClient) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	rec, _ := req.Context().Value(recordKey{}).(*callRecord)
	if rec == nil {
		return c.http.Do(req)
	}
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				rec.sent.Store(true)
			}
		},
		GotFirstResponseByte: func() { rec.sent.Store(true) },
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	rec.sent.Store(true)
	rec.status = resp.StatusCode
	rec.requestID = resp.Header.Get("x-acs-request-id")
	rec.retryAfter = retryHint(resp.Header)
	resp.Body = &recordingBody{ReadCloser: resp.Body, rec: rec}
	return resp, nil
}

// maxRetryHint bounds a server's wait hint. retry.Policy caps every wait
// far lower anyway; the bound is there so that a huge header value cannot
// overflow time.Duration into a negative or a short wait (found by
// FuzzRetryHint: "Retry-After: 99999999999999999" made a hint of minus
// 704934 hours).
const maxRetryHint = 24 * time.Hour

// retryHint reads the server's wait hint: a standard Retry-After in
// seconds, or the TimeLeft (milliseconds) of the rate-limit headers that
// Alibaba Cloud gateways send with throttling answers.
func retryHint(h http.Header) time.Duration {
	var hint time.Duration
	if secs, err := strconv.Atoi(h.Get("Retry-After")); err == nil && secs > 0 {
		hint = time.Duration(min(secs, int(maxRetryHint/time.Second))) * time.Second
	}
	limits := map[string]*string{}
	for _, k := range []string{"x-ratelimit-user-api", "x-ratelimit-user"} {
		if v := h.Get(k); v != "" {
			limits[k] = &v
		}
	}
	if ms := openapiutil.GetThrottlingTimeLeft(limits); ms != nil && *ms > 0 {
		hint = max(hint, time.Duration(min(*ms, int64(maxRetryHint/time.Millisecond)))*time.Millisecond)
	}
	return hint
}

// recordingBody keeps the head of the body and the first read error.
type recordingBody struct {
	io.ReadCloser
	rec *callRecord
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := headLimit - len(b.rec.head); room > 0 && n > 0 {
		b.rec.head = append(b.rec.head, p[:min(n, room)]...)
	}
	if err != nil && err != io.EOF && b.rec.bodyErr == nil {
		b.rec.bodyErr = err
	}
	return n, err
}
