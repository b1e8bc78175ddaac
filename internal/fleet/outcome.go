package fleet

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outcome is what came of acting on one batch.
type Outcome struct {
	// RequestIDs has one entry per action call (the reboot or delete call
	// itself, retried attempts included) that returned a request ID, in
	// call order. Reads and polls are not listed: request_ids in state
	// would otherwise grow with every poll of a long wait.
	RequestIDs []string
	// Done lists the desktops the action completed for (or that the cloud
	// accepted, when the action does not wait).
	Done []string
	// Failed lists the desktops the action failed for, one entry each.
	Failed []DesktopFailure
}

// DesktopFailure says why the action failed for one desktop.
type DesktopFailure struct {
	DesktopID string
	// Err is usually a *CloudError; it may be a context error when the
	// operation was cancelled or timed out while waiting.
	Err error
	// LastStatus is the desktop's last status seen while waiting, if any.
	LastStatus string
}

func (f DesktopFailure) String() string {
	msg := fmt.Sprint(f.Err)
	var ce *CloudError
	if errors.As(f.Err, &ce) {
		msg = ce.Brief()
	}
	s := f.DesktopID + ": " + msg
	if f.LastStatus != "" {
		s += fmt.Sprintf(" (last status %s)", f.LastStatus)
	}
	return s
}

// FailAll returns an Outcome in which every desktop of ids failed with err.
func FailAll(ids []string, err error) Outcome {
	o := Outcome{Failed: make([]DesktopFailure, 0, len(ids))}
	for _, id := range ids {
		o.Failed = append(o.Failed, DesktopFailure{DesktopID: id, Err: err})
	}
	return o
}

// CloudError is a failed cloud call, carrying everything a user needs to act
// on it: which cloud and operation, the HTTP status, the cloud's own code and
// message, the request ID and the desktops in that call.
type CloudError struct {
	Cloud      string
	Operation  string
	HTTPStatus int
	Code       string
	Message    string
	Detail     string
	RequestID  string
	DesktopIDs []string

	// Retryable marks throttling, 502/503/504 and transport failures.
	Retryable bool
	// Ambiguous marks failures after which the request may or may not have
	// been applied (a lost response, a gateway error).
	Ambiguous bool
	// RetryAfter is the server's retry hint, zero when it gave none.
	RetryAfter time.Duration
	// Cause is the underlying error (a transport error, say), if any.
	Cause error
}

func (e *CloudError) Error() string {
	s := e.Brief()
	if len(e.DesktopIDs) > 0 {
		s += "; desktops " + strings.Join(e.DesktopIDs, ", ")
	}
	return s
}

// Brief is Error without the list of desktops, for messages that already
// name the desktop.
func (e *CloudError) Brief() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s failed", e.Cloud, e.Operation)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Detail != "" && e.Detail != e.Message {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.Cause != nil && e.Code == "" && e.Message == "" {
		fmt.Fprintf(&b, ": %v", e.Cause)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "; request ID %s", e.RequestID)
	}
	return b.String()
}

func (e *CloudError) Unwrap() error { return e.Cause }
