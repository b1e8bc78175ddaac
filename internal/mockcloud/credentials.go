package mockcloud

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"time"
)

// Temporary credentials, as the clouds' STS (Alibaba, sts.go) and IAM
// (Huawei, iam.go) hand them out. Until one expires, the ECD and Workspace
// endpoints accept a call signed with its access key only together with its
// security token; after, they refuse it. Static keys from Config are not
// affected: they take any security token, or none, as before.

// AlibabaRole is a RAM role that AssumeRole and AssumeRoleWithOIDC may
// assume.
type AlibabaRole struct {
	// ExternalID, when set, must match AssumeRole's ExternalId.
	ExternalID string
}

// IssuedCredential is one set of temporary keys the mock handed out.
type IssuedCredential struct {
	Cloud       string `json:"cloud"`       // CloudAlibaba or CloudHuawei
	Operation   string `json:"operation"`   // "AssumeRole", "AssumeRoleWithOIDC", "CreateTemporaryAccessKeyByToken"
	Role        string `json:"role"`        // Alibaba role ARN, or Huawei IdP ID
	SessionName string `json:"sessionName"` // Alibaba RoleSessionName
	AccessKey   string `json:"accessKey"`
	// Secret and SecurityToken are never rendered as JSON, so no listing
	// of issued credentials can leak them.
	Secret        string    `json:"-"`
	SecurityToken string    `json:"-"`
	IssuedAt      time.Time `json:"issuedAt"`
	// ExpiresAt is the expiry the response reported, a whole second; from
	// that instant on the wall clock the credential is refused.
	ExpiresAt time.Time `json:"expiresAt"`
}

type issuedKey struct{ cloud, accessKey string }

// subjectToken is a Huawei federated token (X-Subject-Token): what
// CreateTemporaryAccessKeyByToken exchanges for temporary AK/SK.
type subjectToken struct {
	idp       string
	expiresAt time.Time
}

// Issued returns every credential the mock handed out, in issue order.
func (s *Server) Issued() []IssuedCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]IssuedCredential, len(s.issued))
	for i, c := range s.issued {
		out[i] = *c
	}
	return out
}

// IssuedSecrets is every secret the mock handed out (issued secrets and
// security tokens, Huawei subject tokens), for tests that check none leaks.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.secrets)
}

