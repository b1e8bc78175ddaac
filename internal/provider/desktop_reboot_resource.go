package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

var (
	_ resource.Resource                   = (*desktopRebootResource)(nil)
	_ resource.ResourceWithConfigure      = (*desktopRebootResource)(nil)
	_ resource.ResourceWithValidateConfig = (*desktopRebootResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*desktopRebootResource)(nil)
)

const defaultRebootTimeout = 20 * time.Minute

// NewDesktopRebootResource returns the clouddesktop_desktop_reboot resource.
func NewDesktopRebootResource() resource.Resource { return &desktopRebootResource{} }

// desktopRebootResource reboots a fleet when it is created, and so again on
// every replacement (a change of keepers, cloud or region); a change of
// desktop_ids reboots only the desktops it gained. Destroying it only
// forgets.
type desktopRebootResource struct {
	fleetResource
}

// desktopRebootModel is the resource's own attributes; each cloud's block
// is read by the cloud (tfcloud.Options).
type desktopRebootModel struct {
	FleetModel
	Keepers    types.Map    `tfsdk:"keepers"`
	RebootedAt types.String `tfsdk:"rebooted_at"`
	RequestIDs types.List   `tfsdk:"request_ids"`
}

func (r *desktopRebootResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_reboot"
}

func (r *desktopRebootResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	s, diags := readCloudSettings(ctx, req.Config, tfcloud.RebootResource)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCloudBlocks(ctx, s, tfcloud.RebootResource, &resp.Diagnostics)
}

func (r *desktopRebootResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	// The configuration, not the plan: write-only values are null in plans.
	s, diags := readCloudSettings(ctx, req.Config, tfcloud.RebootResource)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkCloudConfigured(ctx, r.data, s, &resp.Diagnostics)
	if !req.State.Raw.IsNull() {
		planAddedDesktops(ctx, req, resp)
	}
}

// planAddedDesktops plans an update whose desktop_ids gained desktops: the
// apply reboots just those, as a new reboot (a new id, rebooted_at and
// request_ids), and plan warns how many. A reorder or a removal reboots
// nothing and keeps the reboot's record. A change of cloud, region or
// keepers replaces the resource instead, rebooting the whole fleet.
func planAddedDesktops(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	desktopIDs := path.Root("desktop_ids")
	var plan, state desktopRebootModel
	for _, a := range []struct {
		p     path.Path
		plan  any
		state any
	}{
		{path.Root("cloud"), &plan.Cloud, &state.Cloud},
		{path.Root("region"), &plan.Region, &state.Region},
		{path.Root("keepers"), &plan.Keepers, &state.Keepers},
		{desktopIDs, &plan.DesktopIDs, &state.DesktopIDs},
	} {
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, a.p, a.plan)...)
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, a.p, a.state)...)
	}
	if resp.Diagnostics.HasError() || !plan.Cloud.Equal(state.Cloud) || !plan.Region.Equal(state.Region) || !plan.Keepers.Equal(state.Keepers) ||
		plan.DesktopIDs.Equal(state.DesktopIDs) {
		return
	}
	if plan.DesktopIDs.IsUnknown() {
		resp.Diagnostics.AddAttributeWarning(desktopIDs, "Desktops may be rebooted",
			"desktop_ids is not known until apply: the desktops it gains then will be rebooted.")
	} else {
		added := addedDesktops(listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics), listStrings(ctx, state.DesktopIDs, &resp.Diagnostics))
		if len(added) == 0 {
			return
		}
		resp.Diagnostics.AddAttributeWarning(desktopIDs, fmt.Sprintf("%d desktops will be rebooted", len(added)),
			fmt.Sprintf("desktop_ids gained %d desktops (%s): this apply reboots them, and only them. The desktops it already "+
				"listed are not rebooted again, and removed ones are left alone. Change keepers to reboot the whole fleet.",
				len(added), abbreviate(added, 5)))
	}
	resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())
	resp.Plan.SetAttribute(ctx, path.Root("rebooted_at"), types.StringUnknown())
	resp.Plan.SetAttribute(ctx, path.Root("request_ids"), types.ListUnknown(types.StringType))
}

// addedDesktops lists, once each, the desktops of ids that were not in
// before, in the order of ids.
func addedDesktops(ids, before []string) []string {
	had := make(map[string]bool, len(before)+len(ids))
	for _, id := range before {
		had[id] = true
	}
	var added []string
	for _, id := range ids {
		if !had[id] {
			had[id] = true
			added = append(added, id)
		}
	}
	return added
}

