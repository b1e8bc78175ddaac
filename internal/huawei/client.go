// Package huawei implements the fleet interfaces over Huawei Cloud Workspace
// through the official huaweicloud-sdk-go-v3 client and models.
package huawei

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// cloudName is the Cloud of every fleet.CloudError this package returns.
const cloudName = "huawei"

// DefaultTimeout bounds one HTTP call when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

const defaultUserAgent = "terraform-provider-clouddesktop"

// Config says where and as whom to call Huawei Cloud Workspace.
type Config struct {
	Region    string
	ProjectID string

	// AccessKey and SecretKey sign every request (SDK-HMAC-SHA256);
	// SecurityToken is added for temporary credentials.
	AccessKey, SecretKey, SecurityToken string

	// AuthToken, when set, is sent as X-Auth-Token and no request is signed.
	AuthToken string

	// Federated, when set, is the SDK's federated login: temporary keys
	// from IAM for an id token, renewed before they expire.
	Federated *Federated
	// credential, when set, is the federated credential to share with
	// other clients of the same settings; it must have been built from
	// Federated.
	credential *federatedCredential

	// Endpoint is a full URL, "https://host" or "http://host:port"; empty
	// means https://workspace.{Region}.myhuaweicloud.com.
	Endpoint string

	Retry     retry.Policy
	Timeout   time.Duration // per HTTP call; zero means DefaultTimeout
	UserAgent string
	// AllowPlainHTTP lets a bearer credential (AuthToken, SecurityToken)
	// go to an http:// endpoint that is not loopback.
	AllowPlainHTTP bool
}

// String keeps secrets out of any log line or message that prints a Config.
func (c Config) String() string {
	return fmt.Sprintf("huawei.Config{Region:%q ProjectID:%q Endpoint:%q AccessKey:%s SecretKey:%s SecurityToken:%s AuthToken:%s}",
		c.Region, c.ProjectID, c.Endpoint, fleet.Masked(c.AccessKey), fleet.Masked(c.SecretKey), fleet.Masked(c.SecurityToken), fleet.Masked(c.AuthToken))
}

// GoString covers %#v, which would otherwise bypass String.
func (c Config) GoString() string { return c.String() }

// Client calls the Workspace API of one project. It is safe for concurrent
// use: nothing mutable is shared between calls except the HTTP transport.
type Client struct {
	endpoint  string
	cred      auth.ICredential
	credType  string // SDK credential type name to accept; "" for the SDK's own basic credentials
	transport http.RoundTripper
	timeout   time.Duration
	userAgent string
	retry     retry.Policy
	// secrets are masked in every log line and redacted from every
	// error: headers are masked by name already, this guards the rest.
	secrets []string
}

// NewClient validates cfg and builds a client. It makes no network call.
func NewClient(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.ProjectID) == "" {
		return nil, errors.New("huawei: project_id is required (set project_id in the huawei block or HW_PROJECT_ID)")
	}
	resolved, err := resolveEndpoint(cfg.Endpoint, cfg.Region)
	if err != nil {
		return nil, err
	}
	if !cfg.AllowPlainHTTP && endpoint.PlainRemote(resolved) && (cfg.AuthToken != "" || cfg.SecurityToken != "" || cfg.Federated != nil) {
		// An IAM token or a security token in clear text could be read
		// and replayed by anyone on the way.
		return nil, errors.New("huawei: refusing to send the IAM or security token over plain http to a host that is not loopback: " +
			"use an https:// endpoint, or set allow_plain_http = true if the network is trusted")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("huawei: timeout must not be negative, got %s", cfg.Timeout)
	}

	c := &Client{
		endpoint:  resolved,
		transport: newTransport(),
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		retry:     cfg.Retry,
		secrets:   fleet.Secrets(cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken, cfg.AuthToken),
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}

	switch {
	case cfg.Federated != nil:
		if cfg.AuthToken != "" || cfg.AccessKey != "" || cfg.SecretKey != "" {
			return nil, errors.New("huawei: a federated login (idp_id) cannot be combined with access keys or an auth_token")
		}
		cred := cfg.credential
		if cred == nil {
			var err error
			if cred, err = newFederatedCredential(cfg.Federated, cfg.ProjectID, c.timeout, c.transport); err != nil {
				return nil, err
			}
		}
		c.cred, c.credType = cred, federatedCredentialType
	case cfg.AuthToken != "":
		c.cred = newTokenCredential(cfg.ProjectID, cfg.AuthToken)
		c.credType = tokenCredentialType
	case cfg.AccessKey != "" && cfg.SecretKey != "":
		// Both keys are set, so the SDK never falls back to the ECS
		// metadata service; the project ID is set so it never asks IAM.
		cred, err := basic.NewCredentialsBuilder().
			WithAk(cfg.AccessKey).
			WithSk(cfg.SecretKey).
			WithSecurityToken(cfg.SecurityToken).
			WithProjectId(cfg.ProjectID).
			SafeBuild()
		if err != nil {
			// The SDK's message names which key is empty, never its value.
			return nil, fmt.Errorf("huawei: building credentials: %w", err)
		}
		c.cred = cred
	case cfg.AccessKey != "" || cfg.SecretKey != "":
		return nil, errors.New("huawei: access_key and secret_key must be set together (HW_ACCESS_KEY / HW_SECRET_KEY)")
	default:
		return nil, errors.New("huawei: no credentials: set auth_token (HW_AUTH_TOKEN), or access_key and secret_key " +
			"(HW_ACCESS_KEY / HW_SECRET_KEY or HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK)")
	}

	// Build one SDK client now so that a configuration the SDK rejects
	// fails here rather than on the first desktop.
	if _, err := c.workspace(context.Background(), &callRecord{}); err != nil {
		return nil, fmt.Errorf("huawei: building the Workspace client: %w", err)
	}
	return c, nil
}

