package alibaba

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// disposition is where a desktop stands after a request whose answer was
// lost.
type disposition int

const (
	dispResend disposition = iota // the lost request did not act on it: send again
	dispTaken                     // the lost request acted on it: do not send again
	dispStuck                     // neither can be told nor would resending work
)

// reconciled is the batch split by disposition, with the states read.
type reconciled struct {
	taken, resend, stuck []string
	states               map[string]desktop
}

// reconcile reads the batch's desktops after an ambiguous failure (one
// DescribeDesktops call per 100, never one per desktop) and sorts them.
// It replaces an idempotence token for APIs that have none.
func (c *Client) reconcile(ctx context.Context, op string, ids []string, sort func(d desktop, listed bool) disposition) (reconciled, error) {
	states, _, err := c.describe(ctx, ids)
	if err != nil {
		return reconciled{}, err
	}
	r := reconciled{states: states}
	for _, id := range ids {
		d, listed := states[id]
		switch sort(d, listed) {
		case dispTaken:
			r.taken = append(r.taken, id)
		case dispStuck:
			r.stuck = append(r.stuck, id)
		default:
			r.resend = append(r.resend, id)
		}
	}
	tflog.Debug(ctx, "alibaba: read desktops back after an ambiguous failure", map[string]any{
		"action":        op,
		"desktop_count": len(ids),
		"already_acted": len(r.taken),
		"to_resend":     len(r.resend),
		"stuck":         len(r.stuck),
	})
	return r, nil
}
