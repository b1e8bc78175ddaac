package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier of this reboot, new for every reboot; the Alibaba `ClientToken` of each batch derives from it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cloud": cloudAttribute(),
			"desktop_ids": schema.ListAttribute{
				Required:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Desktops to reboot, at least one. Order carries no meaning and an ID listed twice is one " +
					"desktop, rebooted once (plan warns). A list, not a set, so that fleets of thousands plan and apply in seconds. " +
					"Sorted and split into batches of the API's maximum (Alibaba client API 20, admin API 100; Huawei 100), sent " +
					"`max_concurrency` at a time. A change updates in place and reboots only the desktops added (plan warns how " +
					"many); removed desktops are left alone, and a reorder calls no cloud.",
				Validators: desktopIDsValidators(),
			},
			"region": regionAttribute(),
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
		},
		Blocks: map[string]schema.Block{
			"alibaba": alibabaRebootBlock(),
			"huawei":  huaweiRebootBlock(),
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, CreateDescription: "Defaults to `20m`.",
				Update: true, UpdateDescription: "For the reboot of the desktops `desktop_ids` gained. Defaults to `20m`.",
			}),
		},
	}
}

func alibabaRebootBlock() schema.SingleNestedBlock {
	// The RebootDesktops document (2020-10-02) sets no format for these
	// parameters, and its own examples have spaces and dots, so only what
	// cannot travel is refused. An empty value is not sent at all.
	param := func(desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{
			Optional:            true,
			Sensitive:           sensitive,
			MarkdownDescription: desc,
			Validators:          []validator.String{travelValidator()},
		}
	}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Alibaba Cloud options. With `login_token` set, the client API `RebootDesktops` (2020-10-02) is " +
			"called anonymously with these parameters, 20 desktops a call; otherwise the AccessKey-signed admin API (2020-09-30), " +
			"100 a call. Only with `cloud = \"alibaba\"`.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "`ClientId` of the client API. Defaults to a UUID generated once and kept in state.",
				// Required by the document, so never empty.
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1), travelValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"session_id":    param("`SessionId` of the logged-in client session (optional in the API, sent when set).", false),
			"login_token":   param("`LoginToken` of the client session; selects the client API. Stored in state; prefer `login_token_wo`.", true),
			"session_token": param("`SessionToken` of the client session. Stored in state; prefer `session_token_wo`.", true),
			"login_token_wo": writeOnly("Write-only `LoginToken` (Terraform 1.11 and later): used for this reboot, never stored in plan or state.",
				"login_token"),
			"session_token_wo": writeOnly("Write-only `SessionToken` (Terraform 1.11 and later): used for this reboot, never stored in plan or state.",
				"session_token"),
			"client_os":      param("`ClientOS`, the client device's operating system, for example `Windows_NT 10.0.18363 x64`.", false),
			"client_version": param("`ClientVersion` of the WUYING client, for example `2.1.0-R-20210731.151756`.", false),
			"uuid":           param("`Uuid` of the client device.", false),
			"os_update": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "`OsUpdate`: install pending OS updates during the reboot.",
			},
		},
	}
}

// writeOnly is a sensitive client-API parameter that Terraform never
// stores, in conflict with its stored twin.
func writeOnly(desc, twin string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		WriteOnly:           true,
		MarkdownDescription: desc,
		Validators: []validator.String{
			travelValidator(),
			stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName(twin)),
		},
	}
}

func huaweiRebootBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Huawei Cloud options. Only with `cloud = \"huawei\"`.",
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("SOFT"),
				MarkdownDescription: "`SOFT` (default) asks the guest OS to restart; `HARD` resets the machine.",
				Validators:          []validator.String{stringvalidator.OneOf("SOFT", "HARD")},
			},
		},
	}
}

// UpgradeState upgrades state written before desktop_ids became a list.
func (r *desktopRebootResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: desktopIDsSetToList()}
}
