package huawei

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
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

// readBack reads the batch's desktops after an ambiguous failure (one
// ListDesktopsDetail call per page, never one per desktop) and sorts them
// for retry.SendOnce, standing in for the idempotence token the API lacks.
// A desktop that fails is one whose delete failed (the only failed
// disposition), reported with the listing's request ID.
func (c *Client) readBack(ctx context.Context, op string, ids []string, sort func(desktopState, bool) disposition) (retry.ReadBack, error) {
	var reads []string
	states, err := c.describe(ctx, ids, &reads)
	if err != nil {
		return retry.ReadBack{}, err
	}
	var rb retry.ReadBack
	for _, id := range ids {
		s, listed := states[id]
		switch sort(s, listed) {
		case dispTaken:
			rb.Taken = append(rb.Taken, id)
		case dispFailed:
			rb.Failed = append(rb.Failed, deleteFailure(id, s, lastRequestID(reads, 0)))
		default:
			rb.Resend = append(rb.Resend, id)
		}
	}
	tflog.Debug(ctx, "huawei: read desktops after an ambiguous failure", map[string]any{
		"operation":     op,
		"desktop_count": len(ids),
		"already_acted": len(rb.Taken),
		"failed":        len(rb.Failed),
		"to_resend":     len(rb.Resend),
	})
	return rb, nil
}

// lastRequestID is the newest request ID added since before, for errors
// that come from reading a listing rather than from a failed call.
func lastRequestID(reqIDs []string, before int) string {
	if len(reqIDs) > before {
		return reqIDs[len(reqIDs)-1]
	}
	return ""
}
