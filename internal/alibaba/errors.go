package alibaba

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// failureKind is what went wrong with a call, as far as retrying goes.
type failureKind int

const (
	kindHTTP      failureKind = iota // the API (or a gateway) answered with an error status
	kindMalformed                    // a success status with a body we cannot use
	kindTransport                    // the connection failed: refused, reset, timed out, cut off
	kindCancelled                    // the caller's context ended
	kindLocal                        // no credentials, bad input, the SDK panicked before sending
)

// failure is everything classify looks at.
type failure struct {
	kind   failureKind
	status int
	code   string // the API's error code; empty when the body was not a JSON error
	sent   bool   // some of the request reached the wire
}

// classify is the one place that decides which failures are retried and
// which may have been applied anyway. The transient answers are those the
// alicloud provider retries (NeedRetry) and SPEC.md lists: any code
// containing "Throttling" (Throttling, Throttling.User, Throttling.Api,
// Rejected.Throttling), "ServiceUnavailable" or "InternalError", and any
// 5xx status.
//
//   - A throttled request was not applied: retried, not ambiguous.
//   - ServiceUnavailable, InternalError and 5xx come from a backend or a
//     gateway that may have acted before failing: retried, and ambiguous,
//     so the reboot and delete callers read the batch back (admin API) or
//     resend under the same ClientToken (client API) first, and nothing is
//     acted on twice.
//   - Every other error status states a refusal: final, not applied.
//   - A success status with an unusable body (truncated JSON, an empty
//     body) may have been applied: ambiguous, and retried.
//   - Transport failures are retried; ambiguous once the request was sent.
func classify(f failure) (retryable, ambiguous bool) {
	switch f.kind {
	case kindHTTP:
		switch {
		case strings.Contains(f.code, "Throttling"):
			return true, false
		case strings.Contains(f.code, "ServiceUnavailable"), strings.Contains(f.code, "InternalError"), f.status >= 500:
			return true, true
		}
		return false, false
	case kindMalformed:
		return true, true
	case kindTransport:
		return true, f.sent
	}
	return false, f.sent
}

// malformedError is a success response whose body cannot be used.
type malformedError struct{ reason string }

func (e *malformedError) Error() string { return "malformed response: " + e.reason }

// panicError is a panic recovered around darabonba, so that a response it
// chokes on fails one call rather than the provider.
type panicError struct{ value any }

func (e *panicError) Error() string {
	return fmt.Sprintf("the Alibaba Cloud SDK panicked: %v", e.value)
}

// toCloudError turns what a call returned into a *fleet.CloudError. ctx is
// the caller's context (not the per-call one), to tell a cancelled
// operation from a call that timed out on its own. secrets are redacted
// from every string the error carries.
func toCloudError(ctx context.Context, op string, ids []string, rec *callRecord, err error, secrets []string) *fleet.CloudError {
	ce := &fleet.CloudError{
		Cloud:      cloudName,
		Operation:  op,
		HTTPStatus: rec.status,
		RequestID:  rec.requestID,
		RetryAfter: rec.retryAfter,
		DesktopIDs: slices.Clone(ids),
	}
	f := failure{status: rec.status, sent: rec.sent.Load()}
	var (
		se *tea.SDKError
		xe *exchangeError
	)
	switch {
	case errors.As(err, &xe):
		// STS gave no credentials, so no ECD request was built: nothing
		// was sent. A transient failure is retried as a connection
		// failure before sending is; a refusal is not.
		f.kind, f.sent = kindLocal, false
		if xe.transient {
			f.kind = kindTransport
		}
		ce.Cause = err
	case errors.As(err, &se) && tea.IntValue(se.StatusCode) >= 400:
		// An error status with a body darabonba could read as JSON
		// (or XML). Its Message embeds the status and request ID, so
		// take the parts from Data, the body itself.
		f.kind, f.sent = kindHTTP, true
		f.status = tea.IntValue(se.StatusCode)
		// dara renders a missing code as "<nil>".
		if f.code = tea.StringValue(se.Code); f.code == "<nil>" {
			f.code = ""
		}
		ce.HTTPStatus, ce.Code = f.status, f.code
		ce.Message, ce.RequestID = errorBody(se, rec.requestID)
		if f.code == "" {
			ce.Message = "unexpected response: " + snippet(rec.head)
		}
	case rec.status >= 300:
		// An error status whose body is not JSON (a gateway's HTML
		// page, a truncated body), or a redirect, which the API never
		// sends and which was not followed.
		f.kind = kindHTTP
		ce.Message = "unexpected response: " + snippet(rec.head)
		ce.Cause = err
	case ctx.Err() != nil:
		f.kind = kindCancelled
		ce.Message = "cancelled: " + ctx.Err().Error()
		ce.Cause = ctx.Err()
	case rec.bodyErr != nil:
		f.kind = kindTransport
		ce.Message = "response body cut off: " + rec.bodyErr.Error()
		ce.Cause = rec.bodyErr
	case rec.status != 0:
		// A success status with a body darabonba could not decode, or
		// one we rejected.
		f.kind = kindMalformed
		var me *malformedError
		if errors.As(err, &me) {
			ce.Message = me.Error()
		} else {
			ce.Message = "malformed response: " + err.Error()
		}
		if len(rec.head) > 0 {
			ce.Detail = snippet(rec.head)
		}
	case untrustedCertificate(err):
		// Retrying will not make the certificate trusted, and the
		// handshake failed before the request was sent.
		f.kind, f.sent = kindLocal, false
		ce.Message = "the endpoint's TLS certificate is not trusted"
		ce.Detail = certificateProblem(err)
		ce.Cause = stripURL(err)
	case isTransport(err):
		f.kind = kindTransport
		ce.Cause = stripURL(err)
		if errors.Is(err, context.DeadlineExceeded) {
			ce.Message = "no answer within the per-call timeout"
		}
	default:
		f.kind = kindLocal
		ce.Cause = err
		var pe *panicError
		if errors.As(err, &pe) {
			ce.Message, ce.Cause = pe.Error(), nil
		}
	}
	ce.Retryable, ce.Ambiguous = classify(f)
	ce.Redact(secrets)
	// A header may carry any byte (found by FuzzCallResponse: a request
	// ID "\x87"), and a diagnostic must be UTF-8 to cross Terraform's
	// protocol: keep every text the answer supplied valid.
	for _, s := range []*string{&ce.Code, &ce.Message, &ce.Detail, &ce.RequestID} {
		*s = strings.ToValidUTF8(*s, "\uFFFD")
	}
	return ce
}

