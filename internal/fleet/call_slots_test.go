package fleet

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// callingAction makes calls calls per batch through AcquireCall, the way
// the cloud clients do, and records what it sees: the most calls in flight
// at once and the order of each batch's first call. Batch 0, after its
// first call, waits for its desktops (like a reboot that waits) until
// every other batch has made its first call.
type callingAction struct {
	calls     int
	othersIn  chan struct{} // closed once every batch but 0 has called
	batches   int
	mu        sync.Mutex
	inFlight  int
	most      int
	firstCall []int
	waitedOut bool // batch 0 gave up waiting
}

func (a *callingAction) MaxBatch() int { return 1 }

func (a *callingAction) call(ctx context.Context, b Batch, n int) error {
	release, err := AcquireCall(ctx)
	if err != nil {
		return err
	}
	defer release()
	a.mu.Lock()
	a.inFlight++
	a.most = max(a.most, a.inFlight)
	if n == 0 {
		a.firstCall = append(a.firstCall, b.Seq)
		if len(a.firstCall) == a.batches && a.othersIn != nil {
			close(a.othersIn)
		}
	}
	a.mu.Unlock()
	runtime.Gosched() // the call is in flight: let others in
	a.mu.Lock()
	a.inFlight--
	a.mu.Unlock()
	return nil
}

func (a *callingAction) Act(ctx context.Context, b Batch) Outcome {
	for n := range a.calls {
		if err := a.call(ctx, b, n); err != nil {
			return Outcome{}
		}
		if b.Seq == 0 && n == 0 && a.othersIn != nil {
			select {
			case <-a.othersIn:
			case <-time.After(10 * time.Second): // a failure detector, not a wait for an event
				a.mu.Lock()
				a.waitedOut = true
				a.mu.Unlock()
			}
		}
	}
	return Outcome{Done: b.DesktopIDs}
}

// TestWaitingBatchHoldsNoSlot: max_concurrency bounds calls in flight, not
// batches. A batch waiting for its desktops between reads holds no place,
// so with one call at a time the other batches are all sent meanwhile.
// (When a waiting batch kept its place, a fleet was rebooted four batches
// at a time, each for as long as its desktops took to come back.)
func TestWaitingBatchHoldsNoSlot(t *testing.T) {
	a := &callingAction{calls: 3, batches: 5, othersIn: make(chan struct{})}
	r := Run(context.Background(), ids(5), a, 1, nil)
	if a.waitedOut {
		t.Fatalf("batch 0 waited 10 s and the other batches were not sent meanwhile (first calls %v)", a.firstCall)
	}
	if len(r.Done) != 5 {
		t.Fatalf("done %v, want all 5", r.Done)
	}
	if a.most != 1 {
		t.Errorf("%d calls in flight at once, want at most 1", a.most)
	}
}

// TestRunBoundsCallsInFlight: however many batches are under way, no more
// than concurrency calls are in flight, and batches make their first calls
// in batch order.
func TestRunBoundsCallsInFlight(t *testing.T) {
	for _, concurrency := range []int{1, 3, 8} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			a := &callingAction{calls: 4, batches: 40}
			r := Run(context.Background(), ids(40), a, concurrency, nil)
			if len(r.Done) != 40 {
				t.Fatalf("done %d, want 40", len(r.Done))
			}
			if a.most > concurrency {
				t.Errorf("%d calls in flight at once, want at most %d", a.most, concurrency)
			}
			if concurrency == 1 && !slices.IsSorted(a.firstCall) {
				t.Errorf("first calls in order %v, want batch order", a.firstCall)
			}
		})
	}
}

// TestUrgentCallsGoFirst: a freed place goes to a waiting urgent call (the
// read-back after a call that may have been applied) before calls that
// queued earlier, then to the others in arrival order; a call that gives
// up waiting leaves the queue.
func TestUrgentCallsGoFirst(t *testing.T) {
	ctx, slots := withCallSlots(context.Background(), 1)
	if err := slots.take(ctx); err != nil { // the one place, in use
		t.Fatal(err)
	}
	queued := func(urgent, normal int) {
		for {
			slots.mu.Lock()
			u, n := len(slots.waiting[0]), len(slots.waiting[1])
			slots.mu.Unlock()
			if u == urgent && n == normal {
				return
			}
			runtime.Gosched()
		}
	}
	order := make(chan string, 3)
	wait := func(ctx context.Context, name string) {
		if err := slots.take(ctx); err != nil {
			order <- name + ": " + err.Error()
			return
		}
		order <- name
	}
	go wait(ctx, "routine 1")
	queued(0, 1)
	gaveUp, giveUp := context.WithCancel(ctx)
	go wait(gaveUp, "routine 2")
	queued(0, 2)
	go wait(Urgent(ctx), "read-back")
	queued(1, 2)
	giveUp()
	if got := <-order; got != "routine 2: context canceled" {
		t.Fatalf("%q, want routine 2 to give up", got)
	}
	queued(1, 1)
	var got []string
	for range 2 {
		slots.give()
		got = append(got, <-order)
	}
	if !slices.Equal(got, []string{"read-back", "routine 1"}) {
		t.Errorf("places went to %v, want the read-back first", got)
	}
	slots.give()
	if slots.free != 1 {
		t.Errorf("%d places free after every call ended, want 1", slots.free)
	}
}