// resolveEndpoint returns the base URL every call goes to. The SDK replaces
// the URL's path with the API path, so a path prefix would be silently lost:
// reject it rather than call the wrong URL.
func resolveEndpoint(raw, region string) (string, error) {
	if raw == "" {
		region = strings.TrimSpace(region)
		if region == "" {
			return "", errors.New("huawei: region is required when no endpoint is set (set region in the huawei block or HW_REGION_NAME)")
		}
		if !endpoint.RegionPattern.MatchString(region) {
			return "", fmt.Errorf("huawei: region %q is not a region name such as cn-north-4: it names the host workspace.{region}.myhuaweicloud.com, so letters, digits and inner hyphens only", region)
		}
		return "https://workspace." + region + ".myhuaweicloud.com", nil
	}
	// Errors quote the endpoint, but never what precedes an "@": it may
	// be a password.
	shown := raw
	if at := strings.LastIndexByte(raw, '@'); at >= 0 {
		shown = "***@" + raw[at+1:]
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL
		}
		return "", fmt.Errorf("huawei: endpoint %q is not a URL: %v; use https://host or http://host:port", shown, err)
	}
	if u.User != nil {
		return "", fmt.Errorf("huawei: endpoint must not carry user information")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("huawei: endpoint %q must start with https:// or http:// (for example https://workspace.cn-north-4.myhuaweicloud.com)", shown)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("huawei: endpoint %q has no host; use https://host or http://host:port", shown)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("huawei: endpoint %q must be only scheme, host and port (no path, query or fragment)", shown)
	}
	return u.Scheme + "://" + u.Host, nil
}

// workspace builds the SDK client for one call. Everything per call lives
// here: the caller's context (through the transport) and the record of the
// response (through the error handler). The SDK methods take no context and
// return neither the request ID nor the headers, so these two hooks are how
// we get them while still using the SDK's own request building, signing and
// models. HttpConfig.Retries is never read by the SDK; retries come from
// retry.Policy only.
func (c *Client) workspace(ctx context.Context, rec *callRecord) (*workspace.WorkspaceClient, error) {
	httpConfig := config.DefaultHttpConfig().
		WithTimeout(c.timeout).
		WithUserAgent(c.userAgent).
		WithHttpRoundTripper(&callTransport{base: c.transport, ctx: ctx, rec: rec})
	builder := workspace.WorkspaceClientBuilder().
		WithEndpoints([]string{c.endpoint}). // a fresh slice: SafeBuild edits it in place
		WithCredential(c.cred).
		WithHttpConfig(httpConfig).
		WithErrorHandler(rec)
	if c.credType != "" {
		builder = builder.WithCredentialsType(c.credType)
	}
	hc, err := builder.SafeBuild()
	if err != nil {
		return nil, err
	}
	return workspace.NewWorkspaceClient(hc), nil
}

// logCtx masks the client's secrets in every log line written under the
// returned context, the retry policy's and the HTTP trace's included.
func (c *Client) logCtx(ctx context.Context) context.Context {
	if len(c.secrets) > 0 {
		ctx = tflog.MaskLogStrings(ctx, c.secrets...)
	}
	return ctx
}
