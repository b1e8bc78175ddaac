package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccDesktopReboot_fleetChanges: a fleet that gains desktops reboots
// only those, in place; a reorder or a removal reboots nothing; keepers
// reboot the whole fleet again; and when some of the desktops gained fail
// to reboot, state keeps the ones that did, so the next apply reboots only
// the rest. On both clouds.
func TestAccDesktopReboot_fleetChanges(t *testing.T) {
	for _, api := range []rebootAPI{alibabaAdminReboot, huaweiSoftReboot} {
		t.Run(api.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			first := cloud.SeedFleet(api.cloud, api.region, "first", 3)
			gained := cloud.SeedFleet(api.cloud, api.region, "gained", 2)
			// 101 more: batches of 100, the last of them alone in its own
			// call, which the cloud refuses once.
			late := slices.Sorted(slices.Values(cloud.SeedFleet(api.cloud, api.region, "late", 101)))
			config := func(ids []string, round string) string {
				return rebootWaitConfig(cloud, api, ids, false, round, "")
			}
			all := slices.Concat(first, gained)
			reordered := slices.Concat(gained[1:], first[1:], gained[:1]) // first[0] removed
			refused := late[100]
			id := statecheck.CompareValue(compare.ValuesDiffer())
			sameID := statecheck.CompareValue(compare.ValuesSame())
			rebootsSoFar := func(want map[string]int) resource.TestCheckFunc {
				return func(*terraform.State) error {
					for _, group := range []struct {
						ids   []string
						times int
					}{{first, want["first"]}, {gained, want["gained"]}, {late[:100], want["late"]}, {late[100:], want["refused"]}} {
						if err := everyDesktopRebooted(cloud, group.ids, group.times); err != nil {
							return err
						}
					}
					return nil
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:            config(first, "1"),
						ConfigStateChecks: []statecheck.StateCheck{id.AddStateValue(rebootAddr, tfjsonpath.New("id"))},
						Check:             rebootsSoFar(map[string]int{"first": 1}),
					},
					{
						// Two desktops gained: an in-place update rebooting
						// just them, as a new reboot.
						Config: config(all, "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectUnknownValue(rebootAddr, tfjsonpath.New("id")),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							id.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							sameID.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(1)),
							statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("desktop_ids"), knownvalue.ListSizeExact(len(all))),
						},
						Check: rebootsSoFar(map[string]int{"first": 1, "gained": 1}),
					},
					{
						// Reordered, one removed: an update that calls no
						// cloud and keeps the reboot's record.
						PreConfig: cloud.ResetCalls,
						Config:    config(reordered, "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
						}},
						ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(rebootAddr, tfjsonpath.New("id"))},
						Check: resource.ComposeAggregateTestCheckFunc(
							func(*terraform.State) error {
								if n := len(cloud.Calls()); n != 0 {
									return fmt.Errorf("a reorder and a removal made %d cloud calls, want none", n)
								}
								return nil
							},
							rebootsSoFar(map[string]int{"first": 1, "gained": 1}),
						),
					},
					{
						// Two more gained, one of which the cloud refuses:
						// the apply fails naming it, and state keeps the
						// one that did reboot.
						PreConfig: func() {
							cloud.InjectFault(mockcloud.Fault{Cloud: api.cloud, Operation: rebootOp[api.cloud], Kind: mockcloud.FaultError,
								Status: 403, DesktopIDs: []string{refused}})
						},
						Config:      config(slices.Concat(reordered, late), "1"),
						ExpectError: regexp.MustCompile(`Could not reboot 1 of 101 desktops`),
					},
					{
						// State holds the 100 that did reboot.
						Config:   config(slices.Concat(reordered, late[:100]), "1"),
						PlanOnly: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionNoop),
						}},
					},
					{
						// The cloud recovers: only the refused one is left.
						PreConfig: cloud.ClearFaults,
						Config:    config(slices.Concat(reordered, late), "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionUpdate),
						}},
						Check: rebootsSoFar(map[string]int{"first": 1, "gained": 1, "late": 1, "refused": 1}),
					},
					{
						// keepers: the whole fleet, again, by replacement.
						Config: config(slices.Concat(reordered, late), "2"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionReplace),
						}},
						Check: func(*terraform.State) error {
							// first[0] was removed from the fleet.
							if err := everyDesktopRebooted(cloud, first[:1], 1); err != nil {
								return err
							}
							return everyDesktopRebooted(cloud, slices.Concat(reordered, late), 2)
						},
					},
				},
			})
		})
	}
}
