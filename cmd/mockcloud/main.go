// Command mockcloud runs the mock cloud standalone, so the provider can be
// tried with no cloud account:
//
//	go run ./cmd/mockcloud -listen 127.0.0.1:18080 -alibaba-desktops 5 -huawei-desktops 5 -reboot-delay 2s
//
// It seeds a fleet on each cloud, prints the endpoint, the demo credentials
// and the desktop IDs, logs one line per cloud call to stderr (never a
// signature, token or secret), and stops cleanly on SIGINT or SIGTERM.
//
// The control API under /_mock/ (see internal/mockcloud/control.go) has no
// authentication, so the default address is loopback; binding elsewhere
// prints a warning.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mockcloud:", err)
		os.Exit(1)
	}
}

type options struct {
	listen                  string
	alibabaDesktops         int
	huaweiDesktops          int
	alibabaRegion           string
	huaweiProject           string
	rebootDelay             time.Duration
	rebootLag               time.Duration
	latency                 time.Duration
	behaviour               mockcloud.Behaviour
	jobWords                string
	deleteDelay             time.Duration
	deletedVisible          time.Duration
	jobDelay                time.Duration
	seed                    int64
	quiet                   bool
	alibabaPrefix, hwPrefix string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("mockcloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:18080", "address to listen on (keep it on loopback: the /_mock control API has no auth)")
	fs.IntVar(&o.alibabaDesktops, "alibaba-desktops", 5, "Alibaba desktops to seed")
	fs.IntVar(&o.huaweiDesktops, "huawei-desktops", 5, "Huawei desktops to seed")
	fs.StringVar(&o.alibabaRegion, "alibaba-region", mockcloud.DemoAlibabaRegion, "Alibaba RegionId of the seeded desktops")
	fs.StringVar(&o.huaweiProject, "huawei-project", mockcloud.DemoHuaweiProject, "Huawei project ID of the seeded desktops (the only project accepted)")
	fs.StringVar(&o.alibabaPrefix, "alibaba-prefix", "ali", "name prefix of the seeded Alibaba desktops")
	fs.StringVar(&o.hwPrefix, "huawei-prefix", "hw", "name prefix of the seeded Huawei desktops")
	fs.DurationVar(&o.rebootDelay, "reboot-delay", 2*time.Second, "how long a reboot takes (half stopping, half starting)")
	fs.DurationVar(&o.rebootLag, "reboot-lag", time.Second, "how long an accepted reboot does not show yet (the desktop still reads Running / ACTIVE and idle), as on the real clouds")
	fs.StringVar(&o.jobWords, "huawei-job-words", "documented", "Huawei job status words: documented (WAITING, RUNNING, SUCCESS, FAILED) or provider (INIT, RUNNING, COMPLETE, FAIL)")
	fs.StringVar(&o.behaviour.AlibabaUnknownIDs, "alibaba-unknown-ids", mockcloud.UnknownReject, "what DeleteDesktops does with an unknown desktop ID: reject or skip")
	fs.StringVar(&o.behaviour.HuaweiUnknownIDs, "huawei-unknown-ids", mockcloud.UnknownFailedSubJob, "what batch-delete does with an unknown desktop ID: failed_subjob, reject or skip")
	fs.BoolVar(&o.behaviour.HuaweiDeletingLooksEmpty, "huawei-deleting-looks-empty", false, "a Huawei desktop being deleted shows an empty status and no task_status")
	fs.DurationVar(&o.deleteDelay, "delete-delay", 2*time.Second, "Alibaba: how long a deleted desktop stays Stopping")
	fs.DurationVar(&o.deletedVisible, "deleted-visible", 10*time.Second, "how long a deleted desktop stays listed as Deleted/DELETED")
	fs.DurationVar(&o.jobDelay, "job-delay", 4*time.Second, "Huawei: how long a delete job takes (a quarter WAITING, the rest RUNNING)")
	fs.DurationVar(&o.latency, "latency", 0, "latency added to every cloud call, as a real endpoint's round trip")
	fs.Int64Var(&o.seed, "seed", 1, "seed for desktop IDs and fault probabilities (same seed, same IDs)")
	fs.BoolVar(&o.quiet, "quiet", false, "do not log each call")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.alibabaDesktops < 0 || o.huaweiDesktops < 0 {
		return nil, errors.New("desktop counts must not be negative")
	}
	for _, d := range []time.Duration{o.rebootDelay, o.rebootLag, o.latency, o.deleteDelay, o.deletedVisible, o.jobDelay} {
		if d < 0 {
			return nil, errors.New("durations must not be negative")
		}
	}
	switch o.jobWords {
	case "documented":
	case "provider":
		o.behaviour.HuaweiJobWords = mockcloud.ProviderJobWords
	default:
		return nil, fmt.Errorf("-huawei-job-words must be documented or provider, not %q", o.jobWords)
	}
	if err := o.behaviour.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *options) config(log io.Writer) mockcloud.Config {
	cfg := mockcloud.DemoConfig()
	cfg.HuaweiProjects = []string{o.huaweiProject}
	cfg.Seed = o.seed
	cfg.Behaviour = o.behaviour
	cfg.Timing = mockcloud.Timing{
		RebootLag:      o.rebootLag,
		RebootStopping: o.rebootDelay / 2,
		RebootStarting: o.rebootDelay - o.rebootDelay/2,
		DeleteStopping: o.deleteDelay,
		DeletedVisible: o.deletedVisible,
		JobWaiting:     o.jobDelay / 4,
		JobRunning:     o.jobDelay - o.jobDelay/4,
	}
	if !o.quiet {
		cfg.Log = log
	}
	return cfg
}

