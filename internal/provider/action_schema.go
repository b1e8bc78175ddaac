package provider

import (
	"context"
	"time"

	actiontimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// What the two actions share: the configured provider, the fleet and where
// it lives, their schema and their plan-time checks. Each runs the same
// fleet operation as its resource (rebootFleet, deleteFleet).

// fleetAction is what both actions share: the configured provider (nil
// until Configure), and which kind of action it is, for the clouds' blocks.
type fleetAction struct {
	data *providerData
	kind tfcloud.Kind
}

func (a *fleetAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// FleetActionModel is what every action's configuration holds. Exported
// for getModel, as FleetModel.
type FleetActionModel struct {
	FleetTarget
	Timeouts actiontimeouts.Value `tfsdk:"timeouts"`
}

// wait is the configured wait; like the resources', it defaults to true.
func (m FleetActionModel) wait() bool { return m.Wait.IsNull() || m.Wait.ValueBool() }

// fleetActionAttributes are the attributes of FleetActionModel, described
// for one action, with the action's own added.
func fleetActionAttributes(desktopIDsDescription, waitDescription string, own map[string]actschema.Attribute) map[string]actschema.Attribute {
	own["cloud"] = actschema.StringAttribute{
		Required:            true,
		MarkdownDescription: "Which cloud the desktops live in: " + cloudNamesMarkdown() + ".",
		Validators:          []validator.String{stringvalidator.OneOf(cloudNames()...)},
	}
	own["desktop_ids"] = actschema.ListAttribute{
		Required:            true,
		ElementType:         types.StringType,
		MarkdownDescription: desktopIDsDescription,
		Validators:          desktopIDsValidators(),
	}
	own["region"] = actschema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Region of the desktops; overrides the provider block's region for this action.",
		Validators:          []validator.String{validators.Region()},
	}
	own["wait"] = actschema.BoolAttribute{Optional: true, MarkdownDescription: waitDescription}
	return own
}

// fleetActionBlocks are the timeouts block and the clouds' blocks of kind.
func fleetActionBlocks(ctx context.Context, kind tfcloud.Kind, invokeDefault string) map[string]actschema.Block {
	return withCloudActionBlocks(kind, map[string]actschema.Block{
		"timeouts": actiontimeouts.BlockWithOpts(ctx, actiontimeouts.Opts{InvokeDescription: "Defaults to `" + invokeDefault + "`."}),
	})
}

// ValidateConfig checks the clouds' blocks as the resources do.
func (a *fleetAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	s, diags := readCloudSettings(ctx, req.Config, a.kind)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() {
		validateCloudBlocks(ctx, s, a.kind, &resp.Diagnostics)
	}
}

// ModifyPlan fails the plan, as for a resource, when the cloud is not
// configured, so the apply does not fail half-way.
func (a *fleetAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if a.data == nil {
		return
	}
	s, diags := readCloudSettings(ctx, req.Config, a.kind)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() {
		checkCloudConfigured(ctx, a.data, s, &resp.Diagnostics)
	}
}

// invocation is what one run of an action acts on.
type invocation struct {
	cloud   string
	ids     []string
	timeout time.Duration
	// options is the cloud's block of the action.
	options types.Object
	// ctx sends the fleet operation's progress to Terraform.
	ctx context.Context
}

// invocation reads model (a pointer to a struct embedding
// FleetActionModel, whose part fleet is) from the configuration; ok is
// false when diagnostics say why not.
func (a *fleetAction) invocation(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse, model any,
	fleet *FleetActionModel, defaultTimeout time.Duration) (inv invocation, ok bool) {
	resp.Diagnostics.Append(getModel(ctx, req.Config, model)...)
	// Validation ran before the plan, but values known only now (cloud
	// from another resource) are checked again: an action never takes a
	// client-API token, whatever cloud it turns out to be for.
	s, diags := readCloudSettings(ctx, req.Config, a.kind)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() {
		validateCloudBlocks(ctx, s, a.kind, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return inv, false
	}
	timeout, diags := fleet.Timeouts.Invoke(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	inv = invocation{
		cloud: fleet.Cloud.ValueString(), ids: listStrings(ctx, fleet.DesktopIDs, &resp.Diagnostics), timeout: timeout,
		ctx: withProgress(ctx, resp),
	}
	inv.options = readCloudOptions(ctx, req.Config, a.kind, inv.cloud, &resp.Diagnostics)
	return inv, !resp.Diagnostics.HasError()
}

// withProgress sends every progress line of the fleet operation run under
// the returned context to Terraform, which shows it while the action runs.
func withProgress(ctx context.Context, resp *action.InvokeResponse) context.Context {
	return fleet.WithProgressSink(ctx, func(message string) {
		resp.SendProgress(action.InvokeProgressEvent{Message: message})
	})
}
