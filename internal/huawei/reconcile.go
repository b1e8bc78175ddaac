package huawei

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// acted says, from a desktop's listed state, whether a request whose answer
// was lost has already acted on it. listed is false for a desktop the list
// did not return.
type acted func(s desktopState, listed bool) bool

// rebootTaken: a desktop already rebooting got the reboot. One that has
// already finished rebooting looks idle and is rebooted again; with no
// idempotence token that is the best the API allows.
func rebootTaken(s desktopState, listed bool) bool { return listed && s.Rebooting() }

// deleteTaken: a desktop that is gone, DELETED or deleting got the delete.
func deleteTaken(s desktopState, listed bool) bool { return !listed || s.Gone() || s.Deleting() }

// reconcile reads the batch's desktops after an ambiguous failure (one
// ListDesktopsDetail call per page, never one per desktop) and splits them
// into those the lost request already acted on and those still to send.
func (c *Client) reconcile(ctx context.Context, op string, ids []string, taken acted, reqIDs *[]string) (done, rest []string, err error) {
	states, err := c.describe(ctx, ids, reqIDs)
	if err != nil {
		return nil, ids, err
	}
	for _, id := range ids {
		s, listed := states[id]
		if taken(s, listed) {
			done = append(done, id)
		} else {
			rest = append(rest, id)
		}
	}
	tflog.Debug(ctx, "huawei: read desktops after an ambiguous failure", map[string]any{
		"operation":     op,
		"desktop_count": len(ids),
		"already_acted": len(done),
		"to_resend":     len(rest),
	})
	return done, rest, nil
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

// without returns ids minus drop, keeping order.
func without(ids, drop []string) []string {
	if len(drop) == 0 {
		return ids
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// lastRequestID is the newest request ID added since before, for errors
// that come from reading a listing rather than from a failed call.
func lastRequestID(reqIDs []string, before int) string {
	if len(reqIDs) > before {
		return reqIDs[len(reqIDs)-1]
	}
	return ""
}
