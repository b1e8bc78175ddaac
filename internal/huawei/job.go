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

// jobPhase is where a job or sub-job stands.
type jobPhase int

const (
	jobRunning   jobPhase = iota // INIT, WAITING, RUNNING, or a word not known
	jobSucceeded                 // SUCCESS, COMPLETE
	jobFailed                    // FAILED, FAIL
)

// phaseOf reads a job or sub-job status. The SDK's JobStatus model names
// INIT, WAITING, SUCCESS and FAIL (services/workspace/v2/model/
// model_job_status.go); the Workspace documents and the mock name
// WAITING, RUNNING, SUCCESS and FAILED; the huaweicloud provider treats
// COMPLETE, SUCCESS and FAIL as final (CLOUD-NOTES.md). Both spellings of
// each end are accepted. A word not known is logged and is not an end:
// the wait goes on, and a timeout names the word.
func phaseOf(ctx context.Context, kind, word, subject string, unknown *fleet.UnknownWords) jobPhase {
	switch strings.ToUpper(word) {
	case "SUCCESS", "COMPLETE":
		return jobSucceeded
	case "FAILED", "FAIL":
		return jobFailed
	case "INIT", "WAITING", "RUNNING":
		return jobRunning
	}
	unknown.Note(ctx, cloudName, kind, word, subject)
	return jobRunning
}

// trackedJob is a delete job being waited on.
type trackedJob struct {
	deleteJob
	status    string                 // the last status word seen
	last      *model.ShowJobResponse // the last answer, for its sub-jobs
	lastReqID string
	settled   bool
}

// wait polls each job until it ends, and lists the desktops whose job we do
// not know until they are gone. Each desktop ends in Done or Failed; when
// ctx ends first the rest fail with ctx's error and the last status seen.
func (d *deleter) wait(ctx context.Context, acc accepted, out *fleet.Outcome) {
	jobs := make([]*trackedJob, 0, len(acc.jobs))
	for _, j := range acc.jobs {
		jobs = append(jobs, &trackedJob{deleteJob: j})
	}
	watch := slices.Clone(acc.watch)
	lastWatch := make(map[string]string)
	unknown := new(fleet.UnknownWords)

	err := d.opts.Poll.Until(ctx, func(ctx context.Context) (bool, error) {
		finished := len(out.Done) + len(out.Failed)
		defer func() { fleet.NoteSettled(ctx, len(out.Done)+len(out.Failed)-finished) }()
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
			if phaseOf(ctx, "job status", j.status, "job "+j.id, unknown) == jobRunning {
				allSettled = false
				continue
			}
			// Desktops the job does not account for are followed
			// through the listing from now on.
			watch = append(watch, d.settleJob(ctx, j, resp, reqID, nil, unknown, out)...)
			j.settled = true
		}
		if len(watch) > 0 {
			next, err := d.watchGone(ctx, watch, lastWatch, unknown, out)
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
			d.settleJob(ctx, j, j.last, j.lastReqID, err, unknown, out)
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

// settleJob turns a job into Done and Failed desktops and returns those it
// cannot account for, to be followed through the listing. A FAILED sub-job
// fails its desktop with the sub-job's code and reason; a SUCCESS one is
// deleted. A sub-job that failed because the desktop does not exist counts
// as deleted unless FailMissing. A desktop without a sub-job shares the
// fate of a failed job; under a successful job it, like a desktop whose
// sub-job ended on a word not known, is followed through the listing
// rather than reported deleted on the job's word alone (some answers have
// no sub-job for a desktop the cloud does not know).
//
// unfinished is nil for a job that has ended. Otherwise the wait for it
// ended first (timeout, cancellation): desktops whose sub-job has not ended
// fail with unfinished and the sub-job's last status.
func (d *deleter) settleJob(ctx context.Context, j *trackedJob, resp *model.ShowJobResponse, reqID string, unfinished error, unknown *fleet.UnknownWords, out *fleet.Outcome) (follow []string) {
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
	whole := phaseOf(ctx, "job status", j.status, "job "+j.id, unknown)
	for _, id := range j.desktops {
		var failed bool
		var code, reason string
		s, ok := subs[id]
		phase := jobRunning
		if ok {
			phase = phaseOf(ctx, "sub-job status", deref(s.Status), "desktop "+id, unknown)
		}
		switch {
		case ok && phase == jobFailed:
			failed, code, reason = true, deref(s.ErrorCode), deref(s.FailReason)
		case ok && phase == jobSucceeded:
		case unfinished != nil:
			last := j.status
			if ok && deref(s.Status) != "" {
				last = deref(s.Status)
			}
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: unfinished, LastStatus: last})
			continue
		case !ok && whole == jobFailed:
			failed, code, reason = true, deref(resp.JobErrorCode), deref(resp.FailReason)
		default:
			// No sub-job under a successful job, or a sub-job still
			// "running" (or on a word not known) under an ended one.
			follow = append(follow, id)
			continue
		}
		if !failed || (!d.opts.FailMissing && notFoundFailure(code, reason)) {
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
	return follow
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

// watchGone lists the desktops followed without a job and returns those
// still being deleted. A desktop is deleted once the listing leaves it out
// or shows it DELETED; one whose delete failed (task_status deleteFailed)
// fails at once; one idle again was not deleted after all. An empty status
// is not gone: a desktop being deleted may show one for a while.
func (d *deleter) watchGone(ctx context.Context, ids []string, last map[string]string, unknown *fleet.UnknownWords, out *fleet.Outcome) ([]string, error) {
	return d.c.followRound(ctx, ids, last, func(id string, s desktopState, listed bool, reqID string) (verdict, error) {
		switch {
		case !listed || s.Gone():
			return waitDone, nil
		case s.DeleteFailed():
			return waitFailed, deleteFailedError(id, reqID)
		case s.Deleting() || s.Status == "":
			return waitMore, nil
		case s.Task == "" && containsFold(knownStatuses, s.Status):
			return waitFailed, cloudFailure(opBatchDelete, id, 0, "", "the desktop stopped being deleted (status "+s.Native()+")", reqID)
		}
		// Another task, or a word not known: not an end.
		s.unknownWords(func(kind, word string) { unknown.Note(ctx, cloudName, kind, word, id) })
		return waitMore, nil
	}, out)
}

// showJob reads one job, with retries.
func (c *Client) showJob(ctx context.Context, jobID string, ids []string, reqIDs *[]string) (*model.ShowJobResponse, string, error) {
	var resp *model.ShowJobResponse
	var reqID string
	err := c.retry.Do(ctx, opShowJob, func(ctx context.Context) error {
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
