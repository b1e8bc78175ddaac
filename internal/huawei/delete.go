package huawei

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// DeleteOptions configures Deleter: the API's three flags, always sent,
// and the cloud-neutral options (with Wait, Act returns only once the
// delete job has finished).
type DeleteOptions struct {
	DeleteUsers       bool
	EmailNotification bool
	IsForceDelete     bool
	retry.Deletion
}

type deleter struct {
	fleet.Shape
	c    *Client
	opts DeleteOptions
}

// Deleter returns the delete action (BatchDeleteDesktops).
func (c *Client) Deleter(opts DeleteOptions) fleet.BatchAction {
	return &deleter{Shape: fleet.Shape{Name: "delete", Max: maxBatch}, c: c, opts: opts}
}

// deleteJob is one accepted BatchDeleteDesktops call.
type deleteJob struct {
	id       string
	desktops []string
}

// accepted is what the API took on: jobs we know, and desktops a call whose
// answer was lost had already started deleting (no job ID to follow, so they
// are followed through the listing).
type accepted struct {
	jobs  []deleteJob
	watch []string
}

// Act deletes the batch.
func (d *deleter) Act(ctx context.Context, b fleet.Batch) fleet.Outcome {
	ctx = d.c.logCtx(ctx)
	var out fleet.Outcome
	if len(b.DesktopIDs) == 0 {
		return out
	}
	var acc accepted
	for chunk := range slices.Chunk(b.DesktopIDs, maxBatch) {
		if d.opts.FailMissing {
			chunk = d.existing(ctx, chunk, &out)
		}
		if len(chunk) > 0 {
			d.send(ctx, chunk, true, &acc, &out)
		}
	}
	if !d.opts.Wait {
		for _, j := range acc.jobs {
			out.Done = append(out.Done, j.desktops...)
		}
		out.Done = append(out.Done, acc.watch...)
		return out
	}
	d.wait(ctx, acc, &out)
	return out
}

// existing reads ids (one listing call per 100) and returns those that
// exist. Without ignore_missing, a desktop that does not exist must fail
// the destroy, named, however the cloud answers a delete of an unknown ID:
// by rejecting the batch (404), by a FAILED sub-job, or by no sub-job at
// all. Reading first makes that independent of the answer. A read that
// fails for good fails the batch unsent, to be retried by the next destroy.
func (d *deleter) existing(ctx context.Context, ids []string, out *fleet.Outcome) []string {
	var reads []string
	states, err := d.c.describe(ctx, ids, &reads)
	if err != nil {
		var ce *fleet.CloudError
		if errors.As(err, &ce) || ctx.Err() == nil {
			out.Failed = append(out.Failed, fleet.FailAll(ids, err).Failed...)
		}
		return nil
	}
	var present []string
	for _, id := range ids {
		if s, listed := states[id]; listed && !s.Gone() {
			present = append(present, id)
			continue
		}
		ce := cloudFailure(opBatchDelete, id, 0, notFoundCode,
			"the desktop does not exist (ListDesktopsDetail does not list it), and ignore_missing is false", lastRequestID(reads))
		out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: ce, LastStatus: states[id].Native()})
	}
	return present
}

// send makes the delete call for ids, acting on each desktop at most once
// (retry.SendOnce). After an ambiguous failure the batch is read back first
// (deleteDisposition): desktops gone, DELETED or deleting were taken by the
// lost call and are not resent; a desktop whose delete failed is reported
// at once.
func (d *deleter) send(ctx context.Context, ids []string, checkMissing bool, acc *accepted, out *fleet.Outcome) {
	ex := retry.Exchange{
		Operation: opBatchDelete,
		Call: func(ctx context.Context, ids []string) error {
			jobID, err := d.c.batchDelete(ctx, ids, d.opts, &out.RequestIDs)
			if err != nil {
				return err
			}
			acc.jobs = append(acc.jobs, deleteJob{id: jobID, desktops: slices.Clone(ids)})
			fleet.NoteSent(ctx, len(ids), lastRequestID(out.RequestIDs))
			return nil
		},
		ReadBack: func(ctx context.Context, ids []string, _ error) (retry.ReadBack, error) {
			return d.c.readBack(ctx, ids, deleteDisposition)
		},
		Taken: func(ids []string) { acc.watch = append(acc.watch, ids...) },
	}
	unsent := d.c.retry.SendOnce(ctx, ex, ids, out)
	if isNotFound(unsent.Err) {
		d.missing(ctx, unsent.IDs, unsent.Err, checkMissing, acc, out)
		return
	}
	unsent.FailInto(out)
}

