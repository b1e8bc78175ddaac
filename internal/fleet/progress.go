package fleet

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// ProgressEvery bounds how often an operation reports its progress: at
// most one line per interval, besides the first and the last batch sent
// and the wait's end, however many batches and wait rounds there are (a
// 10,000-desktop reboot makes a hundred calls and many more reads).
const ProgressEvery = 5 * time.Second

// progress counts what one operation over a fleet has done, for a person
// watching a long apply. The cloud packages report through NoteSent and
// NoteSettled; it logs at INFO and passes each line to the sink an action
// set with WithProgressSink.
type progress struct {
	operation string
	total     int
	batches   int
	every     time.Duration
	sink      func(string)
	now       func() time.Time

	mu sync.Mutex
	// batchSeen marks the batches that have reported a call: a batch
	// whose send was ambiguous reports again when it resends the rest,
	// and counts once.
	batchSeen   map[int]bool
	batchesSent int
	sent        int
	settled     int
	last        time.Time
}

// progressClock is the clock progress is timed by; tests move their own.
var progressClock = time.Now

type progressKey struct{}
type batchKey struct{}
type sinkKey struct{}

// WithProgressSink makes operations run under ctx pass each progress line
// to sink as well as to the log (a Terraform action's SendProgress).
func WithProgressSink(ctx context.Context, sink func(message string)) context.Context {
	return context.WithValue(ctx, sinkKey{}, sink)
}

// NoteSent records that the API accepted a call for n desktops of the
// batch under ctx.
func NoteSent(ctx context.Context, n int, requestID string) {
	p, _ := ctx.Value(progressKey{}).(*progress)
	if p == nil {
		return
	}
	seq, _ := ctx.Value(batchKey{}).(int)
	p.mu.Lock()
	first := !p.batchSeen[seq]
	if first {
		p.batchSeen[seq] = true
		p.batchesSent++
	}
	p.sent += n
	line := fmt.Sprintf("%s: batch %d/%d sent: %d desktops", p.operation, seq+1, p.batches, n)
	if requestID != "" {
		line += " (request " + requestID + ")"
	}
	p.emitLocked(ctx, line, first && (p.batchesSent == 1 || p.batchesSent == p.batches))
	p.mu.Unlock()
}

// NoteSettled records, after a wait round, how many more desktops the
// action has finished with (done or failed).
func NoteSettled(ctx context.Context, n int) {
	p, _ := ctx.Value(progressKey{}).(*progress)
	if p == nil || n == 0 {
		return
	}
	p.mu.Lock()
	p.settled += n
	line := fmt.Sprintf("%s: %d/%d desktops finished, %d in progress", p.operation, p.settled, p.total, max(p.sent-p.settled, 0))
	p.emitLocked(ctx, line, p.settled >= p.total)
	p.mu.Unlock()
}

// emitLocked logs line unless one was logged less than every ago.
func (p *progress) emitLocked(ctx context.Context, line string, always bool) {
	now := p.now()
	if !always && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	tflog.Info(ctx, line, map[string]any{"sent": p.sent, "finished": p.settled, "total": p.total})
	if p.sink != nil {
		p.sink(line)
	}
}

// startProgress puts the progress of an operation of total desktops in
// batches into ctx.
func startProgress(ctx context.Context, operation string, total, batches int) (context.Context, *progress) {
	sink, _ := ctx.Value(sinkKey{}).(func(string))
	p := &progress{operation: operation, total: total, batches: batches, every: ProgressEvery, sink: sink, now: progressClock,
		batchSeen: make(map[int]bool, batches)}
	return context.WithValue(ctx, progressKey{}, p), p
}

// withBatch tells NoteSent which batch a call belongs to.
func withBatch(ctx context.Context, seq int) context.Context {
	return context.WithValue(ctx, batchKey{}, seq)
}
