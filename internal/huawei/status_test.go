package huawei

import (
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status, task string
		want         fleet.Status
		native       string
		reboot       disposition
		delete       disposition
		unknown      []string // words noted as not known
	}{
		{"ACTIVE", "", fleet.StatusRunning, "ACTIVE", dispResend, dispResend, nil},
		{"active", "", fleet.StatusRunning, "active", dispResend, dispResend, nil},
		{"ACTIVE", "rebooting", fleet.StatusBusy, "ACTIVE/rebooting", dispTaken, dispResend, nil},
		{"ACTIVE", "reboot_pending_hard", fleet.StatusBusy, "ACTIVE/reboot_pending_hard", dispTaken, dispResend, nil},
		{"ACTIVE", "powering-on", fleet.StatusBusy, "ACTIVE/powering-on", dispResend, dispResend, nil},
		{"ACTIVE", "deleting", fleet.StatusBusy, "ACTIVE/deleting", dispResend, dispTaken, nil},
		{"ACTIVE", "deleteFailed", fleet.StatusBusy, "ACTIVE/deleteFailed", dispResend, dispFailed, nil},
		{"SHUTOFF", "", fleet.StatusStopped, "SHUTOFF", dispResend, dispResend, nil},
		{"SHUTOFF", "powering-on", fleet.StatusStopped, "SHUTOFF/powering-on", dispResend, dispResend, nil},
		{"DELETED", "", fleet.StatusDeleted, "DELETED", dispResend, dispTaken, nil},
		{"ERROR", "", fleet.StatusError, "ERROR", dispResend, dispResend, nil},
		{"HIBERNATED", "", fleet.StatusUnknown, "HIBERNATED", dispResend, dispResend, nil},
		{"REBOOT", "", fleet.StatusUnknown, "REBOOT", dispTaken, dispResend, nil},
		{"BUILD", "", fleet.StatusUnknown, "BUILD", dispResend, dispResend, []string{"BUILD"}},
		{"ACTIVE", "defragmenting", fleet.StatusBusy, "ACTIVE/defragmenting", dispResend, dispResend, []string{"defragmenting"}},
		// Empty is not gone: a desktop being deleted may show it.
		{"", "", fleet.StatusUnknown, "", dispResend, dispTaken, []string{""}},
	}
	for _, tt := range tests {
		d := desktopState{ID: "d", Status: tt.status, Task: tt.task}
		if got := d.Fleet(); got != tt.want {
			t.Errorf("%q/%q: Fleet() = %s, want %s", tt.status, tt.task, got, tt.want)
		}
		if got := d.Native(); got != tt.native {
			t.Errorf("%q/%q: Native() = %q, want %q", tt.status, tt.task, got, tt.native)
		}
		if got := rebootDisposition(d, true); got != tt.reboot {
			t.Errorf("%q/%q: rebootDisposition = %v, want %v", tt.status, tt.task, got, tt.reboot)
		}
		if got := deleteDisposition(d, true); got != tt.delete {
			t.Errorf("%q/%q: deleteDisposition = %v, want %v", tt.status, tt.task, got, tt.delete)
		}
		if d.Gone() != strings.EqualFold(tt.status, "DELETED") {
			t.Errorf("%q/%q: Gone() = %v", tt.status, tt.task, d.Gone())
		}
		var noted []string
		d.unknownWords(func(_, word string) { noted = append(noted, word) })
		if !slices.Equal(noted, tt.unknown) {
			t.Errorf("%q/%q: unknown words %q, want %q", tt.status, tt.task, noted, tt.unknown)
		}
	}
	if rebootDisposition(desktopState{}, false) != dispResend || deleteDisposition(desktopState{}, false) != dispTaken {
		t.Error("unlisted desktop: a reboot is resent, a delete was taken")
	}
}
