// Command fleetbench measures what a user of the provider would compare:
// one Terraform command over a fleet of 1,000 or 10,000 desktops, against
// the mock cloud adding a latency to every call, beside the floor that the
// API and Terraform itself impose. It prints one table (`make bench`).
//
// Each row runs the real Terraform CLI in a working directory of its own,
// with the provider built from this repository and started by Terraform
// through a wrapper that records the provider processes' CPU time and peak
// memory (wrap.go). Calls are counted by the mock cloud.
//
//	go run ./cmd/fleetbench [-latency 50ms] [-sizes 1000,10000] [-rows regexp] [-profile dir]
//
// With -profile, every provider process writes a CPU profile into dir
// (profile.go at the repository root); `go tool pprof -top dir/*.pprof`
// reads them together.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	if wrapped() {
		os.Exit(runWrapped())
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench:", err)
		os.Exit(1)
	}
}

type options struct {
	latency     time.Duration
	sizes       []int
	concurrency int
	rows        *regexp.Regexp
	terraform   string
	planCount   int
	planRuns    int
	runs        int
	keep        bool
	profileDir  string
}

func parseOptions() (*options, error) {
	o := &options{}
	sizes := flag.String("sizes", "1000,10000", "fleet sizes, comma-separated")
	rows := flag.String("rows", "", "run only the rows whose name matches this regular expression")
	flag.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency the mock cloud adds to every call")
	flag.IntVar(&o.concurrency, "concurrency", 4, "the provider's max_concurrency")
	flag.StringVar(&o.terraform, "terraform", os.Getenv("TERRAFORM"), "Terraform CLI (default: $TERRAFORM, else terraform on PATH)")
	flag.IntVar(&o.planCount, "plan-resources", 200, "resources in the plan comparison")
	flag.IntVar(&o.planRuns, "plan-runs", 5, "plans per provider in the plan comparison (the median counts)")
	flag.IntVar(&o.runs, "runs", 3, "runs of each fleet row and of terraform_data, in alternating rounds (the median counts)")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directories")
	flag.StringVar(&o.profileDir, "profile", "", "build the provider with -tags profile and write each provider process's CPU profile into this directory")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a fleet size", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.profileDir != "" {
		dir, err := filepath.Abs(o.profileDir)
		if err == nil {
			err = os.MkdirAll(dir, 0o700)
		}
		if err != nil {
			return nil, fmt.Errorf("-profile: %w", err)
		}
		o.profileDir = dir
	}
	re, err := regexp.Compile(*rows)
	if err != nil {
		return nil, fmt.Errorf("-rows: %w", err)
	}
	o.rows = re
	if o.terraform == "" {
		if o.terraform, err = exec.LookPath("terraform"); err != nil {
			return nil, fmt.Errorf("no Terraform CLI: set -terraform or $TERRAFORM")
		}
	}
	return o, nil
}

func run() error {
	o, err := parseOptions()
	if err != nil {
		return err
	}
	b, err := newBench(o)
	if err != nil {
		return err
	}
	defer b.close()

	fmt.Printf("fleetbench: Terraform %s, mock cloud latency %v per call, max_concurrency %d, %s\n\n",
		b.terraformVersion(), o.latency, o.concurrency, time.Now().UTC().Format("2006-01-02"))
	// Rounds of every row, so that a slow spell of this shared machine
	// weighs on all rows alike; each row's median run counts.
	var rows []*row
	for _, r := range b.rows() {
		if o.rows.MatchString(r.name) {
			rows = append(rows, r)
		}
	}
	runs := make(map[*row][]result)
	for round := range max(o.runs, 1) {
		for _, r := range rows {
			if round > 0 && !r.repeat {
				continue
			}
			fmt.Fprintf(os.Stderr, "running %s (round %d) ...\n", r.name, round+1)
			res, err := r.run()
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			res.row = r
			runs[r] = append(runs[r], res)
		}
	}
	var results []result
	for _, r := range rows {
		results = append(results, median(runs[r]))
	}
	printTable(os.Stdout, o, results)
	printTargets(os.Stdout, o, results)
	return nil
}

// repoRoot is the directory of the module this program belongs to.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run fleetbench from inside the repository")
		}
		dir = parent
	}
}

// median is the run of middle wall time, noted as such when there were
// several.
func median(runs []result) result {
	if len(runs) == 1 {
		return runs[0]
	}
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(a.wall, b.wall) })
	m := sorted[len(sorted)/2]
	note := fmt.Sprintf("median of %d", len(runs))
	if m.note != "" {
		note = m.note + ", " + note
	}
	m.note = note
	return m
}
