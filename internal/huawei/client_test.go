package huawei

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewClientValidation(t *testing.T) {
	base := Config{Region: "cn-north-4", ProjectID: "p", AccessKey: "AK-SECRET-1", SecretKey: "SK-SECRET-2"}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string // substring; empty means no error
	}{
		{"aksk", func(*Config) {}, ""},
		{"token only", func(c *Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", "TOKEN-SECRET-3" }, ""},
		{"token wins over aksk", func(c *Config) { c.AuthToken = "TOKEN-SECRET-3" }, ""},
		{"http endpoint with port", func(c *Config) { c.Endpoint = "http://127.0.0.1:18080" }, ""},
		{"https endpoint trailing slash", func(c *Config) { c.Endpoint = "https://workspace.example.com/" }, ""},
		{"endpoint without region", func(c *Config) { c.Region, c.Endpoint = "", "https://workspace.example.com" }, ""},
		{"no project", func(c *Config) { c.ProjectID = "" }, "project_id is required"},
		{"blank project", func(c *Config) { c.ProjectID = "  " }, "project_id is required"},
		{"no credentials", func(c *Config) { c.AccessKey, c.SecretKey = "", "" }, "no credentials"},
		{"ak without sk", func(c *Config) { c.SecretKey = "" }, "must be set together"},
		{"sk without ak", func(c *Config) { c.AccessKey = "" }, "must be set together"},
		{"no region no endpoint", func(c *Config) { c.Region = "" }, "region is required"},
		{"region with slash", func(c *Config) { c.Region = "cn/x" }, "not a region name"},
		{"bare host", func(c *Config) { c.Endpoint = "workspace.example.com" }, "must start with https:// or http://"},
		{"host:port without scheme", func(c *Config) { c.Endpoint = "127.0.0.1:8080" }, "endpoint"},
		{"ftp scheme", func(c *Config) { c.Endpoint = "ftp://example.com" }, "must start with https:// or http://"},
		{"no host", func(c *Config) { c.Endpoint = "http://" }, "has no host"},
		{"path", func(c *Config) { c.Endpoint = "https://example.com/v2" }, "no path"},
		{"query", func(c *Config) { c.Endpoint = "https://example.com?a=b" }, "no path, query"},
		{"user info", func(c *Config) { c.Endpoint = "https://u:AK-SECRET-1@example.com" }, "user information"},
		{"bad url", func(c *Config) { c.Endpoint = "http://[::1" }, "not a URL"},
		{"user info without scheme", func(c *Config) { c.Endpoint = "u:SK-SECRET-2@example.com" }, "must start with https://"},
		{"user info, bad port", func(c *Config) { c.Endpoint = "https://u:SK-SECRET-2@example.com:port" }, "not a URL"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
		// No bearer credential in clear text to a host off this machine.
		{"token over remote http", func(c *Config) { c.AuthToken, c.Endpoint = "TOKEN-SECRET-3", "http://192.0.2.1:80" }, "refusing to send the IAM or security token over plain http"},
		{"security token over remote http", func(c *Config) { c.SecurityToken, c.Endpoint = "STS-SECRET-4", "http://192.0.2.1" }, "refusing to send"},
		{"token over remote http, opted in", func(c *Config) {
			c.AuthToken, c.Endpoint, c.AllowPlainHTTP = "TOKEN-SECRET-3", "http://192.0.2.1", true
		}, ""},
		{"token over loopback http", func(c *Config) { c.AuthToken, c.Endpoint = "TOKEN-SECRET-3", "http://localhost:18080" }, ""},
		{"aksk over remote http", func(c *Config) { c.Endpoint = "http://192.0.2.1" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.edit(&cfg)
			c, err := NewClient(cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("NewClient: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewClient succeeded, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			for _, secret := range []string{"AK-SECRET-1", "SK-SECRET-2", "TOKEN-SECRET-3"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q leaks a secret", err)
				}
			}
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct{ region, endpoint, want string }{
		{"cn-north-4", "", "https://workspace.cn-north-4.myhuaweicloud.com"},
		{"ap-southeast-1", "", "https://workspace.ap-southeast-1.myhuaweicloud.com"},
		{"cn-north-4", "http://127.0.0.1:18080", "http://127.0.0.1:18080"},
		{"cn-north-4", "https://ws.example.com/", "https://ws.example.com"},
	}
	for _, tt := range tests {
		c, err := NewClient(Config{Region: tt.region, ProjectID: "p", AccessKey: "a", SecretKey: "s", Endpoint: tt.endpoint})
		if err != nil {
			t.Fatalf("%+v: %v", tt, err)
		}
		if c.endpoint != tt.want {
			t.Errorf("endpoint(%q, %q) = %q, want %q", tt.region, tt.endpoint, c.endpoint, tt.want)
		}
		if c.timeout != DefaultTimeout {
			t.Errorf("default timeout = %s", c.timeout)
		}
	}
}

func TestConfigPrintingRedactsSecrets(t *testing.T) {
	cfg := Config{ProjectID: "p", AccessKey: "AK-SECRET-1", SecretKey: "SK-SECRET-2", SecurityToken: "ST-SECRET-3", AuthToken: "TOKEN-SECRET-4"}
	cred := newTokenCredential("p", "TOKEN-SECRET-4")
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(cred), fmt.Sprintf("%#v", cred)} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("printed form leaks a secret: %s", s)
		}
	}
}

// TestAuthHeaders checks what each kind of credential puts on the wire, on
// a GET (list) and a POST (delete).
func TestAuthHeaders(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		// checks on each request
		token         string // expected X-Auth-Token; "" means signed
		securityToken string
	}{
		{name: "aksk", edit: func(*Config) {}},
		{name: "aksk with security token", edit: func(c *Config) { c.SecurityToken = "sts-token-value" }, securityToken: "sts-token-value"},
		{name: "iam token", edit: func(c *Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", "iam-token-value" }, token: "iam-token-value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch s.Route {
				case routeList:
					writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
				case routeDelete:
					writeJSON(w, 202, map[string]string{"job_id": "job-1"})
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
				}
			})
			c := newTestClient(t, f.srv.URL, tt.edit)
			if _, err := c.ListDesktops(context.Background(), fleetFilter("d1")); err != nil {
				t.Fatalf("ListDesktops: %v", err)
			}
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
			if len(out.Done) != 1 {
				t.Fatalf("delete outcome %+v", out)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("got %d requests, want 2", len(reqs))
			}
			wantPaths := []string{"/v2/" + testProject + "/desktops/detail", "/v2/" + testProject + "/desktops/batch-delete"}
			for i, s := range reqs {
				if s.Path != wantPaths[i] {
					t.Errorf("path %q, want %q", s.Path, wantPaths[i])
				}
				if got := s.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("%s: Content-Type %q", s.Route, got)
				}
				if got := s.Header.Get("X-Project-Id"); got != testProject {
					t.Errorf("%s: X-Project-Id %q", s.Route, got)
				}
				if ua := s.Header.Get("User-Agent"); !strings.Contains(ua, "clouddesktop-test") {
					t.Errorf("%s: User-Agent %q", s.Route, ua)
				}
				if got := s.Header.Get("X-Security-Token"); got != tt.securityToken {
					t.Errorf("%s: X-Security-Token %q, want %q", s.Route, got, tt.securityToken)
				}
				if tt.token != "" {
					if got := s.Header.Get("X-Auth-Token"); got != tt.token {
						t.Errorf("%s: X-Auth-Token %q", s.Route, got)
					}
					if got := s.Header.Get("Authorization"); got != "" {
						t.Errorf("%s: token request carries Authorization %q", s.Route, got)
					}
					if got := s.Header.Get("X-Sdk-Date"); got != "" {
						t.Errorf("%s: token request was signed (X-Sdk-Date %q)", s.Route, got)
					}
					continue
				}
				if got := s.Header.Get("X-Auth-Token"); got != "" {
					t.Errorf("%s: signed request carries X-Auth-Token", s.Route)
				}
				if err := verifySignature(s, testAK, testSK, time.Now()); err != nil {
					t.Errorf("%s: %v", s.Route, err)
				}
			}
		})
	}
}

