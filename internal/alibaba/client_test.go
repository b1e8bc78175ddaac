package alibaba

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestNewClientValidates(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantErr   string // empty: must succeed
		wantHost  string
		wantProto string
	}{
		{"default endpoint", Config{Region: "cn-hangzhou"}, "", "ecd.cn-hangzhou.aliyuncs.com", "https"},
		{"region trimmed", Config{Region: " ap-southeast-1 "}, "", "ecd.ap-southeast-1.aliyuncs.com", "https"},
		{"https override", Config{Region: "cn-hangzhou", Endpoint: "https://ecd.example.com"}, "", "ecd.example.com", "https"},
		{"http with port", Config{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:18080"}, "", "127.0.0.1:18080", "http"},
		{"trailing slash and upper-case scheme", Config{Region: "cn-hangzhou", Endpoint: "HTTP://localhost:8080/"}, "", "localhost:8080", "http"},
		{"no region", Config{}, "no region", "", ""},
		{"region with a space", Config{Region: "cn hangzhou"}, "not a region ID", "", ""},
		{"region with a dot", Config{Region: "evil.com/x"}, "not a region ID", "", ""},
		{"bare host", Config{Region: "cn-hangzhou", Endpoint: "ecd.example.com"}, "full URL", "", ""},
		{"host:port without scheme", Config{Region: "cn-hangzhou", Endpoint: "127.0.0.1:18080"}, "full URL", "", ""},
		{"other scheme", Config{Region: "cn-hangzhou", Endpoint: "ftp://ecd.example.com"}, "full URL", "", ""},
		{"no host", Config{Region: "cn-hangzhou", Endpoint: "https://"}, "no host", "", ""},
		{"port only", Config{Region: "cn-hangzhou", Endpoint: "http://:8080"}, "no host", "", ""},
		{"bad port", Config{Region: "cn-hangzhou", Endpoint: "http://127.0.0.1:99999"}, "invalid port", "", ""},
		{"path", Config{Region: "cn-hangzhou", Endpoint: "https://ecd.example.com/api"}, "must not have a path", "", ""},
		{"query", Config{Region: "cn-hangzhou", Endpoint: "https://ecd.example.com?x=1"}, "must not have a path", "", ""},
		{"user info", Config{Region: "cn-hangzhou", Endpoint: "https://user:hunter2@ecd.example.com"}, "user information", "", ""},
		{"unparseable", Config{Region: "cn-hangzhou", Endpoint: "http://[::1"}, "not a valid URL", "", ""},
		{"user info without scheme", Config{Region: "cn-hangzhou", Endpoint: "user:hunter2@ecd.example.com"}, "full URL", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error shows the endpoint's password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tea.StringValue(c.apiConfig.Endpoint); got != tt.wantHost {
				t.Errorf("endpoint host = %q, want %q", got, tt.wantHost)
			}
			if got := tea.StringValue(c.apiConfig.Protocol); got != tt.wantProto {
				t.Errorf("protocol = %q, want %q", got, tt.wantProto)
			}
			if c.apiConfig.RetryOptions != nil {
				t.Errorf("darabonba retries are on: %+v", c.apiConfig.RetryOptions)
			}
			if tea.IntValue(c.apiConfig.ReadTimeout) != int(DefaultTimeout.Milliseconds()) {
				t.Errorf("read timeout = %d ms", tea.IntValue(c.apiConfig.ReadTimeout))
			}
		})
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	cfg := Config{Region: "cn-hangzhou", AccessKey: "AK-SHOWME", SecretKey: "SK-SHOWME", SecurityToken: "STS-SHOWME"}
	a := ClientAPI{LoginToken: "LT-SHOWME", SessionToken: "ST-SHOWME", ClientID: "client"}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(a), fmt.Sprintf("%#v", &a), fmt.Sprintf("%+v", RebootOptions{ClientAPI: &a})} {
		if strings.Contains(s, "SHOWME") {
			t.Errorf("%s shows a secret", s)
		}
	}
}

// TestSigning checks what arrives: AK calls signed with ACS3-HMAC-SHA256
// (the mock cloud verifies the signature itself and records who signed),
// STS adds its token, anonymous calls carry no trace of any credential,
// and the user agent is appended.
func TestSigning(t *testing.T) {
	tests := []struct {
		name      string
		sts       string
		clientAPI bool
	}{
		{"access key", "", false},
		{"sts", "sts-token-value", false},
		{"anonymous client API", "sts-token-value", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "", "d1")
			c := newTestClient(t, m.URL, func(c *Config) { c.SecurityToken = tt.sts })
			opts := RebootOptions{}
			if tt.clientAPI {
				opts.ClientAPI = clientAPI()
			}
			o := c.Rebooter(opts).Act(context.Background(), batch("tok", "d1"))
			if len(o.Done) != 1 {
				t.Fatalf("outcome %+v", o)
			}
			call := m.CallsTo(ali, opReboot)[0]
			switch {
			case tt.clientAPI:
				if call.Auth != "anonymous" {
					t.Errorf("the mock saw auth %q, want anonymous", call.Auth)
				}
				for _, h := range []string{"Authorization", "x-acs-accesskey-id", "x-acs-security-token", "x-acs-bearer-token"} {
					if v := call.Header.Get(h); v != "" {
						t.Errorf("anonymous call carries %s: %q", h, v)
					}
				}
				// SignatureNonce is a common RPC V2 parameter, sent
				// signed or not; these are what signing adds.
				for _, k := range []string{"Signature", "SignatureMethod", "SignatureVersion", "SignatureType", "AccessKeyId", "SecurityToken", "BearerToken"} {
					if _, ok := call.Params[k]; ok {
						t.Errorf("anonymous call carries query parameter %s", k)
					}
				}
			default:
				if call.Auth != "ak:"+testAK || !strings.HasPrefix(call.Header.Get("Authorization"), "ACS3-HMAC-SHA256 Credential="+testAK+",") {
					t.Errorf("the mock saw auth %q, Authorization %q", call.Auth, call.Header.Get("Authorization"))
				}
				if got := call.Header.Get("x-acs-security-token"); got != tt.sts {
					t.Errorf("x-acs-security-token = %q, want %q", got, tt.sts)
				}
			}
			if ua := call.Header.Get("User-Agent"); !strings.HasSuffix(ua, " terraform-provider-clouddesktop/test") {
				t.Errorf("User-Agent = %q", ua)
			}
		})
	}
}

