package retry

import (
	"context"
	"time"
)

// Poller waits for a condition with a growing interval: Interval after the
// first check, doubling up to MaxInterval.
type Poller struct {
	Interval    time.Duration
	MaxInterval time.Duration
}

// Until calls check until it reports done, returns an error, or ctx ends
// (in which case ctx's error is returned). check runs once at once.
func (p Poller) Until(ctx context.Context, check func(ctx context.Context) (done bool, err error)) error {
	next := p.waits()
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if err := Sleep(ctx, next()); err != nil {
			return err
		}
	}
}

// waits returns the successive waits between checks: Interval (5s when
// unset), doubling each time up to MaxInterval, so that a long wait on the
// cloud costs few calls.
func (p Poller) waits() func() time.Duration {
	interval := p.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	ceiling := max(p.MaxInterval, interval)
	return func() time.Duration {
		d := interval
		interval = min(interval*2, ceiling)
		return d
	}
}

// Deletion is what every cloud's delete takes besides its API's own flags.
type Deletion struct {
	// Wait makes the delete return only once the cloud shows each desktop
	// gone (or its deletion failed).
	Wait bool
	// FailMissing (ignore_missing = false) makes a desktop that does not
	// exist a failure; by default it counts as deleted.
	FailMissing bool
	Poll        Poller
}
