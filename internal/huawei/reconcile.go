package huawei

import (
	"context"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// rebootDisposition: a desktop already rebooting got the reboot. One that
// has already finished rebooting looks idle and is rebooted again; with no
// idempotence token that is the best the API allows.
func rebootDisposition(s desktopState, listed bool) retry.Disposition {
	if listed && s.Rebooting() {
		return retry.ActedOn
	}
	return retry.NotActedOn
}

// deleteDisposition: a desktop gone, DELETED, deleting, or showing the
// empty status of a desktop being deleted got the delete; one whose delete
// failed (deleteFailed) is reported as such, not sent again.
func deleteDisposition(s desktopState, listed bool) retry.Disposition {
	switch {
	case !listed || s.Gone() || s.Deleting() || s.Status == "":
		return retry.ActedOn
	case s.DeleteFailed():
		return retry.FailedForGood
	}
	return retry.NotActedOn
}

// readBack reads the batch's desktops after an ambiguous failure (one
// ListDesktopsDetail call per page, never one per desktop) and sorts them
// for retry.SendOnce, standing in for the idempotence token the API lacks.
// A desktop that fails is one whose delete failed (the only failed
// disposition), reported with the listing's request ID.
func (c *Client) readBack(ctx context.Context, ids []string, where func(desktopState, bool) retry.Disposition) (retry.ReadBack, error) {
	var reads []string
	states, err := c.describe(ctx, ids, &reads)
	if err != nil {
		return retry.ReadBack{}, err
	}
	return retry.SortReadBack(ids, states, where, func(id string, s desktopState) fleet.DesktopFailure {
		return deleteFailure(id, s, lastRequestID(reads))
	}), nil
}

// lastRequestID is the newest of a call's request IDs, for errors that come
// from reading a listing rather than from a failed call.
func lastRequestID(reqIDs []string) string {
	if len(reqIDs) > 0 {
		return reqIDs[len(reqIDs)-1]
	}
	return ""
}
