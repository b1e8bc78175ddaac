package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

func (r *desktopBatchDeleteResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		// Version 1: desktop_ids became a list (desktopIDsSetToList).
		Version: 1,
		MarkdownDescription: "Holds a fleet of cloud desktops and deletes it when destroyed: by `terraform destroy`, or by " +
			"removing the block. Creating it and changing `desktop_ids` in place make no cloud call. When some desktops " +
			"fail to delete, destroy fails with one line per desktop and the resource stays in state holding exactly the " +
			"desktops not yet deleted, so the next destroy retries only those.",
		Attributes: fleetAttributes(
			"Random identifier of this fleet.",
			"Desktops to delete on destroy, at least one. Order carries no meaning and an ID listed twice "+
				"is one desktop (plan warns). A list, not a set, so that fleets of thousands plan and apply in seconds. "+
				"Updates in place, without a cloud call.",
			map[string]schema.Attribute{
				"ignore_missing": schema.BoolAttribute{
					Optional: true,
					Computed: true,
					Default:  booldefault.StaticBool(true),
					MarkdownDescription: "A desktop that is already gone counts as deleted. With `false` it is an error. " +
						"Defaults to `true`.",
				},
				"wait": schema.BoolAttribute{
					Optional: true,
					Computed: true,
					Default:  booldefault.StaticBool(true),
					MarkdownDescription: "Destroy returns only when the cloud says the desktops are gone (Huawei: the deletion job " +
						"ends `SUCCESS` or `FAILED`, reported per desktop; Alibaba: `DescribeDesktops`). Defaults to `true`.",
				},
			}),
		Blocks: withCloudBlocks(tfcloud.DeleteResource, map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Delete: true, DeleteDescription: "Defaults to `30m`."}),
		}),
	}
}

// UpgradeState upgrades state written before desktop_ids became a list.
func (r *desktopBatchDeleteResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: desktopIDsSetToList()}
}
