package mockcloud

import (
	"fmt"
	"slices"
	"time"
)

// Huawei delete jobs. Like desktops, a job stores only when it was created
// and how each sub-job is meant to end; its status is derived from the time.

const (
	jobWaiting = "WAITING"
	jobRunning = "RUNNING"
	jobSuccess = "SUCCESS"
	jobFailed  = "FAILED"
)

type hwJob struct {
	id, project                                   string
	created                                       time.Time
	deleteUsers, emailNotification, isForceDelete bool
	subs                                          []hwSubJob
}

type hwSubJob struct {
	id, desktopID, desktopName string
	failed                     bool // decided when the job is created
	errorCode, failReason      string
	stuck                      bool // the desktop is Stuck: this sub-job never ends
}

// newJobID is the next of Config.HuaweiJobIDs not yet used, else a fresh
// UUID. Called with s.mu held; a job that is then not applied (a fault)
// still uses its ID up, as a real cloud's would be.
func (s *Server) newJobID() string {
	for _, id := range s.cfg.HuaweiJobIDs {
		if !s.jobIDsHanded[id] {
			s.jobIDsHanded[id] = true
			return id
		}
	}
	return s.newUUID()
}

// failSubJobs makes sub-jobs fail by the injected job failures: each by the
// first that names its desktop, or names none.
func (j *hwJob) failSubJobs(faults []Fault) {
	for i := range j.subs {
		sub := &j.subs[i]
		for _, f := range faults {
			if sub.failed {
				break
			}
			if len(f.DesktopIDs) > 0 && !slices.Contains(f.DesktopIDs, sub.desktopID) {
				continue
			}
			sub.failed = true
			sub.errorCode = or(f.Code, "WKS.0500")
			sub.failReason = or(f.Message, "internal error while deleting the desktop; try again later")
		}
	}
}

// end is when every sub-job that can finish has finished.
func (j *hwJob) end(t Timing) time.Time { return j.created.Add(t.JobWaiting + t.JobRunning) }

func (j *hwJob) subStatus(i int, t Timing, now time.Time) string {
	switch sub := j.subs[i]; {
	case now.Before(j.created.Add(t.JobWaiting)):
		return jobWaiting
	case now.Before(j.end(t)) || sub.stuck:
		return jobRunning
	case sub.failed:
		return jobFailed
	}
	return jobSuccess
}

// The JSON of GET /v2/{project_id}/workspace-jobs/{job_id}, field names as in
// the SDK's ShowJobResponse and JobDetailInfo.
type hwJobEntities struct {
	DesktopID   string `json:"desktop_id,omitempty"`
	DesktopName string `json:"desktop_name,omitempty"`
}

type hwSubJobJSON struct {
	ID         string        `json:"id"`
	JobType    string        `json:"job_type"`
	Status     string        `json:"status"`
	BeginTime  string        `json:"begin_time"`
	EndTime    string        `json:"end_time"`
	Entities   hwJobEntities `json:"entities"`
	ErrorCode  string        `json:"error_code"`
	FailReason string        `json:"fail_reason"`
	JobID      string        `json:"job_id"`
	ProjectID  string        `json:"project_id"`
}

type hwJobJSON struct {
	ID           string         `json:"id"`
	JobType      string         `json:"job_type"`
	Entities     hwJobEntities  `json:"entities"`
	BeginTime    string         `json:"begin_time"`
	EndTime      string         `json:"end_time"`
	Status       string         `json:"status"`
	JobErrorCode string         `json:"job_error_code"`
	FailReason   string         `json:"fail_reason"`
	SubJobsTotal int            `json:"sub_jobs_total"`
	SubJobs      []hwSubJobJSON `json:"sub_jobs"`
}

const hwTimeLayout = "2006-01-02T15:04:05.000Z"

// render is the job as ShowJob answers it. words are the job's own status
// words; sub-jobs always say WAITING, RUNNING, SUCCESS or FAILED.
func (j *hwJob) render(t Timing, now time.Time, words JobWords) hwJobJSON {
	out := hwJobJSON{
		ID: j.id, JobType: "BATCH_DELETE_DESKTOPS", BeginTime: j.created.UTC().Format(hwTimeLayout),
		SubJobsTotal: len(j.subs), SubJobs: make([]hwSubJobJSON, len(j.subs)),
	}
	var running, failed int
	var firstFailure string
	for i, sub := range j.subs {
		status := j.subStatus(i, t, now)
		sj := hwSubJobJSON{
			ID: sub.id, JobType: "DELETE_DESKTOP", Status: status, BeginTime: out.BeginTime,
			Entities: hwJobEntities{DesktopID: sub.desktopID, DesktopName: sub.desktopName}, JobID: j.id, ProjectID: j.project,
		}
		switch status {
		case jobWaiting, jobRunning:
			running++
		case jobFailed:
			failed++
			sj.ErrorCode, sj.FailReason = sub.errorCode, sub.failReason
			if firstFailure == "" {
				firstFailure = sub.errorCode
			}
		}
		if status == jobSuccess || status == jobFailed {
			sj.EndTime = j.end(t).UTC().Format(hwTimeLayout)
		}
		out.SubJobs[i] = sj
	}
	switch {
	case now.Before(j.created.Add(t.JobWaiting)):
		out.Status = words.Waiting
	case running > 0:
		out.Status = words.Running
	case failed > 0:
		out.Status = words.Failed
		out.JobErrorCode = firstFailure
		out.FailReason = fmt.Sprintf("%d of %d desktops could not be deleted", failed, len(j.subs))
		out.EndTime = j.end(t).UTC().Format(hwTimeLayout)
	default:
		out.Status = words.Success
		out.EndTime = j.end(t).UTC().Format(hwTimeLayout)
	}
	return out
}

// HuaweiDeleteFlags returns the flags a Huawei batch-delete job was created
// with (email_notification defaults to true when the body left it out).
func (s *Server) HuaweiDeleteFlags(jobID string) (deleteUsers, emailNotification, isForceDelete bool, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return false, false, false, false
	}
	return j.deleteUsers, j.emailNotification, j.isForceDelete, true
}

// HuaweiJobStatus is the job's current status, in the job words in force;
// false for an unknown job.
func (s *Server) HuaweiJobStatus(jobID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return "", false
	}
	return j.render(s.cfg.Timing, s.nowLocked(), s.jobWords()).Status, true
}
