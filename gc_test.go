package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestGCFloor: the heap may grow to the floor before it is collected, and
// once the live heap needs more than half the floor the process collects
// as GOGC=100 to the end, without switching back.
func TestGCFloor(t *testing.T) {
	const floor = 40 << 20
	tests := []struct {
		name   string
		lives  []uint64 // live heap after each collection
		want   []string // the settings made, in order
		normal bool
	}{
		{"small fleet: the floor stays", []uint64{1 << 20, 15 << 20, 19 << 20}, []string{"limit 41943040", "gogc -1"}, false},
		{"large fleet: GOGC=100 from half the floor on", []uint64{5 << 20, 20 << 20},
			[]string{"limit 41943040", "gogc -1", "gogc 100", "limit 9223372036854775807"}, true},
		{"and stays so when the heap shrinks", []uint64{30 << 20, 1 << 20, 25 << 20},
			[]string{"limit 41943040", "gogc -1", "gogc 100", "limit 9223372036854775807"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			g := &gcFloor{floor: floor,
				setPercent: func(p int) int { got = append(got, "gogc "+strconv.Itoa(p)); return 100 },
				setLimit:   func(l int64) int64 { got = append(got, "limit "+strconv.FormatInt(l, 10)); return math.MaxInt64 },
			}
			g.start()
			for _, live := range tt.lives {
				g.observe(live)
			}
			if !slices.Equal(got, tt.want) || g.normal != tt.normal {
				t.Errorf("settings %q (normal %v), want %q (normal %v)", got, g.normal, tt.want, tt.normal)
			}
		})
	}
}

// TestTuneGCLeavesTheUsersSettings: GOGC or GOMEMLIMIT set by the user
// means the collector is theirs to tune.
func TestTuneGCLeavesTheUsersSettings(t *testing.T) {
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		before := readGCPercent()
		tuneGC(func(k string) string {
			if k == name {
				return "200"
			}
			return ""
		})
		if after := readGCPercent(); after != before {
			t.Errorf("with %s set, GOGC changed from %d to %d", name, before, after)
		}
	}
}

func readGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestAfterEachGC: the hook runs after every collection, not once.
func TestAfterEachGC(t *testing.T) {
	ran := make(chan struct{}, 16)
	afterEachGC(func() {
		select {
		case ran <- struct{}{}:
		default:
		}
	})
	for i := range 3 {
		runtime.GC()
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatalf("no call after collection %d", i+1)
		}
	}
}
