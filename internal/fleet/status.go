package fleet

// Status is a desktop's state in words shared by every cloud.
type Status string

const (
	StatusPending  Status = "pending"
	StatusStarting Status = "starting"
	StatusRunning  Status = "running"
	StatusStopping Status = "stopping"
	StatusStopped  Status = "stopped"
	StatusBusy     Status = "busy" // a task (reboot, rebuild, ...) is in progress
	StatusExpired  Status = "expired"
	StatusDeleted  Status = "deleted"
	StatusError    Status = "error"
	StatusUnknown  Status = "unknown"
)

// AllStatuses lists every Status, for validators and documentation.
var AllStatuses = []Status{
	StatusPending, StatusStarting, StatusRunning, StatusStopping, StatusStopped,
	StatusBusy, StatusExpired, StatusDeleted, StatusError, StatusUnknown,
}
