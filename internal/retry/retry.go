// Package retry is the one retry policy both cloud clients use: exponential
// backoff with jitter and a cap, bounded by max_retries, honouring a server's
// retry hint, and retrying only what fleet.CloudError marks as transient.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// DefaultMaxRetries is the provider's max_retries when it is not set. A
// Policy's MaxRetries of zero means no retries, not this.
const DefaultMaxRetries = 5

// Delays used where a Policy's field is zero.
const (
	DefaultBaseDelay = time.Second
	DefaultMaxDelay  = 30 * time.Second
)

// Policy decides how often and how long to wait between attempts.
type Policy struct {
	// MaxRetries is how many times a call is retried after its first
	// attempt; 0 means never.
	MaxRetries int
	// BaseDelay is the wait before the first retry; it doubles each retry.
	BaseDelay time.Duration
	// MaxDelay caps every wait, server hints included.
	MaxDelay time.Duration
}

// Backoff is the wait before retry number attempt (1-based): BaseDelay
// doubled per attempt, capped at MaxDelay, with "equal jitter" so that many
// callers throttled at once do not come back in step.
func (p Policy) Backoff(attempt int) time.Duration {
	base, ceiling := p.BaseDelay, p.MaxDelay
	if base <= 0 {
		base = DefaultBaseDelay
	}
	if ceiling <= 0 {
		ceiling = DefaultMaxDelay
	}
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	if d > ceiling {
		d = ceiling
	}
	half := d / 2
	return half + rand.N(half+1)
}

// Do calls fn until it succeeds, fails with an error that is not retryable,
// has been retried MaxRetries times, or ctx ends. The error of the last
// attempt is returned.
func (p Policy) Do(ctx context.Context, operation string, fn func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var ce *fleet.CloudError
		if !errors.As(err, &ce) || !ce.Retryable || attempt >= p.MaxRetries {
			return err
		}
		wait := p.Backoff(attempt + 1)
		if ce.RetryAfter > 0 {
			wait = min(ce.RetryAfter, p.maxDelay())
		}
		tflog.Warn(ctx, "retrying cloud call", map[string]any{
			"operation":  operation,
			"attempt":    attempt + 1,
			"of":         p.MaxRetries,
			"wait":       wait.String(),
			"request_id": ce.RequestID,
			"error":      ce.Brief(),
		})
		if werr := Sleep(ctx, wait); werr != nil {
			return err
		}
	}
}

func (p Policy) maxDelay() time.Duration {
	if p.MaxDelay <= 0 {
		return DefaultMaxDelay
	}
	return p.MaxDelay
}

// Sleep waits for d or until ctx ends, whichever is first, and returns
// ctx's error in the latter case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
