package alibaba

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// DeleteOptions configures Deleter. DeleteDesktops has no flags of its
// own, so they are the cloud-neutral ones; with Wait, Act returns only once
// DescribeDesktops shows each desktop absent or Deleted.
type DeleteOptions = retry.Deletion

type deleter struct {
	fleet.Shape
	c    *Client
	opts DeleteOptions
}

// Deleter returns the delete action (DeleteDesktops, admin API).
func (c *Client) Deleter(opts DeleteOptions) fleet.BatchAction {
	return &deleter{Shape: fleet.Shape{Name: "delete", Max: maxPerCall}, c: c, opts: opts}
}

// Act deletes the batch. DeleteDesktops is asynchronous: without Wait an
// accepted desktop is Done when the call returns.
func (d *deleter) Act(ctx context.Context, b fleet.Batch) fleet.Outcome {
	var out fleet.Outcome
	if len(b.DesktopIDs) == 0 {
		return out
	}
	ctx = d.c.logCtx(ctx)
	var sent retry.Sent
	for chunk := range slices.Chunk(b.DesktopIDs, maxPerCall) {
		if d.opts.FailMissing {
			chunk = d.existing(ctx, chunk, &out)
		}
		if len(chunk) > 0 {
			d.send(ctx, chunk, true, &sent, &out)
		}
	}
	if !d.opts.Wait {
		out.Done = append(out.Done, sent.Accepted...)
		return out
	}
	d.c.await(ctx, d.opts.Poll, opDelete, sent.Accepted, deleteJudge, &out)
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
// (retry.SendOnce), and records in sent the desktops the API accepted. After an
// ambiguous failure the batch is read back first: desktops absent, Deleted
// or Stopping were taken by the lost call and are not resent. resend says
// whether a not-found answer may be followed by one more call without the
// missing desktops.
func (d *deleter) send(ctx context.Context, ids []string, resend bool, sent *retry.Sent, out *fleet.Outcome) {
	ex := retry.Exchange{
		Operation: opDelete,
		Call: d.c.callAccepting(out, sent, func(ids []string) request {
			return request{action: opDelete, version: adminAPIVersion, params: map[string]any{"DesktopId": ids}, ids: ids}
		}),
		ReadBack: func(ctx context.Context, ids []string, lastErr error) (retry.ReadBack, error) {
			return d.c.readBack(ctx, ids, lastErr, deleteDisposition)
		},
		Taken: sent.Take,
	}
	unsent := d.c.retry.SendOnce(ctx, ex, ids, out)
	if isNotFound(unsent.Err) {
		d.missing(ctx, unsent.IDs, unsent.Err, resend, sent, out)
		return
	}
	unsent.FailInto(out)
}

// missing handles a call rejected whole because some desktop does not
// exist. The answer does not say which, so the batch is read: the gone
// ones are Done (unless FailMissing) or fail with the not-found error, and the
// rest are sent once more without them. A desktop that still exists is
// never reported deleted.
func (d *deleter) missing(ctx context.Context, ids []string, notFound error, resend bool, sent *retry.Sent, out *fleet.Outcome) {
	states, _, err := d.c.describe(ctx, ids)
	if err != nil {
		tflog.Warn(ctx, "alibaba: could not read which desktops of a rejected delete exist", map[string]any{"error": err.Error()})
		failRest(ctx, ids, notFound, out)
		return
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
		return
	}
	if !resend || len(present) == len(ids) {
		// Every desktop exists yet the call says not found (or the
		// resend said so again): the answer is about something else.
		failRest(ctx, present, notFound, out)
		return
	}
	d.send(ctx, present, false, sent, out)
}

// deleteDisposition sorts a desktop after an ambiguous delete.
func deleteDisposition(d desktop, listed bool) retry.Disposition {
	if gone(d, listed) || d.is(statusStopping) {
		return retry.ActedOn
	}
	return retry.NotActedOn
}

// deleteJudge waits for a desktop to be absent or Deleted.
func deleteJudge(_ string, d desktop, listed bool, _ time.Time) (verdict, string) {
	if gone(d, listed) {
		return waitDone, ""
	}
	return waitMore, ""
}
