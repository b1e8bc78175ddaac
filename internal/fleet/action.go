package fleet

import "context"

// Batch is one slice of a fleet that a cloud acts on in a single API call.
type Batch struct {
	// Seq numbers the batches of one operation from 0.
	Seq int
	// DesktopIDs holds at most the action's MaxBatch desktops, none twice.
	DesktopIDs []string
	// Token is an idempotence token, stable for this batch of this operation
	// (so a retried call is recognised by clouds that honour it) and new for
	// every new operation. Clouds without idempotence tokens ignore it.
	Token string
}

// BatchAction is one kind of action (reboot, delete) bound to one cloud,
// region and set of options. Act makes the API call for one batch, retrying
// transient failures itself, and, when the action was built to wait, polls
// until the cloud reports the desktops done.
//
// Act must never act twice on a desktop, and must account for every desktop
// of the batch in Outcome.Done or Outcome.Failed unless ctx ended first.
type BatchAction interface {
	// MaxBatch is the most desktops one API call accepts.
	MaxBatch() int
	Act(ctx context.Context, b Batch) Outcome
}

// DesktopLister lists the desktops of one cloud and region.
type DesktopLister interface {
	// ListDesktops pages through every desktop matching filter.
	ListDesktops(ctx context.Context, filter ListFilter) ([]Desktop, error)
}

// ListFilter narrows a listing on the cloud side. Empty fields do not filter.
type ListFilter struct {
	IDs []string
}

// Desktop is one cloud desktop as listed.
type Desktop struct {
	ID   string
	Name string
	// Status is the cloud-neutral status (see the Status constants).
	Status Status
	// NativeStatus is the cloud's own status string, with Huawei's
	// task_status appended after a slash when it is set ("ACTIVE/rebooting").
	NativeStatus string
}

// Shape is what Run asks of a BatchAction besides Act: the most desktops
// one call takes, and the action's name in progress lines. Actions embed
// it.
type Shape struct {
	Name string
	Max  int
}

// MaxBatch is the most desktops one API call accepts.
func (s Shape) MaxBatch() int { return s.Max }

// Operation names the action in progress lines.
func (s Shape) Operation() string { return s.Name }
