package huawei

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// Adapter is what Huawei Cloud Workspace gives Terraform (tfcloud.Cloud):
// the huawei provider block (AK/SK or an IAM token, a project), the reboot
// type and the batch-delete flags on the resources and actions, and this
// package's Client as fleet actions.
type Adapter struct{}

var _ tfcloud.Cloud = Adapter{}

func (Adapter) Name() string { return "huawei" }

func (Adapter) Options(kind tfcloud.Kind) *tfcloud.Options {
	switch kind {
	case tfcloud.RebootResource:
		return &tfcloud.Options{Block: rebootBlock()}
	case tfcloud.DeleteResource:
		return &tfcloud.Options{Block: deleteBlock()}
	case tfcloud.RebootAction:
		return &tfcloud.Options{ActionBlock: tfcloud.ActionBlockOf(rebootBlock())}
	case tfcloud.DeleteAction:
		return &tfcloud.Options{ActionBlock: tfcloud.ActionBlockOf(deleteBlock())}
	}
	return nil
}

// CredentialsHelp: Huawei's settings are all known at plan time (CheckPlan
// says what is missing), so only a federated login's exchange at IAM can
// fail for want of credentials.
func (Adapter) CredentialsHelp(err error) (string, bool) {
	var exchange *exchangeError
	if errors.As(err, &exchange) {
		return exchange.help, true
	}
	return "", false
}

type providerBlockModel struct {
	Region         types.String `tfsdk:"region"`
	ProjectID      types.String `tfsdk:"project_id"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	AuthToken      types.String `tfsdk:"auth_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
	// The federated login (terraform_federated.go).
	IdpID       types.String `tfsdk:"idp_id"`
	IDToken     types.String `tfsdk:"id_token"`
	IDTokenFile types.String `tfsdk:"id_token_file"`
	IAMEndpoint types.String `tfsdk:"iam_endpoint"`
}

// settings is the provider block resolved with the environment.
type settings struct {
	tfcloud.Tuning
	regionName, projectID, accessKey, secretKey, securityToken, authToken, endpoint string
	allowPlainHTTP                                                                  bool
	unknown                                                                         bool
	federation
}

func (Adapter) Configure(ctx context.Context, block types.Object, env func(string) string, t tfcloud.Tuning, diags *diag.Diagnostics) tfcloud.Configured {
	var m providerBlockModel
	_, d := tfcloud.ReadBlock(ctx, block, &m)
	diags.Append(d...)
	h := &settings{Tuning: t}
	h.regionName = tfcloud.FromEnv(env, m.Region, &h.unknown, "HW_REGION_NAME")
	h.projectID = tfcloud.FromEnv(env, m.ProjectID, &h.unknown, "HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")
	h.accessKey = tfcloud.FromEnv(env, m.AccessKey, &h.unknown, "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK")
	h.secretKey = tfcloud.FromEnv(env, m.SecretKey, &h.unknown, "HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK")
	h.securityToken = tfcloud.FromEnv(env, m.SecurityToken, &h.unknown, "HW_SECURITY_TOKEN")
	h.authToken = tfcloud.FromEnv(env, m.AuthToken, &h.unknown, "HW_AUTH_TOKEN")
	h.endpoint = tfcloud.FromEnv(env, m.Endpoint, &h.unknown, "CLOUDDESKTOP_HUAWEI_ENDPOINT")
	h.allowPlainHTTP = m.AllowPlainHTTP.ValueBool()
	tfcloud.CheckEnvEndpoint("huawei", "CLOUDDESKTOP_HUAWEI_ENDPOINT", h.endpoint, diags)
	h.configureFederation(m, env, diags)
	return h
}

func (h *settings) Region() string { return h.regionName }

func (h *settings) Transport() tfcloud.Transport {
	t := tfcloud.Transport{Endpoint: h.endpoint, AllowPlainHTTP: h.allowPlainHTTP}
	switch {
	case h.idpID != "":
		t.Bearer = "the security token that the federated login (huawei.idp_id) obtains"
	case h.authToken != "":
		t.Bearer = "the IAM token (huawei.auth_token, sent as X-Auth-Token)"
	case h.securityToken != "":
		t.Bearer = "the security token (huawei.security_token)"
	}
	return t
}

