package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

func (r *desktopRebootResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 1: desktop_ids became a list and updates in place
		// (desktopIDsSetToList).
		Version: 1,
		MarkdownDescription: "Reboots a fleet of cloud desktops when created, and again whenever `keepers`, `cloud` or `region` " +
			"change (each forces a replacement, which is a new reboot of the whole fleet). A change of `desktop_ids` updates " +
			"in place and reboots only the desktops added; removed ones are left alone. Destroying it only removes it from " +
			"state. Plan never calls the cloud.",
		Attributes: fleetAttributes(
			"Identifier of this reboot, new for every reboot; the Alibaba `ClientToken` of each batch derives from it.",
			"Desktops to reboot, at least one. Order carries no meaning and an ID listed twice is one "+
				"desktop, rebooted once (plan warns). A list, not a set, so that fleets of thousands plan and apply in seconds. "+
				"Sorted and split into batches of the API's maximum (Alibaba client API 20, admin API 100; Huawei 100), sent "+
				"`max_concurrency` at a time. A change updates in place and reboots only the desktops added (plan warns how "+
				"many); removed desktops are left alone, and a reorder calls no cloud.",
			map[string]schema.Attribute{
				"keepers": schema.MapAttribute{
					Optional:            true,
					ElementType:         types.StringType,
					MarkdownDescription: "Arbitrary values; any change reboots the fleet again.",
					PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
				},
				"wait": schema.BoolAttribute{
					Optional: true,
					Computed: true,
					Default:  booldefault.StaticBool(true),
					MarkdownDescription: "Return only once every desktop has rebooted and is running again (Alibaba `Running`; Huawei " +
						"`ACTIVE` with an empty `task_status`). A desktop counts as rebooted once it was seen rebooting (Alibaba " +
						"`Stopping`/`Starting`; Huawei `task_status` `rebooting` and kin, or `REBOOT`) and is back up; or, never seen " +
						"rebooting, once it stayed up on at least two reads across a settle window after the call " +
						"(`CLOUDDESKTOP_REBOOT_SETTLE`, default `20s`), since a cloud shows a reboot only some time after accepting it. " +
						"Defaults to `true`.",
				},
				"rebooted_at": schema.StringAttribute{
					Computed:            true,
					MarkdownDescription: "When the reboot finished, RFC 3339.",
					PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				},
				"request_ids": schema.ListAttribute{
					Computed:            true,
					ElementType:         types.StringType,
					MarkdownDescription: "The cloud's request ID of every API call that rebooted desktops, one per call.",
					PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				},
			}),
		Blocks: withCloudBlocks(tfcloud.RebootResource, map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, CreateDescription: "Defaults to `20m`.",
				Update: true, UpdateDescription: "For the reboot of the desktops `desktop_ids` gained. Defaults to `20m`.",
			}),
		}),
	}
}

// UpgradeState upgrades state written before desktop_ids became a list.
func (r *desktopRebootResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: desktopIDsSetToList()}
}
