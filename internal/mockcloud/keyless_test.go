package mockcloud

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

// What the tests of the mock's STS (sts_test.go) and IAM (iam_test.go)
// share, and the tests about both: nothing secret leaks, and faults hit the
// exchanges like any other call.

// keyless is a mock for the keyless-credential tests: the clouds' APIs over
// plain HTTP (env), and the same handler, tamper included, over TLS, where
// credentials-go insists on reaching the STS.
type keyless struct {
	*env
	tlsHost string // 127.0.0.1:port
}

func newKeyless(t *testing.T, edit func(*Config)) *keyless {
	t.Helper()
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("Go verifies TLS with the system here and ignores SSL_CERT_FILE, so credentials-go cannot be made to trust the mock's CA")
	}
	cfg := DemoConfig()
	cfg.Timing = Timing{}
	if edit != nil {
		edit(&cfg)
	}
	e := newEnvConfig(t, cfg)
	ts := httptest.NewUnstartedServer(e.hs.Config.Handler)
	ts.TLS = testAuthority.ServerTLSConfig()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return &keyless{env: e, tlsHost: ts.Listener.Addr().String()}
}

// shortLived makes credentials live a minute: moving the clock past that
// keeps fresh SDK signatures inside the 15-minute window.
func shortLived(c *Config) { c.CredentialLifetime = time.Minute }

// clockAt moves the clock that signatures and credential expiry are checked
// against (the wall clock, skewed) so that it reads expires+d now, and a
// moment later by the time a request arrives. No sleeping: this is the
// clock the mock compares ExpiresAt with.
func (e *env) clockAt(expires time.Time, d time.Duration) {
	e.srv.signatureSkew.Store(int64(time.Until(expires) + d))
}

// onlyIssued is the one credential the mock has issued.
func onlyIssued(t *testing.T, s *Server) IssuedCredential {
	t.Helper()
	issued := s.Issued()
	if len(issued) != 1 {
		t.Fatalf("%d credentials issued, want 1: %+v", len(issued), issued)
	}
	return issued[0]
}

// near fails unless got is within a few seconds of want: the mock and the
// test each read the clock once.
func near(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if d := got.Sub(want); d < -3*time.Second || d > 3*time.Second {
		t.Errorf("%s %v, want about %v", what, got, want)
	}
}

// ---- Alibaba, through credentials-go ----

type roleOpts struct {
	ak, secret, token, role, externalID string
}

// assumeRole runs credentials-go's RAM role provider against the mock's
// STS. The demo key and role stand in for what o leaves empty.
func (k *keyless) assumeRole(t *testing.T, o roleOpts) (*providers.Credentials, error) {
	t.Helper()
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithAccessKeyId(or(o.ak, DemoAlibabaAccessKey)).WithAccessKeySecret(or(o.secret, DemoAlibabaSecret)).
		WithRoleArn(or(o.role, DemoAlibabaRoleArn)).WithRoleSessionName("terraform").
		WithStsEndpoint(k.tlsHost)
	if o.token != "" {
		b = b.WithSecurityToken(o.token)
	}
	if o.externalID != "" {
		b = b.WithExternalId(o.externalID)
	}
	p, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return p.GetCredentials()
}

// assumeRoleWithOIDC runs credentials-go's OIDC provider against the mock's
// STS.
func (k *keyless) assumeRoleWithOIDC(t *testing.T, provider, token, role string) (*providers.Credentials, error) {
	t.Helper()
	p, err := providers.NewOIDCCredentialsProviderBuilder().
		WithOIDCProviderARN(provider).WithOIDCToken(token).WithRoleArn(role).
		WithRoleSessionName("terraform-oidc").WithSTSEndpoint(k.tlsHost).Build()
	if err != nil {
		t.Fatal(err)
	}
	return p.GetCredentials()
}

// describeWith makes an ECD call signed with the credentials.
func (k *keyless) describeWith(t *testing.T, ak, secret, token string) error {
	t.Helper()
	_, err := aliCall(k.aliWith(t, ak, secret, token), "DescribeDesktops", aliAdminVersion, false, adminQuery(nil))
	return err
}

