package huawei

import (
	"context"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// verdict is where a followed desktop stands after a read of the listing.
type verdict int

const (
	waitMore   verdict = iota // not there yet: read it again
	waitDone                  // the action is complete for it
	waitFailed                // it will never get there
)

// judge tells where desktop id stands; listed is false when the listing
// left it out. A failed desktop fails with the error returned, which names
// reqID, the read that showed it.
type judge func(id string, s desktopState, listed bool, reqID string) (verdict, error)

// followRound is one round of a wait through the listing: it reads ids
// (poll calls, not part of Outcome.RequestIDs), moves each desktop j
// settles into out.Done or out.Failed, and returns the rest. last keeps the
// status each desktop was last seen in, which a wait that ends first
// reports.
func (c *Client) followRound(ctx context.Context, ids []string, last map[string]string, j judge, out *fleet.Outcome) ([]string, error) {
	var reads []string
	states, err := c.describe(ctx, ids, &reads)
	if err != nil {
		return ids, err
	}
	reqID := lastRequestID(reads)
	var next []string
	for _, id := range ids {
		s, listed := states[id]
		if listed {
			last[id] = s.Native()
		}
		switch v, err := j(id, s, listed, reqID); v {
		case waitDone:
			out.Done = append(out.Done, id)
		case waitFailed:
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: err, LastStatus: last[id]})
		default:
			next = append(next, id)
		}
	}
	return next, nil
}
