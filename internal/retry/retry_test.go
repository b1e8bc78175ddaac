package retry

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

var fast = Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}

func TestDo(t *testing.T) {
	transient := &fleet.CloudError{Cloud: "c", Operation: "Op", Code: "Throttling.User", Retryable: true}
	permanent := &fleet.CloudError{Cloud: "c", Operation: "Op", HTTPStatus: 403, Code: "Forbidden"}
	plain := errors.New("not a cloud error")
	tests := []struct {
		name      string
		errs      []error // returned by successive attempts; nil = success
		wantCalls int
		wantErr   error
	}{
		{"success first time", []error{nil}, 1, nil},
		{"transient then success", []error{transient, transient, nil}, 3, nil},
		{"permanent is not retried", []error{permanent, nil}, 1, permanent},
		{"plain errors are not retried", []error{plain, nil}, 1, plain},
		{"gives up after MaxRetries", []error{transient, transient, transient, transient, nil}, 4, transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := fast.Do(context.Background(), "Op", func(_ context.Context) error {
				calls++
				return tt.errs[calls-1]
			})
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDoZeroRetriesCallsOnce(t *testing.T) {
	calls := 0
	err := Policy{}.Do(context.Background(), "Op", func(context.Context) error {
		calls++
		return &fleet.CloudError{Retryable: true}
	})
	if calls != 1 || err == nil {
		t.Fatalf("calls = %d, err = %v", calls, err)
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	p := Policy{MaxRetries: 10, BaseDelay: time.Hour, MaxDelay: time.Hour}
	err := p.Do(ctx, "Op", func(context.Context) error {
		calls++
		cancel() // the wait that follows must end at once
		return &fleet.CloudError{Code: "Throttling", Retryable: true}
	})
	if calls != 1 || err == nil {
		t.Fatalf("calls = %d, err = %v", calls, err)
	}
}

func TestDoHonoursRetryHintCappedAtMaxDelay(t *testing.T) {
	// A one-hour hint must be capped at MaxDelay, or this test would hang.
	calls := 0
	err := fast.Do(context.Background(), "Op", func(context.Context) error {
		calls++
		if calls == 1 {
			return &fleet.CloudError{Retryable: true, RetryAfter: time.Hour}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("calls = %d, err = %v", calls, err)
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 200 * time.Millisecond, 400 * time.Millisecond},
		{5, 500 * time.Millisecond, time.Second},
		{60, 500 * time.Millisecond, time.Second},
	}
	for _, tt := range tests {
		for range 200 {
			if d := p.Backoff(tt.attempt); d < tt.min || d > tt.max {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestPollerUntil(t *testing.T) {
	checks := 0
	err := Poller{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond}.Until(context.Background(), func(context.Context) (bool, error) {
		checks++
		return checks == 4, nil
	})
	if err != nil || checks != 4 {
		t.Fatalf("checks = %d, err = %v", checks, err)
	}

	boom := errors.New("boom")
	err = Poller{Interval: time.Millisecond}.Until(context.Background(), func(context.Context) (bool, error) { return false, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	err = Poller{Interval: time.Hour}.Until(ctx, func(context.Context) (bool, error) { cancel(); return false, nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestPollerBacksOff: the wait between checks starts at Interval and
// doubles up to MaxInterval, so a long deletion costs few status reads.
func TestPollerBacksOff(t *testing.T) {
	tests := []struct {
		name string
		p    Poller
		want []time.Duration
	}{
		{"doubles to the cap", Poller{Interval: time.Second, MaxInterval: 5 * time.Second},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}},
		{"defaults", Poller{MaxInterval: 30 * time.Second},
			[]time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second}},
		{"cap below the interval", Poller{Interval: 3 * time.Second, MaxInterval: time.Second},
			[]time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := tt.p.waits()
			for i, want := range tt.want {
				if got := next(); got != want {
					t.Fatalf("wait %d = %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

// TestDoWaitsWhatTheServerAsks: a retry hint replaces the backoff (within
// MaxDelay). The wait is read from the retry log line, not timed.
func TestDoWaitsWhatTheServerAsks(t *testing.T) {
	tests := []struct {
		name string
		hint time.Duration
		want string
	}{
		{"hint within the cap", 20 * time.Millisecond, "20ms"},
		{"hint above the cap", time.Hour, "50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			p := Policy{MaxRetries: 1, BaseDelay: time.Microsecond, MaxDelay: 50 * time.Millisecond}
			calls := 0
			err := p.Do(ctx, "Op", func(context.Context) error {
				calls++
				if calls == 1 {
					return &fleet.CloudError{Retryable: true, RetryAfter: tt.hint, RequestID: "req-1"}
				}
				return nil
			})
			if err != nil || calls != 2 {
				t.Fatalf("calls = %d, err = %v", calls, err)
			}
			lines, err := tflogtest.MultilineJSONDecode(&buf)
			if err != nil || len(lines) != 1 {
				t.Fatalf("log %v, %v; want one retry line", lines, err)
			}
			if got := lines[0]["wait"]; got != tt.want {
				t.Errorf("wait = %v, want %s (backoff alone would be about 1µs)", got, tt.want)
			}
		})
	}
}
