package huawei

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// disposition is where a desktop stands after a request whose answer was
// lost.
type disposition int

const (
	dispResend disposition = iota // the lost request did not act on it: send again
	dispTaken                     // the lost request acted on it: do not send again
	dispFailed                    // it is in a state the action has failed in for good
)

// rebootDisposition: a desktop already rebooting got the reboot. One that
// has already finished rebooting looks idle and is rebooted again; with no
// idempotence token that is the best the API allows.
func rebootDisposition(s desktopState, listed bool) disposition {
	if listed && s.Rebooting() {
		return dispTaken
	}
	return dispResend
}

// deleteDisposition: a desktop gone, DELETED, deleting, or showing the
// empty status of a desktop being deleted got the delete; one whose delete
// failed (deleteFailed) is reported as such, not sent again.
func deleteDisposition(s desktopState, listed bool) disposition {
	switch {
	case !listed || s.Gone() || s.Deleting() || s.Status == "":
		return dispTaken
	case s.DeleteFailed():
		return dispFailed
	}
	return dispResend
}

// reconciled is a batch sorted by disposition, with the states read.
type reconciled struct {
	taken, failed, resend []string
	states                map[string]desktopState
	requestID             string // of the last listing call
}

// reconcile reads the batch's desktops after an ambiguous failure (one
// ListDesktopsDetail call per page, never one per desktop) and sorts them.
func (c *Client) reconcile(ctx context.Context, op string, ids []string, sort func(desktopState, bool) disposition) (reconciled, error) {
	var reads []string
	states, err := c.describe(ctx, ids, &reads)
	if err != nil {
		return reconciled{}, err
	}
	r := reconciled{states: states, requestID: lastRequestID(reads, 0)}
	for _, id := range ids {
		s, listed := states[id]
		switch sort(s, listed) {
		case dispTaken:
			r.taken = append(r.taken, id)
		case dispFailed:
			r.failed = append(r.failed, id)
		default:
			r.resend = append(r.resend, id)
		}
	}
	tflog.Debug(ctx, "huawei: read desktops after an ambiguous failure", map[string]any{
		"operation":     op,
		"desktop_count": len(ids),
		"already_acted": len(r.taken),
		"failed":        len(r.failed),
		"to_resend":     len(r.resend),
	})
	return r, nil
}

// noMoreRetries stops retry.Policy.Do from retrying a call whose own
// retries (the listing inside reconcile) are already spent, so that the
// retries of the two calls do not multiply.
func noMoreRetries(err error) error {
	var ce *fleet.CloudError
	if !errors.As(err, &ce) || !ce.Retryable {
		return err
	}
	final := *ce
	final.Retryable = false
	final.DesktopIDs = slices.Clone(ce.DesktopIDs)
	return &final
}

// lastRequestID is the newest request ID added since before, for errors
// that come from reading a listing rather than from a failed call.
func lastRequestID(reqIDs []string, before int) string {
	if len(reqIDs) > before {
		return reqIDs[len(reqIDs)-1]
	}
	return ""
}
