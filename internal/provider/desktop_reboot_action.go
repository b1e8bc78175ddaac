package provider

import (
	"context"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/action"
	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

var (
	_ action.ActionWithConfigure      = (*desktopRebootAction)(nil)
	_ action.ActionWithValidateConfig = (*desktopRebootAction)(nil)
	_ action.ActionWithModifyPlan     = (*desktopRebootAction)(nil)
)

// NewDesktopRebootAction returns the clouddesktop_desktop_reboot action.
func NewDesktopRebootAction() action.Action {
	return &desktopRebootAction{fleetAction{kind: tfcloud.RebootAction}}
}

// desktopRebootAction reboots a fleet each time it is invoked (Terraform
// 1.14 and later): the native form of the reboot resource, with the same
// batching, ClientTokens, exactly-once sends and wait, and no state.
type desktopRebootAction struct {
	fleetAction
}

func (a *desktopRebootAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_reboot"
}

func (a *desktopRebootAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = actschema.Schema{
		MarkdownDescription: "Reboots a fleet of cloud desktops each time it is invoked: by an `action_trigger` of a resource's " +
			"lifecycle, or by `terraform apply -invoke`. The same reboot as the `clouddesktop_desktop_reboot` resource " +
			"(batches, idempotent retries, each desktop rebooted once, the wait), without keeping anything in state. " +
			"Credentials come from the provider: an action's configuration is stored in the plan, so the Alibaba client " +
			"API, which needs a login token, is only available through the resource. Needs Terraform 1.14 or later.",
		Attributes: fleetActionAttributes(
			"Desktops to reboot, at least one. Order carries no meaning and an ID listed twice is one desktop, rebooted "+
				"once. Sorted and split into batches of the API's maximum (Alibaba admin API 100; Huawei 100), sent "+
				"`max_concurrency` at a time.",
			"Return only once every desktop has rebooted and is running again, as the resource's `wait`. Defaults to `true`.",
			map[string]actschema.Attribute{}),
		Blocks: fleetActionBlocks(ctx, tfcloud.RebootAction, "20m"),
	}
}

func (a *desktopRebootAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m FleetActionModel
	inv, ok := a.invocation(ctx, req, resp, &m, &m, defaultRebootTimeout)
	if !ok {
		return
	}
	// Each invocation is a new reboot: a new ID, so new ClientTokens.
	r := tfcloud.RebootRequest{Region: m.Region.ValueString(), Wait: m.wait(), Options: inv.options, ConfigOptions: inv.options}
	a.data.rebootFleet(inv.ctx, inv.cloud, r, inv.ids, uuid.NewString(), inv.timeout, &resp.Diagnostics)
}
