package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// cloudAttribute is the `cloud` selector every resource has; changing it
// always replaces the resource.
func cloudAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Required:            true,
		MarkdownDescription: "Which cloud the desktops live in: " + cloudNamesMarkdown() + ".",
		Validators:          []validator.String{stringvalidator.OneOf(cloudNames()...)},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

func regionAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Region of the desktops; overrides the provider block's region for this resource.",
		Validators:          []validator.String{validators.Region()},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

// fleetResource is what every resource shares: the configured provider,
// nil until Configure (validation runs before it).
type fleetResource struct {
	data *providerData
}

func (r *fleetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// FleetTarget is what every resource and action acts on: a fleet, where
// it lives, and whether to wait for the cloud. Exported, as the models
// that embed it, because reflection (getModel) reaches the fields of an
// embedded struct only when its type is exported.
type FleetTarget struct {
	Cloud      types.String `tfsdk:"cloud"`
	DesktopIDs types.List   `tfsdk:"desktop_ids"`
	Region     types.String `tfsdk:"region"`
	Wait       types.Bool   `tfsdk:"wait"`
}

// FleetModel is what every resource holds.
type FleetModel struct {
	ID types.String `tfsdk:"id"`
	FleetTarget
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// fleetAttributes are the attributes of FleetModel but wait and timeouts, described for
// one resource, with the resource's own attributes added.
func fleetAttributes(idDescription, desktopIDsDescription string, own map[string]schema.Attribute) map[string]schema.Attribute {
	own["id"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: idDescription,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	own["cloud"] = cloudAttribute()
	own["desktop_ids"] = schema.ListAttribute{
		Required:            true,
		ElementType:         types.StringType,
		MarkdownDescription: desktopIDsDescription,
		Validators:          desktopIDsValidators(),
	}
	own["region"] = regionAttribute()
	return own
}
