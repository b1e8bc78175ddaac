package mockcloud

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

// The mock's Huawei IAM, driven by the SDK's federated login (id token
// file, IdP ID) from a Workspace client, and the Workspace calls made with
// what it issued.

func TestHuaweiFederatedLogin(t *testing.T) {
	tests := []struct {
		name         string
		edit         func(*Config)
		idp, idToken string
		overTLS      bool
		wantCode     string // the SDK's ServiceResponseError, with 401
		wantLifetime time.Duration
	}{
		// The SDK asks securitytokens for six hours.
		{name: "the demo IdP takes the demo id token", wantLifetime: 6 * time.Hour},
		{name: "IAM over TLS", overTLS: true, wantLifetime: 6 * time.Hour},
		{name: "CredentialLifetime overrides the SDK's six hours", edit: func(c *Config) { c.CredentialLifetime = 90 * time.Second },
			wantLifetime: 90 * time.Second},
		{name: "unknown IdP", idp: "nobody", wantCode: "IAM.0007"},
		{name: "id token not accepted", idToken: "forged-id-token", wantCode: "IAM.0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, tt.edit)
			k.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "fed", 2)
			iam := k.hs.URL
			if tt.overTLS {
				iam = "https://" + k.tlsHost
			}
			resp, err := k.hwFederated(t, or(tt.idp, DemoHuaweiIdpID), or(tt.idToken, DemoHuaweiIDToken), iam).
				ListDesktopsDetail(&model.ListDesktopsDetailRequest{})
			if tt.wantCode != "" {
				se := hwErr(t, err)
				if se.ErrorCode != tt.wantCode || se.StatusCode != 401 || se.RequestId == "" {
					t.Fatalf("got %s (HTTP %d, request %q), want %s (HTTP 401): %v", se.ErrorCode, se.StatusCode, se.RequestId, tt.wantCode, err)
				}
				if strings.Contains(err.Error(), or(tt.idToken, DemoHuaweiIDToken)) {
					t.Errorf("the error echoes the id token: %v", err)
				}
				if n := len(k.srv.CallsTo(CloudHuawei, "ListDesktopsDetail")); n != 0 || len(k.srv.Issued()) != 0 {
					t.Errorf("after a refused login: %d Workspace calls, %d issued", n, len(k.srv.Issued()))
				}
				return
			}
			mustOK(t, err)
			if n := deref(resp.TotalCount); n != 2 {
				t.Errorf("listed %d desktops", n)
			}
			got := onlyIssued(t, k.srv)
			if got.Cloud != CloudHuawei || got.Operation != "CreateTemporaryAccessKeyByToken" || got.Role != DemoHuaweiIdpID {
				t.Errorf("issued %+v", got)
			}
			near(t, "expiry", got.ExpiresAt, time.Now().Add(tt.wantLifetime))
			calls := k.srv.Calls()
			var seen []string
			for _, c := range calls {
				seen = append(seen, fmt.Sprintf("%s %d %s", c.Operation, c.Status, c.Auth))
			}
			want := []string{"CreateTokenWithIdToken 201 anonymous", "CreateTemporaryAccessKeyByToken 201 token", "ListDesktopsDetail 200 sts:" + got.AccessKey}
			if strings.Join(seen, "; ") != strings.Join(want, "; ") {
				t.Errorf("calls %q, want %q", seen, want)
			}
		})
	}
}

