package huawei

import (
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status, task string
		want         fleet.Status
		native       string
		rebooting    bool
		deleteTaken  bool
	}{
		{"ACTIVE", "", fleet.StatusRunning, "ACTIVE", false, false},
		{"active", "", fleet.StatusRunning, "active", false, false},
		{"ACTIVE", "rebooting", fleet.StatusBusy, "ACTIVE/rebooting", true, false},
		{"ACTIVE", "reboot_pending_hard", fleet.StatusBusy, "ACTIVE/reboot_pending_hard", true, false},
		{"ACTIVE", "starting", fleet.StatusBusy, "ACTIVE/starting", false, false},
		{"ACTIVE", "deleting", fleet.StatusBusy, "ACTIVE/deleting", false, true},
		{"SHUTOFF", "", fleet.StatusStopped, "SHUTOFF", false, false},
		{"SHUTOFF", "powering-on", fleet.StatusStopped, "SHUTOFF/powering-on", false, false},
		{"DELETED", "", fleet.StatusDeleted, "DELETED", false, true},
		{"ERROR", "", fleet.StatusError, "ERROR", false, false},
		{"REBOOT", "", fleet.StatusUnknown, "REBOOT", true, false},
		{"BUILD", "", fleet.StatusUnknown, "BUILD", false, false},
		{"", "", fleet.StatusUnknown, "", false, true},
	}
	for _, tt := range tests {
		d := desktopState{ID: "d", Status: tt.status, Task: tt.task}
		if got := d.Fleet(); got != tt.want {
			t.Errorf("%q/%q: Fleet() = %s, want %s", tt.status, tt.task, got, tt.want)
		}
		if got := d.Native(); got != tt.native {
			t.Errorf("%q/%q: Native() = %q, want %q", tt.status, tt.task, got, tt.native)
		}
		if got := rebootTaken(d, true); got != tt.rebooting {
			t.Errorf("%q/%q: rebootTaken = %v", tt.status, tt.task, got)
		}
		if got := deleteTaken(d, true); got != tt.deleteTaken {
			t.Errorf("%q/%q: deleteTaken = %v", tt.status, tt.task, got)
		}
	}
	if rebootTaken(desktopState{}, false) || !deleteTaken(desktopState{}, false) {
		t.Error("unlisted desktop: rebootTaken must be false and deleteTaken true")
	}
}
