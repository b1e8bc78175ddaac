package huawei

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
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
		// Bearer credentials over plain http: clienttest's TestPlainHTTPBearer.
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
// a GET (list) and a POST (delete): the mock cloud verifies each signature
// itself and records who signed.
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
		{name: "iam token", edit: func(c *Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", mockcloud.DemoHuaweiAuthToken }, token: mockcloud.DemoHuaweiAuthToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "d1")
			c := newTestClient(t, m.URL, tt.edit)
			if _, err := c.ListDesktops(context.Background(), fleetFilter("d1")); err != nil {
				t.Fatalf("ListDesktops: %v", err)
			}
			out := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("d1"))
			if len(out.Done) != 1 {
				t.Fatalf("delete outcome %+v", out)
			}
			calls := m.Calls()
			if len(calls) != 2 {
				t.Fatalf("got %d requests, want 2", len(calls))
			}
			wantPaths := []string{"/v2/" + testProject + "/desktops/detail", "/v2/" + testProject + "/desktops/batch-delete"}
			for i, call := range calls {
				if call.Path != wantPaths[i] {
					t.Errorf("path %q, want %q", call.Path, wantPaths[i])
				}
				if got := call.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("%s: Content-Type %q", call.Operation, got)
				}
				if got := call.Header.Get("X-Project-Id"); got != testProject {
					t.Errorf("%s: X-Project-Id %q", call.Operation, got)
				}
				if ua := call.Header.Get("User-Agent"); !strings.Contains(ua, "clouddesktop-test") {
					t.Errorf("%s: User-Agent %q", call.Operation, ua)
				}
				if got := call.Header.Get("X-Security-Token"); got != tt.securityToken {
					t.Errorf("%s: X-Security-Token %q, want %q", call.Operation, got, tt.securityToken)
				}
				if tt.token != "" {
					if call.Auth != "token" || call.Header.Get("X-Auth-Token") != tt.token {
						t.Errorf("%s: auth %q, X-Auth-Token %q", call.Operation, call.Auth, call.Header.Get("X-Auth-Token"))
					}
					if got := call.Header.Get("Authorization"); got != "" {
						t.Errorf("%s: token request carries Authorization %q", call.Operation, got)
					}
					if got := call.Header.Get("X-Sdk-Date"); got != "" {
						t.Errorf("%s: token request was signed (X-Sdk-Date %q)", call.Operation, got)
					}
					continue
				}
				if got := call.Header.Get("X-Auth-Token"); got != "" {
					t.Errorf("%s: signed request carries X-Auth-Token", call.Operation)
				}
				if call.Auth != "ak:"+testAK {
					t.Errorf("%s: the mock saw auth %q, want a good signature by %s", call.Operation, call.Auth, testAK)
				}
			}
		})
	}
}

// TestContentTypeOnEveryCall runs all four operations and checks each
// request carries Content-Type: application/json and valid auth.
func TestContentTypeOnEveryCall(t *testing.T) {
	m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.HuaweiJobIDs = []string{"job-1"} })
	add(m, "d1")
	c := newTestClient(t, m.URL)
	ctx := context.Background()
	if out := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Millisecond}).Act(ctx, batch("d1")); len(out.Done) != 1 {
		t.Errorf("reboot %+v", out)
	}
	if out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Wait: true, Poll: testPoll}}).Act(ctx, batch("d1")); len(out.Done) != 1 {
		t.Errorf("delete %+v", out)
	}
	ops := map[string]bool{}
	for _, call := range m.Calls() {
		ops[call.Operation] = true
		if got := call.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("%s %s: Content-Type %q", call.Method, call.Path, got)
		}
		if call.Auth != "ak:"+testAK || call.Status >= 300 {
			t.Errorf("%s %s: auth %q, answered %d", call.Method, call.Path, call.Auth, call.Status)
		}
	}
	for _, op := range []string{opBatchRun, opBatchDelete, opShowJob, opList} {
		if !ops[op] {
			t.Errorf("no %s call was made", op)
		}
	}
	if got := m.CallsTo(hw, opShowJob)[0].Path; got != "/v2/"+testProject+"/workspace-jobs/job-1" {
		t.Errorf("ShowJob path %q", got)
	}
}