// A Workspace call with an issued AK needs that AK's own security token,
// and fails once it has expired; static keys are not affected.
func TestHuaweiIssuedKeys(t *testing.T) {
	tests := []struct {
		name        string
		key         func(own, other IssuedCredential) (ak, sk, token string)
		moveClock   bool
		sinceExpiry time.Duration
		wantMsg     string // of the 401 APIGW.0301; "" when accepted
		wantAuth    string
	}{
		{name: "its own token", key: hwOwn, wantAuth: "sts"},
		{name: "no token", wantMsg: "none was sent",
			key: func(o, _ IssuedCredential) (string, string, string) { return o.AccessKey, o.Secret, "" }},
		{name: "another credential's token", wantMsg: "does not belong",
			key: func(o, x IssuedCredential) (string, string, string) { return o.AccessKey, o.Secret, x.SecurityToken }},
		{name: "another credential's secret", wantMsg: "signature does not match",
			key: func(o, x IssuedCredential) (string, string, string) { return o.AccessKey, x.Secret, o.SecurityToken }},
		{name: "a moment before expiry", key: hwOwn, moveClock: true, sinceExpiry: -10 * time.Second, wantAuth: "sts"},
		{name: "at expiry", key: hwOwn, moveClock: true, wantMsg: "expired"},
		{name: "a static key after expiry", moveClock: true, wantAuth: "ak",
			key: func(IssuedCredential, IssuedCredential) (string, string, string) {
				return DemoHuaweiAccessKey, DemoHuaweiSecret, ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, shortLived)
			for range 2 {
				mustOK(t, hwList(k.hwFederated(t, DemoHuaweiIdpID, DemoHuaweiIDToken, k.hs.URL)))
			}
			issued := k.srv.Issued()
			if len(issued) != 2 {
				t.Fatalf("%d issued", len(issued))
			}
			if tt.moveClock {
				k.clockAt(issued[0].ExpiresAt, tt.sinceExpiry)
			}
			ak, sk, token := tt.key(issued[0], issued[1])
			_, err := k.hwWith(t, ak, sk, DemoHuaweiProject, token).ListDesktopsDetail(&model.ListDesktopsDetailRequest{})
			c := lastCall(t, k.srv)
			if tt.wantMsg != "" {
				wantHwErr(t, err, "APIGW.0301", 401)
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("message does not say %q: %v", tt.wantMsg, err)
				}
				if c.Auth != "" {
					t.Errorf("refused call recorded auth %q", c.Auth)
				}
				return
			}
			mustOK(t, err)
			if c.Auth != tt.wantAuth+":"+ak {
				t.Errorf("auth %q, want %s:%s", c.Auth, tt.wantAuth, ak)
			}
		})
	}
}

func hwOwn(o, _ IssuedCredential) (string, string, string) {
	return o.AccessKey, o.Secret, o.SecurityToken
}

// rawIAM posts body to an IAM path and returns the status, the error code
// and the answer.
func (k *keyless) rawIAM(t *testing.T, method, path, idp, body string) (int, string, *http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, k.hs.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if idp != "" {
		req.Header.Set("X-Idp-Id", idp)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e iamError
	_ = json.Unmarshal(b, &e)
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", method, path)
	}
	return resp.StatusCode, e.ErrorCode, resp, b
}

const demoIDTokenBody = `{"auth":{"id_token":{"id":"` + DemoHuaweiIDToken + `"}}}`

func securityTokensBody(token, duration string) string {
	return `{"auth":{"identity":{"methods":["token"],"token":{"id":"` + token + `"` + duration + `}}}}`
}

