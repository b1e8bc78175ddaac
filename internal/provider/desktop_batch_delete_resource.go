package provider

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
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
	data *providerData
}

type desktopBatchDeleteModel struct {
	ID            types.String            `tfsdk:"id"`
	Cloud         types.String            `tfsdk:"cloud"`
	DesktopIDs    types.List              `tfsdk:"desktop_ids"`
	Region        types.String            `tfsdk:"region"`
	IgnoreMissing types.Bool              `tfsdk:"ignore_missing"`
	Wait          types.Bool              `tfsdk:"wait"`
	Huawei        *huaweiBatchDeleteModel `tfsdk:"huawei"`
	Timeouts      timeouts.Value          `tfsdk:"timeouts"`
}

type huaweiBatchDeleteModel struct {
	DeleteUsers       types.Bool `tfsdk:"delete_users"`
	EmailNotification types.Bool `tfsdk:"email_notification"`
	IsForceDelete     types.Bool `tfsdk:"is_force_delete"`
}

func (r *desktopBatchDeleteResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_batch_delete"
}

func (r *desktopBatchDeleteResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *desktopBatchDeleteResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	s, diags := readCloudSettings(ctx, req.Config, false)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCloudBlocks(s.Cloud, false, s.HasHuawei, &resp.Diagnostics)
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
	s, diags := readCloudSettings(ctx, from, false)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkCloudConfigured(r.data, s.Cloud, s.Region, false, &resp.Diagnostics)
}

func (r *desktopBatchDeleteResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan desktopBatchDeleteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringValue(uuid.NewString())
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *desktopBatchDeleteResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The state is the fleet still to delete; refreshing calls no cloud.
}

func (r *desktopBatchDeleteResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan desktopBatchDeleteModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *desktopBatchDeleteResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state desktopBatchDeleteModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ids := listStrings(ctx, state.DesktopIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	action, err := r.data.deleteAction(state.settings())
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete desktops", err.Error())
		return
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "deleting desktops", map[string]any{"cloud": state.Cloud.ValueString(), "desktops": len(ids)})
	report := fleet.Run(ctx, ids, action, r.data.concurrency, nil)
	if reportDiagnostics(ctx, "delete", state.Cloud.ValueString(), len(ids), report, &resp.Diagnostics) {
		return
	}
	// Keep exactly the desktops not yet deleted, in the order the
	// configuration lists them, so the next destroy retries only those.
	state.DesktopIDs = stringList(without(ids, report.Done))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (m desktopBatchDeleteModel) settings() deleteSettings {
	s := deleteSettings{
		cloud:         m.Cloud.ValueString(),
		region:        m.Region.ValueString(),
		wait:          m.Wait.ValueBool(),
		ignoreMissing: m.IgnoreMissing.ValueBool(),
		huawei:        huawei.DeleteOptions{EmailNotification: true},
	}
	if h := m.Huawei; h != nil {
		s.huawei.DeleteUsers = h.DeleteUsers.ValueBool()
		s.huawei.EmailNotification = h.EmailNotification.IsNull() || h.EmailNotification.ValueBool()
		s.huawei.IsForceDelete = h.IsForceDelete.ValueBool()
	}
	return s
}
