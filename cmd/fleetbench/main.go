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
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	var results []result
	for _, r := range b.rows() {
		if !o.rows.MatchString(r.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "running %s ...\n", r.name)
		res, err := r.run()
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		res.row = r
		results = append(results, res)
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