// What the SDK never sends, sent raw: the answers' shapes, and the checks
// on each request.
func TestHuaweiIAMRequests(t *testing.T) {
	tests := []struct {
		name         string
		method, path string
		idp          string
		body         func(subject string) string // subject is a federated token the mock issued
		expire       bool                        // the subject token has expired
		wantStatus   int
		wantCode     string
		wantLifetime time.Duration // of the credential, when issued
	}{
		{name: "securitytokens, 15 minutes by default", path: iamSecurityTokensPath, wantStatus: 201, wantLifetime: 15 * time.Minute,
			body: func(s string) string { return securityTokensBody(s, "") }},
		{name: "securitytokens, 24 hours at most", path: iamSecurityTokensPath, wantStatus: 201, wantLifetime: 24 * time.Hour,
			body: func(s string) string { return securityTokensBody(s, `,"duration_seconds":86400`) }},
		{name: "securitytokens, too short", path: iamSecurityTokensPath, wantStatus: 400, wantCode: "IAM.0011",
			body: func(s string) string { return securityTokensBody(s, `,"duration_seconds":899`) }},
		{name: "securitytokens, unknown token", path: iamSecurityTokensPath, wantStatus: 401, wantCode: "IAM.0001",
			body: func(string) string { return securityTokensBody("MIInot-a-token", "") }},
		{name: "securitytokens, expired token", path: iamSecurityTokensPath, expire: true, wantStatus: 401, wantCode: "IAM.0001",
			body: func(s string) string { return securityTokensBody(s, "") }},
		{name: "securitytokens, another method", path: iamSecurityTokensPath, wantStatus: 400, wantCode: "IAM.0011",
			body: func(s string) string {
				return strings.Replace(securityTokensBody(s, ""), `["token"]`, `["password"]`, 1)
			}},
		{name: "id-token login without X-Idp-Id", path: iamIDTokenPath, wantStatus: 401, wantCode: "IAM.0007",
			body: func(string) string { return demoIDTokenBody }},
		{name: "id-token login, body not JSON", path: iamIDTokenPath, idp: DemoHuaweiIdpID, wantStatus: 400, wantCode: "IAM.0011",
			body: func(string) string { return "id_token=" + DemoHuaweiIDToken }},
		{name: "id-token login, GET", method: "GET", path: iamIDTokenPath, idp: DemoHuaweiIdpID, wantStatus: 404, wantCode: "APIGW.0101",
			body: func(string) string { return "" }},
		{name: "an IAM API the mock does not serve", path: "/v3.0/OS-USER/users", wantStatus: 404, wantCode: "APIGW.0101",
			body: func(string) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, func(c *Config) { c.CredentialLifetime = 0 })
			// The login, as the SDK reads it: 201, X-Subject-Token and
			// X-Request-Id, and token.expires_at.
			status, _, resp, b := k.rawIAM(t, "POST", iamIDTokenPath, DemoHuaweiIdpID, demoIDTokenBody)
			subject := resp.Header.Get("X-Subject-Token")
			var login iamTokenAnswer
			if err := json.Unmarshal(b, &login); status != 201 || subject == "" || err != nil {
				t.Fatalf("login: HTTP %d, X-Subject-Token %t, %v: %s", status, subject != "", err, b)
			}
			expires, err := time.Parse(iamTimeLayout, login.Token.ExpiresAt)
			if err != nil || login.Token.Methods[0] != "mapped" || login.Token.User.OSFederation.IdentityProvider.ID != DemoHuaweiIdpID {
				t.Fatalf("login answered %s", b)
			}
			near(t, "token expiry", expires, time.Now().Add(24*time.Hour))
			if tt.expire {
				k.clockAt(expires, 0)
			}

			status, code, _, b := k.rawIAM(t, or(tt.method, "POST"), tt.path, tt.idp, tt.body(subject))
			if status != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("HTTP %d %q, want %d %q: %s", status, code, tt.wantStatus, tt.wantCode, b)
			}
			if tt.wantCode != "" {
				if strings.Contains(string(b), subject) || strings.Contains(string(b), DemoHuaweiIDToken) {
					t.Errorf("the error echoes a token: %s", b)
				}
				return
			}
			var answer iamCredentialAnswer
			if err := json.Unmarshal(b, &answer); err != nil {
				t.Fatal(err)
			}
			got := k.srv.Issued()[0]
			reported, err := time.Parse(iamTimeLayout, answer.Credential.ExpiresAt)
			if err != nil || !reported.Equal(got.ExpiresAt) || answer.Credential.Access != got.AccessKey || answer.Credential.SecurityToken != got.SecurityToken {
				t.Fatalf("answered %s; issued %s until %v", b, got.AccessKey, got.ExpiresAt)
			}
			near(t, "expiry", got.ExpiresAt, time.Now().Add(tt.wantLifetime))
		})
	}
}
