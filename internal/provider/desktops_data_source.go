package provider

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

var (
	_ datasource.DataSource              = (*desktopsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*desktopsDataSource)(nil)
)

// NewDesktopsDataSource returns the clouddesktop_desktops data source.
func NewDesktopsDataSource() datasource.DataSource { return &desktopsDataSource{} }

// desktopsDataSource lists the desktops of one cloud and region, typically
// to feed clouddesktop_desktop_batch_delete or clouddesktop_desktop_reboot.
type desktopsDataSource struct {
	data *providerData
}

type desktopsModel struct {
	ID        types.String `tfsdk:"id"`
	Cloud     types.String `tfsdk:"cloud"`
	Region    types.String `tfsdk:"region"`
	IDs       types.List   `tfsdk:"ids"`
	NameRegex types.String `tfsdk:"name_regex"`
	Status    types.String `tfsdk:"status"`
	Desktops  types.List   `tfsdk:"desktops"`
}

// desktopModel is one element of desktops.
type desktopModel struct {
	ID           string `tfsdk:"id"`
	Name         string `tfsdk:"name"`
	Status       string `tfsdk:"status"`
	NativeStatus string `tfsdk:"native_status"`
}

var desktopAttrTypes = map[string]attr.Type{
	"id":            types.StringType,
	"name":          types.StringType,
	"status":        types.StringType,
	"native_status": types.StringType,
}

func (d *desktopsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_desktops"
}

func (d *desktopsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *desktopsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	statuses := make([]string, len(fleet.AllStatuses))
	for i, s := range fleet.AllStatuses {
		statuses[i] = "`" + string(s) + "`"
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the desktops of one cloud and region, paging through all of them, with optional filters. " +
			"Its typical use is feeding `clouddesktop_desktop_batch_delete` to clean up a fleet by name or status.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The cloud and region listed, as `cloud/region`.",
			},
			"cloud": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: cloudNamesMarkdown() + ".",
				Validators:          []validator.String{stringvalidator.OneOf(cloudNames()...)},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region to list; defaults to the provider block's region of that cloud.",
				Validators:          []validator.String{validators.Region()},
			},
			"ids": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Filter: only these desktop IDs (IDs that do not exist are left out). " +
					"Once read, the IDs of every desktop that matched all filters, sorted. A list, not a set, so that " +
					"thousands of IDs feed `desktop_ids` in seconds.",
				Validators: []validator.List{desktopIDsEach{}},
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Filter: a regular expression (Go RE2 syntax) the desktop name must match.",
				Validators:          []validator.String{validators.Regex()},
			},
			"status": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Filter: the desktop status, either one of " + strings.Join(statuses, ", ") +
					" or the cloud's own status such as `Running`, `Stopped`, `ACTIVE` or `SHUTOFF`; case does not matter.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"desktops": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The desktops that matched, ordered by ID.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":     schema.StringAttribute{Computed: true, MarkdownDescription: "Desktop ID."},
						"name":   schema.StringAttribute{Computed: true, MarkdownDescription: "Desktop name (Huawei: computer name)."},
						"status": schema.StringAttribute{Computed: true, MarkdownDescription: "Status in words shared by both clouds: " + strings.Join(statuses, ", ") + "."},
						"native_status": schema.StringAttribute{Computed: true, MarkdownDescription: "The cloud's own status: Alibaba `DesktopStatus`; " +
							"Huawei `status`, followed by `/` and `task_status` while a task runs."},
					},
				},
			},
		},
	}
}

func (d *desktopsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m desktopsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var filter fleet.ListFilter
	if !m.IDs.IsNull() {
		filter.IDs = listStrings(ctx, m.IDs, &resp.Diagnostics)
		if len(filter.IDs) == 0 {
			// An explicit empty filter matches nothing; do not list the whole cloud.
			m.finish(ctx, d.data.region(m.Cloud.ValueString(), m.Region.ValueString()), nil, &resp.Diagnostics)
			resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
			return
		}
	}
	var nameRe *regexp.Regexp
	if s := m.NameRegex.ValueString(); s != "" {
		// Validated at plan time, unless it was not known then.
		re, err := regexp.Compile(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", err.Error())
			return
		}
		nameRe = re
	}
	var lister fleet.DesktopLister
	c, err := d.data.cloud(m.Cloud.ValueString())
	if err == nil {
		lister, err = c.Lister(m.Region.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot list desktops", err.Error())
		return
	}
	all, err := lister.ListDesktops(ctx, filter)
	if err != nil {
		detail := err.Error()
		if help, ok := credentialsHelp(err); ok {
			detail += "\n\n" + help
		}
		resp.Diagnostics.AddError("Cannot list desktops", detail)
		return
	}
	var matched []fleet.Desktop
	for _, dt := range all {
		if nameRe != nil && !nameRe.MatchString(dt.Name) {
			continue
		}
		if s := m.Status.ValueString(); s != "" && !statusMatches(dt, s) {
			continue
		}
		matched = append(matched, dt)
	}
	m.finish(ctx, d.data.region(m.Cloud.ValueString(), m.Region.ValueString()), matched, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// finish fills the computed attributes from the region listed and the
// desktops that matched.
func (m *desktopsModel) finish(ctx context.Context, region string, matched []fleet.Desktop, diags *diag.Diagnostics) {
	m.ID = types.StringValue(m.Cloud.ValueString() + "/" + region)
	matched = slices.Clone(matched)
	slices.SortFunc(matched, func(a, b fleet.Desktop) int { return strings.Compare(a.ID, b.ID) })
	ids := make([]string, 0, len(matched))
	desktops := make([]desktopModel, 0, len(matched))
	for _, dt := range matched {
		ids = append(ids, dt.ID)
		desktops = append(desktops, desktopModel{ID: dt.ID, Name: dt.Name, Status: string(dt.Status), NativeStatus: dt.NativeStatus})
	}
	m.IDs = stringList(ctx, ids, diags)
	var d diag.Diagnostics
	m.Desktops, d = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: desktopAttrTypes}, desktops)
	diags.Append(d...)
}

// statusMatches compares want with the shared status and with the cloud's
// own (before any "/task_status" suffix), ignoring case.
func statusMatches(d fleet.Desktop, want string) bool {
	native, _, _ := strings.Cut(d.NativeStatus, "/")
	return strings.EqualFold(string(d.Status), want) || strings.EqualFold(native, want) || strings.EqualFold(d.NativeStatus, want)
}
