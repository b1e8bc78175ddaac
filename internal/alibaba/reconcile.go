package alibaba

import (
	"context"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// readBack reads the batch's desktops after an ambiguous failure (one
// DescribeDesktops call per 100, never one per desktop) and sorts them for
// retry.SendOnce: it stands in for an idempotence token where the API has
// none. A desktop that fails is reported with lastErr, narrowed to it, and
// the status seen.
func (c *Client) readBack(ctx context.Context, ids []string, lastErr error, where func(d desktop, listed bool) retry.Disposition) (retry.ReadBack, error) {
	states, _, err := c.describe(ctx, ids)
	if err != nil {
		return retry.ReadBack{}, err
	}
	return retry.SortReadBack(ids, states, where, func(id string, d desktop) fleet.DesktopFailure {
		return fleet.DesktopFailure{DesktopID: id, Err: forDesktop(lastErr, id), LastStatus: d.Status}
	}), nil
}

// callAccepting is the Call of a retry.Exchange whose API accepts or refuses
// a call whole: the request build makes for the desktops, its request ID
// kept, and on success every desktop accepted.
func (c *Client) callAccepting(out *fleet.Outcome, sent *retry.Sent, build func(ids []string) request) func(ctx context.Context, ids []string) error {
	return func(ctx context.Context, ids []string) error {
		reqID, err := c.call(ctx, build(ids), nil)
		if reqID != "" {
			out.RequestIDs = append(out.RequestIDs, reqID)
		}
		if err == nil {
			sent.Accept(ids)
			fleet.NoteSent(ctx, len(ids), reqID)
		}
		return err
	}
}
