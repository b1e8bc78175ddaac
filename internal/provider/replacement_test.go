package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccPlannedActions: which attribute changes replace a resource and
// which update it in place, as the spec lists them. Every plan here is
// only a plan: none of them may call the cloud.
func TestAccPlannedActions(t *testing.T) {
	type body struct{ cloud, region, ids, extra string }
	tests := []struct {
		name     string
		resource string
		before   body
		after    body
		want     plancheck.ResourceActionType
	}{
		{"reboot desktop_ids", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", ""}, body{"alibaba", "", "b", ""}, plancheck.ResourceActionUpdate},
		{"reboot desktop_ids reordered", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", ""}, body{"alibaba", "", "a reversed", ""}, plancheck.ResourceActionUpdate},
		{"reboot desktop_ids shrunk", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", ""}, body{"alibaba", "", "a first", ""}, plancheck.ResourceActionUpdate},
		{"reboot keepers", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", `keepers = { week = "1" }`}, body{"alibaba", "", "a", `keepers = { week = "2" }`}, plancheck.ResourceActionReplace},
		{"reboot region", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", ""}, body{"alibaba", "cn-shanghai", "a", ""}, plancheck.ResourceActionReplace},
		{"reboot cloud", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", ""}, body{"huawei", "", "a", ""}, plancheck.ResourceActionReplace},
		{"reboot wait", "clouddesktop_desktop_reboot", body{"alibaba", "", "a", "wait = false"}, body{"alibaba", "", "a", "wait = true"}, plancheck.ResourceActionUpdate},
		{"delete desktop_ids", "clouddesktop_desktop_batch_delete", body{"alibaba", "", "a", ""}, body{"alibaba", "", "b", ""}, plancheck.ResourceActionUpdate},
		{"delete region", "clouddesktop_desktop_batch_delete", body{"alibaba", "", "a", ""}, body{"alibaba", "cn-shanghai", "a", ""}, plancheck.ResourceActionReplace},
		{"delete cloud", "clouddesktop_desktop_batch_delete", body{"alibaba", "", "a", ""}, body{"huawei", "", "a", ""}, plancheck.ResourceActionReplace},
		{"delete ignore_missing", "clouddesktop_desktop_batch_delete", body{"alibaba", "", "a", ""}, body{"alibaba", "", "a", "ignore_missing = false"}, plancheck.ResourceActionUpdate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			fleets := map[string][]string{
				"a": cloud.seed(alibabaCloud, "a", 2),
				"b": cloud.seed(alibabaCloud, "b", 2),
			}
			fleets["a reversed"] = []string{fleets["a"][1], fleets["a"][0]}
			fleets["a first"] = fleets["a"][:1]
			render := func(b body) string {
				region := ""
				if b.region != "" {
					region = fmt.Sprintf("region = %q", b.region)
				}
				return cloud.providerBlock() + hclResource(tt.resource, "fleet", b.cloud, fleets[b.ids], region, b.extra)
			}
			addr := tt.resource + ".fleet"
			// Every plan of the test, before and after the apply and in
			// the plan-only steps, with and without refresh, is checked
			// against the mock's call log: none may call the cloud.
			mark := newCallMark(cloud)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:            render(tt.before),
						ConfigPlanChecks:  planCallsNothing(mark, false, plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)),
						ConfigStateChecks: []statecheck.StateCheck{mark.afterApply()},
					},
					{
						PreConfig:          mark.now,
						Config:             render(tt.after),
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
						ConfigPlanChecks:   planCallsNothing(mark, true, plancheck.ExpectResourceAction(addr, tt.want)),
					},
					{
						// The state is the first configuration's, untouched.
						PreConfig:        mark.now,
						Config:           render(tt.before),
						PlanOnly:         true,
						ConfigPlanChecks: planCallsNothing(mark, true, plancheck.ExpectEmptyPlan()),
					},
				},
			})
		})
	}
}
