package alibaba

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// DeleteOptions configures Deleter.
type DeleteOptions struct {
	// Wait makes Act return only once DescribeDesktops shows each desktop
	// absent or Deleted.
	Wait bool
	// FailMissing (ignore_missing = false) makes a desktop that does not
	// exist a failure; by default it counts as deleted.
	FailMissing bool
	Poll        retry.Poller
}

type deleter struct {
	c    *Client
	opts DeleteOptions
}

// Deleter returns the delete action (DeleteDesktops, admin API).
func (c *Client) Deleter(opts DeleteOptions) fleet.BatchAction {
	return &deleter{c: c, opts: opts}
}

func (d *deleter) MaxBatch() int { return maxPerCall }

// Operation names the action in progress lines.
func (d *deleter) Operation() string { return "delete" }

// Act deletes the batch. DeleteDesktops is asynchronous: without Wait an
// accepted desktop is Done when the call returns.
func (d *deleter) Act(ctx context.Context, b fleet.Batch) fleet.Outcome {
	var out fleet.Outcome
	if len(b.DesktopIDs) == 0 {
		return out
	}
	ctx = d.c.logCtx(ctx)
	var accepted []string
	for chunk := range slices.Chunk(b.DesktopIDs, maxPerCall) {
		if d.opts.FailMissing {
			chunk = d.existing(ctx, chunk, &out)
		}
		if len(chunk) > 0 {
			accepted = append(accepted, d.send(ctx, chunk, true, &out)...)
		}
	}
	if !d.opts.Wait {
		out.Done = append(out.Done, accepted...)
		return out
	}
	d.c.await(ctx, d.opts.Poll, opDelete, accepted, deleteJudge, &out)
	return out
}

// existing reads ids (one DescribeDesktops call per 100) and returns those
// that exist. With FailMissing, a desktop that does not exist must fail the
// destroy, named, however DeleteDesktops answers an unknown ID: by
// rejecting the whole call (InvalidDesktopId.NotFound) or by leaving it out
// silently. Reading first makes that independent of the answer. A read that
// fails for good fails the batch unsent, to be retried by the next destroy.
func (d *deleter) existing(ctx context.Context, ids []string, out *fleet.Outcome) []string {
	states, reqID, err := d.c.describe(ctx, ids)
	if err != nil {
		failRest(ctx, ids, err, out)
		return nil
	}
	var present []string
	for _, id := range ids {
		st, listed := states[id]
		if !gone(st, listed) {
			present = append(present, id)
			continue
		}
		out.Failed = append(out.Failed, fleet.DesktopFailure{
			DesktopID: id,
			Err: &fleet.CloudError{Cloud: cloudName, Operation: opDelete, Code: "InvalidDesktopId.NotFound", RequestID: reqID, DesktopIDs: []string{id},
				Message: "the desktop does not exist (DescribeDesktops does not list it), and ignore_missing is false"},
			LastStatus: st.Status,
		})
	}
	return present
}

// send makes the delete call for ids, acting on each desktop at most once
// (retry.SendOnce), and returns the desktops the API accepted. After an
// ambiguous failure the batch is read back first: desktops absent, Deleted
// or Stopping were taken by the lost call and are not resent. resend says
// whether a not-found answer may be followed by one more call without the
// missing desktops.
func (d *deleter) send(ctx context.Context, ids []string, resend bool, out *fleet.Outcome) (accepted []string) {
	ex := retry.Exchange{
		Operation: opDelete,
		Call: func(ctx context.Context, ids []string) error {
			reqID, err := d.c.call(ctx, request{action: opDelete, version: adminAPIVersion, params: map[string]any{"DesktopId": ids}, ids: ids}, nil)
			if reqID != "" {
				out.RequestIDs = append(out.RequestIDs, reqID)
			}
			if err == nil {
				accepted = append(accepted, ids...)
				fleet.NoteSent(ctx, len(ids), reqID)
			}
			return err
		},
		ReadBack: func(ctx context.Context, ids []string, lastErr error) (retry.ReadBack, error) {
			return d.c.readBack(ctx, opDelete, ids, lastErr, deleteDisposition)
		},
		Taken: func(ids []string) { accepted = append(accepted, ids...) },
	}
	unsent := d.c.retry.SendOnce(ctx, ex, ids, out)
	if isNotFound(unsent.Err) {
		return append(accepted, d.missing(ctx, unsent.IDs, unsent.Err, resend, out)...)
	}
	unsent.FailInto(out)
	return accepted
}

// missing handles a call rejected whole because some desktop does not
// exist. The answer does not say which, so the batch is read: the gone
// ones are Done (unless FailMissing) or fail with the not-found error, and the
// rest are sent once more without them. A desktop that still exists is
// never reported deleted.
func (d *deleter) missing(ctx context.Context, ids []string, notFound error, resend bool, out *fleet.Outcome) (accepted []string) {
	states, _, err := d.c.describe(ctx, ids)
	if err != nil {
		tflog.Warn(ctx, "alibaba: could not read which desktops of a rejected delete exist", map[string]any{"error": err.Error()})
		failRest(ctx, ids, notFound, out)
		return nil
	}
	var present []string
	for _, id := range ids {
		st, listed := states[id]
		switch {
		case !gone(st, listed):
			present = append(present, id)
		case !d.opts.FailMissing:
			out.Done = append(out.Done, id)
		default:
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: forDesktop(notFound, id), LastStatus: st.Status})
		}
	}
	if len(present) == 0 {
		return nil
	}
	if !resend || len(present) == len(ids) {
		// Every desktop exists yet the call says not found (or the
		// resend said so again): the answer is about something else.
		failRest(ctx, present, notFound, out)
		return nil
	}
	return d.send(ctx, present, false, out)
}

// deleteDisposition sorts a desktop after an ambiguous delete.
func deleteDisposition(d desktop, listed bool) disposition {
	if gone(d, listed) || d.is(statusStopping) {
		return dispTaken
	}
	return dispResend
}

// deleteJudge waits for a desktop to be absent or Deleted.
func deleteJudge(_ string, d desktop, listed bool, _ time.Time) (verdict, string) {
	if gone(d, listed) {
		return waitDone, ""
	}
	return waitMore, ""
}
