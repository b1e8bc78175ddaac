package alibaba

import (
	"strings"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// ECD's DesktopStatus values. There is no "Rebooting": a reboot shows as
// Stopping and Starting, then Running.
const (
	statusPending    = "Pending"
	statusStarting   = "Starting"
	statusRunning    = "Running"
	statusStopping   = "Stopping"
	statusStopped    = "Stopped"
	statusRebuilding = "Rebuilding"
	statusExpired    = "Expired"
	statusDeleted    = "Deleted"
)

// desktop is one desktop as DescribeDesktops reports it.
type desktop struct {
	ID     string `json:"DesktopId"`
	Name   string `json:"DesktopName"`
	Status string `json:"DesktopStatus"`
}

func (d desktop) is(status string) bool { return strings.EqualFold(d.Status, status) }

// fleetStatus maps DesktopStatus to the cloud-neutral status.
func fleetStatus(native string) fleet.Status {
	switch strings.ToLower(native) {
	case "pending":
		return fleet.StatusPending
	case "starting":
		return fleet.StatusStarting
	case "running":
		return fleet.StatusRunning
	case "stopping":
		return fleet.StatusStopping
	case "stopped":
		return fleet.StatusStopped
	case "rebuilding":
		return fleet.StatusBusy
	case "expired":
		return fleet.StatusExpired
	case "deleted":
		return fleet.StatusDeleted
	}
	return fleet.StatusUnknown
}

// gone reports a desktop that no longer exists as far as users are
// concerned: not listed, or listed as Deleted.
func gone(d desktop, listed bool) bool { return !listed || d.is(statusDeleted) }

// rebooting reports a reboot in progress.
func rebooting(d desktop) bool { return d.is(statusStopping) || d.is(statusStarting) }
