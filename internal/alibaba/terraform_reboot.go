package alibaba

import (
	"context"
	"fmt"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The alibaba block of clouddesktop_desktop_reboot: the client API's
// parameters, and OsUpdate.

func rebootOptions() *tfcloud.Options {
	return &tfcloud.Options{Block: rebootBlock(), Validate: validateClientAPI, Settle: keepClientID}
}

// rebootActionOptions is the block of the reboot action. An
// action's configuration is stored in the plan and cannot be marked
// sensitive (framework 1.19 refuses write-only action attributes), so the
// client API, whose login token is a bearer secret, is refused: the
// tokens are in the schema only to say so, pointing to the resource.
func rebootActionOptions() *tfcloud.Options {
	refused := func(name string) actschema.StringAttribute {
		return actschema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Not accepted in an action: the client API's `" + name + "` is a secret, and an action's " +
				"configuration is stored in the plan in clear text. Use the `clouddesktop_desktop_reboot` resource with `" +
				name + "_wo` for the client API.",
		}
	}
	return &tfcloud.Options{
		ActionBlock: actschema.SingleNestedBlock{
			MarkdownDescription: "Alibaba Cloud options. The action reboots through the AccessKey-signed admin API " +
				"(2020-09-30), 100 desktops a call, with the provider's credentials. Only with `cloud = \"alibaba\"`.",
			Attributes: map[string]actschema.Attribute{
				"os_update": actschema.BoolAttribute{
					Optional:            true,
					MarkdownDescription: "`OsUpdate`: install pending OS updates during the reboot.",
				},
				"login_token":   refused("login_token"),
				"session_token": refused("session_token"),
			},
		},
		Validate: refuseClientAPIInAction,
	}
}

// refuseClientAPIInAction fails an action configured for the client API,
// without repeating the value.
func refuseClientAPIInAction(ctx context.Context, block types.Object, diags *diag.Diagnostics) {
	a := rebootBlockOf(block)
	if a == nil {
		return
	}
	for name, v := range map[string]types.String{"login_token": a.LoginToken, "session_token": a.SessionToken} {
		if !v.IsNull() {
			diags.AddAttributeError(path.Root("alibaba").AtName(name), "Client API not available in an action",
				"The Alibaba client API needs a login token, and an action's configuration is stored in the plan in clear "+
					"text, where no secret belongs. Remove "+name+" to reboot through the admin API with the provider's "+
					"credentials, or use the clouddesktop_desktop_reboot resource with login_token_wo (write-only, never stored).")
		}
	}
}

type rebootBlockModel struct {
	ClientID      types.String `tfsdk:"client_id"`
	SessionID     types.String `tfsdk:"session_id"`
	LoginToken    types.String `tfsdk:"login_token"`
	SessionToken  types.String `tfsdk:"session_token"`
	ClientOS      types.String `tfsdk:"client_os"`
	ClientVersion types.String `tfsdk:"client_version"`
	UUID          types.String `tfsdk:"uuid"`
	OsUpdate      types.Bool   `tfsdk:"os_update"`
	// The write-only variants are only ever read from the configuration:
	// Terraform never stores them in plan or state.
	LoginTokenWO   types.String `tfsdk:"login_token_wo"`
	SessionTokenWO types.String `tfsdk:"session_token_wo"`
}

// rebootBlockOf reads the block of the resource or the action
// (which has fewer attributes: those it lacks read as null); nil when it
// is not written.
func rebootBlockOf(block types.Object) *rebootBlockModel {
	if block.IsNull() || block.IsUnknown() {
		return nil
	}
	attrs := block.Attributes()
	str := func(name string) types.String {
		if v, ok := attrs[name].(types.String); ok {
			return v
		}
		return types.StringNull()
	}
	osUpdate, ok := attrs["os_update"].(types.Bool)
	if !ok {
		osUpdate = types.BoolNull()
	}
	return &rebootBlockModel{
		ClientID: str("client_id"), SessionID: str("session_id"), LoginToken: str("login_token"), SessionToken: str("session_token"),
		ClientOS: str("client_os"), ClientVersion: str("client_version"), UUID: str("uuid"), OsUpdate: osUpdate,
		LoginTokenWO: str("login_token_wo"), SessionTokenWO: str("session_token_wo"),
	}
}

// usesClientAPI reports whether a login token is configured, in either form.
func (a *rebootBlockModel) usesClientAPI() bool {
	return a != nil && (!a.LoginToken.IsNull() || !a.LoginTokenWO.IsNull())
}

func (a *rebootBlockModel) osUpdate() *bool {
	if a.OsUpdate.IsNull() || a.OsUpdate.IsUnknown() {
		return nil
	}
	v := a.OsUpdate.ValueBool()
	return &v
}