// issuedInfo is what the control API shows of an issued credential: which
// key, for what, and when. Never its secret or token: the control API has
// no authentication.
type issuedInfo struct {
	Cloud       string    `json:"cloud"`
	Operation   string    `json:"operation"`
	Role        string    `json:"role"`
	SessionName string    `json:"sessionName"`
	AccessKey   string    `json:"accessKey"`
	IssuedAt    time.Time `json:"issuedAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Expired     bool      `json:"expired"` // by the clock the clouds check it against
}

func (s *Server) issuedInfo() []issuedInfo {
	now := s.wallClock()
	out := []issuedInfo{}
	for _, c := range s.Issued() {
		out = append(out, issuedInfo{
			Cloud: c.Cloud, Operation: c.Operation, Role: c.Role, SessionName: c.SessionName, AccessKey: c.AccessKey,
			IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Expired: !now.Before(c.ExpiresAt),
		})
	}
	return out
}

// lifetime is how long a credential lives whose request asked for
// requested.
func (s *Server) lifetime(requested time.Duration) time.Duration {
	if s.cfg.CredentialLifetime > 0 {
		return s.cfg.CredentialLifetime
	}
	return requested
}

// expiry is when something issued now to live d expires: cut to the whole
// second, because both clouds report expiry in whole seconds and the SDKs
// plan their refresh by what was reported.
func expiry(now time.Time, d time.Duration) time.Time {
	return now.Add(d).UTC().Truncate(time.Second)
}

// newCredential makes, without storing it, a credential of cloud that lives
// requested (or Config.CredentialLifetime) from now on the wall clock: the
// clock its expiry is checked against.
func (s *Server) newCredential(cloud, op, role, session string, requested time.Duration) *IssuedCredential {
	now := s.wallClock()
	c := &IssuedCredential{
		Cloud: cloud, Operation: op, Role: role, SessionName: session,
		IssuedAt: now.UTC(), ExpiresAt: expiry(now, s.lifetime(requested)),
	}
	// The shapes follow the real ones, so a client that treats them
	// specially (an "STS." key, a long token full of "+" and "/") is
	// exercised. crypto/rand rather than the seeded generators: these are
	// secrets, and issuing one must not change which desktop IDs or
	// faults a seed gives.
	if cloud == CloudAlibaba {
		c.AccessKey = "STS." + rand.Text()
		c.Secret = randomBase64(32)
		c.SecurityToken = "CAIS" + randomBase64(96)
	} else {
		c.AccessKey = rand.Text()[:20]
		c.Secret = (rand.Text() + rand.Text())[:40]
		c.SecurityToken = "gQ" + randomBase64(144)
	}
	return c
}

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.StdEncoding.EncodeToString(b)
}

// storeCredentialLocked makes an issued credential usable. It runs in a
// plan's apply, under s.mu, so an injected fault can stop it.
func (s *Server) storeCredentialLocked(c *IssuedCredential) {
	s.issued = append(s.issued, c)
	s.issuedKeys[issuedKey{c.Cloud, c.AccessKey}] = c
	s.secrets = append(s.secrets, c.Secret, c.SecurityToken)
}

// secretOf looks up the secret of an access key of cloud for a signature
// verifier: a static key from Config or an issued one, expired or not (the
// token and expiry are keyAuth's to check once the signature is good).
func (s *Server) secretOf(cloud string) func(string) (string, bool) {
	static := s.staticKeys(cloud)
	return func(ak string) (string, bool) {
		if secret, ok := static[ak]; ok {
			return secret, true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if c := s.issuedKeys[issuedKey{cloud, ak}]; c != nil {
			return c.Secret, true
		}
		return "", false
	}
}

func (s *Server) staticKeys(cloud string) map[string]string {
	if cloud == CloudHuawei {
		return s.cfg.HuaweiKeys
	}
	return s.cfg.AlibabaKeys
}

// keyAuth says who signed with ak, whose signature is already verified:
// "ak:<id>" for a static key, "sts:<id>" for an issued one sent with its
// own security token before it expired. Anything else about an issued key
// is refused in the cloud's words.
func (s *Server) keyAuth(cloud, ak, token string) (string, *authFailure) {
	if _, ok := s.staticKeys(cloud)[ak]; ok {
		return "ak:" + ak, nil
	}
	s.mu.Lock()
	c := s.issuedKeys[issuedKey{cloud, ak}]
	s.mu.Unlock()
	if c == nil {
		// verify* found a secret for it a moment ago, and issued keys
		// are never forgotten: unreachable, but refuse rather than trust.
		return "", temporaryKeyFailure(cloud, "unknown")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(c.SecurityToken)) != 1 {
		if token == "" {
			return "", temporaryKeyFailure(cloud, "missing")
		}
		return "", temporaryKeyFailure(cloud, "mismatch")
	}
	if !s.wallClock().Before(c.ExpiresAt) {
		return "", temporaryKeyFailure(cloud, "expired")
	}
	return "sts:" + ak, nil
}

// temporaryKeyFailure is how each cloud refuses an issued key used wrongly.
// The Alibaba codes are the ones its gateway answers for STS tokens; the
// Huawei gateway answers every AK/SK problem with APIGW.0301, the message
// saying which. Neither ever names the token.
func temporaryKeyFailure(cloud, problem string) *authFailure {
	if cloud == CloudHuawei {
		switch problem {
		case "expired":
			return iamFailure("the temporary access key and its security token have expired; get new ones.")
		case "missing":
			return iamFailure("a temporary access key must be sent with its X-Security-Token, and none was sent.")
		}
		return iamFailure("the X-Security-Token does not belong to this temporary access key.")
	}
	switch problem {
	case "expired":
		return &authFailure{http.StatusBadRequest, "InvalidSecurityToken.Expired",
			"Specified SecurityToken is expired: the temporary credential has passed its Expiration; assume the role again."}
	case "missing":
		return &authFailure{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
			"Specified SecurityToken mismatch with the AccessKey: a temporary AccessKeyId must be sent with its SecurityToken, and none was sent."}
	}
	return &authFailure{http.StatusBadRequest, "InvalidSecurityToken.MismatchWithAccessKey",
		"Specified SecurityToken mismatch with the AccessKey: the SecurityToken was not issued with this AccessKeyId."}
}

// secretIn says whether token is one of accepted, in constant time per
// candidate.
func secretIn(accepted []string, token string) bool {
	found := false
	for _, a := range accepted {
		if subtle.ConstantTimeCompare([]byte(a), []byte(token)) == 1 {
			found = true
		}
	}
	return token != "" && found
}
