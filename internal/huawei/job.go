package huawei

import (
	"context"
	"slices"
	"strings"

	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// notFoundCode is the Workspace error code for a desktop that does not exist.
const notFoundCode = "WKS.0004"

// trackedJob is a delete job being waited on.
type trackedJob struct {
	deleteJob
	status    string                 // last status seen: WAITING, RUNNING, SUCCESS, FAILED
	last      *model.ShowJobResponse // the last answer, for its sub-jobs
	lastReqID string
	settled   bool
}

// wait polls each job until SUCCESS or FAILED, and lists the desktops whose
// job we do not know until they are gone. Each desktop ends in Done or
// Failed; when ctx ends first the rest fail with ctx's error and the last
// status seen.
func (d *deleter) wait(ctx context.Context, acc accepted, out *fleet.Outcome) {
	jobs := make([]*trackedJob, 0, len(acc.jobs))
	for _, j := range acc.jobs {
		jobs = append(jobs, &trackedJob{deleteJob: j})
	}
	watch := slices.Clone(acc.watch)
	lastWatch := make(map[string]string)

	err := d.opts.Poll.Until(ctx, func(ctx context.Context) (bool, error) {
		allSettled := true
		for _, j := range jobs {
			if j.settled {
				continue
			}
			resp, reqID, err := d.c.showJob(ctx, j.id, j.desktops, new([]string))
			if err != nil {
				return false, err
			}
			j.status, j.last, j.lastReqID = deref(resp.Status), resp, reqID
			switch strings.ToUpper(j.status) {
			case "SUCCESS", "FAILED":
				d.settleJob(j, resp, reqID, nil, out)
				j.settled = true
			default:
				allSettled = false
			}
		}
		if len(watch) > 0 {
			next, err := d.watchGone(ctx, watch, lastWatch, out)
			if err != nil {
				return false, err
			}
			watch = next
		}
		return allSettled && len(watch) == 0, nil
	})
	if err == nil {
		return
	}
	for _, j := range jobs {
		if j.settled {
			continue
		}
		if j.last != nil {
			// A job still running may have finished some sub-jobs: those
			// desktops are deleted (or failed for good), and only the
			// rest are timed out.
			d.settleJob(j, j.last, j.lastReqID, err, out)
			continue
		}
		for _, id := range j.desktops {
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: err, LastStatus: j.status})
		}
	}
	for _, id := range watch {
		out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: err, LastStatus: lastWatch[id]})
	}
}

// settleJob turns a job into Done and Failed desktops. A FAILED sub-job
// fails its desktop with the sub-job's code and reason; a desktop without a
// sub-job shares the job's fate. A sub-job that failed because the desktop
// does not exist counts as deleted under IgnoreMissing.
//
// unfinished is nil for a job that has ended. Otherwise the wait for it
// ended first (timeout, cancellation): desktops whose sub-job has not ended
// fail with unfinished and the sub-job's last status.
func (d *deleter) settleJob(j *trackedJob, resp *model.ShowJobResponse, reqID string, unfinished error, out *fleet.Outcome) {
	subs := make(map[string]model.JobDetailInfo)
	for _, s := range deref(resp.SubJobs) {
		id := ""
		if s.Entities != nil {
			id = deref(s.Entities.DesktopId)
		}
		if id == "" {
			id = deref(s.Entity)
		}
		if id != "" {
			subs[id] = s
		}
	}
	jobFailed := strings.EqualFold(j.status, "FAILED")
	for _, id := range j.desktops {
		var failed bool
		var code, reason string
		s, ok := subs[id]
		switch {
		case ok && strings.EqualFold(deref(s.Status), "FAILED"):
			failed, code, reason = true, deref(s.ErrorCode), deref(s.FailReason)
		case ok && strings.EqualFold(deref(s.Status), "SUCCESS"):
		case unfinished != nil:
			last := j.status
			if ok && deref(s.Status) != "" {
				last = deref(s.Status)
			}
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: unfinished, LastStatus: last})
			continue
		case jobFailed:
			failed, code, reason = true, deref(resp.JobErrorCode), deref(resp.FailReason)
		}
		if !failed || (d.opts.IgnoreMissing && notFoundFailure(code, reason)) {
			out.Done = append(out.Done, id)
			continue
		}
		if reason == "" {
			reason = "the delete job failed for this desktop"
		}
		ce := cloudFailure(opBatchDelete, id, 0, code, reason, reqID)
		ce.Detail = "job " + j.id
		out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: ce, LastStatus: j.status})
	}
}

// notFoundFailure recognises a sub-job that failed because its desktop does
// not exist.
func notFoundFailure(code, reason string) bool {
	if strings.EqualFold(code, notFoundCode) {
		return true
	}
	r := strings.ToLower(reason)
	return strings.Contains(r, "not found") || strings.Contains(r, "not exist")
}

// watchGone lists the desktops without a known job and returns those still
// being deleted. A desktop that is idle again was not deleted after all.
func (d *deleter) watchGone(ctx context.Context, ids []string, last map[string]string, out *fleet.Outcome) ([]string, error) {
	var reads []string // poll calls: not part of Outcome.RequestIDs
	states, err := d.c.describe(ctx, ids, &reads)
	if err != nil {
		return ids, err
	}
	reqID := lastRequestID(reads, 0)
	var next []string
	for _, id := range ids {
		s, listed := states[id]
		switch {
		case !listed || s.Gone():
			out.Done = append(out.Done, id)
		case s.Deleting():
			last[id] = s.Native()
			next = append(next, id)
		default:
			out.Failed = append(out.Failed, fleet.DesktopFailure{
				DesktopID:  id,
				Err:        cloudFailure(opBatchDelete, id, 0, "", "the desktop stopped being deleted (status "+s.Native()+")", reqID),
				LastStatus: s.Native(),
			})
		}
	}
	return next, nil
}

// showJob reads one job, with retries.
func (c *Client) showJob(ctx context.Context, jobID string, ids []string, reqIDs *[]string) (*model.ShowJobResponse, string, error) {
	var resp *model.ShowJobResponse
	var reqID string
	err := c.retry.Do(ctx, opShowJob, func(ctx context.Context, _ int) error {
		id, err := c.invoke(ctx, opShowJob, ids, reqIDs, func(ws *workspace.WorkspaceClient) error {
			r, err := ws.ShowJob(&model.ShowJobRequest{JobId: jobID})
			if err != nil {
				return err
			}
			if deref(r.Status) == "" {
				// Without a status the job could only be polled until
				// the timeout; say what is wrong instead.
				return &malformedError{status: r.HttpStatusCode, reason: "no status in the job"}
			}
			resp = r
			return nil
		})
		reqID = id
		return err
	})
	return resp, reqID, err
}
