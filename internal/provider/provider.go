// Package provider is the Terraform-facing side of the clouddesktop
// provider: schemas, configuration, resources and data sources. It speaks in
// desktops and batches (internal/fleet) and leaves wire formats to the cloud
// packages.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ provider.Provider = (*CloudDesktopProvider)(nil)

// CloudDesktopProvider reboots and deletes fleets of cloud desktops on
// Alibaba Cloud (WUYING / Elastic Desktop Service) and Huawei Cloud Workspace.
type CloudDesktopProvider struct {
	// version is "dev" for local builds and the release version otherwise.
	version string
	// env reads an environment variable; nil means the process
	// environment. Tests set their own, so that parallel tests can tune
	// the provider differently.
	env func(string) string
}

// New returns a constructor of the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &CloudDesktopProvider{version: version}
	}
}

func (p *CloudDesktopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "clouddesktop"
	resp.Version = p.version
}

func (p *CloudDesktopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reboots and deletes fleets of cloud desktops on Alibaba Cloud WUYING / Elastic Desktop Service " +
			"and Huawei Cloud Workspace. Both blocks are optional: with no block, the environment alone configures that cloud.",
		Attributes: map[string]schema.Attribute{
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a throttled, 502/503/504 or dropped API call is retried, with exponential backoff. " +
					"Defaults to `5`, or `CLOUDDESKTOP_MAX_RETRIES`. `0` turns retries off.",
				Validators: []validator.Int64{int64validator.AtLeast(0), int64validator.AtMost(50)},
			},
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "API calls in flight per resource operation. Defaults to `4`.",
				Validators:          []validator.Int64{int64validator.Between(1, 64)},
			},
		},
		Blocks: map[string]schema.Block{
			"alibaba": alibabaProviderBlock(),
			"huawei":  huaweiProviderBlock(),
		},
	}
}

func alibabaProviderBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Alibaba Cloud WUYING / Elastic Desktop Service (API product `ecd`). " +
			"Without `access_key`, credentials come from the standard Alibaba Cloud credential chain: " +
			"`ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, OIDC (RRSA), " +
			"the `~/.aliyun/config.json` profile, `~/.alibabacloud/credentials`, or the ECS RAM role.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region ID such as `cn-hangzhou`. Or `ALIBABA_CLOUD_REGION_ID`, `ALICLOUD_REGION`, `ALIBABA_CLOUD_REGION`.",
				Validators:          []validator.String{regionValidator()},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AccessKey ID. Or `ALICLOUD_ACCESS_KEY`; otherwise the credential chain.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AccessKey secret. Or `ALICLOUD_SECRET_KEY`.",
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "STS security token, for temporary credentials. Or `ALICLOUD_SECURITY_TOKEN`.",
			},
			"allow_plain_http": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow an `http://` `endpoint` on a host that is not loopback (`127.0.0.1`, `::1`, `localhost`). " +
					"Without it, plan fails when a bearer credential would cross the network in clear text (an STS `security_token`, or a reboot's client-API `login_token`), and warns " +
					"for AK/SK signing, which exposes no secret but leaves requests and answers readable. Loopback endpoints, " +
					"such as the bundled mock cloud or a local proxy, never need it.",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Full URL of the ECD endpoint, `https://host` or `http://host:port`. " +
					"Defaults to `https://ecd.{region}.aliyuncs.com`. Or `CLOUDDESKTOP_ALIBABA_ENDPOINT`.",
				Validators: []validator.String{endpointValidator()},
			},
		},
	}
}

func huaweiProviderBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud Workspace. Calls are signed with AK/SK (SDK-HMAC-SHA256), " +
			"or carry an IAM token in `X-Auth-Token` when `auth_token` is set.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region such as `cn-north-4`. Or `HW_REGION_NAME`.",
				Validators:          []validator.String{regionValidator()},
			},
			"project_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "IAM project ID of the region. Or `HW_PROJECT_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`.",
				Validators:          []validator.String{projectIDValidator()},
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Access key (AK). Or `HW_ACCESS_KEY`, `HUAWEICLOUD_SDK_AK`.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Secret key (SK). Or `HW_SECRET_KEY`, `HUAWEICLOUD_SDK_SK`.",
			},
			"security_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Security token of temporary AK/SK. Or `HW_SECURITY_TOKEN`.",
			},
			"auth_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "IAM token sent as `X-Auth-Token` instead of AK/SK signing. Or `HW_AUTH_TOKEN`.",
			},
			"allow_plain_http": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow an `http://` `endpoint` on a host that is not loopback (`127.0.0.1`, `::1`, `localhost`). " +
					"Without it, plan fails when a bearer credential would cross the network in clear text (`auth_token` as `X-Auth-Token`, or a `security_token`), and warns " +
					"for AK/SK signing, which exposes no secret but leaves requests and answers readable. Loopback endpoints, " +
					"such as the bundled mock cloud or a local proxy, never need it.",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Full URL of the Workspace endpoint, `https://host` or `http://host:port`. " +
					"Defaults to `https://workspace.{region}.myhuaweicloud.com`. Or `CLOUDDESKTOP_HUAWEI_ENDPOINT`.",
				Validators: []validator.String{endpointValidator()},
			},
		},
	}
}

func (p *CloudDesktopProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	env := p.env
	if env == nil {
		env = envLookup
	}
	data, diags := newProviderData(cfg, p.version, env)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *CloudDesktopProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewDesktopRebootResource,
		NewDesktopBatchDeleteResource,
	}
}

func (p *CloudDesktopProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewDesktopsDataSource,
	}
}