// missing handles a call rejected whole with 404. With FailMissing each
// desktop fails with that error. With it, the batch is read first: a 404
// proves that some desktop is unknown, not that all are, and a desktop that
// still exists must never be reported deleted. The unknown ones are Done,
// those being deleted are followed, and the rest are sent once more without
// the unknown ones.
func (d *deleter) missing(ctx context.Context, ids []string, notFound error, resend bool, acc *accepted, out *fleet.Outcome) {
	if d.opts.FailMissing {
		for _, id := range ids {
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: notFound})
		}
		return
	}
	states, err := d.c.describe(ctx, ids, new([]string))
	if err != nil {
		tflog.Warn(ctx, "huawei: could not check which desktops of a 404 delete exist", map[string]any{"error": err.Error()})
		for _, id := range ids {
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: notFound})
		}
		return
	}
	var present []string
	for _, id := range ids {
		s, listed := states[id]
		switch {
		case !listed || s.Gone():
			out.Done = append(out.Done, id)
		case s.Deleting() || s.Status == "":
			acc.watch = append(acc.watch, id)
		default:
			present = append(present, id)
		}
	}
	if len(present) == 0 {
		return
	}
	if !resend || len(present) == len(ids) {
		// Every desktop exists yet the call says not found (or the
		// resend said so again): the 404 is about something else.
		for _, id := range present {
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: notFound})
		}
		return
	}
	d.send(ctx, present, false, acc, out)
}

// batchDelete is one BatchDeleteDesktops call; it returns the job ID.
func (c *Client) batchDelete(ctx context.Context, ids []string, opts DeleteOptions, reqIDs *[]string) (string, error) {
	req := &model.BatchDeleteDesktopsRequest{Body: &model.DeleteDesktopsReq{
		DesktopIds: slices.Clone(ids),
		// Pointers to the values, so false is sent rather than omitted
		// and the API's own defaults (email_notification=true) never
		// apply behind the user's back.
		DeleteUsers:       ptr(opts.DeleteUsers),
		EmailNotification: ptr(opts.EmailNotification),
		IsForceDelete:     ptr(opts.IsForceDelete),
	}}
	var jobID string
	_, err := c.invoke(ctx, opBatchDelete, ids, reqIDs, func(ws *workspace.WorkspaceClient) error {
		resp, err := ws.BatchDeleteDesktops(req)
		if err != nil {
			return err
		}
		if deref(resp.JobId) == "" {
			return &malformedError{status: resp.HttpStatusCode, reason: "no job_id in the response"}
		}
		jobID = *resp.JobId
		return nil
	})
	return jobID, err
}

// deleteFailure is a desktop whose delete the cloud reports failed for good
// (task_status deleteFailed): reported at once, not waited for.
func deleteFailure(id string, s desktopState, requestID string) fleet.DesktopFailure {
	return fleet.DesktopFailure{DesktopID: id, Err: deleteFailedError(id, requestID), LastStatus: s.Native()}
}

// deleteFailedError is the error of such a desktop.
func deleteFailedError(id, requestID string) error {
	return cloudFailure(opBatchDelete, id, 0, "", "the cloud could not delete the desktop (task_status deleteFailed)", requestID)
}
