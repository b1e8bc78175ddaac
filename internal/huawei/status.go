package huawei

import (
	"strings"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// desktopState is one desktop as ListDesktopsDetail reports it.
type desktopState struct {
	ID     string
	Name   string
	Status string // ACTIVE, SHUTOFF, DELETED, ERROR, ... (may be empty)
	Task   string // task_status: empty when the desktop is idle
}

// Native is the status as users see it: "ACTIVE", or "ACTIVE/rebooting"
// while a task runs.
func (d desktopState) Native() string {
	if d.Task == "" {
		return d.Status
	}
	return d.Status + "/" + d.Task
}

// Fleet maps Huawei's status and task to the cloud-neutral status.
func (d desktopState) Fleet() fleet.Status {
	switch strings.ToUpper(d.Status) {
	case "ACTIVE":
		if d.Task == "" {
			return fleet.StatusRunning
		}
		return fleet.StatusBusy
	case "SHUTOFF":
		return fleet.StatusStopped
	case "DELETED":
		return fleet.StatusDeleted
	case "ERROR":
		return fleet.StatusError
	}
	return fleet.StatusUnknown
}

// RebootedAgain reports a desktop that is back up after a reboot.
func (d desktopState) RebootedAgain() bool {
	return strings.EqualFold(d.Status, "ACTIVE") && d.Task == ""
}

// Rebooting reports a reboot in progress. Task names vary (rebooting,
// reboot_pending, reboot_started_hard, ...), so match the stem; the
// REBOOT/HARD_REBOOT statuses are the older way of saying the same.
func (d desktopState) Rebooting() bool {
	if strings.Contains(strings.ToLower(d.Task), "reboot") {
		return true
	}
	s := strings.ToUpper(d.Status)
	return s == "REBOOT" || s == "HARD_REBOOT"
}

// Deleting reports a delete in progress (task "deleting" and kin).
func (d desktopState) Deleting() bool {
	return strings.Contains(strings.ToLower(d.Task), "delet")
}

// Gone reports a listed desktop that no longer exists as far as users are
// concerned: DELETED, or the empty status a deleted desktop may show for a
// while.
func (d desktopState) Gone() bool {
	return strings.EqualFold(d.Status, "DELETED") || (d.Status == "" && d.Task == "")
}

// Idle reports a desktop with no task running.
func (d desktopState) Idle() bool { return d.Task == "" }
