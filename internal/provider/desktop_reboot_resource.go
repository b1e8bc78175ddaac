package provider

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
// every replacement (a change of keepers, cloud or region); a change of
// desktop_ids reboots only the desktops it gained. Destroying it only
// forgets.
type desktopRebootResource struct {
	data *providerData
}

type desktopRebootModel struct {
	ID         types.String        `tfsdk:"id"`
	Cloud      types.String        `tfsdk:"cloud"`
	DesktopIDs types.List          `tfsdk:"desktop_ids"`
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
	s, diags := readCloudSettings(ctx, req.Config, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateCloudBlocks(s.Cloud, s.HasAlibaba, s.HasHuawei, &resp.Diagnostics)
	if s.Alibaba != nil {
		validateAlibabaClientAPI(s.Alibaba, &resp.Diagnostics)
	}
}

func (r *desktopRebootResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or the provider is not configured yet
	}
	// The configuration, not the plan: write-only values are null in plans.
	s, diags := readCloudSettings(ctx, req.Config, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkCloudConfigured(r.data, s.Cloud, s.Region, s.Alibaba.usesClientAPI(), &resp.Diagnostics)
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
	var plan, config desktopRebootModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultRebootTimeout)
	resp.Diagnostics.Append(diags...)
	ids := listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Alibaba != nil && (plan.Alibaba.ClientID.IsUnknown() || plan.Alibaba.ClientID.IsNull()) {
		plan.Alibaba.ClientID = types.StringValue(uuid.NewString())
	}
	if _, ok := r.reboot(ctx, &plan, config.Alibaba, ids, timeout, &resp.Diagnostics); ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// reboot reboots ids as one new reboot of plan: a new id, from which every
// batch's ClientToken derives (a retried call repeats its token, a new
// reboot never does), and on success rebooted_at and request_ids. It
// reports whether every desktop was rebooted, with the report.
func (r *desktopRebootResource) reboot(ctx context.Context, plan *desktopRebootModel, config *alibabaRebootModel, ids []string,
	timeout time.Duration, diags *diag.Diagnostics) (fleet.Report, bool) {
	plan.ID = types.StringValue(uuid.NewString())
	action, err := r.data.rebootAction(plan.settings(config))
	if err != nil {
		diags.AddError("Cannot reboot desktops", err.Error())
		return fleet.Report{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "rebooting desktops", map[string]any{"cloud": plan.Cloud.ValueString(), "desktops": len(ids), "reboot_id": plan.ID.ValueString()})
	report := fleet.Run(ctx, ids, action, r.data.concurrency, func(seq int) string { return clientToken(plan.ID.ValueString(), seq) })
	if !reportDiagnostics(ctx, "reboot", plan.Cloud.ValueString(), len(ids), report, diags) {
		return report, false
	}
	plan.RebootedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	plan.RequestIDs = stringList(report.RequestIDs)
	return report, true
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
	// A change of keepers, cloud or region replaces the resource, so Update
	// sees the rest: desktop_ids (the desktops it gained are rebooted, see
	// planAddedDesktops), wait, timeouts and the cloud blocks (recorded).
	var plan, state, config desktopRebootModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Alibaba != nil && (plan.Alibaba.ClientID.IsUnknown() || plan.Alibaba.ClientID.IsNull()) {
		plan.Alibaba.ClientID = types.StringValue(uuid.NewString())
		if state.Alibaba != nil && !state.Alibaba.ClientID.IsNull() {
			plan.Alibaba.ClientID = state.Alibaba.ClientID
		}
	}
	had := listStrings(ctx, state.DesktopIDs, &resp.Diagnostics)
	added := addedDesktops(listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics), had)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(added) == 0 {
		plan.ID, plan.RebootedAt, plan.RequestIDs = state.ID, state.RebootedAt, state.RequestIDs
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultRebootTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	report, ok := r.reboot(ctx, &plan, config.Alibaba, added, timeout, &resp.Diagnostics)
	if ok {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	// Keep in state the desktops it had and those that did reboot, in the
	// configuration's order, so that the next apply reboots only the
	// desktops that did not.
	state.DesktopIDs = stringList(without(listStrings(ctx, plan.DesktopIDs, &resp.Diagnostics), report.Remaining()))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
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
