// Package alibaba implements the fleet interfaces over Alibaba Cloud Elastic
// Desktop Service (ECD, product code "ecd"), calling the RPC API through
// darabonba-openapi's generic CallApi, since the ECD service SDK is not
// available to this module.
package alibaba

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// cloudName is the Cloud of every fleet.CloudError this package returns.
const cloudName = "alibaba"

// DefaultTimeout bounds one HTTP call when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// API versions: the anonymous client API and the AK-signed admin API.
const (
	clientAPIVersion = "2020-10-02"
	adminAPIVersion  = "2020-09-30"
)

// Config says where and as whom to call ECD.
type Config struct {
	Region string

	// AccessKey and SecretKey sign admin API calls (ACS3-HMAC-SHA256);
	// SecurityToken is added for STS credentials. When AccessKey is empty
	// the credentials-go default chain supplies them, resolved at the first
	// signed call (never in NewClient: a client-API-only user has none).
	AccessKey, SecretKey, SecurityToken string

	// AssumeRole or AssumeRoleWithOIDC (at most one) trade credentials
	// for a role's temporary ones at STSEndpoint (host[:port], always
	// called over https; empty is credentials-go's default), refreshed
	// before they expire.
	AssumeRole         *AssumeRole
	AssumeRoleWithOIDC *AssumeRoleWithOIDC
	STSEndpoint        string
	// credential, when set, is the credential to share with other
	// clients of the same settings (one role session for the whole
	// provider, not one per operation); it must have been built from
	// the same fields.
	credential *lazyCredential

	// Endpoint is a full URL, "https://host" or "http://host:port"; empty
	// means https://ecd.{Region}.aliyuncs.com.
	Endpoint string

	Retry retry.Policy
	// Timeout bounds one HTTP call, connect to last byte; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// UserAgent is appended to the SDK's own user agent.
	UserAgent string
	// AllowPlainHTTP lets a bearer credential (a login token, an STS
	// security token) go to an http:// endpoint that is not loopback.
	AllowPlainHTTP bool
}

// String keeps secrets out of any log line or message that prints a Config.
func (c Config) String() string {
	return fmt.Sprintf("alibaba.Config{Region:%q Endpoint:%q AccessKey:%s SecretKey:%s SecurityToken:%s OIDCToken:%s Timeout:%s}",
		c.Region, c.Endpoint, fleet.Masked(c.AccessKey), fleet.Masked(c.SecretKey), fleet.Masked(c.SecurityToken), fleet.Masked(oidcToken(c)), c.Timeout)
}

// GoString covers %#v, which would otherwise bypass String.
func (c Config) GoString() string { return c.String() }

// Client calls the ECD API of one region. It is safe for concurrent use.
type Client struct {
	// apiConfig builds a fresh darabonba client for every call: its
	// Client is not safe for concurrent use (each RPC call clears its
	// Headers field) and costs nothing to build, Init only copying the
	// config. What calls share is concurrency-safe: the lazy credential
	// and the recording HTTP client.
	apiConfig openapi.Config
	// anonConfig is apiConfig for the anonymous client API: RPC V2
	// requests (see api).
	anonConfig openapi.Config
	cred       *lazyCredential
	region     string
	timeout    time.Duration
	retry      retry.Policy
	// secrets are redacted from every error message and masked in logs.
	secrets []string
	// plainRemote is set for an http:// endpoint off this machine, over
	// which no bearer credential may go (see bearerInClear).
	plainRemote bool
}

// api returns a darabonba client for one call. Anonymous calls (the client
// API 2020-10-02) go out as the official ECD 2020-10-02 SDK sends them: an
// RPC V2 request through darabonba's DoRPCRequest (Action, Version,
// Format, Timestamp and SignatureNonce in the query, and for AuthType
// Anonymous no signature and no AccessKeyId), which CallApi chooses when
// Config.SignatureAlgorithm is "v2" (darabonba-openapi v2.1.13,
// client/client_context_func.go, CallApiWithCtx). Signed calls (the admin
// API 2020-09-30) stay on ACS3-HMAC-SHA256, as the ecd-20200930 SDK signs.
func (c *Client) api(anonymous bool) (*openapi.Client, error) {
	cfg := c.apiConfig // Init writes Config.Type when given AK fields; keep the template pristine
	if anonymous {
		cfg = c.anonConfig
	}
	return openapi.NewClient(&cfg)
}

