package mockcloud

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/credentials-go/credentials/providers"
)

// The mock's Alibaba STS, driven by credentials-go's RAM role and OIDC
// providers over TLS, and the ECD calls made with what it issued.

// requireExternalID makes the demo role's trust policy require ExternalId
// "ext-1".
func requireExternalID(c *Config) {
	c.AlibabaRoles[DemoAlibabaRoleArn] = AlibabaRole{ExternalID: "ext-1"}
}

// rewriteForm changes one form parameter of a request on its way in, after
// it was signed.
func rewriteForm(name, value string) func(*http.Request) {
	return func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(b))
		form.Set(name, value)
		body := form.Encode()
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
	}
}

func TestAlibabaAssumeRole(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*Config)
		opts       roleOpts
		tamper     func(*http.Request)
		skew       time.Duration // of the clock signatures are checked against
		wantCode   string
		wantStatus int
		wantMsg    string
		wantAuth   string // of the AssumeRole call
	}{
		{name: "the demo key assumes the demo role", wantAuth: "ak:" + DemoAlibabaAccessKey},
		{name: "ExternalId matches", edit: requireExternalID, opts: roleOpts{externalID: "ext-1"}, wantAuth: "ak:" + DemoAlibabaAccessKey},
		{name: "ExternalId differs", edit: requireExternalID, opts: roleOpts{externalID: "ext-2"},
			wantCode: "NoPermission", wantStatus: 403, wantMsg: "ExternalId", wantAuth: "ak:" + DemoAlibabaAccessKey},
		{name: "ExternalId missing", edit: requireExternalID,
			wantCode: "NoPermission", wantStatus: 403, wantMsg: "ExternalId", wantAuth: "ak:" + DemoAlibabaAccessKey},
		{name: "unknown role", opts: roleOpts{role: "acs:ram::1234567890123456:role/nobody"},
			wantCode: "EntityNotExist.Role", wantStatus: 404, wantMsg: "acs:ram::1234567890123456:role/nobody", wantAuth: "ak:" + DemoAlibabaAccessKey},
		{name: "wrong secret", opts: roleOpts{secret: "not-the-secret"}, wantCode: "SignatureDoesNotMatch", wantStatus: 400},
		{name: "unknown access key", opts: roleOpts{ak: "NOSUCHKEY"}, wantCode: "InvalidAccessKeyId.NotFound", wantStatus: 404},
		{name: "form changed after signing", tamper: rewriteForm("RoleSessionName", "mallory"), wantCode: "SignatureDoesNotMatch", wantStatus: 400},
		{name: "query changed after signing", wantCode: "SignatureDoesNotMatch", wantStatus: 400,
			tamper: func(r *http.Request) {
				q := r.URL.Query()
				q.Set("SignatureNonce", "another-nonce")
				r.URL.RawQuery = q.Encode()
			}},
		{name: "stale timestamp", skew: 16 * time.Minute, wantCode: "InvalidTimeStamp.Expired", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, tt.edit)
			if tt.tamper != nil {
				k.setTamper(tt.tamper)
			}
			k.srv.signatureSkew.Store(int64(tt.skew))
			cc, err := k.assumeRole(t, tt.opts)
			c := lastCall(t, k.srv)
			if c.Cloud != CloudAlibaba || c.Operation != "AssumeRole" || c.Version != stsVersion || c.Auth != tt.wantAuth {
				t.Errorf("recorded %s %s %s auth %q, want alibaba AssumeRole %s auth %q", c.Cloud, c.Operation, c.Version, c.Auth, stsVersion, tt.wantAuth)
			}
			if tt.wantCode != "" {
				wantSTSErr(t, k.srv, err, tt.wantCode, tt.wantStatus)
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("message does not name %q: %v", tt.wantMsg, err)
				}
				if n := len(k.srv.Issued()); n != 0 {
					t.Errorf("%d credentials issued by a refused call", n)
				}
				return
			}
			mustOK(t, err)
			got := onlyIssued(t, k.srv)
			if got.Cloud != CloudAlibaba || got.Operation != "AssumeRole" || got.Role != DemoAlibabaRoleArn || got.SessionName != "terraform" ||
				got.AccessKey != cc.AccessKeyId || got.Secret != cc.AccessKeySecret || got.SecurityToken != cc.SecurityToken {
				t.Errorf("issued %+v; the SDK got %s", got, cc.AccessKeyId)
			}
			if !strings.HasPrefix(got.AccessKey, "STS.") {
				t.Errorf("access key %s, want an STS. key as the real STS gives", got.AccessKey)
			}
			// credentials-go asks for 3600 s by default.
			near(t, "expiry", got.ExpiresAt, time.Now().Add(time.Hour))
			if !got.ExpiresAt.Equal(got.ExpiresAt.Truncate(time.Second)) {
				t.Errorf("expiry %v is not the whole second the answer reported", got.ExpiresAt)
			}
			k.setTamper(func(*http.Request) {})
			mustOK(t, k.describeWith(t, got.AccessKey, got.Secret, got.SecurityToken))
			if c := lastCall(t, k.srv); c.Auth != "sts:"+got.AccessKey {
				t.Errorf("ECD call recorded auth %q", c.Auth)
			}
		})
	}
}

