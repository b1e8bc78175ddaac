package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// desktop_ids is a list, not a set. Order carries no meaning and an ID
// listed twice is one desktop, as in a set; but Terraform checks an
// applied set against its plan by pairing elements, and the framework
// compares set elements pairwise too (semantic equality, duplicate
// detection): minutes at 10,000 desktops, where lists are matched by index
// in linear time. The provider sorts and deduplicates before it acts
// (fleet.Split).

// desktopIDsValidators: at least one desktop, each ID usable; duplicates
// draw a warning naming them.
func desktopIDsValidators() []validator.List {
	return []validator.List{listvalidator.SizeAtLeast(1), desktopIDsEach{warnDuplicates: true}}
}

// desktopIDsEach checks every ID of a list in one pass: neither cloud
// documents a format for desktop IDs (the Alibaba example is
// "ecd-7w78ozhjcwa3u****", the Huawei ones UUIDs), so an ID is any text
// that can travel (validators.Untravelable); only an empty one, which names no
// desktop, is refused as well. With warnDuplicates, IDs listed more than
// once draw one warning naming them: harmless (each desktop is acted on
// once), but likely not what was meant. One pass with no per-element
// request or path (a path is built only for an error) keeps validation
// cheap at tens of thousands of desktops, where
// listvalidator.ValueStringsAre builds both for every element.
type desktopIDsEach struct{ warnDuplicates bool }

func (desktopIDsEach) Description(context.Context) string {
	return "each desktop ID must be non-empty text without control characters"
}

func (v desktopIDsEach) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v desktopIDsEach) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	var times map[string]int
	if v.warnDuplicates {
		times = make(map[string]int, len(elems))
	}
	var twice []string
	for i, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		id := s.ValueString()
		switch problem := validators.Untravelable(id); {
		case id == "":
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Empty desktop ID",
				fmt.Sprintf("%s is empty: an empty string names no desktop.", req.Path.AtListIndex(i)))
		case problem != "":
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Value cannot be sent",
				fmt.Sprintf("%s %s, which cannot travel in a request to the cloud. Any other text is accepted.", req.Path.AtListIndex(i), problem))
		}
		if times != nil {
			if times[id]++; times[id] == 2 {
				twice = append(twice, id)
			}
		}
	}
	if len(twice) > 0 {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Desktop listed more than once",
			fmt.Sprintf("%d desktop IDs appear more than once in %s: %s. Each desktop is acted on once; order and repeats carry no meaning.",
				len(twice), req.Path, abbreviate(twice, 10)))
	}
}

// abbreviate lists the first n of ids, and how many more there are.
func abbreviate(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// stringList is the list value of values; never null, even when empty.
func stringList(ctx context.Context, values []string, diags *diag.Diagnostics) types.List {
	if values == nil {
		values = []string{}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return l
}

// listStrings reads a list of strings.
func listStrings(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

// desktopIDsSetToList upgrades state of schema version 0, in which
// desktop_ids was a set, to version 1, in which it is a list. In state JSON
// a set of strings is an array, as a list is: the upgrade keeps every other
// attribute as it is and sorts desktop_ids, so that nobody's next plan
// replaces or reboots anything.
func desktopIDsSetToList() resource.StateUpgrader {
	return resource.StateUpgrader{
		StateUpgrader: func(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			if req.RawState == nil || req.RawState.JSON == nil {
				resp.Diagnostics.AddError("Unable to upgrade state", "The prior state holds no JSON to upgrade.")
				return
			}
			var state map[string]json.RawMessage
			if err := json.Unmarshal(req.RawState.JSON, &state); err != nil {
				resp.Diagnostics.AddError("Unable to upgrade state", "The prior state is not a JSON object: "+err.Error())
				return
			}
			if raw, ok := state["desktop_ids"]; ok && string(raw) != "null" {
				var ids []string
				if err := json.Unmarshal(raw, &ids); err != nil {
					resp.Diagnostics.AddError("Unable to upgrade state", "desktop_ids in the prior state is not a list of strings: "+err.Error())
					return
				}
				slices.Sort(ids)
				sorted, _ := json.Marshal(ids)
				state["desktop_ids"] = sorted
			}
			upgraded, err := json.Marshal(state)
			if err != nil {
				resp.Diagnostics.AddError("Unable to upgrade state", err.Error())
				return
			}
			resp.DynamicValue = &tfprotov6.DynamicValue{JSON: upgraded}
		},
	}
}

// without returns ids, in order and repeats included, minus every ID in
// drop.
func without(ids, drop []string) []string {
	gone := make(map[string]bool, len(drop))
	for _, id := range drop {
		gone[id] = true
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return out
}
