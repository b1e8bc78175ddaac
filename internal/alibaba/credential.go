package alibaba

import (
	"errors"
	"sync"

	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// ErrMissingCredentials is wrapped by every error of a signed call that found
// no usable credentials, so that the provider can name the attributes and
// environment variables that would supply them: errors.Is(err,
// ErrMissingCredentials).
var ErrMissingCredentials = errors.New("no Alibaba Cloud credentials")

// credentialsError says why no credentials were found. It deliberately has
// no GetCode/GetName methods: darabonba would otherwise turn it into a
// tea.SDKError and errors.Is would no longer find ErrMissingCredentials.
type credentialsError struct{ reason string }

func (e *credentialsError) Error() string { return ErrMissingCredentials.Error() + ": " + e.reason }

func (e *credentialsError) Is(target error) bool { return target == ErrMissingCredentials }

// lazyCredential implements credential.Credential for darabonba, building
// the real one at the first signed call: the default chain reads the
// environment and profile files, and a role flow calls STS, neither of
// which a client-API-only user (or a plan) must need. The mutex also
// serialises the credentials-go providers, which keep unguarded state (the
// default chain's last provider, a role's session and its expiry).
type lazyCredential struct {
	ak, sk, sts string
	flow        *roleFlow // nil: the keys, or the default chain

	mu    sync.Mutex
	inner credential.Credential
}

func newLazyCredential(cfg Config) *lazyCredential {
	return &lazyCredential{ak: cfg.AccessKey, sk: cfg.SecretKey, sts: cfg.SecurityToken, flow: newRoleFlow(cfg)}
}

func (l *lazyCredential) GetCredential() (*credential.CredentialModel, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner == nil {
		inner, err := l.build()
		if err != nil {
			return nil, err
		}
		l.inner = inner
	}
	m, err := l.inner.GetCredential()
	if err != nil {
		if l.flow != nil {
			// The provider keeps no failed session: the next call asks
			// STS again.
			return nil, l.flow.fail(err)
		}
		// Walk the whole chain again next time: after a failure the
		// chain only retries the provider it tried last.
		l.inner = nil
		return nil, &credentialsError{reason: "the default credential chain found none (" + err.Error() + ")"}
	}
	if m == nil || tea.StringValue(m.AccessKeyId) == "" || tea.StringValue(m.AccessKeySecret) == "" {
		l.inner = nil
		return nil, &credentialsError{reason: "the credential source returned an empty access key"}
	}
	return m, nil
}

func (l *lazyCredential) build() (credential.Credential, error) {
	if l.flow != nil && l.flow.oidc != nil {
		// AssumeRoleWithOIDC is anonymous: no base credentials.
		return l.flow.build(nil)
	}
	base, typ, err := l.base()
	if err != nil {
		return nil, err
	}
	if l.flow != nil {
		return l.flow.build(base)
	}
	return credential.FromCredentialsProvider(typ, base), nil
}

// base is the credentials of the keys given, or the default chain's.
func (l *lazyCredential) base() (providers.CredentialsProvider, string, error) {
	if l.ak == "" {
		if l.sk != "" || l.sts != "" {
			return nil, "", &credentialsError{reason: "a secret key or security token was given without an access key"}
		}
		return providers.NewDefaultCredentialsProvider(), "default", nil
	}
	if l.sk == "" {
		// credentials-go would quietly take the secret from the
		// environment instead, pairing keys of two different users.
		return nil, "", &credentialsError{reason: "an access key was given without its secret key"}
	}
	var (
		p   providers.CredentialsProvider
		err error
		typ = "access_key"
	)
	if l.sts != "" {
		typ = "sts"
		p, err = providers.NewStaticSTSCredentialsProviderBuilder().
			WithAccessKeyId(l.ak).WithAccessKeySecret(l.sk).WithSecurityToken(l.sts).Build()
	} else {
		p, err = providers.NewStaticAKCredentialsProviderBuilder().
			WithAccessKeyId(l.ak).WithAccessKeySecret(l.sk).Build()
	}
	if err != nil {
		return nil, "", &credentialsError{reason: err.Error()}
	}
	return p, typ, nil
}

// The remaining methods complete credential.Credential; darabonba only
// calls GetCredential.

func (l *lazyCredential) GetAccessKeyId() (*string, error) {
	m, err := l.GetCredential()
	if err != nil {
		return nil, err
	}
	return m.AccessKeyId, nil
}

func (l *lazyCredential) GetAccessKeySecret() (*string, error) {
	m, err := l.GetCredential()
	if err != nil {
		return nil, err
	}
	return m.AccessKeySecret, nil
}

func (l *lazyCredential) GetSecurityToken() (*string, error) {
	m, err := l.GetCredential()
	if err != nil {
		return nil, err
	}
	return m.SecurityToken, nil
}

func (l *lazyCredential) GetBearerToken() *string { return tea.String("") }

func (l *lazyCredential) GetType() *string {
	switch {
	case l.flow != nil:
		return tea.String(l.flow.typeName())
	case l.ak == "":
		return tea.String("default")
	case l.sts != "":
		return tea.String("sts")
	}
	return tea.String("access_key")
}
