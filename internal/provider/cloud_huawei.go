package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// huaweiAdapter adapts Huawei Cloud Workspace to the provider
// (internal/huawei speaks its API).
type huaweiAdapter struct{}

func (huaweiAdapter) name() string { return "huawei" }

func (huaweiAdapter) options(kind resourceKind) *cloudOptions {
	switch kind {
	case rebootResource:
		return &cloudOptions{block: huaweiRebootBlock()}
	case deleteResource:
		return &cloudOptions{block: huaweiDeleteBlock()}
	case rebootAction:
		return &cloudOptions{actionBlock: actionBlockOf(huaweiRebootBlock())}
	case deleteAction:
		return &cloudOptions{actionBlock: actionBlockOf(huaweiDeleteBlock())}
	}
	return nil
}

// Huawei's credentials are all known at plan time (checkPlan says what is
// missing), so no call fails for want of them.
func (huaweiAdapter) credentialsHelp(error) (string, bool) { return "", false }

type huaweiProviderModel struct {
	Region         types.String `tfsdk:"region"`
	ProjectID      types.String `tfsdk:"project_id"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	AuthToken      types.String `tfsdk:"auth_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
}

// huaweiSettings is the provider block resolved with the environment.
type huaweiSettings struct {
	tuning
	regionName, projectID, accessKey, secretKey, securityToken, authToken, endpoint string
	allowPlainHTTP                                                                  bool
	unknown                                                                         bool
}

