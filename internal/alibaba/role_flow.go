package alibaba

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	credential "github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// AssumeRole is STS AssumeRole on top of the base credentials (the keys
// given, or the default chain), through credentials-go's RAM-role provider
// (credentials/providers/ram_role_arn.go), which refreshes the session
// when 180 s or less remain.
type AssumeRole struct {
	RoleArn, SessionName, ExternalID, Policy string
	// SessionExpiration is the session's lifetime in seconds; zero is
	// credentials-go's default, 3600. Below 900 credentials-go refuses it.
	SessionExpiration int
}

// AssumeRoleWithOIDC is STS AssumeRoleWithOIDC, an anonymous call that
// trades an OIDC token for a role's session (credentials-go's OIDC
// provider, credentials/providers/oidc.go).
type AssumeRoleWithOIDC struct {
	OIDCProviderArn, RoleArn string
	// OIDCToken is the token itself, or OIDCTokenFile a file holding it,
	// read again at every refresh (credentials-go reads the environment
	// variable ALIBABA_CLOUD_OIDC_TOKEN before any file).
	OIDCToken, OIDCTokenFile string
	// TokenSource names where the token came from, for errors: the
	// attribute or the environment variable.
	TokenSource       string
	SessionName       string
	SessionExpiration int
}

// ErrCredentialExchange is wrapped by every error of a role flow whose STS
// exchange failed: errors.Is(err, ErrCredentialExchange).
var ErrCredentialExchange = errors.New("no credentials from Alibaba Cloud STS")

// exchangeError is a failed role flow. Like credentialsError it has no
// GetCode method, so darabonba passes it through untouched.
type exchangeError struct {
	flow, action, roleArn string
	cause                 string
	// help says what to check: the attributes and environment variables
	// of the flow.
	help string
	// transient is a failure STS or the way to it may not repeat: a
	// throttling or server error, or a broken connection. The call that
	// needed the credentials sent nothing, so it is retried like any
	// unsent call; a refusal (a wrong role, a rejected token) is not.
	transient bool
}

func (e *exchangeError) Error() string {
	return fmt.Sprintf("%s: STS %s for role %s failed: %s", e.flow, e.action, e.roleArn, e.cause)
}

func (e *exchangeError) Is(target error) bool { return target == ErrCredentialExchange }

// roleFlow is Config's role assumption, if any.
type roleFlow struct {
	assume      *AssumeRole
	oidc        *AssumeRoleWithOIDC
	stsEndpoint string
	// secrets are redacted from every exchange error.
	secrets []string
}

func newRoleFlow(cfg Config) *roleFlow {
	if cfg.AssumeRole == nil && cfg.AssumeRoleWithOIDC == nil {
		return nil
	}
	f := &roleFlow{assume: cfg.AssumeRole, oidc: cfg.AssumeRoleWithOIDC, stsEndpoint: cfg.STSEndpoint,
		secrets: []string{cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken}}
	if f.oidc != nil {
		f.assume = nil // the provider schema lets only one be set
		f.secrets = append(f.secrets, f.oidc.OIDCToken)
	}
	return f
}

func (f *roleFlow) typeName() string {
	if f.oidc != nil {
		return "oidc_role_arn"
	}
	return "ram_role_arn"
}

// build makes the flow's credential on base (nil for OIDC).
func (f *roleFlow) build(base providers.CredentialsProvider) (credential.Credential, error) {
	if o := f.oidc; o != nil {
		p, err := providers.NewOIDCCredentialsProviderBuilder().
			WithOIDCProviderARN(o.OIDCProviderArn).
			WithRoleArn(o.RoleArn).
			WithOIDCToken(o.OIDCToken).
			WithOIDCTokenFilePath(o.OIDCTokenFile).
			WithRoleSessionName(o.SessionName).
			WithDurationSeconds(o.SessionExpiration).
			WithSTSEndpoint(f.stsEndpoint).
			Build()
		if err != nil {
			return nil, f.fail(err)
		}
		return credential.FromCredentialsProvider(f.typeName(), p), nil
	}
	a := f.assume
	p, err := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(base).
		WithRoleArn(a.RoleArn).
		WithRoleSessionName(a.SessionName).
		WithExternalId(a.ExternalID).
		WithPolicy(a.Policy).
		WithDurationSeconds(a.SessionExpiration).
		WithStsEndpoint(f.stsEndpoint).
		Build()
	if err != nil {
		return nil, f.fail(err)
	}
	return credential.FromCredentialsProvider(f.typeName(), p), nil
}

