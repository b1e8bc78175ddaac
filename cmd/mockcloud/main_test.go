package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runMock starts run with args and returns its banner (up to "Press
// Ctrl-C") and a stop function that ends it, as SIGINT would, and returns
// what it logged.
func runMock(t *testing.T, args ...string) (banner []string, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, outW, stderr)
		outW.Close()
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	stopped := false
	stop = func() string {
		t.Helper()
		if stopped {
			return stderr.String()
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not stop")
		}
		return stderr.String()
	}
	t.Cleanup(func() { stop() })
	for l := range lines {
		banner = append(banner, l)
		if strings.Contains(l, "Ctrl-C") {
			break
		}
	}
	if len(banner) == 0 {
		t.Fatalf("no banner; log:\n%s", stop())
	}
	return banner, stop
}

// bannerValue is the rest of the banner line that starts with prefix.
func bannerValue(banner []string, prefix string) string {
	for _, l := range banner {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// The standalone server seeds its fleets, prints where it is, serves both
// clouds and the control API, logs calls without secrets, and stops when
// its context ends (as on SIGINT).
func TestRun(t *testing.T) {
	banner, stop := runMock(t, "-listen", "127.0.0.1:0", "-alibaba-desktops", "2", "-huawei-desktops", "3", "-reboot-delay", "0s")
	first := banner[0]
	endpoint := strings.Fields(strings.TrimPrefix(first, "mockcloud listening on "))[0]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("first line %q", first)
	}
	text := strings.Join(banner, "\n")
	for _, want := range []string{mockcloud.DemoAlibabaAccessKey, mockcloud.DemoHuaweiProject, mockcloud.DemoAlibabaLoginToken, "Alibaba desktops (2)", "Huawei desktops (3)", "ecd-"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}

	resp, err := http.Get(endpoint + "/_mock/desktops")
	if err != nil {
		t.Fatal(err)
	}
	var ds []mockcloud.Desktop
	_ = json.NewDecoder(resp.Body).Decode(&ds)
	resp.Body.Close()
	if len(ds) != 5 {
		t.Fatalf("%d desktops", len(ds))
	}
	var aliID string
	for _, d := range ds {
		if d.Cloud == mockcloud.CloudAlibaba {
			aliID = d.ID
		}
	}
	// The client API, as the official SDK sends it: an anonymous RPC V2
	// request.
	q := url.Values{"Action": {"RebootDesktops"}, "Version": {"2020-10-02"}, "Format": {"JSON"},
		"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}, "SignatureNonce": {"n1"},
		"RegionId": {mockcloud.DemoAlibabaRegion}, "ClientId": {"c"}, "SessionId": {mockcloud.DemoAlibabaSessionID},
		"LoginToken": {mockcloud.DemoAlibabaLoginToken}, "ClientToken": {"t"}, "DesktopId.1": {aliID}}
	resp, err = http.Post(endpoint+"/?"+q.Encode(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reboot: HTTP %d", resp.StatusCode)
	}

	log := stop()
	if !strings.Contains(log, "alibaba RebootDesktops") || strings.Contains(log, mockcloud.DemoAlibabaLoginToken) {
		t.Errorf("log:\n%s", log)
	}
	if strings.Contains(log, "WARNING") {
		t.Errorf("loopback listener warned:\n%s", log)
	}
}

// The same API over TLS, with a CA file to trust it by, and the
// role-assumption environment in lines scripts/demo.sh does not export.
func TestRunTLS(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		keepCA  bool // a -ca-file the user named outlives the server
		withTLS bool
	}{
		{name: "default: TLS with a temporary CA file", withTLS: true},
		{name: "a CA file of the user's", args: []string{"-ca-file", "CA"}, withTLS: true, keepCA: true},
		{name: "TLS off", args: []string{"-tls-listen", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"-listen", "127.0.0.1:0", "-alibaba-desktops", "1", "-huawei-desktops", "1", "-credential-lifetime", "20m"}
			userCA := filepath.Join(t.TempDir(), "ca.pem")
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "CA", userCA))
			}
			banner, stop := runMock(t, args...)
			endpoint := strings.Fields(strings.TrimPrefix(banner[0], "mockcloud listening on "))[0]
			https := strings.Fields(bannerValue(banner, "  https endpoint"))
			caFile := bannerValue(banner, "  CA file")
			hwExport := "  role export HUAWEICLOUD_SDK_IAM_ENDPOINT=" + endpoint + " HUAWEICLOUD_SDK_IDP_ID=" + mockcloud.DemoHuaweiIdpID
			if !slices.Contains(banner, hwExport) || !strings.Contains(strings.Join(banner, "\n"), "they live 20m0s") {
				t.Errorf("banner lacks %q or the lifetime:\n%s", hwExport, strings.Join(banner, "\n"))
			}
			for _, l := range banner {
				// scripts/demo.sh exports every "  export " line: the
				// static keys, never the role-assumption environment.
				if strings.HasPrefix(l, "  export ") && (strings.Contains(l, "SSL_CERT_FILE") || strings.Contains(l, "ROLE_ARN") || strings.Contains(l, "IDP_ID")) {
					t.Errorf("role-assumption variable in an export line: %q", l)
				}
			}
			if !tt.withTLS {
				if len(https) != 0 || caFile != "" || strings.Contains(strings.Join(banner, "\n"), "SSL_CERT_FILE") {
					t.Errorf("TLS off, yet the banner says:\n%s", strings.Join(banner, "\n"))
				}
				return
			}
			if len(https) == 0 || !strings.HasPrefix(https[0], "https://127.0.0.1:") {
				t.Fatalf("no https endpoint in the banner:\n%s", strings.Join(banner, "\n"))
			}
			if tt.keepCA && caFile != userCA {
				t.Errorf("CA file %q, want the one named, %q", caFile, userCA)
			}
			host := strings.TrimPrefix(https[0], "https://")
			aliExport := "  role export SSL_CERT_FILE=" + caFile + " ALIBABA_CLOUD_STS_ENDPOINT=" + host + " ALIBABA_CLOUD_ROLE_ARN=" + mockcloud.DemoAlibabaRoleArn
			if !slices.Contains(banner, aliExport) {
				t.Errorf("banner lacks %q:\n%s", aliExport, strings.Join(banner, "\n"))
			}

			// A client that trusts the CA file reaches the STS.
			pem, err := os.ReadFile(caFile)
			if err != nil {
				t.Fatal(err)
			}
			roots := x509.NewCertPool()
			if !roots.AppendCertsFromPEM(pem) {
				t.Fatalf("CA file holds no certificate: %q", pem)
			}
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
			q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Version": {"2015-04-01"}, "Format": {"JSON"},
				"Timestamp": {time.Now().UTC().Format("2006-01-02T15:04:05Z")}}
			form := url.Values{"RoleArn": {mockcloud.DemoAlibabaRoleArn}, "OIDCProviderArn": {mockcloud.DemoAlibabaOIDCProviderArn},
				"OIDCToken": {mockcloud.DemoOIDCToken}, "RoleSessionName": {"banner"}}
			resp, err := client.Post(https[0]+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			var answer struct{ Credentials struct{ Expiration string } }
			_ = json.NewDecoder(resp.Body).Decode(&answer)
			resp.Body.Close()
			expires, err := time.Parse("2006-01-02T15:04:05Z", answer.Credentials.Expiration)
			if resp.StatusCode != 200 || err != nil || time.Until(expires) > 20*time.Minute {
				t.Fatalf("AssumeRoleWithOIDC over TLS: HTTP %d, expiring %q (-credential-lifetime 20m)", resp.StatusCode, answer.Credentials.Expiration)
			}

			log := stop()
			if !strings.Contains(log, "alibaba AssumeRoleWithOIDC") || strings.Contains(log, mockcloud.DemoOIDCToken) {
				t.Errorf("log:\n%s", log)
			}
			if _, err := os.Stat(caFile); (err == nil) != tt.keepCA {
				t.Errorf("after exit, CA file: %v, want kept %t", err, tt.keepCA)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"-reboot-delay", "3s", "-job-delay", "8s", "-seed", "7", "-quiet", "-reboot-lag", "1s",
			"-huawei-job-words", "provider", "-huawei-unknown-ids", "skip", "-alibaba-unknown-ids", "skip", "-huawei-deleting-looks-empty",
			"-tls-listen", "127.0.0.1:8443", "-ca-file", "/tmp/ca.pem", "-credential-lifetime", "90s"}, false},
		{[]string{"-alibaba-desktops", "-1"}, true},
		{[]string{"-reboot-delay", "-1s"}, true},
		{[]string{"-reboot-lag", "-1s"}, true},
		{[]string{"-credential-lifetime", "-1s"}, true},
		{[]string{"-tls-listen", "", "-ca-file", "/tmp/ca.pem"}, true},
		{[]string{"-huawei-job-words", "klingon"}, true},
		{[]string{"-huawei-unknown-ids", "ignore"}, true},
		{[]string{"-alibaba-unknown-ids", "failed_subjob"}, true},
		{[]string{"extra"}, true},
		{[]string{"-no-such-flag"}, true},
	} {
		o, err := parseFlags(tt.args, io.Discard)
		if (err != nil) != tt.wantErr {
			t.Errorf("%v: error %v", tt.args, err)
		}
		if err == nil && len(tt.args) > 0 {
			cfg := o.config(io.Discard)
			want := mockcloud.Behaviour{HuaweiJobWords: mockcloud.ProviderJobWords, AlibabaUnknownIDs: "skip", HuaweiUnknownIDs: "skip", HuaweiDeletingLooksEmpty: true}
			if cfg.Timing.RebootStopping+cfg.Timing.RebootStarting != 3*time.Second || cfg.Timing.RebootLag != time.Second ||
				cfg.Timing.JobWaiting+cfg.Timing.JobRunning != 8*time.Second || cfg.Seed != 7 || cfg.Log != nil || cfg.Behaviour != want ||
				cfg.CredentialLifetime != 90*time.Second {
				t.Errorf("config %+v", cfg)
			}
			if o.tlsListen != "127.0.0.1:8443" || o.caFile != "/tmp/ca.pem" {
				t.Errorf("TLS options %q %q", o.tlsListen, o.caFile)
			}
		}
	}
}