func (huaweiAdapter) configure(ctx context.Context, block types.Object, env func(string) string, t tuning, diags *diag.Diagnostics) configuredCloud {
	var m huaweiProviderModel
	if !block.IsNull() && !block.IsUnknown() {
		diags.Append(block.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	}
	h := &huaweiSettings{tuning: t}
	h.regionName = fromEnv(env, m.Region, &h.unknown, "HW_REGION_NAME")
	h.projectID = fromEnv(env, m.ProjectID, &h.unknown, "HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")
	h.accessKey = fromEnv(env, m.AccessKey, &h.unknown, "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK")
	h.secretKey = fromEnv(env, m.SecretKey, &h.unknown, "HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK")
	h.securityToken = fromEnv(env, m.SecurityToken, &h.unknown, "HW_SECURITY_TOKEN")
	h.authToken = fromEnv(env, m.AuthToken, &h.unknown, "HW_AUTH_TOKEN")
	h.endpoint = fromEnv(env, m.Endpoint, &h.unknown, "CLOUDDESKTOP_HUAWEI_ENDPOINT")
	h.allowPlainHTTP = m.AllowPlainHTTP.ValueBool()
	checkEnvEndpoint("huawei", "CLOUDDESKTOP_HUAWEI_ENDPOINT", h.endpoint, diags)
	return h
}

func (h *huaweiSettings) region() string { return h.regionName }

func (h *huaweiSettings) transport() transport {
	t := transport{endpoint: h.endpoint, allowPlainHTTP: h.allowPlainHTTP}
	switch {
	case h.authToken != "":
		t.bearer = "the IAM token (huawei.auth_token, sent as X-Auth-Token)"
	case h.securityToken != "":
		t.bearer = "the security token (huawei.security_token)"
	}
	return t
}

func (h *huaweiSettings) checkPlan(_ context.Context, region string, _ types.Object) (string, error) {
	if h.unknown {
		return "", nil
	}
	if err := h.check(region); err != nil {
		return "Cloud not configured", err
	}
	if err := h.transport().plainHTTPError("huawei", ""); err != nil {
		return "Credential would cross the network unencrypted", err
	}
	return "", nil
}

// check names every missing Huawei setting at once, with the attributes
// and environment variables that would supply it.
func (h *huaweiSettings) check(regionOverride string) error {
	var missing []string
	if regionOverride == "" && h.regionName == "" && h.endpoint == "" {
		missing = append(missing, "a region: `region` on the resource, `huawei.region`, or HW_REGION_NAME")
	}
	if h.projectID == "" {
		missing = append(missing, "a project ID: `huawei.project_id`, HW_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID")
	}
	if h.authToken == "" && (h.accessKey == "" || h.secretKey == "") {
		missing = append(missing, "credentials: `huawei.access_key` and `huawei.secret_key` (HW_ACCESS_KEY / HUAWEICLOUD_SDK_AK and "+
			"HW_SECRET_KEY / HUAWEICLOUD_SDK_SK), or `huawei.auth_token` (HW_AUTH_TOKEN)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("huawei: not configured; missing %s", strings.Join(missing, "; "))
}

func (h *huaweiSettings) client(region string) (*huawei.Client, error) {
	if err := h.check(region); err != nil {
		return nil, err
	}
	if region == "" {
		region = h.regionName
	}
	return huawei.NewClient(huawei.Config{
		Region:         region,
		ProjectID:      h.projectID,
		AccessKey:      h.accessKey,
		SecretKey:      h.secretKey,
		SecurityToken:  h.securityToken,
		AuthToken:      h.authToken,
		Endpoint:       h.endpoint,
		AllowPlainHTTP: h.allowPlainHTTP,
		Retry:          h.retry,
		UserAgent:      h.userAgent,
	})
}

type huaweiRebootModel struct {
	Type types.String `tfsdk:"type"`
}

func (h *huaweiSettings) reboot(ctx context.Context, r rebootRequest) (fleet.BatchAction, error) {
	c, err := h.client(r.region)
	if err != nil {
		return nil, err
	}
	opts := huawei.RebootOptions{Type: "SOFT", Wait: r.wait, Poll: h.poll, Settle: h.rebootSettle}
	if !r.options.IsNull() && !r.options.IsUnknown() {
		var m huaweiRebootModel
		if diags := r.options.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
			return nil, diagsError(diags)
		}
		if m.Type.ValueString() != "" {
			opts.Type = m.Type.ValueString()
		}
	}
	return c.Rebooter(opts), nil
}

type huaweiBatchDeleteModel struct {
	DeleteUsers       types.Bool `tfsdk:"delete_users"`
	EmailNotification types.Bool `tfsdk:"email_notification"`
	IsForceDelete     types.Bool `tfsdk:"is_force_delete"`
}

func (h *huaweiSettings) delete(ctx context.Context, r deleteRequest) (fleet.BatchAction, error) {
	c, err := h.client(r.region)
	if err != nil {
		return nil, err
	}
	// The API's defaults, for a resource without the block.
	opts := huawei.DeleteOptions{EmailNotification: true, Deletion: retry.Deletion{Wait: r.wait, FailMissing: !r.ignoreMissing, Poll: h.poll}}
	if !r.options.IsNull() && !r.options.IsUnknown() {
		var m huaweiBatchDeleteModel
		if diags := r.options.As(ctx, &m, basetypes.ObjectAsOptions{}); diags.HasError() {
			return nil, diagsError(diags)
		}
		opts.DeleteUsers = m.DeleteUsers.ValueBool()
		opts.EmailNotification = m.EmailNotification.IsNull() || m.EmailNotification.ValueBool()
		opts.IsForceDelete = m.IsForceDelete.ValueBool()
	}
	return c.Deleter(opts), nil
}

func (h *huaweiSettings) lister(region string) (fleet.DesktopLister, error) {
	return h.client(region)
}

func (huaweiAdapter) providerBlock() provschema.SingleNestedBlock {
	return provschema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud Workspace. Calls are signed with AK/SK (SDK-HMAC-SHA256), " +
			"or carry an IAM token in `X-Auth-Token` when `auth_token` is set.",
		Attributes: map[string]provschema.Attribute{
			"region": provschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region such as `cn-north-4`. Or `HW_REGION_NAME`.",
				Validators:          []validator.String{regionValidator()},
			},
			"project_id": provschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "IAM project ID of the region. Or `HW_PROJECT_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`.",
				Validators:          []validator.String{projectIDValidator()},
			},
			"access_key": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Access key (AK). Or `HW_ACCESS_KEY`, `HUAWEICLOUD_SDK_AK`.",
			},
			"secret_key": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Secret key (SK). Or `HW_SECRET_KEY`, `HUAWEICLOUD_SDK_SK`.",
			},
			"security_token": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Security token of temporary AK/SK. Or `HW_SECURITY_TOKEN`.",
			},
			"auth_token": provschema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "IAM token sent as `X-Auth-Token` instead of AK/SK signing. Or `HW_AUTH_TOKEN`.",
			},
			"allow_plain_http": provschema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Allow an `http://` `endpoint` on a host that is not loopback (`127.0.0.1`, `::1`, `localhost`). " +
					"Without it, plan fails when a bearer credential would cross the network in clear text (`auth_token` as `X-Auth-Token`, or a `security_token`), and warns " +
					"for AK/SK signing, which exposes no secret but leaves requests and answers readable. Loopback endpoints, " +
					"such as the bundled mock cloud or a local proxy, never need it.",
			},
			"endpoint": provschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Full URL of the Workspace endpoint, `https://host` or `http://host:port`. " +
					"Defaults to `https://workspace.{region}.myhuaweicloud.com`. Or `CLOUDDESKTOP_HUAWEI_ENDPOINT`.",
				Validators: []validator.String{endpointValidator()},
			},
		},
	}
}

func huaweiRebootBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud options. Only with `cloud = \"huawei\"`.",
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("SOFT"),
				MarkdownDescription: "`SOFT` (default) asks the guest OS to restart; `HARD` resets the machine.",
				Validators:          []validator.String{stringvalidator.OneOf("SOFT", "HARD")},
			},
		},
	}
}

func huaweiDeleteBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud options of `batch-delete`. Only with `cloud = \"huawei\"`.",
		Attributes: map[string]schema.Attribute{
			"delete_users": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Also delete the desktops' users. Defaults to `false`.",
			},
			"email_notification": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "E-mail the users about the deletion. Defaults to `true`.",
			},
			"is_force_delete": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Delete desktops even while they are busy with another task. Defaults to `false`.",
			},
		},
	}
}
