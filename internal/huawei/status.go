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

// The desktop words of the Workspace API. Statuses: the SDK's model
// (services/workspace/v2/model, "ACTIVE, SHUTOFF, ERROR, HIBERNATED"),
// DELETED for a deleted desktop still listed, and REBOOT / HARD_REBOOT,
// the older way of saying a reboot runs (CLOUD-NOTES.md). Tasks: the
// task_status values of model_desktop_detail_info.go.
var (
	knownStatuses = []string{"ACTIVE", "SHUTOFF", "ERROR", "HIBERNATED", "DELETED", "REBOOT", "HARD_REBOOT"}
	knownTasks    = []string{
		"scheduling", "block_device_mapping", "networking", "spawning",
		"rebooting", "reboot_pending", "reboot_started", "rebooting_hard", "reboot_pending_hard", "reboot_started_hard",
		"rebuilding", "rebuild_block_device_mapping", "rebuild_spawning", "migrating",
		"resize_prep", "resize_migrating", "resize_migrated", "resize_finish", "resize_reverting",
		"powering-off", "powering-on", "deleting", "deleteFailed", "updating", "desktopNetworkChanging",
	}
)

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

// Up reports a desktop running with no task: back after a reboot.
func (d desktopState) Up() bool {
	return strings.EqualFold(d.Status, "ACTIVE") && d.Task == ""
}

// Rebooting reports a reboot in progress: a task with the stem "reboot"
// (rebooting, reboot_pending, reboot_started_hard, ...) or the REBOOT /
// HARD_REBOOT statuses.
func (d desktopState) Rebooting() bool {
	if strings.Contains(strings.ToLower(d.Task), "reboot") {
		return true
	}
	s := strings.ToUpper(d.Status)
	return s == "REBOOT" || s == "HARD_REBOOT"
}

// Deleting reports a delete in progress (task_status "deleting").
func (d desktopState) Deleting() bool { return strings.EqualFold(d.Task, "deleting") }

// DeleteFailed reports a delete that has failed for good (task_status
// "deleteFailed", "删除失败" in the SDK's model): not "still deleting".
func (d desktopState) DeleteFailed() bool { return strings.EqualFold(d.Task, "deleteFailed") }

// Gone reports a listed desktop that no longer exists: status DELETED.
// An empty status is not gone (a desktop being deleted may show one for a
// while, CLOUD-NOTES.md): only absence from the listing, a 404 on the
// desktop, or DELETED is.
func (d desktopState) Gone() bool { return strings.EqualFold(d.Status, "DELETED") }

// unknownWords notes each word of the desktop's status and task that is
// not a known one (an empty status included); an empty task is idle.
func (d desktopState) unknownWords(note func(kind, word string)) {
	if !containsFold(knownStatuses, d.Status) {
		note("desktop status", d.Status)
	}
	if d.Task != "" && !containsFold(knownTasks, d.Task) {
		note("desktop task_status", d.Task)
	}
}

func containsFold(words []string, w string) bool {
	for _, k := range words {
		if strings.EqualFold(k, w) {
			return true
		}
	}
	return false
}