// clientAPI is the client API's parameters, nil when no login token
// selects it; config supplies the write-only tokens, which the plan never
// holds.
func (a *rebootBlockModel) clientAPI(config *rebootBlockModel) *ClientAPI {
	loginToken, sessionToken := a.LoginToken.ValueString(), a.SessionToken.ValueString()
	if config != nil && !config.LoginTokenWO.IsNull() {
		loginToken = config.LoginTokenWO.ValueString()
	}
	if config != nil && !config.SessionTokenWO.IsNull() {
		sessionToken = config.SessionTokenWO.ValueString()
	}
	if loginToken == "" {
		return nil
	}
	return &ClientAPI{
		ClientID: a.ClientID.ValueString(), SessionID: a.SessionID.ValueString(), LoginToken: loginToken, SessionToken: sessionToken,
		ClientOS: a.ClientOS.ValueString(), ClientVersion: a.ClientVersion.ValueString(), UUID: a.UUID.ValueString(),
	}
}

// keepClientID settles the ClientId the client API requires: the one
// configured, else the one the reboot had (prior, from state), else a new
// one, kept from then on.
func keepClientID(ctx context.Context, planned, prior types.Object, diags *diag.Diagnostics) types.Object {
	a := rebootBlockOf(planned)
	if a == nil || (!a.ClientID.IsUnknown() && !a.ClientID.IsNull()) {
		return planned
	}
	if p := rebootBlockOf(prior); p != nil && !p.ClientID.IsUnknown() && !p.ClientID.IsNull() {
		a.ClientID = p.ClientID
	} else {
		a.ClientID = types.StringValue(uuid.NewString())
	}
	settled, d := types.ObjectValueFrom(ctx, planned.AttributeTypes(ctx), a)
	diags.Append(d...)
	return settled
}

// validateClientAPI checks the client-API parameters as a set. They
// mean nothing to the admin API, so setting them without login_token (which
// selects the client API) is a mistake. With it, every other parameter is
// optional, as the RebootDesktops document (2020-10-02) says: session_id
// included.
func validateClientAPI(ctx context.Context, block types.Object, diags *diag.Diagnostics) {
	a := rebootBlockOf(block)
	if a == nil || a.usesClientAPI() {
		return
	}
	for name, v := range map[string]types.String{
		"session_id": a.SessionID, "session_token": a.SessionToken, "session_token_wo": a.SessionTokenWO, "client_os": a.ClientOS,
		"client_version": a.ClientVersion, "uuid": a.UUID,
	} {
		if !v.IsNull() {
			diags.AddAttributeError(path.Root("alibaba").AtName(name), "Client API parameter without login_token",
				fmt.Sprintf("%s is a parameter of the Alibaba client API, which is only used when login_token is set; "+
					"without login_token the admin API is called and %s would be ignored.", name, name))
		}
	}
}

func rebootBlock() schema.SingleNestedBlock {
	// The RebootDesktops document (2020-10-02) sets no format for these
	// parameters, and its own examples have spaces and dots, so only what
	// cannot travel is refused. An empty value is not sent at all.
	param := func(desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			Sensitive:           sensitive,
			MarkdownDescription: desc,
			Validators:          []validator.String{validators.Travel()},
		}
	}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Alibaba Cloud options. With `login_token` set, the client API `RebootDesktops` (2020-10-02) is " +
			"called anonymously with these parameters, 20 desktops a call; otherwise the AccessKey-signed admin API (2020-09-30), " +
			"100 a call. Only with `cloud = \"alibaba\"`.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "`ClientId` of the client API. Defaults to a UUID generated once and kept in state.",
				// Required by the document, so never empty.
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1), validators.Travel()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"session_id":    param("`SessionId` of the logged-in client session (optional in the API, sent when set).", false),
			"login_token":   param("`LoginToken` of the client session; selects the client API. Stored in state; prefer `login_token_wo`.", true),
			"session_token": param("`SessionToken` of the client session. Stored in state; prefer `session_token_wo`.", true),
			"login_token_wo": writeOnly("Write-only `LoginToken` (Terraform 1.11 and later): used for this reboot, never stored in plan or state.",
				"login_token"),
			"session_token_wo": writeOnly("Write-only `SessionToken` (Terraform 1.11 and later): used for this reboot, never stored in plan or state.",
				"session_token"),
			"client_os":      param("`ClientOS`, the client device's operating system, for example `Windows_NT 10.0.18363 x64`.", false),
			"client_version": param("`ClientVersion` of the WUYING client, for example `2.1.0-R-20210731.151756`.", false),
			"uuid":           param("`Uuid` of the client device.", false),
			"os_update": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`OsUpdate`: install pending OS updates during the reboot.",
			},
		},
	}
}

// writeOnly is a sensitive client-API parameter that Terraform never
// stores, in conflict with its stored twin.
func writeOnly(desc, twin string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		WriteOnly:           true,
		MarkdownDescription: desc,
		Validators: []validator.String{
			validators.Travel(),
			stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName(twin)),
		},
	}
}