// TestSignatureVerifierRejectsTampering makes sure the verifier used above
// can fail.
func TestSignatureVerifierRejectsTampering(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		writeJSON(w, 202, map[string]string{"job_id": "j"})
	})
	c := newTestClient(t, f.srv.URL)
	c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
	s := f.requests()[0]
	if err := verifySignature(s, testAK, testSK, time.Now()); err != nil {
		t.Fatalf("untampered request: %v", err)
	}
	tampered := s
	tampered.Body = []byte(strings.Replace(string(s.Body), "d1", "d2", 1))
	if verifySignature(tampered, testAK, testSK, time.Now()) == nil {
		t.Error("verifier accepted a changed body")
	}
	if verifySignature(s, testAK, "other-secret", time.Now()) == nil {
		t.Error("verifier accepted the wrong secret")
	}
	if verifySignature(s, testAK, testSK, time.Now().Add(time.Hour)) == nil {
		t.Error("verifier accepted a stale X-Sdk-Date")
	}
}

// TestContentTypeOnEveryCall runs all four operations and checks each
// request carries Content-Type: application/json and valid auth.
func TestContentTypeOnEveryCall(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			writeJSON(w, 200, map[string]any{"failed_operation_list": []any{}})
		case routeDelete:
			writeJSON(w, 202, map[string]string{"job_id": "job-1"})
		case routeJob:
			writeJSON(w, 200, map[string]any{"id": "job-1", "status": "SUCCESS"})
		case routeList:
			writeList(w, s, []desk{{"d1", "ACTIVE", ""}})
		}
	})
	c := newTestClient(t, f.srv.URL)
	ctx := context.Background()
	c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Millisecond}).Act(ctx, batch("d1"))
	c.Deleter(DeleteOptions{Wait: true, Poll: testPoll}).Act(ctx, batch("d1"))
	routes := map[string]bool{}
	for _, s := range f.requests() {
		routes[s.Route] = true
		if got := s.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("%s %s: Content-Type %q", s.Method, s.Path, got)
		}
		if err := verifySignature(s, testAK, testSK, time.Now()); err != nil {
			t.Errorf("%s %s: %v", s.Method, s.Path, err)
		}
	}
	for _, r := range []string{routeAction, routeDelete, routeJob, routeList} {
		if !routes[r] {
			t.Errorf("no %s call was made", r)
		}
	}
	if got := f.of(routeJob)[0].Path; got != "/v2/"+testProject+"/workspace-jobs/job-1" {
		t.Errorf("ShowJob path %q", got)
	}
}