// A temporary key can be the base of AssumeRole, with its token, until it
// expires.
func TestAlibabaAssumeRoleFromTemporaryKey(t *testing.T) {
	tests := []struct {
		name     string
		token    func(own string) string
		expire   bool
		wantCode string
	}{
		{name: "with its token", token: func(own string) string { return own }},
		// credentials-go sends no SecurityToken for a base without one.
		{name: "without its token", token: func(string) string { return "" }, wantCode: "InvalidSecurityToken.MismatchWithAccessKey"},
		{name: "with another token", token: func(string) string { return "CAISnot-the-token" }, wantCode: "InvalidSecurityToken.MismatchWithAccessKey"},
		{name: "expired", token: func(own string) string { return own }, expire: true, wantCode: "InvalidSecurityToken.Expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, shortLived)
			base, err := k.assumeRole(t, roleOpts{})
			mustOK(t, err)
			if tt.expire {
				k.clockAt(onlyIssued(t, k.srv).ExpiresAt, 0)
			}
			_, err = k.assumeRole(t, roleOpts{ak: base.AccessKeyId, secret: base.AccessKeySecret, token: tt.token(base.SecurityToken)})
			if tt.wantCode != "" {
				wantSTSErr(t, k.srv, err, tt.wantCode, 400)
				return
			}
			mustOK(t, err)
			if c := lastCall(t, k.srv); c.Auth != "sts:"+base.AccessKeyId {
				t.Errorf("auth %q, want the temporary base key", c.Auth)
			}
			if n := len(k.srv.Issued()); n != 2 {
				t.Errorf("%d credentials issued, want 2", n)
			}
		})
	}
}

