package mockcloud

import (
	"fmt"
	"slices"
)

// Behaviour is how the mock answers where the clouds' own sources leave
// room or disagree. Each switch picks one answer a real cloud gives, so a
// test can hold the provider to all of them. It is set in Config and can
// be switched while the mock runs (SetBehaviour, POST /_mock/behaviour).
// The zero value is the mock's default.
type Behaviour struct {
	// HuaweiJobWords are the status words of a Huawei job (not of its
	// sub-jobs, which say SUCCESS and FAILED). Zero: DocumentedJobWords.
	HuaweiJobWords JobWords `json:"huaweiJobWords"`
	// HuaweiDeletingLooksEmpty makes a desktop show an empty status and
	// no task_status while its delete runs, as CLOUD-NOTES.md says a
	// desktop being deleted may, instead of its status and "deleting".
	HuaweiDeletingLooksEmpty bool `json:"huaweiDeletingLooksEmpty"`
	// AlibabaUnknownIDs is what DeleteDesktops does with an ID the cloud
	// does not know: UnknownReject (the default) or UnknownSkip.
	AlibabaUnknownIDs string `json:"alibabaUnknownIds"`
	// HuaweiUnknownIDs is what batch-delete does with an ID the cloud
	// does not know: UnknownFailedSubJob (the default), UnknownReject or
	// UnknownSkip.
	HuaweiUnknownIDs string `json:"huaweiUnknownIds"`
	// AlibabaPageLimit, when above zero, is the most desktops a
	// DescribeDesktops page holds, fewer than the MaxResults asked for:
	// the document makes MaxResults a maximum, not a promise.
	AlibabaPageLimit int `json:"alibabaPageLimit"`
}

// JobWords are the words a Huawei job goes through.
type JobWords struct {
	Waiting string `json:"waiting"`
	Running string `json:"running"`
	Success string `json:"success"`
	Failed  string `json:"failed"`
}

var (
	// DocumentedJobWords: WAITING, RUNNING, SUCCESS, FAILED.
	DocumentedJobWords = JobWords{Waiting: jobWaiting, Running: jobRunning, Success: jobSuccess, Failed: jobFailed}
	// ProviderJobWords are the huaweicloud provider's finals and the SDK's
	// JobStatus model (model_job_status.go): INIT, RUNNING, COMPLETE, FAIL.
	ProviderJobWords = JobWords{Waiting: "INIT", Running: jobRunning, Success: "COMPLETE", Failed: "FAIL"}
)

// The ways a delete call treats an ID the cloud does not know.
const (
	// UnknownReject fails the whole call (Alibaba 400
	// InvalidDesktopId.NotFound, Huawei 404 WKS.0004), deleting nothing.
	UnknownReject = "reject"
	// UnknownSkip leaves the ID out silently: the rest are deleted, and
	// (Huawei) the job has no sub-job for it.
	UnknownSkip = "skip"
	// UnknownFailedSubJob (Huawei) gives the ID a sub-job that fails with
	// WKS.0004; a call naming no known desktop at all is refused with 404.
	UnknownFailedSubJob = "failed_subjob"
)

// Validate reports a behaviour the mock does not know.
func (b Behaviour) Validate() error {
	if !slices.Contains([]string{"", UnknownReject, UnknownSkip}, b.AlibabaUnknownIDs) {
		return fmt.Errorf("alibabaUnknownIds must be %q or %q", UnknownReject, UnknownSkip)
	}
	if !slices.Contains([]string{"", UnknownReject, UnknownSkip, UnknownFailedSubJob}, b.HuaweiUnknownIDs) {
		return fmt.Errorf("huaweiUnknownIds must be %q, %q or %q", UnknownFailedSubJob, UnknownReject, UnknownSkip)
	}
	if b.AlibabaPageLimit < 0 {
		return fmt.Errorf("alibabaPageLimit must not be negative")
	}
	w := b.HuaweiJobWords
	if w != (JobWords{}) && (w.Waiting == "" || w.Running == "" || w.Success == "" || w.Failed == "") {
		return fmt.Errorf("huaweiJobWords needs all four words, or none for the documented ones")
	}
	return nil
}

// jobWords are the job words in force. Called with s.mu held.
func (s *Server) jobWords() JobWords {
	if s.behaviour.HuaweiJobWords == (JobWords{}) {
		return DocumentedJobWords
	}
	return s.behaviour.HuaweiJobWords
}

// SetBehaviour switches how the mock answers from now on.
func (s *Server) SetBehaviour(b Behaviour) error {
	if err := b.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour = b
	return nil
}

// CurrentBehaviour is the behaviour in force.
func (s *Server) CurrentBehaviour() Behaviour {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.behaviour
}
