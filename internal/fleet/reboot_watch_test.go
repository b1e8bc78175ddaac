package fleet

import (
	"testing"
	"time"
)

func TestRebootWatch(t *testing.T) {
	const settle = 20 * time.Second
	type read struct {
		after time.Duration // since the reboot call
		sign  RebootSign
	}
	up, rebooting, other := SignUp, SignRebooting, SignOther
	tests := []struct {
		name      string
		seenFirst bool   // seen rebooting by a read-back before the watch
		reads     []read // in order
		doneAt    int    // index of the read that counts it rebooted; -1 never
	}{
		{"seen rebooting, then up", false, []read{{0, rebooting}, {5 * time.Second, up}}, 1},
		{"seen rebooting at once counts the first up read", false, []read{{0, rebooting}, {time.Second, rebooting}, {2 * time.Second, up}}, 2},
		{"read-back saw it rebooting", true, []read{{0, up}}, 0},
		{"idle on the second read is not enough", false, []read{{0, up}, {5 * time.Second, up}, {15 * time.Second, up}}, -1},
		{"idle across the settle window, two reads", false, []read{{0, up}, {5 * time.Second, up}, {20 * time.Second, up}}, 2},
		{"one read past the window is not two", false, []read{{25 * time.Second, up}, {26 * time.Second, up}}, 1},
		{"a single late read is not enough", false, []read{{25 * time.Second, up}}, -1},
		{"another state breaks the idle run", false, []read{{0, up}, {19 * time.Second, up}, {20 * time.Second, other}, {21 * time.Second, up}, {22 * time.Second, up}}, 4},
		{"never back", false, []read{{0, rebooting}, {30 * time.Second, other}, {60 * time.Second, rebooting}}, -1},
	}
	sent := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []string
			if tt.seenFirst {
				seen = []string{"d"}
			}
			w := NewRebootWatch(sent, settle, seen)
			got := -1
			for i, r := range tt.reads {
				if w.Observe("d", r.sign, sent.Add(r.after)) && got < 0 {
					got = i
				}
			}
			if got != tt.doneAt {
				t.Errorf("rebooted at read %d, want %d", got, tt.doneAt)
			}
		})
	}
}

func TestRebootWatchDefaultSettle(t *testing.T) {
	sent := time.Now()
	w := NewRebootWatch(sent, 0, nil)
	w.Observe("d", SignUp, sent)
	if w.Observe("d", SignUp, sent.Add(DefaultRebootSettle-time.Millisecond)) {
		t.Error("counted rebooted before the default settle window")
	}
	if !w.Observe("d", SignUp, sent.Add(DefaultRebootSettle)) {
		t.Error("not rebooted after the default settle window")
	}
}
