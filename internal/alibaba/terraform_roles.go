package alibaba

import (
	"context"
	"errors"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// The keyless flows of the alibaba provider block: assume_role on top of
// the base credentials, and assume_role_with_oidc, which needs none. Both
// go through credentials-go; this file only reads them from Terraform and
// the environment.

// minSessionExpiration is the shortest session credentials-go asks STS
// for: its RAM-role and OIDC builders refuse less
// (credentials/providers/ram_role_arn.go, oidc.go, v1.4.14).
const minSessionExpiration = 900

// Environment variables credentials-go itself reads for these flows
// (credentials/providers/ram_role_arn.go, oidc.go), and Terraform Cloud's
// workload identity token.
const (
	envRoleArn         = "ALIBABA_CLOUD_ROLE_ARN"
	envRoleSessionName = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
	envOIDCProviderArn = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
	envOIDCToken       = "ALIBABA_CLOUD_OIDC_TOKEN"
	envOIDCTokenFile   = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"
	envTFCToken        = "TFC_WORKLOAD_IDENTITY_TOKEN"
	// envTFCTaggedToken is the token of the audience tagged ALIBABA
	// (TFC_WORKLOAD_IDENTITY_AUDIENCE_ALIBABA), for a workspace whose
	// clouds want different audiences; it comes before the untagged one.
	envTFCTaggedToken = "TFC_WORKLOAD_IDENTITY_TOKEN_ALIBABA"
)

// stsEndpointEnv are the variables that point both flows at another STS.
var stsEndpointEnv = []string{"ALIBABA_CLOUD_STS_ENDPOINT", "ALICLOUD_STS_ENDPOINT"}

type assumeRoleModel struct {
	RoleArn           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
	ExternalID        types.String `tfsdk:"external_id"`
	Policy            types.String `tfsdk:"policy"`
}

type assumeRoleWithOIDCModel struct {
	OIDCProviderArn   types.String `tfsdk:"oidc_provider_arn"`
	RoleArn           types.String `tfsdk:"role_arn"`
	OIDCToken         types.String `tfsdk:"oidc_token"`
	OIDCTokenFile     types.String `tfsdk:"oidc_token_file"`
	SessionName       types.String `tfsdk:"session_name"`
	SessionExpiration types.Int64  `tfsdk:"session_expiration"`
}

// roleSettings is the flows resolved with the environment.
type roleSettings struct {
	assumeRole  *AssumeRole
	oidc        *AssumeRoleWithOIDC
	stsEndpoint string
	// session is the flow's credential all clients share; nil without a
	// flow.
	session *lazyCredential
}

// configureRoles reads the flows' blocks and sts_endpoint into a. A block
// not yet known at plan time marks a unknown, like any other setting.
func (a *settings) configureRoles(ctx context.Context, m providerBlockModel, env func(string) string, diags *diag.Diagnostics) {
	raw := tfcloud.FromEnv(env, m.STSEndpoint, &a.unknown, stsEndpointEnv...)
	if raw != "" {
		host, err := validators.CheckSTSEndpoint(raw)
		if err != nil {
			diags.AddAttributeError(path.Root("alibaba").AtName("sts_endpoint"), "Invalid STS endpoint",
				"The Alibaba Cloud STS endpoint (from the provider block or "+strings.Join(stsEndpointEnv, " / ")+") is not usable: "+err.Error())
		}
		a.stsEndpoint = host
	}
	if m.AssumeRole.IsUnknown() || m.AssumeRoleWithOIDC.IsUnknown() {
		a.unknown = true
		return
	}
	var ar assumeRoleModel
	if written, d := tfcloud.ReadBlock(ctx, m.AssumeRole, &ar); written {
		diags.Append(d...)
		a.assumeRole = &AssumeRole{
			RoleArn:           tfcloud.FromEnv(env, ar.RoleArn, &a.unknown, envRoleArn),
			SessionName:       tfcloud.FromEnv(env, ar.SessionName, &a.unknown, envRoleSessionName),
			ExternalID:        tfcloud.FromEnv(env, ar.ExternalID, &a.unknown),
			Policy:            tfcloud.FromEnv(env, ar.Policy, &a.unknown),
			SessionExpiration: int(ar.SessionExpiration.ValueInt64()),
		}
		a.unknown = a.unknown || ar.SessionExpiration.IsUnknown()
	}
	var o assumeRoleWithOIDCModel
	if written, d := tfcloud.ReadBlock(ctx, m.AssumeRoleWithOIDC, &o); written {
		diags.Append(d...)
		flow := &AssumeRoleWithOIDC{
			OIDCProviderArn:   tfcloud.FromEnv(env, o.OIDCProviderArn, &a.unknown, envOIDCProviderArn),
			RoleArn:           tfcloud.FromEnv(env, o.RoleArn, &a.unknown, envRoleArn),
			SessionName:       tfcloud.FromEnv(env, o.SessionName, &a.unknown, envRoleSessionName),
			SessionExpiration: int(o.SessionExpiration.ValueInt64()),
		}
		a.unknown = a.unknown || o.SessionExpiration.IsUnknown()
		// credentials-go's own order: a token before a file, and
		// ALIBABA_CLOUD_OIDC_TOKEN before any file (oidc.go,
		// oidcTokenValue); Terraform Cloud's token comes last, for a
		// workspace that sets nothing else.
		switch {
		case o.OIDCToken.IsUnknown() || o.OIDCTokenFile.IsUnknown():
			a.unknown = true
		case o.OIDCToken.ValueString() != "":
			flow.OIDCToken, flow.TokenSource = o.OIDCToken.ValueString(), "`oidc_token`"
		case env(envOIDCToken) != "":
			flow.OIDCToken, flow.TokenSource = env(envOIDCToken), envOIDCToken
		case o.OIDCTokenFile.ValueString() != "":
			flow.OIDCTokenFile, flow.TokenSource = o.OIDCTokenFile.ValueString(), "the file `oidc_token_file`"
		case env(envOIDCTokenFile) != "":
			flow.OIDCTokenFile, flow.TokenSource = env(envOIDCTokenFile), "the file "+envOIDCTokenFile
		case env(envTFCTaggedToken) != "":
			flow.OIDCToken, flow.TokenSource = env(envTFCTaggedToken), envTFCTaggedToken
		case env(envTFCToken) != "":
			flow.OIDCToken, flow.TokenSource = env(envTFCToken), envTFCToken
		}
		a.oidc = flow
	}
}

// checkRoles says what a flow lacks, naming the attributes and variables
// that would supply it.
func (a *settings) checkRoles() error {
	var missing []string
	if o := a.oidc; o != nil {
		if o.OIDCProviderArn == "" {
			missing = append(missing, "`oidc_provider_arn` (or "+envOIDCProviderArn+")")
		}
		if o.RoleArn == "" {
			missing = append(missing, "`role_arn` (or "+envRoleArn+")")
		}
		if o.OIDCToken == "" && o.OIDCTokenFile == "" {
			missing = append(missing, "an OIDC token: `oidc_token`, "+envOIDCToken+", `oidc_token_file`, "+envOIDCTokenFile+
				", or Terraform Cloud's "+envTFCTaggedToken+" or "+envTFCToken+" (set the workspace variable "+
				"TFC_WORKLOAD_IDENTITY_AUDIENCE_ALIBABA or TFC_WORKLOAD_IDENTITY_AUDIENCE to get one)")
		} else if err := tfcloud.Readable(o.OIDCTokenFile); err != nil {
			missing = append(missing, "a readable OIDC token file ("+o.TokenSource+"): "+err.Error())
		}
		if len(missing) > 0 {
			return errors.New("alibaba.assume_role_with_oidc needs " + strings.Join(missing, "; "))
		}
	}
	if r := a.assumeRole; r != nil && r.RoleArn == "" {
		return errors.New("alibaba.assume_role needs `role_arn` (or " + envRoleArn + ")")
	}
	return nil
}

// roleBlocks are the flows' blocks in the alibaba provider block.
func roleBlocks() map[string]provschema.Block {
	sessionName := provschema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Name of the role session, shown in the role's audit trail. Or `" + envRoleSessionName + "`; else credentials-go makes one up.",
	}
	sessionExpiration := provschema.Int64Attribute{
		Optional: true,
		MarkdownDescription: "Lifetime of each session in seconds, at least 900 (default 3600); the role's maximum session duration " +
			"caps it. Sessions are renewed before they expire, so a longer apply needs no longer session.",
		Validators: []validator.Int64{int64validator.AtLeast(minSessionExpiration)},
	}
	return map[string]provschema.Block{
		"assume_role": provschema.SingleNestedBlock{
			MarkdownDescription: "Assume a RAM role (STS `AssumeRole`) with the base credentials: `access_key` and `secret_key`, " +
				"or the credential chain. Every call is then made with the role's temporary credentials, renewed before they expire.",
			Attributes: map[string]provschema.Attribute{
				"role_arn": provschema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "ARN of the role, such as `acs:ram::1234567890123456:role/fleet-operator`. Or `" + envRoleArn + "`.",
				},
				"session_name":       sessionName,
				"session_expiration": sessionExpiration,
				"external_id": provschema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "External ID the role's trust policy asks for, if any.",
				},
				"policy": provschema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "A RAM policy (JSON) that narrows the session's permissions below the role's.",
				},
			},
		},
		"assume_role_with_oidc": provschema.SingleNestedBlock{
			MarkdownDescription: "Assume a RAM role with an OIDC token (STS `AssumeRoleWithOIDC`), with no access key at all: " +
				"Terraform Cloud's workload identity token, or any CI's. Every attribute may come from the environment, " +
				"so an empty block is enough where the variables are set. Conflicts with `assume_role`.",
			Validators: []validator.Object{
				objectvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("assume_role")),
			},
			Attributes: map[string]provschema.Attribute{
				"oidc_provider_arn": provschema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "ARN of the OIDC identity provider in RAM. Or `" + envOIDCProviderArn + "`.",
				},
				"role_arn": provschema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "ARN of the role that trusts the provider. Or `" + envRoleArn + "`.",
				},
				"oidc_token": provschema.StringAttribute{
					Optional: true, Sensitive: true,
					MarkdownDescription: "The OIDC token. Or `" + envOIDCToken + "`, then `oidc_token_file`, `" + envOIDCTokenFile +
						"`, then Terraform Cloud's `" + envTFCTaggedToken + "` or `" + envTFCToken + "`.",
					Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("oidc_token_file"))},
				},
				"oidc_token_file": provschema.StringAttribute{
					Optional: true,
					MarkdownDescription: "File holding the OIDC token, read again at every renewal. Or `" + envOIDCTokenFile +
						"`. credentials-go reads `" + envOIDCToken + "` before any file.",
				},
				"session_name":       sessionName,
				"session_expiration": sessionExpiration,
			},
		},
	}
}