// An ECD call with an issued key needs that key's own token, and fails once
// it has expired; static keys are not affected.
func TestAlibabaIssuedKeys(t *testing.T) {
	tests := []struct {
		name        string
		key         func(own, other, static *providers.Credentials) (ak, secret, token string)
		moveClock   bool
		sinceExpiry time.Duration // where the clock is, when moveClock
		wantCode    string
		wantAuth    string // "sts" or "ak"
	}{
		{name: "its own token", key: own, wantAuth: "sts"},
		{name: "no token", wantCode: "InvalidSecurityToken.MismatchWithAccessKey",
			key: func(o, _, _ *providers.Credentials) (string, string, string) {
				return o.AccessKeyId, o.AccessKeySecret, ""
			}},
		{name: "another credential's token", wantCode: "InvalidSecurityToken.MismatchWithAccessKey",
			key: func(o, x, _ *providers.Credentials) (string, string, string) {
				return o.AccessKeyId, o.AccessKeySecret, x.SecurityToken
			}},
		{name: "another credential's secret", wantCode: "SignatureDoesNotMatch",
			key: func(o, x, _ *providers.Credentials) (string, string, string) {
				return o.AccessKeyId, x.AccessKeySecret, o.SecurityToken
			}},
		{name: "a moment before expiry", key: own, moveClock: true, sinceExpiry: -10 * time.Second, wantAuth: "sts"},
		{name: "at expiry", key: own, moveClock: true, wantCode: "InvalidSecurityToken.Expired"},
		{name: "a static key after expiry", moveClock: true, wantAuth: "ak",
			key: func(_, _, s *providers.Credentials) (string, string, string) {
				return s.AccessKeyId, s.AccessKeySecret, ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, shortLived)
			mine, err := k.assumeRole(t, roleOpts{})
			mustOK(t, err)
			other, err := k.assumeRoleWithOIDC(t, DemoAlibabaOIDCProviderArn, DemoOIDCToken, DemoAlibabaRoleArn)
			mustOK(t, err)
			static := &providers.Credentials{AccessKeyId: DemoAlibabaAccessKey, AccessKeySecret: DemoAlibabaSecret}
			if tt.moveClock {
				k.clockAt(k.srv.Issued()[0].ExpiresAt, tt.sinceExpiry)
			}
			ak, secret, token := tt.key(mine, other, static)
			err = k.describeWith(t, ak, secret, token)
			c := lastCall(t, k.srv)
			if tt.wantCode != "" {
				wantAliErr(t, err, tt.wantCode, 400)
				if c.Auth != "" {
					t.Errorf("refused call recorded auth %q", c.Auth)
				}
				if token != "" && strings.Contains(err.Error(), token) {
					t.Errorf("the error echoes the token: %v", err)
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

func own(o, _, _ *providers.Credentials) (string, string, string) {
	return o.AccessKeyId, o.AccessKeySecret, o.SecurityToken
}

func TestAlibabaAssumeRoleWithOIDC(t *testing.T) {
	tests := []struct {
		name             string
		edit             func(*Config)
		provider, token  string
		role             string
		wantCode         string
		wantStatus       int
		wantMsg          string
		wantAuthOnRefuse string
	}{
		{name: "the demo provider's token assumes the demo role"},
		{name: "ExternalId is AssumeRole's alone", edit: requireExternalID},
		{name: "a provider with several tokens", token: "second-token", edit: func(c *Config) {
			c.AlibabaOIDCProviders[DemoAlibabaOIDCProviderArn] = []string{DemoOIDCToken, "second-token"}
		}},
		{name: "unknown OIDC provider", provider: "acs:ram::1234567890123456:oidc-provider/nobody",
			wantCode: "EntityNotExist.OIDCProvider", wantStatus: 404, wantMsg: "oidc-provider/nobody"},
		{name: "token not accepted", token: "forged-oidc-token",
			wantCode: "AuthenticationFail.OIDCToken.Invalid", wantStatus: 400, wantMsg: DemoAlibabaOIDCProviderArn},
		{name: "another provider's token", token: "other-token", edit: func(c *Config) {
			c.AlibabaOIDCProviders["acs:ram::1234567890123456:oidc-provider/other"] = []string{"other-token"}
		}, wantCode: "AuthenticationFail.OIDCToken.Invalid", wantStatus: 400},
		{name: "unknown role", role: "acs:ram::1234567890123456:role/nobody",
			wantCode: "EntityNotExist.Role", wantStatus: 404, wantMsg: "role/nobody", wantAuthOnRefuse: "anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, tt.edit)
			cc, err := k.assumeRoleWithOIDC(t, or(tt.provider, DemoAlibabaOIDCProviderArn), or(tt.token, DemoOIDCToken), or(tt.role, DemoAlibabaRoleArn))
			c := lastCall(t, k.srv)
			if c.Operation != "AssumeRoleWithOIDC" {
				t.Fatalf("recorded %s", c.Operation)
			}
			if tt.wantCode != "" {
				wantSTSErr(t, k.srv, err, tt.wantCode, tt.wantStatus)
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("message does not name %q: %v", tt.wantMsg, err)
				}
				if strings.Contains(err.Error(), or(tt.token, DemoOIDCToken)) {
					t.Errorf("the error echoes the token: %v", err)
				}
				if c.Auth != tt.wantAuthOnRefuse || len(k.srv.Issued()) != 0 {
					t.Errorf("refused call: auth %q, %d issued", c.Auth, len(k.srv.Issued()))
				}
				return
			}
			mustOK(t, err)
			if c.Auth != "anonymous" {
				t.Errorf("auth %q", c.Auth)
			}
			got := onlyIssued(t, k.srv)
			if got.Operation != "AssumeRoleWithOIDC" || got.Role != DemoAlibabaRoleArn || got.SessionName != "terraform-oidc" || got.AccessKey != cc.AccessKeyId {
				t.Errorf("issued %+v", got)
			}
			mustOK(t, k.describeWith(t, got.AccessKey, got.Secret, got.SecurityToken))
		})
	}
}

// What credentials-go never sends, sent raw: the STS's parameter checks, and
// the lifetime it grants.
func TestAlibabaSTSParameters(t *testing.T) {
	tests := []struct {
		name         string
		edit         func(*Config)
		req          func(q, form url.Values)
		wantCode     string
		wantLifetime time.Duration // when accepted
	}{
		{name: "DurationSeconds asked", wantLifetime: time.Hour},
		{name: "DurationSeconds 900 is the least", req: set("DurationSeconds", "900"), wantLifetime: 900 * time.Second},
		{name: "DurationSeconds 43200 is the most", req: set("DurationSeconds", "43200"), wantLifetime: 12 * time.Hour},
		{name: "DurationSeconds omitted", req: set("DurationSeconds", ""), wantLifetime: time.Hour},
		{name: "CredentialLifetime overrides DurationSeconds", edit: func(c *Config) { c.CredentialLifetime = 90 * time.Second },
			wantLifetime: 90 * time.Second},
		{name: "DurationSeconds 899", req: set("DurationSeconds", "899"), wantCode: "InvalidParameter.DurationSeconds"},
		{name: "DurationSeconds 43201", req: set("DurationSeconds", "43201"), wantCode: "InvalidParameter.DurationSeconds"},
		{name: "DurationSeconds not a number", req: set("DurationSeconds", "1h"), wantCode: "InvalidParameter.DurationSeconds"},
		{name: "RoleSessionName too short", req: set("RoleSessionName", "x"), wantCode: "InvalidParameter.RoleSessionName"},
		{name: "RoleArn missing", req: set("RoleArn", ""), wantCode: "MissingParameter"},
		{name: "OIDCToken missing", req: set("OIDCToken", ""), wantCode: "MissingParameter"},
		{name: "Policy not JSON", req: set("Policy", "{"), wantCode: "InvalidParameter.PolicyGrammar"},
		{name: "stale Timestamp", wantCode: "InvalidTimeStamp.Expired", req: func(q, _ url.Values) {
			q.Set("Timestamp", time.Now().Add(-20*time.Minute).UTC().Format(acsDateLayout))
		}},
		// Another version is not the STS's: it goes to ECD, which wants
		// an ACS3 signature.
		{name: "another Version", wantCode: "IncompleteSignature", req: func(q, _ url.Values) { q.Set("Version", aliAdminVersion) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKeyless(t, tt.edit)
			status, answer, body := k.rawSTS(t, tt.req)
			if tt.wantCode != "" {
				if status != 400 || !strings.Contains(string(body), `"Code":"`+tt.wantCode+`"`) {
					t.Fatalf("HTTP %d %s, want 400 %s", status, body, tt.wantCode)
				}
				if !strings.Contains(string(body), `"RequestId":`) || !strings.Contains(string(body), `"HostId":`) {
					t.Errorf("error body %s lacks RequestId or HostId", body)
				}
				return
			}
			if status != 200 {
				t.Fatalf("HTTP %d %s", status, body)
			}
			got := onlyIssued(t, k.srv)
			expires, err := time.Parse(acsDateLayout, answer.Credentials.Expiration)
			if err != nil || !expires.Equal(got.ExpiresAt) {
				t.Fatalf("Expiration %q (%v), issued until %v", answer.Credentials.Expiration, err, got.ExpiresAt)
			}
			near(t, "expiry", got.ExpiresAt, time.Now().Add(tt.wantLifetime))
			if answer.AssumedRoleUser.Arn != DemoAlibabaRoleArn+"/raw" || !strings.HasSuffix(answer.AssumedRoleUser.AssumedRoleId, ":raw") {
				t.Errorf("AssumedRoleUser %+v", answer.AssumedRoleUser)
			}
		})
	}
}

// set is a raw request edit that sets (or, with "", removes) one form
// parameter.
func set(name, value string) func(q, form url.Values) {
	return func(_, form url.Values) {
		if value == "" {
			form.Del(name)
		} else {
			form.Set(name, value)
		}
	}
}

// The RPC V1 signature is checked by the mock's own code: a request signed
// by hand (not by credentials-go) with the published algorithm passes, and
// a one-character change to it does not.
func TestRPCV1Signature(t *testing.T) {
	params := url.Values{
		"Action": {"AssumeRole"}, "Version": {stsVersion}, "Format": {"JSON"}, "AccessKeyId": {"testid"},
		"SignatureMethod": {"HMAC-SHA1"}, "SignatureVersion": {"1.0"}, "SignatureNonce": {"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
		"Timestamp": {"2016-02-23T12:46:24Z"}, "RoleArn": {"acs:ram::123:role/a b"}, "RoleSessionName": {"s*~"},
	}
	// The string to sign, built by hand from the published steps:
	// POST&%2F&<the sorted, RFC 3986-encoded query, encoded again>.
	const stringToSign = "POST&%2F&AccessKeyId%3Dtestid%26Action%3DAssumeRole%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A123%253Arole%252Fa%2520b" +
		"%26RoleSessionName%3Ds%252A~%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" +
		"%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2015-04-01"
	params.Set("Signature", hmacSHA1Base64("testsecret&", stringToSign))
	now, _ := time.Parse(acsDateLayout, "2016-02-23T12:50:00Z")
	secretOf := func(ak string) (string, bool) { return "testsecret", ak == "testid" }
	never := func(string) bool { return false }
	if ak, fail := verifyRPCV1("POST", params, secretOf, now, never); fail != nil || ak != "testid" {
		t.Fatalf("a correctly signed request: %v %+v", ak, fail)
	}
	params.Set("RoleSessionName", "s*!")
	if _, fail := verifyRPCV1("POST", params, secretOf, now, never); fail == nil || fail.code != "SignatureDoesNotMatch" {
		t.Fatalf("a changed parameter: %+v", fail)
	}
}

func hmacSHA1Base64(key, s string) string {
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// A signed AssumeRole replayed byte for byte is refused by its nonce.
func TestAlibabaAssumeRoleReplay(t *testing.T) {
	k := newKeyless(t, nil)
	type captured struct {
		uri         string
		contentType string
		body        string
	}
	got := make(chan captured, 1)
	k.setTamper(func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		got <- captured{r.URL.RequestURI(), r.Header.Get("Content-Type"), string(b)}
	})
	_, err := k.assumeRole(t, roleOpts{})
	mustOK(t, err)
	k.setTamper(func(*http.Request) {})
	first := <-got

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: testAuthority.ClientTLSConfig()}}
	resp, err := client.Post("https://"+k.tlsHost+first.uri, first.contentType, strings.NewReader(first.body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := lastCall(t, k.srv); resp.StatusCode != 400 || c.ErrorCode != "SignatureNonceUsed" {
		t.Fatalf("replay got HTTP %d %s, want 400 SignatureNonceUsed", resp.StatusCode, c.ErrorCode)
	}
	if n := len(k.srv.Issued()); n != 1 {
		t.Errorf("%d credentials issued, want the first call's alone", n)
	}
}
