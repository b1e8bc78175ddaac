package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

var (
	_ action.ActionWithConfigure      = (*desktopDeleteAction)(nil)
	_ action.ActionWithValidateConfig = (*desktopDeleteAction)(nil)
	_ action.ActionWithModifyPlan     = (*desktopDeleteAction)(nil)
)

// NewDesktopDeleteAction returns the clouddesktop_desktop_delete action.
func NewDesktopDeleteAction() action.Action {
	return &desktopDeleteAction{fleetAction{kind: tfcloud.DeleteAction}}
}

// desktopDeleteAction deletes a fleet when invoked (Terraform 1.14 and
// later), with the batch-delete resource's engine.
type desktopDeleteAction struct {
	fleetAction
}

type desktopDeleteActionModel struct {
	FleetActionModel
	IgnoreMissing types.Bool `tfsdk:"ignore_missing"`
}

func (a *desktopDeleteAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_delete"
}

func (a *desktopDeleteAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = actschema.Schema{
		MarkdownDescription: "Deletes a fleet of cloud desktops when invoked: by an `action_trigger` of a resource's lifecycle, " +
			"or by `terraform apply -invoke`. The same deletion as destroying a `clouddesktop_desktop_batch_delete` " +
			"(batches, idempotent retries, each desktop deleted once, the wait). Terraform 1.14 and 1.15 have no destroy " +
			"event, so destroy-time cleanup stays with the resource. Needs Terraform 1.14 or later.",
		Attributes: fleetActionAttributes(
			"Desktops to delete, at least one. Order carries no meaning and an ID listed twice is one desktop.",
			"Return only when the cloud says the desktops are gone, as the resource's `wait`. Defaults to `true`.",
			map[string]actschema.Attribute{
				"ignore_missing": actschema.BoolAttribute{
					Optional:            true,
					MarkdownDescription: "A desktop that is already gone counts as deleted. With `false` it is an error. Defaults to `true`.",
				},
			}),
		Blocks: fleetActionBlocks(ctx, tfcloud.DeleteAction, "30m"),
	}
}

func (a *desktopDeleteAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m desktopDeleteActionModel
	inv, ok := a.invocation(ctx, req, resp, &m, &m.FleetActionModel, defaultDeleteTimeout)
	if !ok {
		return
	}
	r := tfcloud.DeleteRequest{
		Region: m.Region.ValueString(), Wait: m.wait(), IgnoreMissing: m.IgnoreMissing.IsNull() || m.IgnoreMissing.ValueBool(),
		Options: inv.options,
	}
	a.data.deleteFleet(inv.ctx, inv.cloud, r, inv.ids, inv.timeout, &resp.Diagnostics)
}
