package provider

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

var (
	_ resource.Resource                   = (*desktopBatchDeleteResource)(nil)
	_ resource.ResourceWithConfigure      = (*desktopBatchDeleteResource)(nil)
	_ resource.ResourceWithValidateConfig = (*desktopBatchDeleteResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*desktopBatchDeleteResource)(nil)
)

const defaultDeleteTimeout = 30 * time.Minute

// NewDesktopBatchDeleteResource returns the clouddesktop_desktop_batch_delete resource.
func NewDesktopBatchDeleteResource() resource.Resource { return &desktopBatchDeleteResource{} }

// desktopBatchDeleteResource holds a fleet and deletes it when destroyed.
// Create and in-place updates make no cloud call.
type desktopBatchDeleteResource struct {
	fleetResource
}

// desktopBatchDeleteModel is the resource's own attributes; each cloud's
// block is read by the cloud (tfcloud.Options).
type desktopBatchDeleteModel struct {
	FleetModel
	IgnoreMissing types.Bool `tfsdk:"ignore_missing"`
}

func (r *desktopBatchDeleteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_batch_delete"
}

func (r *desktopBatchDeleteResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	s, diags := readCloudSettings(ctx, req.Config, tfcloud.DeleteResource)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCloudBlocks(ctx, s, tfcloud.DeleteResource, &resp.Diagnostics)
}

func (r *desktopBatchDeleteResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	// Check the cloud's settings when the fleet is taken on, so a destroy
	// months later does not find them missing.
	var from attributeReader = req.Plan
	if req.Plan.Raw.IsNull() {
		from = req.State
	}
	s, diags := readCloudSettings(ctx, from, tfcloud.DeleteResource)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkCloudConfigured(ctx, r.data, s, &resp.Diagnostics)
}

func (r *desktopBatchDeleteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), uuid.NewString())...)
}

func (r *desktopBatchDeleteResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The state is the fleet still to delete; refreshing calls no cloud.
}

func (r *desktopBatchDeleteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Nothing is computed at apply: the fleet is what the plan says.
	resp.State.Raw = req.Plan.Raw
}

func (r *desktopBatchDeleteResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state desktopBatchDeleteModel
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ids := listStrings(ctx, state.DesktopIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	cloud := state.Cloud.ValueString()
	del := tfcloud.DeleteRequest{
		Region: state.Region.ValueString(), Wait: state.Wait.ValueBool(), IgnoreMissing: state.IgnoreMissing.ValueBool(),
		Options: readCloudOptions(ctx, req.State, tfcloud.DeleteResource, cloud, &resp.Diagnostics),
	}
	report, ok := r.data.deleteFleet(ctx, cloud, del, ids, timeout, &resp.Diagnostics)
	if ok {
		return
	}
	// Keep exactly the desktops not yet deleted, in the order the
	// configuration lists them, so the next destroy retries only those.
	kept := stringList(ctx, without(ids, report.Done), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("desktop_ids"), kept)...)
}
