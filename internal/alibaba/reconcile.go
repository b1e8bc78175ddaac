package alibaba

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// disposition is where a desktop stands after a request whose answer was
// lost.
type disposition int

const (
	dispResend disposition = iota // the lost request did not act on it: send again
	dispTaken                     // the lost request acted on it: do not send again
	dispFailed                    // neither can be told nor would resending work
)

// readBack reads the batch's desktops after an ambiguous failure (one
// DescribeDesktops call per 100, never one per desktop) and sorts them for
// retry.SendOnce: it stands in for an idempotence token where the API has
// none. A desktop that fails is reported with lastErr, narrowed to it, and
// the status seen.
func (c *Client) readBack(ctx context.Context, op string, ids []string, lastErr error, sort func(d desktop, listed bool) disposition) (retry.ReadBack, error) {
	states, _, err := c.describe(ctx, ids)
	if err != nil {
		return retry.ReadBack{}, err
	}
	var rb retry.ReadBack
	for _, id := range ids {
		d, listed := states[id]
		switch sort(d, listed) {
		case dispTaken:
			rb.Taken = append(rb.Taken, id)
		case dispFailed:
			rb.Failed = append(rb.Failed, fleet.DesktopFailure{DesktopID: id, Err: forDesktop(lastErr, id), LastStatus: d.Status})
		default:
			rb.Resend = append(rb.Resend, id)
		}
	}
	tflog.Debug(ctx, "alibaba: read desktops back after an ambiguous failure", map[string]any{
		"action":        op,
		"desktop_count": len(ids),
		"already_acted": len(rb.Taken),
		"to_resend":     len(rb.Resend),
		"failed":        len(rb.Failed),
	})
	return rb, nil
}
