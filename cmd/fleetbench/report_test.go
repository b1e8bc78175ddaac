package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFloor: the API floor is ceil(N/batch) calls in rounds of
// max_concurrency, each round taking the latency.
func TestFloor(t *testing.T) {
	o := &options{latency: 50 * time.Millisecond, concurrency: 4}
	tests := []struct {
		desktops, batch int
		floorCall       bool
		want            time.Duration
		twoCalls        time.Duration // with two calls per batch
	}{
		{10000, 100, true, 1250 * time.Millisecond, 2500 * time.Millisecond}, // 100 calls, 25 rounds; 200, 50
		{1000, 100, true, 150 * time.Millisecond, 250 * time.Millisecond},    // 10 calls, 3 rounds; 20, 5
		{1000, 1, true, 12500 * time.Millisecond, 25 * time.Second},          // one call per desktop
		{101, 100, true, 50 * time.Millisecond, 50 * time.Millisecond},       // 2 calls, one round; 4, one round
		{10000, 0, false, 0, 0}, // no API calls: no floor
	}
	for _, tt := range tests {
		r := result{row: &row{desktops: tt.desktops, batch: tt.batch, floorCall: tt.floorCall}}
		if got := r.floor(o); got != tt.want {
			t.Errorf("floor of %d desktops in batches of %d = %v, want %v", tt.desktops, tt.batch, got, tt.want)
		}
		// A delete that waits reads each batch back: twice the calls.
		r.row.callsPerBatch = 2
		if got := r.floor(o); got != tt.twoCalls {
			t.Errorf("floor of %d desktops in batches of %d, two calls each = %v, want %v", tt.desktops, tt.batch, got, tt.twoCalls)
		}
		r.row.callsPerBatch = 0
		if got := r.floor(o); got != tt.want {
			t.Errorf("floor of %d desktops in batches of %d = %v, want %v", tt.desktops, tt.batch, got, tt.want)
		}
	}
}

// TestReadStats sums the provider processes' CPU and takes the largest
// peak RSS; a line it cannot read is skipped.
func TestReadStats(t *testing.T) {
	file := filepath.Join(t.TempDir(), "stats")
	// user µs, system µs, peak RSS KiB
	if err := os.WriteFile(file, []byte("1000000 500000 20480\nnot a line\n250000 0 51200\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cpu, peak, n := readStats(file)
	if cpu != 1750*time.Millisecond || peak != 50<<20 || n != 2 {
		t.Errorf("readStats = %v, %d, %d; want 1.75s, %d, 2", cpu, peak, n, 50<<20)
	}
	if cpu, peak, n := readStats(filepath.Join(t.TempDir(), "none")); cpu != 0 || peak != 0 || n != 0 {
		t.Errorf("a missing file read as %v, %d, %d", cpu, peak, n)
	}
}

// TestTargets: each target line says ok or MISS from the figures.
func TestTargets(t *testing.T) {
	o := &options{latency: 50 * time.Millisecond, concurrency: 4}
	reboot := func(n int, cpu time.Duration, rss int64, wall time.Duration) result {
		return result{row: &row{name: "reboot alibaba wait=false", variant: "reboot alibaba wait=false", kind: "reboot",
			cloud: "alibaba", desktops: n, batch: 100, floorCall: true},
			measure: measure{wall: wall, calls: n / 100, cpu: cpu, peakRSS: rss, wrapped: true}}
	}
	td := result{row: &row{name: "terraform_data", kind: "terraform_data", desktops: 10000}, measure: measure{wall: 3 * time.Second}}
	tests := []struct {
		name    string
		results []result
		want    []string
	}{
		{"all met", []result{reboot(1000, 400*time.Millisecond, 50<<20, time.Second), reboot(10000, 1900*time.Millisecond, 60<<20, 5*time.Second), td},
			[]string{"ok   reboot alibaba wait=false: provider CPU 1.90 s <= 2 s", "ok   reboot alibaba wait=false: provider peak RSS 60 MiB",
				"ok   reboot alibaba wait=false: wall 5.00 s <= 1.2 x (API floor 1.25 s + terraform_data 3.00 s) = 5.10 s",
				"ok   reboot alibaba wait=false: provider CPU per desktop 190 µs <= 1.5 x 400 µs at 1000"}},
		{"all missed", []result{reboot(1000, 100*time.Millisecond, 50<<20, time.Second), reboot(10000, 2100*time.Millisecond, 65<<20, 6*time.Second), td},
			[]string{"MISS reboot alibaba wait=false: provider CPU 2.10 s <= 2 s", "MISS reboot alibaba wait=false: provider peak RSS 65 MiB",
				"MISS reboot alibaba wait=false: wall 6.00 s", "MISS reboot alibaba wait=false: provider CPU per desktop 210 µs <= 1.5 x 100 µs"}},
	}
	waitingDelete := result{row: &row{name: "batch delete huawei wait=true", variant: "batch delete huawei wait=true", kind: "delete",
		cloud: "huawei", desktops: 10000, batch: 100, floorCall: true, callsPerBatch: 2},
		measure: measure{wall: 6 * time.Second, calls: 200, cpu: time.Second, peakRSS: 50 << 20, wrapped: true}}
	waitingReboot := result{row: &row{name: "reboot huawei wait=true", variant: "reboot huawei wait=true", kind: "reboot",
		cloud: "huawei", desktops: 10000, batch: 100, floorCall: true},
		measure: measure{wall: 60 * time.Second, calls: 300, cpu: time.Second, peakRSS: 50 << 20, wrapped: true}}
	tests = append(tests, struct {
		name    string
		results []result
		want    []string
	}{"waiting", []result{waitingDelete, waitingReboot, td}, []string{
		"ok   batch delete huawei wait=true: wall 6.00 s <= 1.2 x (API floor of 2 calls per batch 2.50 s + terraform_data 3.00 s) = 6.60 s",
	}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printTargets(&out, o, tt.results)
			if tt.name == "waiting" && strings.Contains(out.String(), "reboot huawei wait=true: wall") {
				t.Errorf("a reboot that waits has no wall target (the reboot itself takes the time), got:\n%s", out.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("no line %q in:\n%s", want, out.String())
				}
			}
		})
	}
}

// TestMedian: of several runs the one of middle wall time counts, noted.
func TestMedian(t *testing.T) {
	run := func(wall time.Duration, calls int) result {
		return result{measure: measure{wall: wall, calls: calls}, note: "destroy"}
	}
	m := median([]result{run(5*time.Second, 1), run(3*time.Second, 2), run(4*time.Second, 3)})
	if m.wall != 4*time.Second || m.calls != 3 || m.note != "destroy, median of 3" {
		t.Errorf("median = %v, %d calls, note %q; want the 4 s run, noted", m.wall, m.calls, m.note)
	}
	if one := median([]result{run(time.Second, 1)}); one.note != "destroy" {
		t.Errorf("a single run noted %q", one.note)
	}
}