// NewClient validates cfg and builds a client. It makes no network call and
// resolves no credentials.
func NewClient(cfg Config) (*Client, error) {
	region := strings.TrimSpace(cfg.Region)
	if region == "" {
		return nil, errors.New("alibaba: no region given (for example cn-hangzhou)")
	}
	if !endpoint.RegionPattern.MatchString(region) {
		return nil, fmt.Errorf("alibaba: region %q is not a region ID such as cn-hangzhou: it names the host ecd.{region}.aliyuncs.com, so letters, digits and inner hyphens only", region)
	}
	scheme, host := "https", "ecd."+region+".aliyuncs.com"
	if strings.TrimSpace(cfg.Endpoint) != "" {
		var err error
		if scheme, host, err = parseEndpoint(cfg.Endpoint); err != nil {
			return nil, err
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// Both are milliseconds in tea v1.5.3's dara runtime (setDialContext
	// and the pooled client's Timeout). They only shape the transport dara
	// builds, which recordingClient does not use; the per-call context
	// deadline in call is what actually bounds a call.
	ms := int(timeout / time.Millisecond)
	cred := cfg.credential
	if cred == nil {
		cred = newLazyCredential(cfg)
	}
	oc := &openapi.Config{
		RegionId:       &region,
		Endpoint:       &host,
		Protocol:       &scheme,
		ReadTimeout:    &ms,
		ConnectTimeout: &ms,
		// Not the AK fields: darabonba would build a credential from them
		// at once. The lazy one resolves at the first signed call.
		Credential: cred,
		HttpClient: newRecordingClient(),
		// RetryOptions stays nil: retries come from retry.Policy alone.
	}
	if ua := strings.TrimSpace(cfg.UserAgent); ua != "" {
		oc.UserAgent = &ua
	}
	// Build one now so that a config darabonba rejects fails here rather
	// than at the first call.
	if _, err := openapi.NewClient(oc); err != nil {
		return nil, fmt.Errorf("alibaba: building the API client: %w", err)
	}
	anon := *oc
	anon.SignatureAlgorithm = dara.String("v2")
	if _, err := openapi.NewClient(&anon); err != nil {
		return nil, fmt.Errorf("alibaba: building the API client: %w", err)
	}
	return &Client{
		apiConfig:   *oc,
		anonConfig:  anon,
		cred:        cred,
		region:      region,
		timeout:     timeout,
		retry:       cfg.Retry,
		secrets:     fleet.Secrets(cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken, oidcToken(cfg)),
		plainRemote: !cfg.AllowPlainHTTP && endpoint.PlainRemote(scheme+"://"+host),
	}, nil
}

// oidcToken is the OIDC token cfg carries, a secret like the keys.
func oidcToken(cfg Config) string {
	if cfg.AssumeRoleWithOIDC == nil {
		return ""
	}
	return cfg.AssumeRoleWithOIDC.OIDCToken
}

// parseEndpoint splits a full endpoint URL into what darabonba wants: the
// scheme (Config.Protocol) and a bare host[:port] (Config.Endpoint).
func parseEndpoint(raw string) (scheme, host string, err error) {
	const want = "a full URL such as https://ecd.cn-hangzhou.aliyuncs.com or http://127.0.0.1:18080"
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil {
		// The parse error repeats the input, which could hold a password.
		return "", "", fmt.Errorf("alibaba: endpoint is not a valid URL: use %s", want)
	}
	shown := u.Redacted()
	if at := strings.LastIndexByte(raw, '@'); at >= 0 && u.User == nil {
		// "user:secret@host" parses as a scheme and an opaque part,
		// which Redacted leaves alone.
		shown = "***@" + raw[at+1:]
	}
	scheme = strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return "", "", fmt.Errorf("alibaba: endpoint %q: use %s", shown, want)
	case u.Host == "" || u.Hostname() == "":
		return "", "", fmt.Errorf("alibaba: endpoint %q has no host: use %s", shown, want)
	case u.User != nil:
		return "", "", fmt.Errorf("alibaba: endpoint %q must not carry user information", shown)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		// RPC calls always go to "/": a path would be silently dropped.
		return "", "", fmt.Errorf("alibaba: endpoint %q must not have a path, query or fragment: use %s", shown, want)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("alibaba: endpoint %q has an invalid port", shown)
		}
	}
	return scheme, u.Host, nil
}
