package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The provider process is short-lived and most of what it allocates is
// terraform-plugin-framework decoding the same desktop_ids list again and
// again (every RPC decodes configuration, plan and state, walking each
// element with a schema lookup). With Go's default GOGC=100 the collector
// runs whenever the heap doubles, which for a heap of a few MiB is all the
// time: a quarter of the CPU of a 10,000-desktop apply went to garbage
// collection. So the heap may grow to a floor before it is collected (a
// memory limit with GOGC off); once the live heap needs more than half of
// it, the process collects as GOGC=100 would, to the end. That makes the
// floor a floor on the heap goal, where GOMEMLIMIT alone is a ceiling: a
// 50,000-desktop fleet's live heap passes it and the collector then runs
// without pause (measured: 2.5 times the CPU). Measured at 10,000 desktops:
// provider CPU 2.3 s -> 1.75 s, peak RSS 55 -> 56 MiB; at 50,000 no change
// in CPU. A GOGC or GOMEMLIMIT the user set is left in charge.
const gcFloorBytes = 40 << 20

// tuneGC applies the floor unless the user tuned the collector.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	t := &gcFloor{floor: gcFloorBytes, setPercent: debug.SetGCPercent, setLimit: debug.SetMemoryLimit}
	t.start()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	afterEachGC(func() {
		metrics.Read(live)
		if live[0].Value.Kind() == metrics.KindUint64 {
			t.observe(live[0].Value.Uint64())
		}
	})
}

// gcFloor is the policy, apart from the runtime so that it can be tested.
type gcFloor struct {
	floor      uint64
	normal     bool // collecting as GOGC=100
	setPercent func(int) int
	setLimit   func(int64) int64
}

func (g *gcFloor) start() {
	g.setLimit(int64(g.floor))
	g.setPercent(-1)
}

// observe is told the live heap after each collection. Once it has needed
// more than half the floor the fleet is a large one; switching back with
// every RPC would collect at the floor while the live heap nears it.
func (g *gcFloor) observe(live uint64) {
	if g.normal || live*2 < g.floor {
		return
	}
	g.normal = true
	g.setPercent(100)
	g.setLimit(math.MaxInt64)
}

// afterEachGC runs f on the finalizer goroutine after every garbage
// collection: a finalizer on an object nothing references runs once the
// collection that found it unreferenced is over, and then re-arms itself.
func afterEachGC(f func()) {
	type sentinel struct{ _ [16]byte } // not a tiny allocation, which may share a block and never be finalized
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) { f(); arm() })
	}
	arm()
}
