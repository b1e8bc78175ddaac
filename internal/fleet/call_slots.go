package fleet

import (
	"context"
	"slices"
	"sync"
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
type urgentKey struct{}

// callSlots are the places of one operation's calls in flight. A freed
// place goes to the longest-waiting urgent call, else to the
// longest-waiting call.
type callSlots struct {
	mu      sync.Mutex
	free    int
	waiting [2][]chan struct{} // [urgent, normal], each in arrival order
}

// admission is the slot a batch was admitted with, until its first call
// takes it (or Act returns without a call and Run gives it back).
type admission struct{ held atomic.Bool }

func withCallSlots(ctx context.Context, n int) (context.Context, *callSlots) {
	slots := &callSlots{free: n}
	return context.WithValue(ctx, slotsKey{}, slots), slots
}

// Urgent marks the calls made under ctx as ones that must not wait behind
// the operation's routine calls: the read-back after a call that may have
// been applied. Whether a reboot was applied shows only while the desktop
// reboots; a read that queued behind a fleet's polls could come after the
// reboot is over, see the desktop running, and send the reboot again.
func Urgent(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

// IsUrgent reports whether calls made under ctx are urgent (Urgent).
func IsUrgent(ctx context.Context) bool {
	urgent, _ := ctx.Value(urgentKey{}).(bool)
	return urgent
}

// take waits for a free slot, or returns ctx's error once ctx ends.
func (s *callSlots) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	queue := 1
	if IsUrgent(ctx) {
		queue = 0
	}
	s.mu.Lock()
	if s.free > 0 { // give hands a slot to a waiting call first: free means no one waits
		s.free--
		s.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	s.waiting[queue] = append(s.waiting[queue], turn)
	s.mu.Unlock()
	select {
	case <-turn:
		// select picks at random among ready cases: a slot handed over
		// as ctx ended goes on.
		if err := ctx.Err(); err != nil {
			s.give()
			return err
		}
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		if i := slices.Index(s.waiting[queue], turn); i >= 0 {
			s.waiting[queue] = slices.Delete(s.waiting[queue], i, i+1)
			s.mu.Unlock()
			return ctx.Err()
		}
		s.mu.Unlock()
		// The slot was handed over as ctx ended: pass it on.
		<-turn
		s.give()
		return ctx.Err()
	}
}

// give frees a slot: it goes to the first waiting call, urgent ones first.
func (s *callSlots) give() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for q := range s.waiting {
		if len(s.waiting[q]) > 0 {
			turn := s.waiting[q][0]
			s.waiting[q] = s.waiting[q][1:]
			close(turn)
			return
		}
	}
	s.free++
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