// TestNoCredentialsNeededForTheClientAPI: with no credentials anywhere,
// building a client and rebooting through the client API work, and an AK
// call fails with ErrMissingCredentials before anything is sent.
func TestNoCredentialsNeededForTheClientAPI(t *testing.T) {
	clienttest.IsolateAlibabaCredentials(t)
	m := clienttest.Start(t)
	add(m, "", "d1", "d2")
	c := newTestClient(t, m.URL, func(c *Config) { c.AccessKey, c.SecretKey = "", "" })

	o := c.Rebooter(RebootOptions{ClientAPI: clientAPI()}).Act(context.Background(), batch("tok", "d1"))
	if len(o.Done) != 1 || len(o.Failed) != 0 {
		t.Fatalf("client API reboot: %+v", o)
	}

	// Waiting needs DescribeDesktops: refused before anything is rebooted.
	o = c.Rebooter(RebootOptions{Wait: true, ClientAPI: clientAPI()}).Act(context.Background(), batch("tok2", "d2"))
	if len(o.Failed) != 1 || !errors.Is(o.Failed[0].Err, ErrMissingCredentials) || !strings.Contains(o.Failed[0].Err.Error(), "waiting") {
		t.Fatalf("client API reboot with wait: %+v", o)
	}

	o = c.Rebooter(RebootOptions{}).Act(context.Background(), batch("", "d2"))
	if len(o.Failed) != 1 || !errors.Is(o.Failed[0].Err, ErrMissingCredentials) {
		t.Fatalf("admin reboot without credentials: %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Retryable || ce.Ambiguous || ce.Operation != opReboot {
		t.Errorf("error %#v", o.Failed[0].Err)
	}
	if _, err := c.ListDesktops(context.Background(), fleet.ListFilter{}); !errors.Is(err, ErrMissingCredentials) {
		t.Errorf("list without credentials: %v", err)
	}
	if calls := m.CallsTo(ali, opReboot); len(calls) != 1 || calls[0].Auth != "anonymous" {
		t.Errorf("reboot calls %+v reached the API, want only the client API one", calls)
	}
	if n := len(m.CallsTo(ali, opDescribe)); n != 0 {
		t.Errorf("%d unsigned describe calls reached the API", n)
	}
	if n := m.RebootCount(ali, "d2"); n != 0 {
		t.Errorf("d2 rebooted %d times, want 0", n)
	}
}

func TestCredentialSources(t *testing.T) {
	tests := []struct {
		name       string
		ak, sk     string
		env        map[string]string
		wantMiss   bool
		wantReason string
	}{
		{"explicit keys", testAK, testSK, nil, false, ""},
		{"default chain from the environment", "", "", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": testAK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSK}, false, ""},
		{"access key without secret", testAK, "", map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSK}, true, "without its secret key"},
		{"secret without access key", "", testSK, nil, true, "without an access key"},
		{"nothing anywhere", "", "", nil, true, "default credential chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clienttest.IsolateAlibabaCredentials(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			m := clienttest.Start(t)
			add(m, "", "d1")
			c := newTestClient(t, m.URL, func(c *Config) { c.AccessKey, c.SecretKey = tt.ak, tt.sk })
			got, err := c.ListDesktops(context.Background(), fleet.ListFilter{})
			if !tt.wantMiss {
				if err != nil || len(got) != 1 {
					t.Fatalf("list = %v, %v", got, err)
				}
				if auth := m.CallsTo(ali, opDescribe)[0].Auth; auth != "ak:"+testAK {
					t.Errorf("the mock saw auth %q", auth)
				}
				return
			}
			if !errors.Is(err, ErrMissingCredentials) || !strings.Contains(err.Error(), tt.wantReason) {
				t.Fatalf("err = %v, want ErrMissingCredentials saying %q", err, tt.wantReason)
			}
			if strings.Contains(err.Error(), testSK) {
				t.Errorf("error shows the secret: %v", err)
			}
			if n := len(m.Calls()); n != 0 {
				t.Errorf("%d calls reached the API", n)
			}
		})
	}
}