func (r *desktopRebootResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan desktopRebootModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultRebootTimeout)
	resp.Diagnostics.Append(diags...)
	ids := listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics)
	options := r.options(ctx, plan.Cloud.ValueString(), req.Plan, nil, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, ok := r.reboot(ctx, &plan, options, ids, timeout, req.Config, &resp.Diagnostics); ok {
		r.save(ctx, &resp.State, req.Plan.Raw, &plan, options, &resp.Diagnostics)
	}
}

// options is the chosen cloud's block of the planned reboot, with what it
// computes settled from prior (the state's, nil on create).
func (r *desktopRebootResource) options(ctx context.Context, cloud string, plan attributeReader, prior attributeReader,
	diags *diag.Diagnostics) types.Object {
	planned := readCloudOptions(ctx, plan, tfcloud.RebootResource, cloud, diags)
	before := types.ObjectNull(planned.AttributeTypes(ctx))
	if prior != nil {
		before = readCloudOptions(ctx, prior, tfcloud.RebootResource, cloud, diags)
	}
	return settleCloudOptions(ctx, tfcloud.RebootResource, cloud, planned, before, diags)
}

// save writes the planned reboot to state: the plan as made, with what
// apply computed (the reboot's id, rebooted_at, request_ids) and the
// cloud's settled block. The rest is in the plan already; setting it again
// would convert every desktop ID once more.
func (r *desktopRebootResource) save(ctx context.Context, state *tfsdk.State, planned tftypes.Value, m *desktopRebootModel,
	options types.Object, diags *diag.Diagnostics) {
	state.Raw = planned
	diags.Append(state.SetAttribute(ctx, path.Root("id"), m.ID)...)
	diags.Append(state.SetAttribute(ctx, path.Root("rebooted_at"), m.RebootedAt)...)
	diags.Append(state.SetAttribute(ctx, path.Root("request_ids"), m.RequestIDs)...)
	if !options.IsNull() {
		diags.Append(state.SetAttribute(ctx, path.Root(m.Cloud.ValueString()), options)...)
	}
}

// reboot reboots ids as one new reboot of plan: a new id, from which every
// batch's ClientToken derives, and on success rebooted_at and
// request_ids. config supplies the write-only values of the cloud's block.
// It reports whether every desktop was rebooted, with the report.
func (r *desktopRebootResource) reboot(ctx context.Context, plan *desktopRebootModel, options types.Object, ids []string,
	timeout time.Duration, config tfsdk.Config, diags *diag.Diagnostics) (fleet.Report, bool) {
	plan.ID = types.StringValue(uuid.NewString())
	cloud := plan.Cloud.ValueString()
	req := tfcloud.RebootRequest{
		Region: plan.Region.ValueString(), Wait: plan.Wait.ValueBool(),
		Options: options, ConfigOptions: readCloudOptions(ctx, config, tfcloud.RebootResource, cloud, diags),
	}
	report, ok := r.data.rebootFleet(ctx, cloud, req, ids, plan.ID.ValueString(), timeout, diags)
	if ok {
		plan.RebootedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
		plan.RequestIDs = stringList(ctx, report.RequestIDs, diags)
	}
	return report, ok
}

func (r *desktopRebootResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// A reboot is an event, not an object: there is nothing to refresh,
	// and plan never calls the cloud.
}

func (r *desktopRebootResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// A change of keepers, cloud or region replaces the resource, so Update
	// sees the rest: desktop_ids (the desktops it gained are rebooted, see
	// planAddedDesktops), wait, timeouts and the cloud blocks (recorded).
	var plan, state desktopRebootModel
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	options := r.options(ctx, plan.Cloud.ValueString(), req.Plan, req.State, &resp.Diagnostics)
	had := listStrings(ctx, state.DesktopIDs, &resp.Diagnostics)
	added := addedDesktops(listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics), had)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(added) == 0 {
		plan.ID, plan.RebootedAt, plan.RequestIDs = state.ID, state.RebootedAt, state.RequestIDs
		r.save(ctx, &resp.State, req.Plan.Raw, &plan, options, &resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultRebootTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	report, ok := r.reboot(ctx, &plan, options, added, timeout, req.Config, &resp.Diagnostics)
	if ok {
		r.save(ctx, &resp.State, req.Plan.Raw, &plan, options, &resp.Diagnostics)
		return
	}
	// Keep in state the desktops it had and those that did reboot, in the
	// configuration's order, so that the next apply reboots only the
	// desktops that did not.
	resp.State.Raw = req.State.Raw
	kept := stringList(ctx, without(listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics), report.Remaining()), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("desktop_ids"), kept)...)
}

func (r *desktopRebootResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Destroy only forgets: rebooting on destroy would surprise everyone.
}