// wantSTSErr checks that the last call was refused with code and status,
// and that credentials-go's error carries the mock's answer (it quotes the
// body).
func wantSTSErr(t *testing.T, s *Server, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded, want %s", code)
	}
	c := lastCall(t, s)
	if c.ErrorCode != code || c.Status != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d): %v", c.ErrorCode, c.Status, code, status, err)
	}
	if !strings.Contains(err.Error(), `"Code":"`+code+`"`) {
		t.Errorf("the SDK's error does not carry the code: %v", err)
	}
}

// ---- Huawei, through the SDK's federated login ----

// hwFederated is a Workspace client whose credentials come from the id-token
// login at iam (an http:// or https:// endpoint).
func (k *keyless) hwFederated(t *testing.T, idp, idToken, iam string) *workspace.WorkspaceClient {
	t.Helper()
	file := filepath.Join(t.TempDir(), "id_token")
	if err := os.WriteFile(file, []byte(idToken), 0o600); err != nil {
		t.Fatal(err)
	}
	cred, err := basic.NewCredentialsBuilder().WithIdpId(idp).WithIdTokenFile(file).
		WithIamEndpointOverride(iam).WithProjectId(DemoHuaweiProject).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := workspace.WorkspaceClientBuilder().WithEndpoints([]string{k.hs.URL}).WithCredential(cred).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return workspace.NewWorkspaceClient(hc)
}

func hwList(c *workspace.WorkspaceClient) error {
	_, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{})
	return err
}

// ---- Both ----

// Nothing the mock issued, and no token it was sent, shows in a call's
// record, the control API or the log.
func TestKeylessSecretsStayHidden(t *testing.T) {
	log := &syncWriter{}
	k := newKeyless(t, func(c *Config) { c.Log = log })
	cc, err := k.assumeRole(t, roleOpts{})
	mustOK(t, err)
	mustOK(t, k.describeWith(t, cc.AccessKeyId, cc.AccessKeySecret, cc.SecurityToken))
	// A temporary key as the base of AssumeRole sends its token in the
	// query.
	_, err = k.assumeRole(t, roleOpts{ak: cc.AccessKeyId, secret: cc.AccessKeySecret, token: cc.SecurityToken})
	mustOK(t, err)
	oidc, err := k.assumeRoleWithOIDC(t, DemoAlibabaOIDCProviderArn, DemoOIDCToken, DemoAlibabaRoleArn)
	mustOK(t, err)
	mustOK(t, k.describeWith(t, oidc.AccessKeyId, oidc.AccessKeySecret, oidc.SecurityToken))
	mustOK(t, hwList(k.hwFederated(t, DemoHuaweiIdpID, DemoHuaweiIDToken, k.hs.URL)))

	issued := k.srv.Issued()
	secrets := k.srv.IssuedSecrets()
	// Two per credential (secret, security token) and the Huawei subject
	// token.
	if len(issued) != 4 || len(secrets) != 2*len(issued)+1 {
		t.Fatalf("%d issued, %d secrets", len(issued), len(secrets))
	}
	hidden := append(secrets, DemoOIDCToken, DemoHuaweiIDToken)
	leaks := func(where, text string) {
		t.Helper()
		for _, s := range hidden {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the secret %.12s...:\n%s", where, s, text)
			}
		}
	}

	for _, c := range k.srv.Calls() {
		c.Header = nil // for tests in this process only, documented as holding tokens
		b, _ := json.Marshal(c)
		leaks("call "+c.Operation, string(b))
	}
	var calls, listed json.RawMessage
	k.control(t, "GET", "/calls", "", &calls)
	leaks("/_mock/calls", string(calls))
	if st := k.control(t, "GET", "/issued", "", &listed); st != 200 {
		t.Fatalf("/_mock/issued: HTTP %d", st)
	}
	leaks("/_mock/issued", string(listed))
	for _, c := range issued {
		if !strings.Contains(string(listed), `"accessKey": "`+c.AccessKey+`"`) {
			t.Errorf("/_mock/issued does not list %s:\n%s", c.AccessKey, listed)
		}
	}
	text := httptest.NewRecorder()
	k.srv.ServeHTTP(text, httptest.NewRequest("GET", "/_mock/issued?format=text", nil))
	leaks("/_mock/issued?format=text", text.Body.String())
	for _, c := range issued {
		if !strings.Contains(text.Body.String(), c.AccessKey) {
			t.Errorf("/_mock/issued?format=text does not list %s:\n%s", c.AccessKey, text.Body)
		}
	}
	out := log.String()
	leaks("the log", out)
	for _, want := range []string{"alibaba AssumeRole ", "alibaba AssumeRoleWithOIDC ", "huawei CreateTokenWithIdToken ",
		"huawei CreateTemporaryAccessKeyByToken ", "auth=sts:" + issued[0].AccessKey} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// Each exchange is recorded under its cloud and operation, says who called,
