package huawei

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// failureKind is what went wrong with a call, as far as retrying goes.
type failureKind int

const (
	kindHTTP      failureKind = iota // the API answered with an error status
	kindMalformed                    // a success status with a body we cannot read
	kindTransport                    // the connection failed (refused, reset, timed out)
	kindCancelled                    // the caller's context ended
	kindLocal                        // building the request failed, or the SDK panicked
)

// classify is the one place that decides which failures are retried and
// which may have been applied anyway. sent says whether any of the request
// reached the wire. The transient answers are those SPEC.md lists for
// Huawei Cloud: 429 and every 5xx.
//
//   - 429 is throttling: retried, and the request was not applied.
//   - 5xx comes from a backend or a gateway that may have acted before
//     failing: retried, and ambiguous, so reboot and delete read the batch
//     back before resending and nothing is acted on twice.
//   - every other error status (400/401/403/404/409, ...) states a refusal:
//     final, not applied.
//   - a success status with a bad body (truncated JSON, an empty body) may
//     have been applied: ambiguous, and retried.
//   - transport failures are retried; ambiguous once the request was sent.
func classify(kind failureKind, status int, sent bool) (retryable, ambiguous bool) {
	switch kind {
	case kindHTTP:
		switch {
		case status == 429:
			return true, false
		case status >= 500:
			return true, true
		}
		return false, false
	case kindMalformed:
		return true, true
	case kindTransport:
		return true, sent
	case kindCancelled, kindLocal:
		return false, sent
	}
	return false, sent
}

// panicError is a panic recovered around an SDK call, so that a response
// the SDK chokes on fails one call rather than the provider.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("the Huawei SDK panicked: %v", e.value) }

// toCloudError turns what an SDK call returned into a *fleet.CloudError.
// ctx is the caller's context (not the per-call one), to tell a cancelled
// operation from a call that timed out on its own.
func toCloudError(ctx context.Context, op string, ids []string, rec *callRecord, err error) *fleet.CloudError {
	ce := &fleet.CloudError{
		Cloud:      cloudName,
		Operation:  op,
		HTTPStatus: rec.status,
		RequestID:  rec.requestID,
		DesktopIDs: slices.Clone(ids),
		Cause:      err,
	}
	sent := rec.sent.Load()
	kind := kindLocal

	var (
		xe  *exchangeError
		he  *httpError
		me  *malformedError
		be  *bodyReadError
		se  *sdkerr.ServiceResponseError
		pe  *panicError
		ue  *url.Error
		ne  net.Error
		tle *sdkerr.RequestTimeoutError
		cne *sdkerr.ConnectionError
		ve  *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &xe):
		// The IAM exchange failed before any Workspace request was
		// built: nothing was sent. A transient failure is retried like a
		// connection that failed before sending; retrying a refused
		// token at once will not make IAM accept it.
		kind, sent = kindLocal, false
		if xe.transient {
			kind = kindTransport
		}
		ce.HTTPStatus, ce.RequestID = 0, ""
		ce.Message, ce.Cause = "", xe
	case errors.As(err, &he):
		kind, sent = kindHTTP, true
		ce.HTTPStatus, ce.Code, ce.Message, ce.Detail = he.status, he.code, he.message, he.detail
		ce.RetryAfter = he.retryAfter
	case errors.As(err, &me):
		kind, sent = kindMalformed, true
		ce.HTTPStatus = me.status
		ce.Message = "malformed response: " + me.reason
		ce.Detail = me.snippet
	case errors.As(err, &be):
		kind, sent = kindTransport, true
		ce.HTTPStatus = be.status
		ce.Message = "response body cut off: " + be.err.Error()
	case errors.As(err, &se):
		// Our handler turns every error status into an httpError, so
		// this is the SDK failing to decode a success body that was
		// valid JSON of the wrong shape.
		sent = true
		ce.HTTPStatus = se.StatusCode
		if se.StatusCode >= 400 {
			kind = kindHTTP
			ce.Code, ce.Message = se.ErrorCode, se.ErrorMessage
		} else {
			kind = kindMalformed
			ce.Message = "malformed response: " + se.ErrorMessage
		}
		if ce.RequestID == "" {
			ce.RequestID = se.RequestId
		}
	case ctx.Err() != nil:
		kind = kindCancelled
		ce.Cause = errors.Join(ctx.Err(), err)
	case errors.As(err, &pe):
		kind = kindLocal
		ce.Message = pe.Error()
	case errors.As(err, &ve):
		// Retrying will not make the certificate trusted, and the
		// handshake failed before the request was sent.
		kind, sent = kindLocal, false
		ce.Message = "the endpoint's TLS certificate is not trusted"
		if ve.Err != nil {
			ce.Detail = ve.Err.Error() // unknown authority, wrong host name, expired
		}
	case errors.As(err, &ue), errors.As(err, &ne), errors.As(err, &tle), errors.As(err, &cne):
		kind = kindTransport
	}
	ce.Retryable, ce.Ambiguous = classify(kind, ce.HTTPStatus, sent)
	// The SDK's decoding errors quote raw bytes (json-iterator writes
	// "unexpected character: \xff"): keep every text UTF-8, which
	// Terraform's protocol requires of a diagnostic (found by
	// FuzzListDesktops).
	for _, s := range []*string{&ce.Code, &ce.Message, &ce.Detail, &ce.RequestID} {
		*s = strings.ToValidUTF8(*s, "\uFFFD")
	}
	return ce
}

// isNotFound reports a whole call rejected with 404.
func isNotFound(err error) bool {
	var ce *fleet.CloudError
	return errors.As(err, &ce) && ce.HTTPStatus == 404 && !ce.Ambiguous
}
