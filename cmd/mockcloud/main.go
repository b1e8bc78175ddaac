// Command mockcloud runs the mock cloud standalone, so the provider can be
// tried with no cloud account:
//
//	go run ./cmd/mockcloud -listen 127.0.0.1:18080 -alibaba-desktops 5 -huawei-desktops 5 -reboot-delay 2s
//
// It seeds a fleet on each cloud, prints the endpoint, the demo credentials
// and the desktop IDs, logs one line per cloud call to stderr (never a
// signature, token or secret), and stops cleanly on SIGINT or SIGTERM.
//
// The same API is also served over TLS (-tls-listen), with a throwaway CA
// whose certificate goes to -ca-file: credentials-go calls Alibaba's STS
// over https only, so a role-assumption flow needs it, with SSL_CERT_FILE
// pointing at that file.
//
// The control API under /_mock/ (see internal/mockcloud/control.go) has no
// authentication, so the default address is loopback; binding elsewhere
// prints a warning.
package main

import (
	"context"
	"crypto/tls"
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
	tlsListen               string
	caFile                  string
	credentialLifetime      time.Duration
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
	fs.StringVar(&o.tlsListen, "tls-listen", "127.0.0.1:0", "address to serve the same API over TLS on, with a throwaway CA (empty: no TLS)")
	fs.StringVar(&o.caFile, "ca-file", "", "file to write the TLS CA certificate (PEM) to, for SSL_CERT_FILE (default: a temporary file, removed on exit)")
	fs.DurationVar(&o.credentialLifetime, "credential-lifetime", 0, "how long credentials issued by the STS and IAM live (0: as long as each request asks)")
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
	if o.caFile != "" && o.tlsListen == "" {
		return nil, errors.New("-ca-file needs TLS: it names where the CA of -tls-listen goes")
	}
	for _, d := range []time.Duration{o.rebootDelay, o.rebootLag, o.latency, o.deleteDelay, o.deletedVisible, o.jobDelay, o.credentialLifetime} {
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
	cfg.CredentialLifetime = o.credentialLifetime
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
	ln, err := listen(o.listen, stderr)
	if err != nil {
		return err
	}
	defer ln.Close()
	hs := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		// No HTTP/2 on the TLS listener: FaultReset hijacks the
		// connection, which HTTP/2 cannot.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	var tlsLn net.Listener
	tlsInfo := tlsBanner{}
	if o.tlsListen != "" {
		authority, err := mockcloud.NewAuthority()
		if err != nil {
			return err
		}
		if tlsLn, err = listen(o.tlsListen, stderr); err != nil {
			return err
		}
		defer tlsLn.Close()
		caFile, removeCA, err := writeCAFile(o.caFile, authority)
		if err != nil {
			return err
		}
		defer removeCA()
		hs.TLSConfig = authority.ServerTLSConfig()
		tlsInfo = tlsBanner{endpoint: "https://" + tlsLn.Addr().String(), host: tlsLn.Addr().String(), caFile: caFile}
	}
	srv := mockcloud.New(o.config(stderr))
	hs.Handler = srv
	if o.latency > 0 {
		srv.InjectFault(mockcloud.Fault{Kind: mockcloud.FaultLatency, Latency: o.latency})
	}
	ali := srv.SeedFleet(mockcloud.CloudAlibaba, o.alibabaRegion, o.alibabaPrefix, o.alibabaDesktops)
	hw := srv.SeedFleet(mockcloud.CloudHuawei, o.huaweiProject, o.hwPrefix, o.huaweiDesktops)
	endpoint := "http://" + ln.Addr().String()
	printBanner(stdout, endpoint, tlsInfo, o, ali, hw)

	errc := make(chan error, 2)
	serving := 1
	go func() { errc <- hs.Serve(ln) }()
	if tlsLn != nil {
		serving++
		go func() { errc <- hs.ServeTLS(tlsLn, "", "") }()
	}
	select {
	case err := <-errc:
		// One listener failed: stop the other too before returning.
		_ = hs.Close()
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "mockcloud: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	for range serving {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// listen opens a TCP listener, warning when it is not on loopback.
func listen(addr string, stderr io.Writer) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(stderr, "WARNING: listening on %s, which is not loopback: anyone who can reach it can use the unauthenticated /_mock control API.\n", ln.Addr())
	}
	return ln, nil
}

// writeCAFile writes the authority's CA certificate to path or, when path
// is empty, to a temporary file that remove deletes (a file the user named
// is theirs to keep).
func writeCAFile(path string, a *mockcloud.Authority) (written string, remove func(), err error) {
	remove = func() {}
	if path == "" {
		f, err := os.CreateTemp("", "mockcloud-ca-*.pem")
		if err != nil {
			return "", nil, err
		}
		path = f.Name()
		_ = f.Close()
		remove = func() { _ = os.Remove(path) }
	}
	if err := a.WriteBundle(path, nil); err != nil {
		remove()
		return "", nil, err
	}
	return path, remove, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// tlsBanner is what the banner says of the TLS listener; empty without one.
type tlsBanner struct {
	endpoint string // https://host:port
	host     string // host:port, the form credentials-go's STS endpoint takes
	caFile   string
}

func printBanner(w io.Writer, endpoint string, tlsInfo tlsBanner, o *options, ali, hw []string) {
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
	printKeylessBanner(w, endpoint, tlsInfo, o)
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

// printKeylessBanner says how to reach the mock's STS and IAM. Its export
// lines start "  role export ", not "  export ", so that scripts/demo.sh,
// which exports every "  export " line, keeps its static keys.
func printKeylessBanner(w io.Writer, endpoint string, tlsInfo tlsBanner, o *options) {
	lifetime := "as long as each request asks"
	if o.credentialLifetime > 0 {
		lifetime = o.credentialLifetime.String()
	}
	iam := endpoint
	fmt.Fprintf(w, "Keyless credentials (issued by the mock's STS and IAM; they live %s)\n", lifetime)
	if tlsInfo.endpoint != "" {
		fmt.Fprintf(w, "  https endpoint %s (the same API, for clients that insist on TLS)\n", tlsInfo.endpoint)
		fmt.Fprintf(w, "  CA file        %s\n", tlsInfo.caFile)
		iam += " (or " + tlsInfo.endpoint + ")"
	}
	fmt.Fprintf(w, "  Alibaba role   %s (AssumeRole with the access key above)\n", mockcloud.DemoAlibabaRoleArn)
	fmt.Fprintf(w, "  OIDC provider  %s, OIDC token %s\n", mockcloud.DemoAlibabaOIDCProviderArn, mockcloud.DemoOIDCToken)
	fmt.Fprintf(w, "  Huawei IAM     %s\n", iam)
	fmt.Fprintf(w, "  Huawei IdP     %s, id token %s\n", mockcloud.DemoHuaweiIdpID, mockcloud.DemoHuaweiIDToken)
	fmt.Fprintln(w, "\nEnvironment for a role-assumption flow:")
	if tlsInfo.host != "" {
		fmt.Fprintf(w, "  role export SSL_CERT_FILE=%s ALIBABA_CLOUD_STS_ENDPOINT=%s ALIBABA_CLOUD_ROLE_ARN=%s\n",
			tlsInfo.caFile, tlsInfo.host, mockcloud.DemoAlibabaRoleArn)
	}
	fmt.Fprintf(w, "  role export HUAWEICLOUD_SDK_IAM_ENDPOINT=%s HUAWEICLOUD_SDK_IDP_ID=%s\n\n",
		endpoint, mockcloud.DemoHuaweiIdpID)
}
