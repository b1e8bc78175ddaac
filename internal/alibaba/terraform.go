package alibaba

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// Adapter is what Alibaba Cloud WUYING / Elastic Desktop Service gives
// Terraform (tfcloud.Cloud): the alibaba provider block (keys, or the
// credential chain), the client-API parameters on the reboot resource, and
// this package's Client as fleet actions. The provider lists it in its
// table of clouds (provider/clouds.go).
type Adapter struct{}

var _ tfcloud.Cloud = Adapter{}

func (Adapter) Name() string { return "alibaba" }

func (Adapter) Options(kind tfcloud.Kind) *tfcloud.Options {
	switch kind {
	case tfcloud.RebootResource:
		return rebootOptions()
	case tfcloud.RebootAction:
		return rebootActionOptions()
	}
	return nil
}

type providerBlockModel struct {
	Region         types.String `tfsdk:"region"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
	STSEndpoint    types.String `tfsdk:"sts_endpoint"`
	// The keyless flows (terraform_roles.go).
	AssumeRole         types.Object `tfsdk:"assume_role"`
	AssumeRoleWithOIDC types.Object `tfsdk:"assume_role_with_oidc"`
}

// settings is the provider block resolved with the environment.
type settings struct {
	tfcloud.Tuning
	regionID, accessKey, secretKey, securityToken, endpoint string
	roleSettings
	// allowPlainHTTP is the user's opt-in to an http:// endpoint off
	// this machine (see tfcloud.Transport.PlainHTTPError).
	allowPlainHTTP bool
	// unknown is set when part of the block was not yet known at plan time,
	// so plan-time checks must not judge it.
	unknown bool
}

func (Adapter) Configure(ctx context.Context, block types.Object, env func(string) string, t tfcloud.Tuning, diags *diag.Diagnostics) tfcloud.Configured {
	var m providerBlockModel
	_, d := tfcloud.ReadBlock(ctx, block, &m)
	diags.Append(d...)
	a := &settings{Tuning: t}
	a.regionID = tfcloud.FromEnv(env, m.Region, &a.unknown, "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION")
	a.accessKey = tfcloud.FromEnv(env, m.AccessKey, &a.unknown, "ALICLOUD_ACCESS_KEY")
	a.secretKey = tfcloud.FromEnv(env, m.SecretKey, &a.unknown, "ALICLOUD_SECRET_KEY")
	a.securityToken = tfcloud.FromEnv(env, m.SecurityToken, &a.unknown, "ALICLOUD_SECURITY_TOKEN")
	a.endpoint = tfcloud.FromEnv(env, m.Endpoint, &a.unknown, "CLOUDDESKTOP_ALIBABA_ENDPOINT")
	a.allowPlainHTTP = m.AllowPlainHTTP.ValueBool()
	tfcloud.CheckEnvEndpoint("alibaba", "CLOUDDESKTOP_ALIBABA_ENDPOINT", a.endpoint, diags)
	a.configureRoles(ctx, m, env, diags)
	if a.assumeRole != nil || a.oidc != nil {
		// One role session for every client of the provider: a plan or
		// an apply of many resources asks STS once, then renews once.
		// Built lazily: nothing is called until the first signed call.
		a.session = newLazyCredential(a.clientConfig(""))
	}
	return a
}

// credentialsHelp says what would supply Alibaba Cloud credentials.
// Unlike Huawei's, their absence shows only at the first signed call: the
// credential chain may find them in places the provider cannot see at plan
// time (a profile file, OIDC, the ECS RAM role).
const credentialsHelp = "Set `alibaba.access_key` and `alibaba.secret_key` in the provider block " +
	"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or make credentials available to the Alibaba Cloud " +
	"credential chain: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, the ~/.aliyun/config.json " +
	"profile, ~/.alibabacloud/credentials, OIDC (RRSA) or the ECS RAM role. A reboot through the client API needs " +
	"none: set `login_token` and `session_id` in the resource's `alibaba` block (and `wait = false`)."

func (Adapter) CredentialsHelp(err error) (string, bool) {
	var exchange *exchangeError
	switch {
	case errors.As(err, &exchange):
		return exchange.help, true
	case errors.Is(err, ErrMissingCredentials):
		return credentialsHelp, true
	}
	return "", false
}

func (a *settings) Region() string { return a.regionID }

func (a *settings) Transport() tfcloud.Transport {
	t := tfcloud.Transport{Endpoint: a.endpoint, AllowPlainHTTP: a.allowPlainHTTP}
	switch {
	case a.oidc != nil:
		t.Bearer = "the STS security token that alibaba.assume_role_with_oidc obtains"
	case a.assumeRole != nil:
		t.Bearer = "the STS security token that alibaba.assume_role obtains"
	case a.securityToken != "":
		t.Bearer = "the STS security token (alibaba.security_token)"
	}
	return t
}

func (a *settings) CheckPlan(ctx context.Context, region string, options types.Object) (string, error) {
	if a.unknown {
		return "", nil
	}
	clientAPI := rebootBlockOf(options).usesClientAPI()
	if region == "" && a.regionID == "" {
		return "Cloud not configured", errNoRegion
	}
	bearer := ""
	if clientAPI {
		bearer = "the client API's LoginToken (alibaba.login_token)"
	}
	if err := a.Transport().PlainHTTPError("alibaba", bearer); err != nil {
		return "Credential would cross the network unencrypted", err
	}
	if !clientAPI {
		return "Cloud not configured", a.requireCredentials()
	}
	return "", nil
}

var errNoRegion = errors.New("no Alibaba Cloud region: set `region` on the resource, `alibaba.region` in the provider block, " +
	"or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION")

// requireCredentials catches a role flow that lacks what it needs, and a
// half-configured key pair. With neither key set, the Alibaba credential
// chain is tried when the first call is made.
func (a *settings) requireCredentials() error {
	if err := a.checkRoles(); err != nil || a.oidc != nil {
		return err // OIDC needs no keys
	}
	if (a.accessKey == "") != (a.secretKey == "") {
		return fmt.Errorf("incomplete Alibaba Cloud credentials: set both `alibaba.access_key` and `alibaba.secret_key` " +
			"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or neither to use the credential chain " +
			"(ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, ~/.aliyun/config.json, ECS RAM role, OIDC)")
	}
	return nil
}

func (a *settings) client(region string) (*Client, error) {
	if region == "" {
		region = a.regionID
	}
	if region == "" {
		return nil, errNoRegion
	}
	return NewClient(a.clientConfig(region))
}

// clientConfig is the Config of a client for region.
func (a *settings) clientConfig(region string) Config {
	return Config{
		Region:             region,
		AccessKey:          a.accessKey,
		SecretKey:          a.secretKey,
		SecurityToken:      a.securityToken,
		AssumeRole:         a.assumeRole,
		AssumeRoleWithOIDC: a.oidc,
		STSEndpoint:        a.stsEndpoint,
		Endpoint:           a.endpoint,
		AllowPlainHTTP:     a.allowPlainHTTP,
		Retry:              a.Retry,
		UserAgent:          a.UserAgent,
		credential:         a.session,
	}
}

func (a *settings) Reboot(ctx context.Context, r tfcloud.RebootRequest) (fleet.BatchAction, error) {
	c, err := a.client(r.Region)
	if err != nil {
		return nil, err
	}
	o := rebootBlockOf(r.Options)
	opts := RebootOptions{Wait: r.Wait, Poll: a.Poll, Settle: a.RebootSettle}
	if o != nil {
		opts.OsUpdate = o.osUpdate()
		opts.ClientAPI = o.clientAPI(rebootBlockOf(r.ConfigOptions))
	}
	if opts.ClientAPI == nil {
		if err := a.requireCredentials(); err != nil {
			return nil, err
		}
	}
	return c.Rebooter(opts), nil
}

func (a *settings) Delete(ctx context.Context, r tfcloud.DeleteRequest) (fleet.BatchAction, error) {
	c, err := a.client(r.Region)
	if err != nil {
		return nil, err
	}
	if err := a.requireCredentials(); err != nil {
		return nil, err
	}
	return c.Deleter(DeleteOptions{Wait: r.Wait, FailMissing: !r.IgnoreMissing, Poll: a.Poll}), nil
}

func (a *settings) Lister(region string) (fleet.DesktopLister, error) {
	if err := a.requireCredentials(); err != nil {
		return nil, err
	}
	return a.client(region)
}

func (Adapter) ProviderBlock() provschema.SingleNestedBlock {
	return provschema.SingleNestedBlock{
		MarkdownDescription: "Alibaba Cloud WUYING / Elastic Desktop Service (API product `ecd`). " +
			"Without `access_key`, credentials come from the standard Alibaba Cloud credential chain: " +
			"`ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, OIDC (RRSA), " +
			"the `~/.aliyun/config.json` profile, `~/.alibabacloud/credentials`, or the ECS RAM role. " +
			"Without long-lived keys: `assume_role_with_oidc` (Terraform Cloud's workload identity token, or any CI's OIDC token), " +
			"or `assume_role` from restricted base credentials.",
		Attributes: map[string]provschema.Attribute{
			"region": tfcloud.RegionAttribute("Region ID such as `cn-hangzhou`. Or `ALIBABA_CLOUD_REGION_ID`, `ALICLOUD_REGION`, " +
				"`ALIBABA_CLOUD_REGION`."),
			"access_key":       tfcloud.SecretAttribute("AccessKey ID. Or `ALICLOUD_ACCESS_KEY`; otherwise the credential chain."),
			"secret_key":       tfcloud.SecretAttribute("AccessKey secret. Or `ALICLOUD_SECRET_KEY`."),
			"security_token":   tfcloud.SecretAttribute("STS security token, for temporary credentials. Or `ALICLOUD_SECURITY_TOKEN`."),
			"allow_plain_http": tfcloud.AllowPlainHTTPAttribute("an STS `security_token`, or a reboot's client-API `login_token`"),
			"endpoint":         tfcloud.EndpointAttribute("ECD", "https://ecd.{region}.aliyuncs.com", "CLOUDDESKTOP_ALIBABA_ENDPOINT"),
			"sts_endpoint": provschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "STS endpoint of `assume_role` and `assume_role_with_oidc`, `host[:port]` or `https://host[:port]` " +
					"(always called over https), such as `sts.cn-hangzhou.aliyuncs.com`. Defaults to `sts.aliyuncs.com`, or " +
					"`sts.{ALIBABA_CLOUD_STS_REGION}.aliyuncs.com`. Or `ALIBABA_CLOUD_STS_ENDPOINT`, `ALICLOUD_STS_ENDPOINT`.",
				Validators: []validator.String{validators.STSEndpoint()},
			},
		},
		Blocks: roleBlocks(),
	}
}
