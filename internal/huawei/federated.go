package huawei

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

// federatedCredential is the SDK's own federated login (basic credentials
// WithIdpId and WithIdTokenFile): at the first call, and again whenever
// less than 40 minutes remain, it trades the id token at IAM for temporary
// AK/SK and a security token (core/auth/base_credentials.go ProcessSts,
// core/auth/internal/federal_accessor.go). This wrapper adds two things:
//   - a lock: ProcessSts rewrites the shared credential's keys with no
//     synchronisation, and our calls run concurrently;
//   - its own HTTP client for IAM: the SDK would use the Workspace call's,
//     whose transport records that call's response and whether it was
//     sent, which an IAM exchange must not blur (a failed exchange sent no
//     Workspace request, so it is safe to say nothing was done).
type federatedCredential struct {
	mu                 sync.Mutex
	inner              *auth.BasicCredentials
	iam                *impl.DefaultHttpClient
	idpID, idTokenFile string
	// tokenSource names where the id token came from, for errors.
	tokenSource string
}

var _ auth.ICredential = (*federatedCredential)(nil)

// federatedCredentialType is the name the SDK builder checks a
// credential's type against, derived like tokenCredentialType.
var federatedCredentialType = reflect.TypeOf(federatedCredential{}).String()

// Federated is Config's federated login: an IdP registered in IAM and an
// OIDC id token that IdP issued, in a file (the SDK reads it from there at
// every exchange).
type Federated struct {
	IdpID, IDTokenFile string
	// TokenSource names where the token came from, for errors: the
	// attribute or environment variable.
	TokenSource string
	// IAMEndpoint overrides the SDK's IAM endpoint (its default is
	// HUAWEICLOUD_SDK_IAM_ENDPOINT, else https://iam.myhuaweicloud.com).
	IAMEndpoint string
}

func newFederatedCredential(f *Federated, projectID string, timeout time.Duration, transport http.RoundTripper) (*federatedCredential, error) {
	inner, err := basic.NewCredentialsBuilder().
		WithIdpId(f.IdpID).
		WithIdTokenFile(f.IDTokenFile).
		WithIamEndpointOverride(f.IAMEndpoint).
		WithProjectId(projectID). // so the SDK never asks IAM for it
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("huawei: building the federated login: %w", err)
	}
	iam := impl.NewDefaultHttpClient(config.DefaultHttpConfig().WithTimeout(timeout).WithHttpRoundTripper(transport))
	return &federatedCredential{inner: inner, iam: iam, idpID: f.IdpID, idTokenFile: f.IDTokenFile, tokenSource: f.TokenSource}, nil
}

// ProcessAuthParams is where SDK credentials look up a missing project ID;
// ours is always set.
func (f *federatedCredential) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return f, nil
}

// ProcessAuthRequest renews the temporary keys when due, then signs req
// with them and adds the security token, under the lock.
func (f *federatedCredential) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.inner.ProcessSts(f.iam); err != nil {
		return nil, f.fail(err)
	}
	// ProcessAuthRequest runs ProcessSts again, which would renew once
	// more whenever the keys live less than the SDK's 40-minute margin:
	// sign with the keys just renewed, without their accessor.
	accessor := f.inner.StsAccessor
	f.inner.StsAccessor = nil
	defer func() { f.inner.StsAccessor = accessor }()
	return f.inner.ProcessAuthRequest(f.iam, req)
}

// String keeps the keys out of anything that prints the credential.
func (f *federatedCredential) String() string { return "huawei federated credential (sensitive)" }

// GoString covers %#v.
func (f *federatedCredential) GoString() string { return f.String() }

// ErrCredentialExchange is wrapped by every error of a federated login
// whose IAM exchange failed: errors.Is(err, ErrCredentialExchange).
var ErrCredentialExchange = errors.New("no credentials from Huawei Cloud IAM")

// exchangeError is a failed federated login: what IAM said, and what to
// check. It keeps IAM's answer as text, not as the SDK's error, so that
// nothing takes it for a Workspace response.
type exchangeError struct {
	idpID, cause, help string
	// transient is a failure that may not repeat (IAM throttling or
	// failing, a broken connection): the Workspace call sent nothing and
	// is retried. A refused token is not.
	transient bool
}

func (e *exchangeError) Error() string {
	return fmt.Sprintf("federated login (idp_id %s): IAM gave no temporary credentials: %s", e.idpID, e.cause)
}

func (e *exchangeError) Is(target error) bool { return target == ErrCredentialExchange }

// fail turns what the exchange returned into an exchangeError. Only what
// is known to hold no secret is shown: IAM's own error (status, code,
// message, request ID), a connection failure, a token file that cannot be
// read. Anything else, such as the SDK failing to decode IAM's answer,
// whose message quotes the answer (temporary keys included), is named,
// not shown.
func (f *federatedCredential) fail(err error) error {
	var (
		cause     string
		transient bool
		se        *sdkerr.ServiceResponseError
		ue        *url.Error
		ce        *sdkerr.ConnectionError
		te        *sdkerr.RequestTimeoutError
		pe        *fs.PathError
	)
	switch {
	case errors.As(err, &se):
		// The SDK appends IAM's trace ID to the message
		// (core/auth/internal/iam_helper.go).
		msg, _, _ := strings.Cut(se.ErrorMessage, ", X-IAM-Trace-Id=")
		cause = fmt.Sprintf("HTTP %d %s: %s", se.StatusCode, se.ErrorCode, msg)
		if se.RequestId != "" {
			cause += " (request ID " + se.RequestId + ")"
		}
		transient = se.StatusCode == 429 || se.StatusCode >= 500
	case errors.As(err, &ue):
		// The URL is IAM's and carries no secret.
		cause, transient = ue.Op+" "+ue.URL+": "+ue.Err.Error(), true
	case errors.As(err, &ce), errors.As(err, &te):
		cause, transient = "IAM could not be reached: "+err.Error(), true
	case errors.As(err, &pe):
		cause = "the id token file cannot be read: " + pe.Error()
	default:
		cause = fmt.Sprintf("IAM's answer could not be used (%T)", err)
	}
	if f.idTokenFile != "" {
		if b, rerr := os.ReadFile(f.idTokenFile); rerr == nil && len(strings.TrimSpace(string(b))) > 0 {
			cause = strings.ReplaceAll(cause, strings.TrimSpace(string(b)), "***")
		}
	}
	source := f.tokenSource
	if source == "" {
		source = "`id_token`, `id_token_file`, HUAWEICLOUD_SDK_ID_TOKEN_FILE or TFC_WORKLOAD_IDENTITY_TOKEN"
	}
	return &exchangeError{
		idpID:     f.idpID,
		transient: transient,
		cause:     strings.ToValidUTF8(cause, "\uFFFD"),
		help: "Check the federated login: `huawei.idp_id` (or HUAWEICLOUD_SDK_IDP_ID) must name an identity provider in IAM " +
			"that trusts the id token's issuer and maps it to a user, and the id token, taken from " + source + ", must be " +
			"current and meant for it (in Terraform Cloud, TFC_WORKLOAD_IDENTITY_AUDIENCE must be the client ID the identity " +
			"provider expects). `huawei.iam_endpoint` (or HUAWEICLOUD_SDK_IAM_ENDPOINT) says where IAM is.",
	}
}
