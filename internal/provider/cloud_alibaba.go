package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// alibabaAdapter adapts Alibaba Cloud WUYING / Elastic Desktop Service to
// the provider (internal/alibaba speaks its API).
type alibabaAdapter struct{}

func (alibabaAdapter) name() string { return "alibaba" }

func (alibabaAdapter) options(kind resourceKind) *cloudOptions {
	switch kind {
	case rebootResource:
		return alibabaRebootOptions()
	case rebootAction:
		return alibabaRebootActionOptions()
	}
	return nil
}

type alibabaProviderModel struct {
	Region         types.String `tfsdk:"region"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
}

// alibabaSettings is the provider block resolved with the environment.
type alibabaSettings struct {
	tuning
	regionID, accessKey, secretKey, securityToken, endpoint string
	// allowPlainHTTP is the user's opt-in to an http:// endpoint off
	// this machine (see transport.plainHTTPError).
	allowPlainHTTP bool
	// unknown is set when part of the block was not yet known at plan time,
	// so plan-time checks must not judge it.
	unknown bool
}

func (alibabaAdapter) configure(ctx context.Context, block types.Object, env func(string) string, t tuning, diags *diag.Diagnostics) configuredCloud {
	var m alibabaProviderModel
	if !block.IsNull() && !block.IsUnknown() {
		diags.Append(block.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	}
	a := &alibabaSettings{tuning: t}
	a.regionID = fromEnv(env, m.Region, &a.unknown, "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION")
	a.accessKey = fromEnv(env, m.AccessKey, &a.unknown, "ALICLOUD_ACCESS_KEY")
	a.secretKey = fromEnv(env, m.SecretKey, &a.unknown, "ALICLOUD_SECRET_KEY")
	a.securityToken = fromEnv(env, m.SecurityToken, &a.unknown, "ALICLOUD_SECURITY_TOKEN")
	a.endpoint = fromEnv(env, m.Endpoint, &a.unknown, "CLOUDDESKTOP_ALIBABA_ENDPOINT")
	a.allowPlainHTTP = m.AllowPlainHTTP.ValueBool()
	checkEnvEndpoint("alibaba", "CLOUDDESKTOP_ALIBABA_ENDPOINT", a.endpoint, diags)
	return a
}

// alibabaCredentialsHelp says what would supply Alibaba Cloud credentials.
// Unlike Huawei's, their absence shows only at the first signed call: the
// credential chain may find them in places the provider cannot see at plan
// time (a profile file, OIDC, the ECS RAM role).
const alibabaCredentialsHelp = "Set `alibaba.access_key` and `alibaba.secret_key` in the provider block " +
	"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or make credentials available to the Alibaba Cloud " +
	"credential chain: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, the ~/.aliyun/config.json " +
	"profile, ~/.alibabacloud/credentials, OIDC (RRSA) or the ECS RAM role. A reboot through the client API needs " +
	"none: set `login_token` and `session_id` in the resource's `alibaba` block (and `wait = false`)."

func (alibabaAdapter) credentialsHelp(err error) (string, bool) {
	if errors.Is(err, alibaba.ErrMissingCredentials) {
		return alibabaCredentialsHelp, true
	}
	return "", false
}

func (a *alibabaSettings) region() string { return a.regionID }

func (a *alibabaSettings) transport() transport {
	t := transport{endpoint: a.endpoint, allowPlainHTTP: a.allowPlainHTTP}
	if a.securityToken != "" {
		t.bearer = "the STS security token (alibaba.security_token)"
	}
	return t
}

func (a *alibabaSettings) checkPlan(ctx context.Context, region string, options types.Object) (string, error) {
	if a.unknown {
		return "", nil
	}
	clientAPI := alibabaRebootOptionsOf(ctx, options, nil).usesClientAPI()
	if region == "" && a.regionID == "" {
		return "Cloud not configured", errNoAlibabaRegion
	}
	bearer := ""
	if clientAPI {
		bearer = "the client API's LoginToken (alibaba.login_token)"
	}
	if err := a.transport().plainHTTPError("alibaba", bearer); err != nil {
		return "Credential would cross the network unencrypted", err
	}
	if !clientAPI {
		return "Cloud not configured", a.requireAccessKey()
	}
	return "", nil
}

var errNoAlibabaRegion = errors.New("no Alibaba Cloud region: set `region` on the resource, `alibaba.region` in the provider block, " +
	"or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION")

// requireAccessKey catches a half-configured key pair. With neither key
// set, the Alibaba credential chain is tried when the first call is made.
func (a *alibabaSettings) requireAccessKey() error {
	if (a.accessKey == "") != (a.secretKey == "") {
		return fmt.Errorf("incomplete Alibaba Cloud credentials: set both `alibaba.access_key` and `alibaba.secret_key` " +
			"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or neither to use the credential chain " +
			"(ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, ~/.aliyun/config.json, ECS RAM role, OIDC)")
	}
	return nil
}

func (a *alibabaSettings) client(region string) (*alibaba.Client, error) {
	if region == "" {
		region = a.regionID
	}
	if region == "" {
		return nil, errNoAlibabaRegion
	}
	return alibaba.NewClient(alibaba.Config{
		Region:         region,
		AccessKey:      a.accessKey,
		SecretKey:      a.secretKey,
		SecurityToken:  a.securityToken,
		Endpoint:       a.endpoint,
		AllowPlainHTTP: a.allowPlainHTTP,
		Retry:          a.retry,
		UserAgent:      a.userAgent,
	})
}

func (a *alibabaSettings) reboot(ctx context.Context, r rebootRequest) (fleet.BatchAction, error) {
	c, err := a.client(r.region)
	if err != nil {
		return nil, err
	}
	var diags diag.Diagnostics
	o := alibabaRebootOptionsOf(ctx, r.options, &diags)
	if diags.HasError() {
		return nil, diagsError(diags)
	}
	opts := alibaba.RebootOptions{Wait: r.wait, Poll: a.poll, Settle: a.rebootSettle}
	if o != nil {
		opts.OsUpdate = o.osUpdate()
		opts.ClientAPI = o.clientAPI(alibabaRebootOptionsOf(ctx, r.configOptions, &diags))
	}
	if opts.ClientAPI == nil {
		if err := a.requireAccessKey(); err != nil {
			return nil, err
		}
	}
	return c.Rebooter(opts), nil
}

func (a *alibabaSettings) delete(_ context.Context, r deleteRequest) (fleet.BatchAction, error) {
	c, err := a.client(r.region)
	if err != nil {
		return nil, err
	}
	if err := a.requireAccessKey(); err != nil {
		return nil, err
	}
	return c.Deleter(alibaba.DeleteOptions{Wait: r.wait, FailMissing: !r.ignoreMissing, Poll: a.poll}), nil
}

func (a *alibabaSettings) lister(region string) (fleet.DesktopLister, error) {
	if err := a.requireAccessKey(); err != nil {
		return nil, err
	}
	return a.client(region)
}

func (alibabaAdapter) providerBlock() provschema.SingleNestedBlock {
	return provschema.SingleNestedBlock{
		MarkdownDescription: "Alibaba Cloud WUYING / Elastic Desktop Service (API product `ecd`). " +
			"Without `access_key`, credentials come from the standard Alibaba Cloud credential chain: " +
			"`ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, OIDC (RRSA), " +
			"the `~/.aliyun/config.json` profile, `~/.alibabacloud/credentials`, or the ECS RAM role.",
		Attributes: map[string]provschema.Attribute{
			"region": provschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region ID such as `cn-hangzhou`. Or `ALIBABA_CLOUD_REGION_ID`, `ALICLOUD_REGION`, `ALIBABA_CLOUD_REGION`.",
				Validators:          []validator.String{regionValidator()},
			},
			"access_key": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AccessKey ID. Or `ALICLOUD_ACCESS_KEY`; otherwise the credential chain.",
			},
			"secret_key": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AccessKey secret. Or `ALICLOUD_SECRET_KEY`.",
			},
			"security_token": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "STS security token, for temporary credentials. Or `ALICLOUD_SECURITY_TOKEN`.",
			},
			"allow_plain_http": provschema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow an `http://` `endpoint` on a host that is not loopback (`127.0.0.1`, `::1`, `localhost`). " +
					"Without it, plan fails when a bearer credential would cross the network in clear text (an STS `security_token`, or a reboot's client-API `login_token`), and warns " +
					"for AK/SK signing, which exposes no secret but leaves requests and answers readable. Loopback endpoints, " +
					"such as the bundled mock cloud or a local proxy, never need it.",
			},
			"endpoint": provschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Full URL of the ECD endpoint, `https://host` or `http://host:port`. " +
					"Defaults to `https://ecd.{region}.aliyuncs.com`. Or `CLOUDDESKTOP_ALIBABA_ENDPOINT`.",
				Validators: []validator.String{endpointValidator()},
			},
		},
	}
}
