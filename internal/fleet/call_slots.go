package fleet

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// max_concurrency bounds the API calls of one operation in flight, not its
// batches. A batch that waits for its desktops sleeps between reads most
// of the time; were it to keep its place meanwhile, a fleet would be acted
// on max_concurrency batches at a time, each for as long as its desktops
// take: at 10,000 desktops, 4 at a time and a reboot of a minute, 25
// minutes instead of one. So Run hands each batch to Act at once, in batch
// order as slots come free, and every API call a client makes takes a slot
// for as long as it is in flight (AcquireCall). The slot that admitted a
// batch is its first call's, so batches still start in order and a stopped
// operation starts no further batch.

type slotsKey struct{}
type admittedKey struct{}

// callSlots are the places of one operation's calls in flight, and the
// time before which none may start.
type callSlots struct {
	places chan struct{}

	mu     sync.Mutex
	resume time.Time // PauseCalls
}

// admission is the slot a batch was admitted with, until its first call
// takes it (or Act returns without a call and Run gives it back).
type admission struct{ held atomic.Bool }

func withCallSlots(ctx context.Context, n int) (context.Context, *callSlots) {
	slots := &callSlots{places: make(chan struct{}, n)}
	return context.WithValue(ctx, slotsKey{}, slots), slots
}

// take waits for a free slot, or returns ctx's error once ctx ends.
func (s *callSlots) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.places <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	// select picks at random among ready cases: a slot taken as ctx
	// ended goes back.
	if err := ctx.Err(); err != nil {
		<-s.places
		return err
	}
	return nil
}

func (s *callSlots) give() { <-s.places }

// paused waits until no pause holds calls back, or returns ctx's error
// once ctx ends. A pause may grow while it is waited out.
func (s *callSlots) paused(ctx context.Context) error {
	for {
		s.mu.Lock()
		wait := time.Until(s.resume)
		s.mu.Unlock()
		if wait <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// PauseCalls holds back every call of the operation that has not started
// for d from now: the cloud answered one of them that the account is over
// its rate (throttling), and the other batches' calls, each free to take a
// place, would only be throttled in turn and spend their retries. The call
// that was throttled waits as long before its retry. Outside Run it does
// nothing.
func PauseCalls(ctx context.Context, d time.Duration) {
	slots, _ := ctx.Value(slotsKey{}).(*callSlots)
	if slots == nil || d <= 0 {
		return
	}
	until := time.Now().Add(d)
	slots.mu.Lock()
	if until.After(slots.resume) {
		slots.resume = until
	}
	slots.mu.Unlock()
}

// admit gives batch's context the slot Run took to admit it.
func admit(ctx context.Context) (context.Context, *admission) {
	a := &admission{}
	a.held.Store(true)
	return context.WithValue(ctx, admittedKey{}, a), a
}

// AcquireCall waits until one more of the operation's API calls may be in
// flight and returns the function that ends its turn, to be called once the
// call is over (its response read or its error known). It returns ctx's
// error instead, taking no slot, when ctx ends first. Outside Run there is
// no limit. A call must not acquire while it holds a slot.
func AcquireCall(ctx context.Context) (release func(), err error) {
	slots, _ := ctx.Value(slotsKey{}).(*callSlots)
	if slots == nil {
		return func() {}, ctx.Err()
	}
	if a, _ := ctx.Value(admittedKey{}).(*admission); a != nil && a.held.CompareAndSwap(true, false) {
		if err := slots.paused(ctx); err != nil {
			slots.give()
			return nil, err
		}
		return slots.give, nil
	}
	if err := slots.paused(ctx); err != nil {
		return nil, err
	}
	if err := slots.take(ctx); err != nil {
		return nil, err
	}
	return slots.give, nil
}
