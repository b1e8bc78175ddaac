package alibaba

import (
	"context"
	"slices"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// maxPerCall is the most DesktopId.N that RebootDesktops (admin),
// DeleteDesktops and DescribeDesktops take, and DescribeDesktops' largest
// MaxResults.
const maxPerCall = 100

type describeResponse struct {
	RequestId string
	NextToken string
	Desktops  []desktop
}

func (r *describeResponse) requestID() string { return r.RequestId }

// ListDesktops implements fleet.DesktopLister: DescribeDesktops page by page
// (MaxResults 100, following NextToken), filtered by ID in chunks of 100
// when filter.IDs is set.
func (c *Client) ListDesktops(ctx context.Context, filter fleet.ListFilter) ([]fleet.Desktop, error) {
	ctx = c.logCtx(ctx)
	var out []fleet.Desktop
	seen := make(map[string]bool)
	collect := func(d desktop) {
		// Pages of a fleet that changes while it is listed may overlap.
		if !seen[d.ID] {
			seen[d.ID] = true
			out = append(out, fleet.Desktop{ID: d.ID, Name: d.Name, Status: fleetStatus(d.Status), NativeStatus: d.Status})
		}
	}
	if len(filter.IDs) == 0 {
		if _, err := c.describePages(ctx, nil, collect); err != nil {
			return nil, err
		}
		return out, nil
	}
	ids := slices.Clone(filter.IDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for chunk := range slices.Chunk(ids, maxPerCall) {
		// Only desktops asked for: a server that ignores the DesktopId
		// filter (or answers for more) must not add desktops to a
		// filtered listing (found by FuzzDescribePages).
		keep := func(d desktop) {
			if _, asked := slices.BinarySearch(chunk, d.ID); asked {
				collect(d)
			}
		}
		if _, err := c.describePages(ctx, chunk, keep); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// describe reads the given desktops (any number) and returns them by ID;
// a desktop the API does not list is absent from the map. reqID is the
// request ID of the last call, for failures that the read revealed.
func (c *Client) describe(ctx context.Context, ids []string) (states map[string]desktop, reqID string, err error) {
	states = make(map[string]desktop, len(ids))
	for chunk := range slices.Chunk(ids, maxPerCall) {
		reqID, err = c.describePages(ctx, chunk, func(d desktop) { states[d.ID] = d })
		if err != nil {
			return nil, reqID, err
		}
	}
	return states, reqID, nil
}

// describePages calls DescribeDesktops for ids (at most maxPerCall; every
// desktop of the region when empty) until NextToken comes back empty,
// retrying each page under the client's policy.
func (c *Client) describePages(ctx context.Context, ids []string, fn func(desktop)) (reqID string, err error) {
	tokens := make(map[string]bool)
	next := ""
	for {
		params := map[string]any{"MaxResults": maxPerCall}
		if len(ids) > 0 {
			params["DesktopId"] = ids
		}
		if next != "" {
			params["NextToken"] = next
		}
		var resp describeResponse
		err := c.retry.Do(ctx, opDescribe, func(ctx context.Context) error {
			resp = describeResponse{}
			id, err := c.call(ctx, request{action: opDescribe, version: adminAPIVersion, params: params, ids: ids}, &resp)
			reqID = id
			return err
		})
		if err != nil {
			return reqID, err
		}
		for _, d := range resp.Desktops {
			if d.ID != "" {
				fn(d)
			}
		}
		if resp.NextToken == "" {
			return reqID, nil
		}
		if tokens[resp.NextToken] {
			// A server handing out a token twice would page forever.
			return reqID, &fleet.CloudError{
				Cloud: cloudName, Operation: opDescribe, RequestID: reqID, DesktopIDs: slices.Clone(ids),
				Message: "malformed response: NextToken repeats an earlier page", Ambiguous: true,
			}
		}
		tokens[resp.NextToken] = true
		next = resp.NextToken
	}
}
