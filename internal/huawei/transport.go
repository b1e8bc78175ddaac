package huawei

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/connpool"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/httplog"
)

// newTransport is the connection pool all calls of one Client share.
// Every exchange is logged at TRACE with credentials masked.
func newTransport() http.RoundTripper {
	return httplog.Wrap(connpool.New(), "huawei")
}

// callTransport carries one call's context into the SDK, whose requests are
// built without one, so cancelling ctx aborts the call in flight. It also
// notes whether any of the request reached the wire: a failure before that
// is safe to resend, a failure after it may have been applied.
type callTransport struct {
	base http.RoundTripper
	ctx  context.Context
	rec  *callRecord
}

func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	trace := &httptrace.ClientTrace{
		// Conservative on purpose: once headers are out, the server may act.
		WroteHeaders: func() { t.rec.sent.Store(true) },
	}
	return t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(t.ctx, trace)))
}

// callRecord is what one call learned about its response. The transport
// writes sent (possibly from another goroutine); the rest is written by
// HandleError, which runs in the calling goroutine before the SDK returns.
type callRecord struct {
	sent      atomic.Bool
	status    int
	requestID string
}
