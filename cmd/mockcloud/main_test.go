package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
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

// The standalone server seeds its fleets, prints where it is, serves both
// clouds and the control API, logs calls without secrets, and stops when
// its context ends (as on SIGINT).
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	stderr := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-alibaba-desktops", "2", "-huawei-desktops", "3", "-reboot-delay", "0s"}, outW, stderr)
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
	first := <-lines
	endpoint := strings.Fields(strings.TrimPrefix(first, "mockcloud listening on "))[0]
	if !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		t.Fatalf("first line %q", first)
	}
	var banner []string
	for l := range lines {
		banner = append(banner, l)
		if strings.Contains(l, "Ctrl-C") {
			break
		}
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

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	log := stderr.String()
	if !strings.Contains(log, "alibaba RebootDesktops") || strings.Contains(log, mockcloud.DemoAlibabaLoginToken) {
		t.Errorf("log:\n%s", log)
	}
	if strings.Contains(log, "WARNING") {
		t.Errorf("loopback listener warned:\n%s", log)
	}
}

func TestFlags(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"-reboot-delay", "3s", "-job-delay", "8s", "-seed", "7", "-quiet", "-reboot-lag", "1s",
			"-huawei-job-words", "provider", "-huawei-unknown-ids", "skip", "-alibaba-unknown-ids", "skip", "-huawei-deleting-looks-empty"}, false},
		{[]string{"-alibaba-desktops", "-1"}, true},
		{[]string{"-reboot-delay", "-1s"}, true},
		{[]string{"-reboot-lag", "-1s"}, true},
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
				cfg.Timing.JobWaiting+cfg.Timing.JobRunning != 8*time.Second || cfg.Seed != 7 || cfg.Log != nil || cfg.Behaviour != want {
				t.Errorf("config %+v", cfg)
			}
		}
	}
}
