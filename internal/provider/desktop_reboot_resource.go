package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
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
// every replacement: a change of keepers, desktop_ids, cloud or region.
// Destroying it only forgets.
type desktopRebootResource struct {
	data *providerData
}

type desktopRebootModel struct {
	ID         types.String        `tfsdk:"id"`
	Cloud      types.String        `tfsdk:"cloud"`
	DesktopIDs types.Set           `tfsdk:"desktop_ids"`
	Region     types.String        `tfsdk:"region"`
	Keepers    types.Map           `tfsdk:"keepers"`
	Wait       types.Bool          `tfsdk:"wait"`
	Alibaba    *alibabaRebootModel `tfsdk:"alibaba"`
	Huawei     *huaweiRebootModel  `tfsdk:"huawei"`
	Timeouts   timeouts.Value      `tfsdk:"timeouts"`
	RebootedAt types.String        `tfsdk:"rebooted_at"`
	RequestIDs types.List          `tfsdk:"request_ids"`
}

type alibabaRebootModel struct {
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

// usesClientAPI reports whether a login token is configured, in either form.
func (a *alibabaRebootModel) usesClientAPI() bool {
	return a != nil && (!a.LoginToken.IsNull() || !a.LoginTokenWO.IsNull())
}

type huaweiRebootModel struct {
	Type types.String `tfsdk:"type"`
}

func (r *desktopRebootResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktop_reboot"
}

func (r *desktopRebootResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *desktopRebootResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m desktopRebootModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCloudBlocks(m.Cloud, m.Alibaba != nil, m.Huawei != nil, &resp.Diagnostics)
	if m.Alibaba != nil {
		validateAlibabaClientAPI(m.Alibaba, &resp.Diagnostics)
	}
}

func (r *desktopRebootResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	// The configuration, not the plan: write-only values are null in plans.
	var m desktopRebootModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkCloudConfigured(r.data, m.Cloud, m.Region, m.Alibaba.usesClientAPI(), &resp.Diagnostics)
}

func (r *desktopRebootResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config desktopRebootModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultRebootTimeout)
	resp.Diagnostics.Append(diags...)
	ids := setStrings(ctx, plan.DesktopIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// Each reboot gets a new ID, and every batch's ClientToken derives from
	// it: a retried call repeats its token, a new trigger never does.
	plan.ID = types.StringValue(uuid.NewString())
	if plan.Alibaba != nil && (plan.Alibaba.ClientID.IsUnknown() || plan.Alibaba.ClientID.IsNull()) {
		plan.Alibaba.ClientID = types.StringValue(uuid.NewString())
	}
	action, err := r.data.rebootAction(plan.settings(config.Alibaba))
	if err != nil {
		resp.Diagnostics.AddError("Cannot reboot desktops", err.Error())
		return
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "rebooting desktops", map[string]any{"cloud": plan.Cloud.ValueString(), "desktops": len(ids), "reboot_id": plan.ID.ValueString()})
	report := fleet.Run(ctx, ids, action, r.data.concurrency, func(seq int) string { return clientToken(plan.ID.ValueString(), seq) })
	if !reportDiagnostics(ctx, "reboot", plan.Cloud.ValueString(), len(ids), report, &resp.Diagnostics) {
		return
	}

	plan.RebootedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	plan.RequestIDs = stringList(report.RequestIDs)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// clientToken is batch seq's Alibaba ClientToken for reboot id: ASCII and
// at most 64 characters (a 36-character UUID, a dash, the batch number).
func clientToken(rebootID string, seq int) string {
	return rebootID + "-" + strconv.Itoa(seq)
}

func (r *desktopRebootResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	// A reboot is an event, not an object: there is nothing to refresh,
	// and plan never calls the cloud.
}

func (r *desktopRebootResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Only attributes that do not trigger a reboot reach Update (wait,
	// timeouts, the alibaba and huawei blocks): record them, call nothing.
	var plan, state desktopRebootModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID, plan.RebootedAt, plan.RequestIDs = state.ID, state.RebootedAt, state.RequestIDs
	if plan.Alibaba != nil && (plan.Alibaba.ClientID.IsUnknown() || plan.Alibaba.ClientID.IsNull()) {
		plan.Alibaba.ClientID = types.StringValue(uuid.NewString())
		if state.Alibaba != nil && !state.Alibaba.ClientID.IsNull() {
			plan.Alibaba.ClientID = state.Alibaba.ClientID
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *desktopRebootResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	// Destroy only forgets: rebooting on destroy would surprise everyone.
}

// settings gathers what the cloud needs; config supplies the write-only
// tokens, which the plan never holds.
func (m desktopRebootModel) settings(config *alibabaRebootModel) rebootSettings {
	s := rebootSettings{
		cloud:      m.Cloud.ValueString(),
		region:     m.Region.ValueString(),
		wait:       m.Wait.ValueBool(),
		huaweiType: "SOFT",
	}
	if m.Huawei != nil && m.Huawei.Type.ValueString() != "" {
		s.huaweiType = m.Huawei.Type.ValueString()
	}
	if a := m.Alibaba; a != nil {
		s.alibaba = alibabaRebootSettings{
			clientID:      a.ClientID.ValueString(),
			sessionID:     a.SessionID.ValueString(),
			loginToken:    a.LoginToken.ValueString(),
			sessionToken:  a.SessionToken.ValueString(),
			clientOS:      a.ClientOS.ValueString(),
			clientVersion: a.ClientVersion.ValueString(),
			uuid:          a.UUID.ValueString(),
		}
		if config != nil && !config.LoginTokenWO.IsNull() {
			s.alibaba.loginToken = config.LoginTokenWO.ValueString()
		}
		if config != nil && !config.SessionTokenWO.IsNull() {
			s.alibaba.sessionToken = config.SessionTokenWO.ValueString()
		}
		if !a.OsUpdate.IsNull() && !a.OsUpdate.IsUnknown() {
			v := a.OsUpdate.ValueBool()
			s.alibaba.osUpdate = &v
		}
	}
	return s
}