// and keeps its body, token masked.
func TestKeylessCallRecords(t *testing.T) {
	k := newKeyless(t, nil)
	cc, err := k.assumeRole(t, roleOpts{})
	mustOK(t, err)
	_, err = k.assumeRole(t, roleOpts{ak: cc.AccessKeyId, secret: cc.AccessKeySecret, token: cc.SecurityToken})
	mustOK(t, err)
	_, err = k.assumeRoleWithOIDC(t, DemoAlibabaOIDCProviderArn, DemoOIDCToken, DemoAlibabaRoleArn)
	mustOK(t, err)
	mustOK(t, hwList(k.hwFederated(t, DemoHuaweiIdpID, DemoHuaweiIDToken, k.hs.URL)))

	calls := k.srv.Calls()
	want := []struct {
		cloud, op, auth string
		status          int
		body, masked    string // in the recorded body: what is kept, and the masked field
	}{
		{CloudAlibaba, "AssumeRole", "ak:" + DemoAlibabaAccessKey, 200, "RoleArn=", ""},
		{CloudAlibaba, "AssumeRole", "sts:" + cc.AccessKeyId, 200, "RoleSessionName=terraform", ""},
		{CloudAlibaba, "AssumeRoleWithOIDC", "anonymous", 200, "OIDCProviderArn=", "OIDCToken=" + redacted},
		{CloudHuawei, "CreateTokenWithIdToken", "anonymous", 201, `"id_token"`, `"id":"` + redacted + `"`},
		{CloudHuawei, "CreateTemporaryAccessKeyByToken", "token", 201, `"duration_seconds":21600`, `"id":"` + redacted + `"`},
		{CloudHuawei, "ListDesktopsDetail", "sts:" + k.srv.Issued()[3].AccessKey, 200, "", ""},
	}
	if len(calls) != len(want) {
		t.Fatalf("%d calls, want %d", len(calls), len(want))
	}
	for i, w := range want {
		c := calls[i]
		if c.Cloud != w.cloud || c.Operation != w.op || c.Auth != w.auth || c.Status != w.status {
			t.Errorf("call %d: %s %s auth %q HTTP %d, want %s %s auth %q HTTP %d", i, c.Cloud, c.Operation, c.Auth, c.Status, w.cloud, w.op, w.auth, w.status)
		}
		if !strings.Contains(string(c.Body), w.body) || !strings.Contains(string(c.Body), w.masked) {
			t.Errorf("call %d %s: body %s, want it to hold %q and %q", i, c.Operation, c.Body, w.body, w.masked)
		}
	}
	if p := calls[1].Params["SecurityToken"]; p != redacted {
		t.Errorf("AssumeRole's SecurityToken parameter recorded as %q", p)
	}
	if p := calls[2].Params["OIDCToken"]; p != redacted {
		t.Errorf("AssumeRoleWithOIDC's OIDCToken parameter recorded as %q", p)
	}
	if !calls[0].Applied || !calls[4].Applied {
		t.Error("an exchange that issued a credential is not marked applied")
	}
}

