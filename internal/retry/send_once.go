package retry

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// Exchange is one batch call that must act on each desktop at most once,
// however its answers are lost: the product's exactly-once promise, for any
// cloud and operation. SendOnce drives it.
type Exchange struct {
	// Operation names the call in logs.
	Operation string
	// Call sends the action for ids, once. On success it has recorded
	// what the answer says (desktops accepted, per-desktop refusals, a
	// job to follow). A failure is a *fleet.CloudError, Ambiguous when
	// the call may have been applied although its answer was lost.
	Call func(ctx context.Context, ids []string) error
	// ReadBack reads ids after an ambiguous failure (lastErr) and sorts
	// them (SortReadBack); SendOnce logs what it found. Nil for an API
	// that makes a resend safe by itself, with an idempotence token: the
	// call is then repeated as it was.
	ReadBack func(ctx context.Context, ids []string, lastErr error) (ReadBack, error)
	// Taken is told the desktops a read-back found already acted on:
	// they count as sent and are never sent again.
	Taken func(ids []string)
}

// Unsent is what SendOnce could not send.
type Unsent struct {
	IDs []string
	// Err is why. Nil when the operation was stopped (cancelled, or out
	// of time) with nothing in doubt: those desktops were never acted on,
	// and are not processed rather than failed with an earlier error.
	Err error
}

// FailInto reports the unsent desktops as failed, when they failed.
func (u Unsent) FailInto(out *fleet.Outcome) {
	if u.Err != nil {
		out.Failed = append(out.Failed, fleet.FailAll(u.IDs, u.Err).Failed...)
	}
}

// SendOnce sends ids through ex.Call under p's retries, acting on no
// desktop twice. A call that failed without doubt did nothing and is
// repeated as it was. After one that may have been applied, the desktops
// are read back first (ex.ReadBack) and only those the lost call did not act
// on are sent again; when the retries run out with the last call in doubt,
// they are read once more, so that a desktop it did act on is not reported
// failed (and acted on again by the next apply). A read has retries of its
// own: one that fails for good ends the sending, so that the two calls'
// retries do not multiply. Desktops a read finds failed go into out.Failed;
// those left unsent are returned, with the call's own error, which says
// more than a read's.
func (p Policy) SendOnce(ctx context.Context, ex Exchange, ids []string, out *fleet.Outcome) Unsent {
	pending := slices.Clone(ids)
	var callErr error   // the latest failure of the call itself
	unsure := false     // that failure may have been applied
	readFailed := false // a read-back failed for good
	readBack := func(ctx context.Context) error {
		// Urgent: a reboot shows only while it runs, and a read queued
		// behind the operation's routine calls could miss it.
		rb, err := ex.ReadBack(fleet.Urgent(ctx), pending, callErr)
		if err != nil {
			return err
		}
		tflog.Debug(ctx, "read desktops back after an ambiguous failure", map[string]any{
			"operation":     ex.Operation,
			"desktop_count": len(pending),
			"already_acted": len(rb.Taken),
			"to_resend":     len(rb.Resend),
			"failed":        len(rb.Failed),
		})
		if len(rb.Taken) > 0 {
			ex.Taken(rb.Taken)
			fleet.NoteSent(ctx, len(rb.Taken), "")
		}
		out.Failed = append(out.Failed, rb.Failed...)
		pending = rb.Resend
		return nil
	}
	err := p.Do(ctx, ex.Operation, func(ctx context.Context) error {
		if unsure && ex.ReadBack != nil {
			if err := readBack(ctx); err != nil {
				readFailed = true
				return notRetryable(err)
			}
			unsure = false
			if len(pending) == 0 {
				return nil
			}
		}
		if err := ex.Call(ctx, pending); err != nil {
			callErr, unsure = err, ambiguous(err)
			return err
		}
		pending = nil
		return nil
	})
	if err == nil || len(pending) == 0 {
		return Unsent{}
	}
	if ctx.Err() != nil && !unsure {
		return Unsent{IDs: pending}
	}
	if unsure && ex.ReadBack != nil && !readFailed && ctx.Err() == nil {
		if readBack(ctx) == nil && len(pending) == 0 {
			return Unsent{}
		}
	}
	if callErr != nil {
		err = callErr
	}
	return Unsent{IDs: pending, Err: err}
}

// ambiguous reports a failed call that may have been applied.
func ambiguous(err error) bool {
	var ce *fleet.CloudError
	return errors.As(err, &ce) && ce.Ambiguous
}

// notRetryable stops Do from retrying a call whose own retries (those of a
// read-back) are already spent.
func notRetryable(err error) error {
	var ce *fleet.CloudError
	if !errors.As(err, &ce) || !ce.Retryable {
		return err
	}
	final := *ce
	final.Retryable = false
	final.DesktopIDs = slices.Clone(ce.DesktopIDs)
	return &final
}