func (h *settings) CheckPlan(_ context.Context, region string, _ types.Object) (string, error) {
	if h.unknown {
		return "", nil
	}
	if err := h.check(region); err != nil {
		return "Cloud not configured", err
	}
	if err := h.Transport().PlainHTTPError("huawei", ""); err != nil {
		return "Credential would cross the network unencrypted", err
	}
	if err := h.iamPlainHTTPError(); err != nil {
		return "Credential would cross the network unencrypted", err
	}
	return "", nil
}

// check names every missing Huawei setting at once, with the attributes
// and environment variables that would supply it.
func (h *settings) check(regionOverride string) error {
	var missing []string
	if regionOverride == "" && h.regionName == "" && h.endpoint == "" {
		missing = append(missing, "a region: `region` on the resource, `huawei.region`, or HW_REGION_NAME")
	}
	if h.projectID == "" {
		missing = append(missing, "a project ID: `huawei.project_id`, HW_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID")
	}
	switch {
	case h.idpID != "" || h.idTokenGiven():
		missing = append(missing, h.federationProblems()...)
	case h.authToken == "" && (h.accessKey == "" || h.secretKey == ""):
		missing = append(missing, "credentials: `huawei.access_key` and `huawei.secret_key` (HW_ACCESS_KEY / HUAWEICLOUD_SDK_AK and "+
			"HW_SECRET_KEY / HUAWEICLOUD_SDK_SK), `huawei.auth_token` (HW_AUTH_TOKEN), or a federated login: `huawei.idp_id` "+
			"(HUAWEICLOUD_SDK_IDP_ID) with an id token")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing Huawei Cloud settings: %s", strings.Join(missing, "; "))
}

func (h *settings) client(region string) (*Client, error) {
	if err := h.check(region); err != nil {
		return nil, err
	}
	if region == "" {
		region = h.regionName
	}
	federated, err := h.federated()
	if err != nil {
		return nil, err
	}
	var shared *federatedCredential
	if federated != nil {
		if shared, err = h.sharedCredential(federated); err != nil {
			return nil, err
		}
	}
	return NewClient(Config{
		Federated:      federated,
		credential:     shared,
		Region:         region,
		ProjectID:      h.projectID,
		AccessKey:      h.accessKey,
		SecretKey:      h.secretKey,
		SecurityToken:  h.securityToken,
		AuthToken:      h.authToken,
		Endpoint:       h.endpoint,
		AllowPlainHTTP: h.allowPlainHTTP,
		Retry:          h.Retry,
		UserAgent:      h.UserAgent,
	})
}

type rebootTypeModel struct {
	Type types.String `tfsdk:"type"`
}

func (h *settings) Reboot(ctx context.Context, r tfcloud.RebootRequest) (fleet.BatchAction, error) {
	c, err := h.client(r.Region)
	if err != nil {
		return nil, err
	}
	opts := RebootOptions{Type: "SOFT", Wait: r.Wait, Poll: h.Poll, Settle: h.RebootSettle}
	var m rebootTypeModel
	written, diags := tfcloud.ReadBlock(ctx, r.Options, &m)
	if diags.HasError() {
		return nil, tfcloud.DiagsError(diags)
	}
	if written && m.Type.ValueString() != "" {
		opts.Type = m.Type.ValueString()
	}
	return c.Rebooter(opts), nil
}

type deleteBlockModel struct {
	DeleteUsers       types.Bool `tfsdk:"delete_users"`
	EmailNotification types.Bool `tfsdk:"email_notification"`
	IsForceDelete     types.Bool `tfsdk:"is_force_delete"`
}

func (h *settings) Delete(ctx context.Context, r tfcloud.DeleteRequest) (fleet.BatchAction, error) {
	c, err := h.client(r.Region)
	if err != nil {
		return nil, err
	}
	// The API's defaults, for a resource without the block.
	opts := DeleteOptions{EmailNotification: true, Deletion: retry.Deletion{Wait: r.Wait, FailMissing: !r.IgnoreMissing, Poll: h.Poll}}
	var m deleteBlockModel
	written, diags := tfcloud.ReadBlock(ctx, r.Options, &m)
	if diags.HasError() {
		return nil, tfcloud.DiagsError(diags)
	}
	if written { // else the API's defaults, above
		opts.DeleteUsers = m.DeleteUsers.ValueBool()
		opts.EmailNotification = m.EmailNotification.IsNull() || m.EmailNotification.ValueBool()
		opts.IsForceDelete = m.IsForceDelete.ValueBool()
	}
	return c.Deleter(opts), nil
}

func (h *settings) Lister(region string) (fleet.DesktopLister, error) {
	return h.client(region)
}

func (Adapter) ProviderBlock() provschema.SingleNestedBlock {
	return provschema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud Workspace. Calls are signed with AK/SK (SDK-HMAC-SHA256), " +
			"with temporary keys from a federated login when `idp_id` is set, " +
			"or carry an IAM token in `X-Auth-Token` when `auth_token` is set.",
		Attributes: map[string]provschema.Attribute{
			"region": tfcloud.RegionAttribute("Region such as `cn-north-4`. Or `HW_REGION_NAME`."),
			"project_id": provschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "IAM project ID of the region. Or `HW_PROJECT_ID`, `HUAWEICLOUD_SDK_PROJECT_ID`.",
				Validators:          []validator.String{validators.ProjectID()},
			},
			"access_key":       tfcloud.SecretAttribute("Access key (AK). Or `HW_ACCESS_KEY`, `HUAWEICLOUD_SDK_AK`."),
			"secret_key":       tfcloud.SecretAttribute("Secret key (SK). Or `HW_SECRET_KEY`, `HUAWEICLOUD_SDK_SK`."),
			"security_token":   tfcloud.SecretAttribute("Security token of temporary AK/SK. Or `HW_SECURITY_TOKEN`."),
			"auth_token":       tfcloud.SecretAttribute("IAM token sent as `X-Auth-Token` instead of AK/SK signing. Or `HW_AUTH_TOKEN`."),
			"allow_plain_http": tfcloud.AllowPlainHTTPAttribute("`auth_token` as `X-Auth-Token`, or a `security_token`"),
			"endpoint":         tfcloud.EndpointAttribute("Workspace", "https://workspace.{region}.myhuaweicloud.com", "CLOUDDESKTOP_HUAWEI_ENDPOINT"),
			"idp_id": provschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Federated login: the ID of an IAM identity provider (OpenID Connect) whose id token " +
					"is traded at IAM for temporary keys, renewed before they expire, instead of `access_key` and `secret_key`. " +
					"Or `" + envIdpID + "`.",
			},
			"id_token": provschema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "The federated login's id token. Or `id_token_file`, `" + envIDTokenFile +
					"`, then Terraform Cloud's `" + envTFCTaggedToken + "` or `" + envTFCToken + "`. The SDK reads the token " +
					"from a file: a value given here is written to a private (0600) temporary file, removed when the provider exits.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("id_token_file"))},
			},
			"id_token_file": provschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "File holding the federated login's id token, read again at every renewal. Or `" + envIDTokenFile + "`.",
			},
			"iam_endpoint": provschema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Full URL of the IAM endpoint of the federated login, such as `https://iam.cn-north-4.myhuaweicloud.com`. " +
					"Defaults to the SDK's, `https://iam.myhuaweicloud.com`. Or `" + envIAMEndpoint + "` (https:// is assumed when it has no scheme).",
				Validators: []validator.String{validators.Endpoint()},
			},
		},
	}
}

func rebootBlock() schema.SingleNestedBlock {
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

func deleteBlock() schema.SingleNestedBlock {
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