// fail is what a failed build or refresh becomes: the flow, the role, what
// STS said, and what to check. A base credential the chain could not find
// fails here too: the help names the base credentials.
func (f *roleFlow) fail(err error) error {
	cause, transient := f.describe(err)
	e := &exchangeError{cause: cause, transient: transient}
	if o := f.oidc; o != nil {
		e.flow, e.action, e.roleArn = "assume_role_with_oidc", "AssumeRoleWithOIDC", o.RoleArn
		source := o.TokenSource
		if source == "" {
			source = "`oidc_token`, ALIBABA_CLOUD_OIDC_TOKEN, `oidc_token_file`, ALIBABA_CLOUD_OIDC_TOKEN_FILE or TFC_WORKLOAD_IDENTITY_TOKEN"
		}
		e.help = "Check `alibaba.assume_role_with_oidc`: `oidc_provider_arn` (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN) and `role_arn` " +
			"(or ALIBABA_CLOUD_ROLE_ARN) must name an OIDC provider and a role that trusts it, and the OIDC token, taken from " +
			source + ", must be one that provider accepts (in Terraform Cloud, TFC_WORKLOAD_IDENTITY_AUDIENCE must be the audience " +
			"the provider expects). `alibaba.sts_endpoint` (or ALIBABA_CLOUD_STS_ENDPOINT) says where STS is."
	} else {
		e.flow, e.action, e.roleArn = "assume_role", "AssumeRole", f.assume.RoleArn
		e.help = "Check `alibaba.assume_role`: `role_arn` (or ALIBABA_CLOUD_ROLE_ARN) must name a role the base credentials may " +
			"assume, with `external_id` if the role's trust policy asks for one. The base credentials are `alibaba.access_key` " +
			"and `alibaba.secret_key` (or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), else the Alibaba Cloud credential chain. " +
			"`alibaba.sts_endpoint` (or ALIBABA_CLOUD_STS_ENDPOINT) says where STS is."
	}
	if e.roleArn == "" {
		e.roleArn = "(none given)"
	}
	return e
}

// stsRefusal is the JSON error body STS answers with, which credentials-go
// appends to its message ("refresh session token failed: {...}").
type stsRefusal struct {
	RequestId, Code, Message string
}

// anyURL finds URLs in an error message: a transport error quotes the
// request's, whose query holds the AccessKeyId, the signature and any
// security token of an AssumeRole call.
var anyURL = regexp.MustCompile(`https?://[^\s"']+`)

// The prefixes credentials-go puts before the body of an answer that was
// not 200 (providers/ram_role_arn.go, oidc.go).
var refusalPrefixes = []string{"refresh session token failed: ", "get session token failed: "}

// describe renders err without anything secret: STS's own code, message
// and request ID when it answered in JSON, a summary of any other answer
// (a gateway's HTML page), else the failure without URLs. transient says
// whether trying again may help: STS's throttling and server errors (the
// codes ECD's calls retry on too) and broken connections.
func (f *roleFlow) describe(err error) (msg string, transient bool) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err, transient = ue.Err, true
	}
	msg = err.Error()
	for _, prefix := range refusalPrefixes {
		body, ok := strings.CutPrefix(msg, prefix)
		if !ok {
			continue
		}
		var r stsRefusal
		if json.Unmarshal([]byte(body), &r) == nil && r.Code != "" {
			msg = r.Code + ": " + r.Message
			if r.RequestId != "" {
				msg += " (request ID " + r.RequestId + ")"
			}
			transient = strings.Contains(r.Code, "Throttling") || strings.Contains(r.Code, "ServiceUnavailable") ||
				strings.Contains(r.Code, "InternalError")
		} else {
			// Not STS's JSON: a proxy or gateway answered. Its page
			// is not shown; it may well pass.
			msg, transient = fmt.Sprintf("an answer that is not STS's (%d bytes)", len(body)), true
		}
	}
	msg = anyURL.ReplaceAllStringFunc(msg, func(u string) string {
		if p, err := url.Parse(u); err == nil {
			return p.Scheme + "://" + p.Host + p.Path
		}
		return "(URL)"
	})
	for _, s := range f.redacted() {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	return msg, transient
}

// redacted is every secret an exchange error must not show: the keys and
// token given, and a token read from a file, whatever the file holds now.
func (f *roleFlow) redacted() []string {
	out := slices.Clone(f.secrets)
	if f.oidc != nil && f.oidc.OIDCTokenFile != "" {
		if b, err := os.ReadFile(f.oidc.OIDCTokenFile); err == nil {
			out = append(out, strings.TrimSpace(string(b)))
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// String keeps the token out of anything that prints the flow.
func (o AssumeRoleWithOIDC) String() string {
	return fmt.Sprintf("alibaba.AssumeRoleWithOIDC{OIDCProviderArn:%q RoleArn:%q OIDCToken:%s OIDCTokenFile:%q}",
		o.OIDCProviderArn, o.RoleArn, fleet.Masked(o.OIDCToken), o.OIDCTokenFile)
}

// GoString covers %#v.
func (o AssumeRoleWithOIDC) GoString() string { return o.String() }