// Injected faults hit the exchanges by cloud and operation, and decide
// whether the credential was issued.
func TestKeylessFaults(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		call       func(t *testing.T, k *keyless) error
		wantErr    string // in the client's error
		wantIssued int
	}{
		{
			name:  "AssumeRole answered 503",
			fault: Fault{Cloud: CloudAlibaba, Operation: "AssumeRole", Kind: FaultServerError},
			call: func(t *testing.T, k *keyless) error {
				_, err := k.assumeRole(t, roleOpts{})
				return err
			},
			wantErr: "ServiceUnavailable",
		},
		{
			name:  "AssumeRoleWithOIDC throttled",
			fault: Fault{Cloud: CloudAlibaba, Operation: "AssumeRoleWithOIDC", Kind: FaultThrottle},
			call: func(t *testing.T, k *keyless) error {
				_, err := k.assumeRoleWithOIDC(t, DemoAlibabaOIDCProviderArn, DemoOIDCToken, DemoAlibabaRoleArn)
				return err
			},
			wantErr: "Throttling.User",
		},
		{
			// The STS issued the credential, and the answer was lost.
			name:  "AssumeRole applied, then the connection reset",
			fault: Fault{Cloud: CloudAlibaba, Operation: "AssumeRole", Kind: FaultReset, AfterApply: true},
			call: func(t *testing.T, k *keyless) error {
				_, err := k.assumeRole(t, roleOpts{})
				return err
			},
			wantErr: "EOF", wantIssued: 1,
		},
		{
			name:  "Huawei securitytokens throttled",
			fault: Fault{Cloud: CloudHuawei, Operation: "CreateTemporaryAccessKeyByToken", Kind: FaultThrottle},
			call: func(t *testing.T, k *keyless) error {
				return hwList(k.hwFederated(t, DemoHuaweiIdpID, DemoHuaweiIDToken, k.hs.URL))
			},
			wantErr: "APIGW.0308",
		},
		{
			name:  "Huawei id-token login fails",
			fault: Fault{Cloud: CloudHuawei, Operation: "CreateTokenWithIdToken", Kind: FaultServerError, Status: 500},
			call: func(t *testing.T, k *keyless) error {
				return hwList(k.hwFederated(t, DemoHuaweiIdpID, DemoHuaweiIDToken, k.hs.URL))
			},
			wantErr: "WKS.0500",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, nil)
			k.srv.InjectFault(tt.fault)
			err := tt.call(t, k)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
			}
			if n := len(k.srv.Issued()); n != tt.wantIssued {
				t.Errorf("%d credentials issued, want %d", n, tt.wantIssued)
			}
			if f := k.srv.Faults()[0]; f.Fired != 1 {
				t.Errorf("the fault fired %d times", f.Fired)
			}
		})
	}
}

// rawSTS posts an anonymous AssumeRoleWithOIDC over TLS, for what
// credentials-go will not send; edit changes the query and the form first.
func (k *keyless) rawSTS(t *testing.T, edit func(q, form url.Values)) (int, stsAnswer, []byte) {
	t.Helper()
	q := url.Values{"Action": {"AssumeRoleWithOIDC"}, "Version": {stsVersion}, "Format": {"JSON"},
		"Timestamp": {time.Now().UTC().Format(acsDateLayout)}}
	form := url.Values{"RoleArn": {DemoAlibabaRoleArn}, "OIDCProviderArn": {DemoAlibabaOIDCProviderArn},
		"OIDCToken": {DemoOIDCToken}, "RoleSessionName": {"raw"}, "DurationSeconds": {"3600"}}
	if edit != nil {
		edit(q, form)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: testAuthority.ClientTLSConfig()}}
	resp, err := client.Post("https://"+k.tlsHost+"/?"+q.Encode(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer stsAnswer
	_ = json.Unmarshal(b, &answer)
	return resp.StatusCode, answer, b
}