// run serves until ctx is done (main cancels it on SIGINT or SIGTERM).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "WARNING: listening on %s, which is not loopback: anyone who can reach it can use the unauthenticated /_mock control API.\n", ln.Addr())
	}
	srv := mockcloud.New(o.config(stderr))
	if o.latency > 0 {
		srv.InjectFault(mockcloud.Fault{Kind: mockcloud.FaultLatency, Latency: o.latency})
	}
	ali := srv.SeedFleet(mockcloud.CloudAlibaba, o.alibabaRegion, o.alibabaPrefix, o.alibabaDesktops)
	hw := srv.SeedFleet(mockcloud.CloudHuawei, o.huaweiProject, o.hwPrefix, o.huaweiDesktops)
	endpoint := "http://" + ln.Addr().String()
	printBanner(stdout, endpoint, o, ali, hw)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "mockcloud: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

func printBanner(w io.Writer, endpoint string, o *options, ali, hw []string) {
	fmt.Fprintf(w, `mockcloud listening on %[1]s (both clouds; control API at %[1]s/_mock/)

Alibaba (ECD RPC API)
  endpoint       %[1]s
  region         %[2]s
  access key     %[3]s
  secret key     %[4]s
  client API     session_id %[5]s, login_token %[6]s
Huawei (Workspace REST API)
  endpoint       %[1]s
  project ID     %[7]s
  access key     %[8]s
  secret key     %[9]s
  auth token     %[10]s

Environment for the provider:
  export CLOUDDESKTOP_ALIBABA_ENDPOINT=%[1]s ALIBABA_CLOUD_REGION_ID=%[2]s
  export ALIBABA_CLOUD_ACCESS_KEY_ID=%[3]s ALIBABA_CLOUD_ACCESS_KEY_SECRET=%[4]s
  export CLOUDDESKTOP_HUAWEI_ENDPOINT=%[1]s HW_REGION_NAME=%[11]s HW_PROJECT_ID=%[7]s
  export HW_ACCESS_KEY=%[8]s HW_SECRET_KEY=%[9]s

`, endpoint, o.alibabaRegion, mockcloud.DemoAlibabaAccessKey, mockcloud.DemoAlibabaSecret,
		mockcloud.DemoAlibabaSessionID, mockcloud.DemoAlibabaLoginToken, o.huaweiProject,
		mockcloud.DemoHuaweiAccessKey, mockcloud.DemoHuaweiSecret, mockcloud.DemoHuaweiAuthToken, mockcloud.DemoHuaweiRegion)
	fmt.Fprintf(w, "Alibaba desktops (%d):\n", len(ali))
	for _, id := range ali {
		fmt.Fprintf(w, "  %s\n", id)
	}
	fmt.Fprintf(w, "Huawei desktops (%d):\n", len(hw))
	for _, id := range hw {
		fmt.Fprintf(w, "  %s\n", id)
	}
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
}
