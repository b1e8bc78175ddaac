package alibaba

import (
	"context"
	"slices"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// verdict is where one awaited desktop stands after a read.
type verdict int

const (
	waitMore verdict = iota // not there yet
	waitDone                // the action is complete for it
	waitLost                // it will never get there (gone, expired)
)

// judge tells where desktop id stands; listed is false when the read did
// not return it, and at is when the read was sent (the state it returned
// is at least that recent). why explains a lost desktop.
type judge func(id string, d desktop, listed bool, at time.Time) (v verdict, why string)

// await polls DescribeDesktops (one call per 100 desktops per round) until
// judge has settled every one of ids, moving each into out.Done or
// out.Failed. When ctx ends or a read fails for good first, the unsettled
// desktops fail with that error and their last status seen.
func (c *Client) await(ctx context.Context, poll retry.Poller, op string, ids []string, j judge, out *fleet.Outcome) {
	if len(ids) == 0 {
		return
	}
	remaining := slices.Clone(ids)
	last := make(map[string]string)
	err := poll.Until(ctx, func(ctx context.Context) (bool, error) {
		at := time.Now()
		states, reqID, err := c.describe(ctx, remaining)
		if err != nil {
			return false, err
		}
		var next []string
		for _, id := range remaining {
			d, listed := states[id]
			if listed {
				last[id] = d.Status
			}
			switch v, why := j(id, d, listed, at); v {
			case waitDone:
				out.Done = append(out.Done, id)
			case waitLost:
				out.Failed = append(out.Failed, fleet.DesktopFailure{
					DesktopID:  id,
					Err:        &fleet.CloudError{Cloud: cloudName, Operation: op, Message: why, RequestID: reqID, DesktopIDs: []string{id}},
					LastStatus: last[id],
				})
			default:
				next = append(next, id)
			}
		}
		fleet.NoteSettled(ctx, len(remaining)-len(next))
		remaining = next
		return len(remaining) == 0, nil
	})
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		// A read cut short by the deadline reports itself as a cloud
		// error; the deadline is what the user needs to hear about.
		err = ctx.Err()
	}
	for _, id := range remaining {
		out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: err, LastStatus: last[id]})
	}
}
