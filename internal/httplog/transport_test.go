package httplog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestTransportMasksSecrets(t *testing.T) {
	const (
		signature = "0f3c2b9a77d1e4c5b6a7980112233445566778899aabbccddeeff00112233445"
		accessKey = "LTAI5tSecretAccessKeyId"
		login     = "login-token-VALUE-123"
		session   = "session-token-VALUE-456"
		authTok   = "MIIauth-token-VALUE-789"
		secTok    = "security-token-VALUE-000"
	)
	tests := []struct {
		name        string
		method, url string
		headers     map[string]string
		contentType string
		body        string
		respType    string
		respBody    string
		wantShown   []string // must appear in the log
	}{
		{
			name:   "alibaba client API form body",
			method: "POST", url: "http://ecd.example/?Action=RebootDesktops&SessionToken=" + session,
			headers: map[string]string{
				"Authorization":        "ACS3-HMAC-SHA256 Credential=" + accessKey + ",SignedHeaders=host,Signature=" + signature,
				"x-acs-security-token": secTok,
			},
			contentType: "application/x-www-form-urlencoded",
			body:        "ClientToken=reboot-1&DesktopId.1=ecd-1&LoginToken=" + login,
			respType:    "application/json", respBody: `{"RequestId":"REQ-1"}`,
			wantShown: []string{"ACS3-HMAC-SHA256 ***", "ClientToken=reboot-1", "RebootDesktops", "REQ-1", "ecd-1"},
		},
		{
			name:   "huawei token and JSON body",
			method: "POST", url: "http://workspace.example/v2/p/desktops/batch-delete",
			headers:     map[string]string{"X-Auth-Token": authTok, "X-Security-Token": secTok, "X-Project-Id": "p"},
			contentType: "application/json;charset=UTF-8",
			body:        `{"desktop_ids":["d-1"],"nested":{"auth_token":"` + authTok + `"},"list":[{"password":"` + login + `"}]}`,
			respType:    "application/json", respBody: `{"job_id":"job-1"}`,
			wantShown: []string{`"X-Project-Id":"p"`, "d-1", "job-1"},
		},
		{
			name:   "gateway HTML page is not echoed",
			method: "GET", url: "http://workspace.example/v2/p/desktops/detail?limit=100",
			headers:  map[string]string{"Authorization": "SDK-HMAC-SHA256 Access=" + accessKey + ", SignedHeaders=host, Signature=" + signature},
			respType: "text/html", respBody: "<html>502 Bad Gateway " + session + "</html>",
			wantShown: []string{"SDK-HMAC-SHA256 ***", "text/html", "bytes, not shown", "limit=100"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logged)
			var sentBody string
			tr := Wrap(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					sentBody = string(b)
				}
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {tt.respType}},
					Body: io.NopCloser(strings.NewReader(tt.respBody))}, nil
			}), "test")
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if string(got) != tt.respBody || sentBody != tt.body {
				t.Errorf("the exchange was altered: sent %q, received %q", sentBody, got)
			}
			log := logged.String()
			for _, secret := range []string{signature, accessKey, login, session, authTok, secTok} {
				if strings.Contains(log, secret) {
					t.Errorf("log contains secret %q:\n%s", secret, log)
				}
			}
			for _, want := range append(tt.wantShown, Masked) {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

func TestTransportPassesBodyErrorsOn(t *testing.T) {
	reset := errors.New("connection reset by peer")
	tr := Wrap(roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{},
			Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"Req`), errReader{reset}))}, nil
	}), "test")
	req, _ := http.NewRequest("GET", "http://x/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if string(got) != `{"Req` || !errors.Is(err, reset) {
		t.Errorf("read %q, %v; want the partial body and the reset", got, err)
	}
}

func TestTransportPassesTransportErrorsOn(t *testing.T) {
	refused := errors.New("connection refused")
	tr := Wrap(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, refused }), "test")
	req, _ := http.NewRequest("GET", "http://x/", nil)
	if _, err := tr.RoundTrip(req); !errors.Is(err, refused) {
		t.Errorf("error %v, want %v", err, refused)
	}
}

// TestTransportLogsOnlyWhatCanBeShown: masking and writing a body costs far
// more than the call at 10,000 desktops, so the transport builds its lines
// only when the provider's level lets TRACE through; the exchange itself is
// the same either way. Not parallel: it sets the process environment.
func TestTransportLogsOnlyWhatCanBeShown(t *testing.T) {
	tests := []struct {
		name                  string
		providerLevel, oneLog string // TF_LOG_PROVIDER, TF_LOG_PROVIDER_CLOUDDESKTOP
		wantLogged            bool
	}{
		{"neither set: terraform-plugin-log's default, TRACE", "", "", true},
		{"this provider at TRACE", "", "TRACE", true},
		{"this provider at DEBUG", "", "DEBUG", false},
		{"this provider off", "", "off", false},
		{"all providers in JSON, which is TRACE", "JSON", "", true},
		{"all providers at INFO", "INFO", "", false},
		{"this provider's own level wins", "off", "trace", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TF_LOG_PROVIDER", tt.providerLevel)
			t.Setenv("TF_LOG_PROVIDER_CLOUDDESKTOP", tt.oneLog)
			var logged bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &logged)
			var sent string
			tr := Wrap(roundTripFunc(func(r *http.Request) (*http.Response, error) {
				b, _ := io.ReadAll(r.Body)
				sent = string(b)
				return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(`{"RequestId":"REQ-1"}`))}, nil
			}), "test")
			req, _ := http.NewRequestWithContext(ctx, "POST", "http://x/", strings.NewReader("DesktopId.1=ecd-1"))
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			if sent != "DesktopId.1=ecd-1" || string(got) != `{"RequestId":"REQ-1"}` {
				t.Errorf("the exchange was altered: sent %q, received %q", sent, got)
			}
			if shown := strings.Contains(logged.String(), "REQ-1"); shown != tt.wantLogged {
				t.Errorf("exchange logged: %v, want %v; log:\n%s", shown, tt.wantLogged, logged.String())
			}
		})
	}
}
