package fleet

import "time"

// DefaultRebootSettle is how long a desktop that was never seen rebooting
// must keep reading up (running and idle) after its reboot call before it
// counts as rebooted.
const DefaultRebootSettle = 20 * time.Second

// RebootSign is what one read of a desktop says about the reboot sent to it.
type RebootSign int

const (
	// SignUp is running and idle: back from the reboot, or before a reboot
	// that does not show yet.
	SignUp RebootSign = iota
	// SignRebooting is a state the cloud shows while a reboot runs
	// (Alibaba Stopping or Starting; Huawei task_status rebooting and kin,
	// or status REBOOT).
	SignRebooting
	// SignOther is anything else: another task, stopped, a word not known.
	// The desktop is not back yet.
	SignOther
)

// RebootWatch decides, read by read, when rebooted desktops are back. It is
// the one place that says what "rebooted" means, for every cloud.
//
// A cloud's status lags its reboot call: read straight after the call, a
// desktop may still show running and idle because the reboot has not
// started (the huaweicloud provider waits 10 s after a power action and
// then needs two idle reads in a row for that reason). So a desktop counts
// as rebooted
//
//   - once it was seen rebooting, on the first read that shows it up again;
//   - or, never seen rebooting, once it has read up at least twice in a row
//     and the last of those reads came at least the settle window after the
//     reboot call (a reboot quicker than the poll interval shows no
//     rebooting state at all).
//
// It is not safe for concurrent use; each batch has its own.
type RebootWatch struct {
	sent   time.Time
	settle time.Duration
	seen   map[string]bool // seen rebooting
	upRun  map[string]int  // reads in a row that showed the desktop up
}

// NewRebootWatch watches desktops whose reboot call was answered at sent.
// settle zero means DefaultRebootSettle. Desktops in seenRebooting were
// already seen rebooting (a read-back after an ambiguous failure).
func NewRebootWatch(sent time.Time, settle time.Duration, seenRebooting []string) *RebootWatch {
	if settle <= 0 {
		settle = DefaultRebootSettle
	}
	w := &RebootWatch{sent: sent, settle: settle, seen: map[string]bool{}, upRun: map[string]int{}}
	for _, id := range seenRebooting {
		w.seen[id] = true
	}
	return w
}

// Observe records one read of desktop id, sent at at (what it returned is
// at least that recent, so the settle window is never cut short by a slow
// answer), and reports whether the desktop is now back from its reboot.
func (w *RebootWatch) Observe(id string, sign RebootSign, at time.Time) (rebooted bool) {
	switch sign {
	case SignRebooting:
		w.seen[id], w.upRun[id] = true, 0
		return false
	case SignUp:
		w.upRun[id]++
		return w.seen[id] || (w.upRun[id] >= 2 && at.Sub(w.sent) >= w.settle)
	}
	w.upRun[id] = 0
	return false
}