// errorBody reads the message and request ID out of an SDKError's Data,
// the JSON of the error body.
func errorBody(se *tea.SDKError, headerRequestID string) (message, requestID string) {
	var body map[string]any
	_ = json.Unmarshal([]byte(tea.StringValue(se.Data)), &body)
	pick := func(keys ...string) string {
		for _, k := range keys {
			if s, ok := body[k].(string); ok && s != "" && s != "<nil>" {
				return s
			}
		}
		return ""
	}
	message = pick("Message", "message")
	requestID = pick("RequestId", "requestId")
	if requestID == "" {
		requestID = headerRequestID
	}
	return message, requestID
}

// isTransport reports a failure of the connection rather than of the API.
// A context deadline here is the per-call timeout, the caller's context
// having been checked before.
func isTransport(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, context.DeadlineExceeded)
}

// untrustedCertificate reports a TLS handshake that failed because the
// server's certificate did not verify.
func untrustedCertificate(err error) bool {
	var ve *tls.CertificateVerificationError
	return errors.As(err, &ve)
}

// certificateProblem is why the certificate did not verify (unknown
// authority, wrong host name, expired).
func certificateProblem(err error) string {
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) && ve.Err != nil {
		return ve.Err.Error()
	}
	return ""
}

// stripURL drops the query from a *url.Error: RPC parameters travel in the
// query, LoginToken and SessionToken among them.
func stripURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	bare := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		u.RawQuery, u.User = "", nil
		bare = u.String()
	} else if i := strings.IndexByte(bare, '?'); i >= 0 {
		bare = bare[:i]
	}
	return &url.Error{Op: ue.Op, URL: bare, Err: ue.Err}
}

// snippet is the start of a body for a message: whitespace collapsed, cut
// short, so that a gateway's HTML page says what it is without filling the
// screen.
func snippet(head []byte) string {
	if len(head) == 0 {
		return "empty body"
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(head), "?")), " ")
	const longest = 120
	if len(s) > longest {
		s = s[:longest] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// isNotFound reports a call rejected because a desktop it names does not
// exist (InvalidDesktopId.NotFound and kin).
func isNotFound(err error) bool {
	var ce *fleet.CloudError
	if !errors.As(err, &ce) || ce.Ambiguous {
		return false
	}
	code := strings.ToLower(ce.Code)
	return strings.Contains(code, "notfound") || strings.Contains(code, "notexist")
}

// forDesktop narrows a whole-call error to one desktop, for per-desktop
// failures that should not list the whole call.
func forDesktop(err error, id string) error {
	var ce *fleet.CloudError
	if !errors.As(err, &ce) {
		return err
	}
	one := *ce
	one.DesktopIDs = []string{id}
	return &one
}
