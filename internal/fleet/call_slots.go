package fleet

import (
	"context"
	"sync/atomic"
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

// callSlots are the places of one operation's calls in flight.
type callSlots chan struct{}

// admission is the slot a batch was admitted with, until its first call
// takes it (or Act returns without a call and Run gives it back).
type admission struct{ held atomic.Bool }

func withCallSlots(ctx context.Context, n int) (context.Context, callSlots) {
	slots := make(callSlots, n)
	return context.WithValue(ctx, slotsKey{}, slots), slots
}

// take waits for a free slot, or returns ctx's error once ctx ends.
func (s callSlots) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	// select picks at random among ready cases: a slot taken as ctx
	// ended goes back.
	if err := ctx.Err(); err != nil {
		<-s
		return err
	}
	return nil
}

func (s callSlots) give() { <-s }

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
	slots, _ := ctx.Value(slotsKey{}).(callSlots)
	if slots == nil {
		return func() {}, ctx.Err()
	}
	if a, _ := ctx.Value(admittedKey{}).(*admission); a != nil && a.held.CompareAndSwap(true, false) {
		if err := ctx.Err(); err != nil {
			slots.give()
			return nil, err
		}
		return slots.give, nil
	}
	if err := slots.take(ctx); err != nil {
		return nil, err
	}
	return slots.give, nil
}
