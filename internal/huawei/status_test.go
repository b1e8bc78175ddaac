package huawei

import (
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status, task string
		want         fleet.Status
		native       string
		reboot       retry.Disposition
		delete       retry.Disposition
		unknown      []string // words noted as not known
	}{
		{"ACTIVE", "", fleet.StatusRunning, "ACTIVE", retry.NotActedOn, retry.NotActedOn, nil},
		{"active", "", fleet.StatusRunning, "active", retry.NotActedOn, retry.NotActedOn, nil},
		{"ACTIVE", "rebooting", fleet.StatusBusy, "ACTIVE/rebooting", retry.ActedOn, retry.NotActedOn, nil},
		{"ACTIVE", "reboot_pending_hard", fleet.StatusBusy, "ACTIVE/reboot_pending_hard", retry.ActedOn, retry.NotActedOn, nil},
		{"ACTIVE", "powering-on", fleet.StatusBusy, "ACTIVE/powering-on", retry.NotActedOn, retry.NotActedOn, nil},
		{"ACTIVE", "deleting", fleet.StatusBusy, "ACTIVE/deleting", retry.NotActedOn, retry.ActedOn, nil},
		{"ACTIVE", "deleteFailed", fleet.StatusBusy, "ACTIVE/deleteFailed", retry.NotActedOn, retry.FailedForGood, nil},
		{"SHUTOFF", "", fleet.StatusStopped, "SHUTOFF", retry.NotActedOn, retry.NotActedOn, nil},
		{"SHUTOFF", "powering-on", fleet.StatusStopped, "SHUTOFF/powering-on", retry.NotActedOn, retry.NotActedOn, nil},
		{"DELETED", "", fleet.StatusDeleted, "DELETED", retry.NotActedOn, retry.ActedOn, nil},
		{"ERROR", "", fleet.StatusError, "ERROR", retry.NotActedOn, retry.NotActedOn, nil},
		{"HIBERNATED", "", fleet.StatusUnknown, "HIBERNATED", retry.NotActedOn, retry.NotActedOn, nil},
		{"REBOOT", "", fleet.StatusUnknown, "REBOOT", retry.ActedOn, retry.NotActedOn, nil},
		{"BUILD", "", fleet.StatusUnknown, "BUILD", retry.NotActedOn, retry.NotActedOn, []string{"BUILD"}},
		{"ACTIVE", "defragmenting", fleet.StatusBusy, "ACTIVE/defragmenting", retry.NotActedOn, retry.NotActedOn, []string{"defragmenting"}},
		// Empty is not gone: a desktop being deleted may show it.
		{"", "", fleet.StatusUnknown, "", retry.NotActedOn, retry.ActedOn, []string{""}},
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
	if rebootDisposition(desktopState{}, false) != retry.NotActedOn || deleteDisposition(desktopState{}, false) != retry.ActedOn {
		t.Error("unlisted desktop: a reboot is resent, a delete was taken")
	}
}
