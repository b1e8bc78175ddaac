package alibaba

import (
	"errors"
	"sync"

	"github.com/alibabacloud-go/tea/tea"
	credential "github.com/aliyun/credentials-go/credentials"
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
// environment and profile files, which a client-API-only user (or a plan)
// must never need. The mutex also serialises the chain, whose
// DefaultCredentialsProvider keeps unguarded state.
type lazyCredential struct {
	ak, sk, sts string

	mu    sync.Mutex
	inner credential.Credential
}

func newLazyCredential(ak, sk, sts string) *lazyCredential {
	return &lazyCredential{ak: ak, sk: sk, sts: sts}
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
	if l.ak == "" {
		if l.sk != "" || l.sts != "" {
			return nil, &credentialsError{reason: "a secret key or security token was given without an access key"}
		}
		return credential.NewCredential(nil)
	}
	if l.sk == "" {
		// credentials-go would quietly take the secret from the
		// environment instead, pairing keys of two different users.
		return nil, &credentialsError{reason: "an access key was given without its secret key"}
	}
	cfg := &credential.Config{Type: tea.String("access_key"), AccessKeyId: tea.String(l.ak), AccessKeySecret: tea.String(l.sk)}
	if l.sts != "" {
		cfg.Type, cfg.SecurityToken = tea.String("sts"), tea.String(l.sts)
	}
	c, err := credential.NewCredential(cfg)
	if err != nil {
		return nil, &credentialsError{reason: err.Error()}
	}
	return c, nil
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
	case l.ak == "":
		return tea.String("default")
	case l.sts != "":
		return tea.String("sts")
	}
	return tea.String("access_key")
}
