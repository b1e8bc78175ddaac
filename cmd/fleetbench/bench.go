package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// bench is the shared setup: the provider build behind its wrapper, the
// mock cloud, and the Terraform CLI configuration that points at both.
type bench struct {
	o       *options
	work    string
	mock    *mockcloud.Server
	srv     *http.Server
	url     string
	env     []string
	stats   string
	timeBin string // terraform-provider-time, for the plan comparison; "" when it cannot be built
}

// rebootPhase is how long the mock's reboots take in each phase. With the
// poll interval below, the rows that wait see every desktop rebooting.
const (
	rebootPhase  = 200 * time.Millisecond
	pollInterval = 250 * time.Millisecond
)

func newBench(o *options) (*bench, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "fleetbench-")
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, work: work, stats: filepath.Join(work, "provider-stats.log")}
	providerBin := filepath.Join(work, "provider", "terraform-provider-clouddesktop")
	args := []string{"build", "-o", providerBin}
	if o.profileDir != "" {
		args = append(args, "-tags", "profile")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the provider: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	overrides := filepath.Join(work, "overrides")
	if err := copyFile(self, filepath.Join(overrides, "terraform-provider-clouddesktop")); err != nil {
		return nil, err
	}
	if b.timeBin = buildTimeProvider(work); b.timeBin != "" {
		if err := copyFile(self, filepath.Join(overrides, "terraform-provider-time")); err != nil {
			return nil, err
		}
	}

	cfg := mockcloud.DemoConfig()
	cfg.Timing = mockcloud.Timing{RebootStopping: rebootPhase, RebootStarting: rebootPhase}
	cfg.Log = nil
	b.mock = mockcloud.New(cfg)
	b.mock.InjectFault(mockcloud.Fault{Kind: mockcloud.FaultLatency, Latency: o.latency})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b.srv = &http.Server{Handler: b.mock, ReadHeaderTimeout: time.Minute}
	go func() { _ = b.srv.Serve(ln) }()
	b.url = "http://" + ln.Addr().String()

	rc := filepath.Join(work, "terraformrc")
	rcText := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/clouddesktop/clouddesktop" = %q
    "registry.terraform.io/hashicorp/time" = %q
  }
  direct {}
}
`, overrides, overrides)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return nil, err
	}
	b.env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		wrapEnv+"="+providerBin, statsEnv+"="+b.stats,
		"CLOUDDESKTOP_ALIBABA_ENDPOINT="+b.url, "ALICLOUD_REGION="+mockcloud.DemoAlibabaRegion,
		"ALICLOUD_ACCESS_KEY="+mockcloud.DemoAlibabaAccessKey, "ALICLOUD_SECRET_KEY="+mockcloud.DemoAlibabaSecret,
		"CLOUDDESKTOP_HUAWEI_ENDPOINT="+b.url, "HW_REGION_NAME="+mockcloud.DemoHuaweiRegion, "HW_PROJECT_ID="+mockcloud.DemoHuaweiProject,
		"HW_ACCESS_KEY="+mockcloud.DemoHuaweiAccessKey, "HW_SECRET_KEY="+mockcloud.DemoHuaweiSecret,
		"CLOUDDESKTOP_POLL_INTERVAL="+pollInterval.String(),
	)
	if o.profileDir != "" {
		b.env = append(b.env, "CLOUDDESKTOP_CPUPROFILE_DIR="+o.profileDir)
	}
	return b, nil
}

func (b *bench) close() {
	_ = b.srv.Close()
	if b.o.keep {
		fmt.Fprintln(os.Stderr, "working directories kept in", b.work)
		return
	}
	_ = os.RemoveAll(b.work)
}

// buildTimeProvider builds hashicorp/terraform-provider-time (on the same
// terraform-plugin-framework version as this provider) for the plan
// comparison. terraform-provider-random, the first choice, is not served
// by the Go module proxy in a version that builds (its v3 tags lack a /v3
// module path). It returns "" when the build fails.
func buildTimeProvider(work string) string {
	bin := filepath.Join(work, "time")
	cmd := exec.Command("go", "install", "github.com/hashicorp/terraform-provider-time@v0.14.2")
	cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=-mod=mod")
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "fleetbench: cannot build terraform-provider-time, the plan comparison is skipped: %v\n%s", err, out)
		return ""
	}
	return filepath.Join(bin, "terraform-provider-time")
}

func (b *bench) terraformVersion() string {
	out, err := exec.Command(b.o.terraform, "version", "-json").Output()
	if err != nil {
		return "?"
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	_ = json.Unmarshal(out, &v)
	return v.TerraformVersion
}

// workdir is a fresh Terraform working directory holding files (each run
// of a row has its own: no state from the run before).
func (b *bench) workdir(name string, files map[string]string) (string, error) {
	dir, err := os.MkdirTemp(b.work, name+"-")
	if err != nil {
		return "", err
	}
	for f, text := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o600); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// measure is what one Terraform command cost.
type measure struct {
	wall     time.Duration
	calls    int
	cpu      time.Duration // of every provider process the command started
	tfCPU    time.Duration // of Terraform itself (the command's, less the providers')
	peakRSS  int64         // bytes, of the largest such process
	wrapped  bool          // this provider's processes were measured
	launched int           // provider processes started
}

// terraform runs one command in dir, measuring it, with provider the
// binary the wrapper must start ("" for the command of no wrapped
// provider).
func (b *bench) terraform(dir, provider string, args ...string) (measure, error) {
	return b.terraformWith(nil, dir, provider, args...)
}

// terraformWith is terraform with more environment variables.
func (b *bench) terraformWith(env []string, dir, provider string, args ...string) (measure, error) {
	_ = os.Remove(b.stats)
	b.mock.ResetCalls()
	cmd := exec.Command(b.o.terraform, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(slices.Clone(b.env), env...)
	if provider != "" {
		cmd.Env = append(cmd.Env, wrapEnv+"="+provider)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start), calls: len(b.mock.Calls())}
	if err != nil {
		return m, fmt.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 40))
	}
	m.cpu, m.peakRSS, m.launched = readStats(b.stats)
	m.wrapped = m.launched > 0
	// wait4's usage of a process includes the descendants it waited
	// for: the providers, through the wrapper.
	m.tfCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() - m.cpu
	return m, nil
}

// readStats sums the CPU time and takes the largest peak RSS of the
// provider processes recorded in file.
func readStats(file string) (cpu time.Duration, peak int64, n int) {
	f, err := os.Open(file)
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var user, sys, rssKiB int64
		if _, err := fmt.Sscan(sc.Text(), &user, &sys, &rssKiB); err != nil {
			continue
		}
		cpu += time.Duration(user+sys) * time.Microsecond
		peak = max(peak, rssKiB*1024)
		n++
	}
	return cpu, peak, n
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}
