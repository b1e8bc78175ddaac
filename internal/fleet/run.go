package fleet

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// Report is what came of one logical operation over a whole fleet.
type Report struct {
	// RequestIDs lists every request ID, batch by batch in batch order.
	RequestIDs []string
	// Done lists the desktops the action completed for, sorted.
	Done []string
	// Failed lists the desktops the action failed for, sorted by ID.
	Failed []DesktopFailure
	// NotProcessed lists the desktops never acted on or left unaccounted
	// for because ctx ended (cancelled apply, expired timeout), sorted.
	NotProcessed []string
}

// Run splits ids into batches of action.MaxBatch, hands them to action,
// and gathers the outcomes; at most concurrency API calls are in flight at
// once, whichever batches they serve (call_slots.go), and batches are
// admitted in order as slots come free. Duplicate IDs are acted on once.
// IDs are sorted first, so batch composition (and with it each batch's
// token) does not depend on the order Terraform hands over a set.
// token(seq) gives batch seq its idempotence token.
//
// Once ctx ends no further batch is started; desktops of unstarted batches
// and desktops an interrupted batch did not account for are NotProcessed.
func Run(ctx context.Context, ids []string, action BatchAction, concurrency int, token func(seq int) string) Report {
	batches := Split(ids, action.MaxBatch(), token)
	if concurrency < 1 {
		concurrency = 1
	}
	total := 0
	for _, b := range batches {
		total += len(b.DesktopIDs)
	}
	operation := "operation"
	if named, ok := action.(interface{ Operation() string }); ok {
		operation = named.Operation()
	}
	ctx, _ = startProgress(ctx, operation, total, len(batches))
	ctx, slots := withCallSlots(ctx, concurrency)
	outcomes := make([]Outcome, len(batches))
	started := make([]bool, len(batches))

	var wg sync.WaitGroup
	for i := range batches {
		// The slot for the batch's first call: a batch starts only when
		// it can call, and none once ctx has ended.
		if slots.take(ctx) != nil {
			break
		}
		started[i] = true
		wg.Go(func() {
			batchCtx, admitted := admit(withBatch(ctx, i))
			outcomes[i] = action.Act(batchCtx, batches[i])
			if admitted.held.CompareAndSwap(true, false) {
				slots.give() // Act made no call
			}
		})
	}
	wg.Wait()

	return gather(batches, outcomes, started)
}

func gather(batches []Batch, outcomes []Outcome, started []bool) Report {
	var r Report
	for i, b := range batches {
		if !started[i] {
			r.NotProcessed = append(r.NotProcessed, b.DesktopIDs...)
			continue
		}
		o := outcomes[i]
		r.RequestIDs = append(r.RequestIDs, o.RequestIDs...)
		accounted := make(map[string]bool, len(b.DesktopIDs))
		for _, id := range o.Done {
			if !accounted[id] {
				accounted[id] = true
				r.Done = append(r.Done, id)
			}
		}
		for _, f := range o.Failed {
			if !accounted[f.DesktopID] {
				accounted[f.DesktopID] = true
				r.Failed = append(r.Failed, f)
			}
		}
		for _, id := range b.DesktopIDs {
			if !accounted[id] {
				r.NotProcessed = append(r.NotProcessed, id)
			}
		}
	}
	slices.Sort(r.Done)
	slices.Sort(r.NotProcessed)
	slices.SortFunc(r.Failed, func(a, b DesktopFailure) int { return strings.Compare(a.DesktopID, b.DesktopID) })
	return r
}

// Split sorts and de-duplicates ids and cuts them into batches of at most
// size desktops.
func Split(ids []string, size int, token func(seq int) string) []Batch {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	if size < 1 {
		size = 1
	}
	var batches []Batch
	for seq := 0; len(sorted) > 0; seq++ {
		n := min(size, len(sorted))
		b := Batch{Seq: seq, DesktopIDs: sorted[:n:n]}
		if token != nil {
			b.Token = token(seq)
		}
		batches = append(batches, b)
		sorted = sorted[n:]
	}
	return batches
}

// Remaining lists the desktops that an operation did not finish: the
// failed ones and those never processed, sorted.
func (r Report) Remaining() []string {
	out := slices.Clone(r.NotProcessed)
	for _, f := range r.Failed {
		out = append(out, f.DesktopID)
	}
	slices.Sort(out)
	return out
}
