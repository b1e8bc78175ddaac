package provider

import (
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccDesktopReboot_fleetChanges: a fleet that gains desktops reboots
// only those, in place; a reorder or a removal reboots nothing; keepers
// reboot the whole fleet again; and when some of the desktops gained fail
// to reboot, state keeps the ones that did, so the next apply reboots only
// the rest. On both clouds.
func TestAccDesktopReboot_fleetChanges(t *testing.T) {
	for _, api := range []rebootAPI{alibabaAdminAPI, huaweiSoftReboot} {
		t.Run(api.name, func(t *testing.T) {
			mock := newTestCloud(t, mockcloud.Timing{})
			first := mock.seed(api.cloud, "first", 3)
			gained := mock.seed(api.cloud, "gained", 2)
			// 101 more: batches of 100, the last of them alone in its own
			// call, which the cloud refuses once.
			late := slices.Sorted(slices.Values(mock.seed(api.cloud, "late", 101)))
			config := func(ids []string, round string) string {
				return mock.providerBlock() + api.resource(ids, waitLine(false), keepers(round))
			}
			all := slices.Concat(first, gained)
			reordered := slices.Concat(gained[1:], first[1:], gained[:1]) // first[0] removed
			refused := late[100]
			id := statecheck.CompareValue(compare.ValuesDiffer())
			sameID := statecheck.CompareValue(compare.ValuesSame())
			replaced := statecheck.CompareValue(compare.ValuesDiffer())
			rebootsSoFar := func(want map[string]int) func() error {
				return func() error {
					for _, group := range []struct {
						ids   []string
						times int
					}{{first, want["first"]}, {gained, want["gained"]}, {late[:100], want["late"]}, {late[100:], want["refused"]}} {
						if err := everyDesktopRebooted(mock, group.ids, group.times); err != nil {
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
						Config: config(first, "1"),
						ConfigStateChecks: []statecheck.StateCheck{
							id.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							onMock(rebootsSoFar(map[string]int{"first": 1})),
						},
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
							onMock(rebootsSoFar(map[string]int{"first": 1, "gained": 1})),
						},
					},
					{
						// Reordered, one removed: an update that calls no
						// cloud and keeps the reboot's record.
						PreConfig: mock.ResetCalls,
						Config:    config(reordered, "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionUpdate),
							plancheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							sameID.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							onMock(noCloudCalls(mock, "a reorder and a removal"), rebootsSoFar(map[string]int{"first": 1, "gained": 1})),
						},
					},
					{
						// Two more gained, one of which the cloud refuses:
						// the apply fails naming it, and state keeps the
						// one that did reboot.
						PreConfig: func() {
							mock.InjectFault(mockcloud.Fault{Cloud: api.cloud.name, Operation: api.cloud.rebootOp, Kind: mockcloud.FaultError,
								Status: 403, DesktopIDs: []string{refused}})
						},
						Config:      config(slices.Concat(reordered, late), "1"),
						ExpectError: regexp.MustCompile(`Could not reboot 1 of 101 desktops`),
					},
					{
						// State holds the 100 that did reboot: naming just
						// those plans no change, and applying it calls no
						// cloud.
						PreConfig: mock.ResetCalls,
						Config:    config(slices.Concat(reordered, late[:100]), "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionNoop),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("desktop_ids"), stringsInAnyOrder(slices.Concat(reordered, late[:100]))),
							onMock(noCloudCalls(mock, "an apply of no change")),
						},
					},
					{
						// The cloud recovers: only the refused one is left.
						PreConfig: mock.ClearFaults,
						Config:    config(slices.Concat(reordered, late), "1"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionUpdate),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							replaced.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							onMock(rebootsSoFar(map[string]int{"first": 1, "gained": 1, "late": 1, "refused": 1})),
						},
					},
					{
						// keepers: the whole fleet, again, by replacement.
						Config: config(slices.Concat(reordered, late), "2"),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionReplace),
						}},
						ConfigStateChecks: []statecheck.StateCheck{
							replaced.AddStateValue(rebootAddr, tfjsonpath.New("id")),
							// first[0] was removed from the fleet.
							onMock(
								func() error { return everyDesktopRebooted(mock, first[:1], 1) },
								func() error { return everyDesktopRebooted(mock, slices.Concat(reordered, late), 2) },
							),
						},
					},
				},
			})
		})
	}
}
