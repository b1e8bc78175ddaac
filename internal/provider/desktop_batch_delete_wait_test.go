package provider

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// These tests are about destroying clouddesktop_desktop_batch_delete on both
// clouds: `wait`, `ignore_missing`, delete timeouts and per-desktop
// failures. None of them sleeps, and none measures the wall clock: where a
// deletion has to take time, the mock's clock moves only when the provider
// reads a status (newSteppedCloud), so "the provider waited" means "the
// provider kept reading until the mock said done", whatever the speed of
// the machine.

// TestAccDesktopBatchDeleteWait_matrix destroys a fleet on every cloud with
// and without wait. Deletion takes hours on the mock's clock, which moves
// 45 minutes at each status read: Alibaba desktops are Stopping for 2h, then
// Deleted for 1h; a Huawei job is WAITING for 1h, then RUNNING for 1h. So
// with wait the provider must read three times before the cloud says done,
// and without wait the deletion is still under way when destroy returns.
func TestAccDesktopBatchDeleteWait_matrix(t *testing.T) {
	const step = 45 * time.Minute
	timing := mockcloud.Timing{DeleteStopping: 2 * time.Hour, DeletedVisible: time.Hour, JobWaiting: time.Hour, JobRunning: time.Hour}
	for _, f := range bothClouds {
		for _, wait := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/wait=%t", f.name, wait), func(t *testing.T) {
				cloud := newSteppedCloud(t, timing, step)
				ids := cloud.seed(f, "wait", 3)
				keep := cloud.seed(f, "keep", 1)

				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6ProviderFactories,
					CheckDestroy: onMockAfterDestroy(
						func() error { return untouched(cloud, f.name, keep) },
						func() error { return deletionAfterDestroy(cloud, f, ids, wait) },
						func() error { return deletedOnce(cloud, f.name, ids) },
					),
					Steps: []resource.TestStep{{
						Config:            cloud.deleteConfig(f.name, ids, waitLine(wait)),
						ConfigStateChecks: []statecheck.StateCheck{onMock(noCloudCalls(cloud, "create"))},
					}},
				})
			})
		}
	}
}

// deletionAfterDestroy checks where the deletion of ids stands once destroy
// has returned: over (with wait) or just accepted, never followed
// (without).
func deletionAfterDestroy(c *testCloud, f cloudFixture, ids []string, wait bool) error {
	deletes := c.CallsTo(f.name, f.deleteOp)
	if len(deletes) != 1 || deletes[0].Status/100 != 2 {
		return fmt.Errorf("%d %s calls (%v), want one accepted call", len(deletes), f.deleteOp, deletes)
	}
	var reads []string
	for _, op := range f.statusReads {
		for range c.CallsTo(f.name, op) {
			reads = append(reads, op)
		}
	}
	if !wait {
		if len(reads) > 0 {
			return fmt.Errorf("destroy without wait polled the cloud: %v", reads)
		}
		if len(c.Calls()) != 1 {
			return fmt.Errorf("destroy without wait made %d calls, want the delete call alone", len(c.Calls()))
		}
	} else if len(reads) == 0 {
		return fmt.Errorf("destroy with wait never read the deletion's status")
	}

	if f.name == mockcloud.CloudHuawei {
		job := deletes[0].JobID
		status, ok := c.HuaweiJobStatus(job)
		want := "SUCCESS"
		if !wait {
			want = "WAITING" // nobody read, so the mock's clock never moved
		}
		if !ok || status != want {
			return fmt.Errorf("delete job %s is %q when destroy has returned, want %s", job, status, want)
		}
		for _, call := range c.CallsTo(f.name, "ShowJob") {
			if call.JobID != job {
				return fmt.Errorf("ShowJob asked for job %q, want %s", call.JobID, job)
			}
		}
	}
	for _, id := range ids {
		d, exists := c.Desktop(f.name, id)
		switch {
		case wait && exists && d.Status != "Deleted" && d.Status != "DELETED":
			return fmt.Errorf("destroy with wait returned while desktop %s is %s/%s", id, d.Status, d.TaskStatus)
		case !wait && (!exists || (d.Status != "Stopping" && d.TaskStatus != "deleting")):
			return fmt.Errorf("destroy without wait: desktop %s should still be being deleted, is %+v (exists %t)", id, d, exists)
		}
	}
	return nil
}

// TestAccDesktopBatchDeleteWait_ignoreMissing destroys a fleet in which one
// desktop never existed and another was deleted just before, by a second
// resource that depends on the fleet (so Terraform destroys it first). With
// ignore_missing (the default) the two count as deleted. Without, destroy
// deletes the rest and fails naming just those two, which stay in state;
// switching ignore_missing on then lets the destroy finish. Each holds
// whichever way the cloud treats an unknown ID: rejecting the whole call,
// skipping it silently, or (Huawei) a failed sub-job or none at all.
func TestAccDesktopBatchDeleteWait_ignoreMissing(t *testing.T) {
	for _, f := range bothClouds {
		for _, mode := range f.unknownIDs {
			for _, ignore := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/unknown_ids=%s/ignore_missing=%t", f.name, mode, ignore), func(t *testing.T) {
					testIgnoreMissing(t, f, mode, ignore)
				})
			}
		}
	}
}

func testIgnoreMissing(t *testing.T, f cloudFixture, mode string, ignore bool) {
	cloud := newTestCloudWith(t, f.treatingUnknownIDs(mode))
	present := cloud.seed(f, "present", 3)
	predeleted := cloud.seed(f, "predeleted", 1)[0]
	keep := cloud.seed(f, "keep", 1)
	missing := slices.Sorted(slices.Values([]string{predeleted, f.neverExisted}))
	all := append(slices.Clone(present), missing...)
	fleet := func(ignore bool) func([]string) string {
		return func(ids []string) string {
			return hclResource(deleteType, "fleet", f.name, ids, fmt.Sprintf("ignore_missing = %t", ignore))
		}
	}
	other := hclResource(deleteType, "other", f.name, []string{predeleted}, "depends_on = ["+deleteAddr+"]")

	var steps []resource.TestStep
	if ignore {
		steps = []resource.TestStep{{
			Config:            cloud.providerBlock() + fleet(true)(all) + other,
			ConfigStateChecks: []statecheck.StateCheck{onMock(noCloudCalls(cloud, "create"))},
		}}
	} else {
		steps = failedDestroy{
			c: cloud, provider: cloud.providerBlock(), fleet: fleet(false), beside: other,
			all: all, left: missing,
			want: failurePattern("delete", f.name, len(all), missing, sameLine(fmt.Sprintf(
				`%s %s failed[^\n]*: %s:[^\n]*request ID [0-9A-Za-z-]{8,}[^\n]*`, f.name, f.deleteOp, regexp.QuoteMeta(f.notFoundCode)))),
		}.steps(resource.TestStep{
			// Clean up: with ignore_missing on, the next destroy counts
			// them as deleted. The switch itself is an in-place update
			// without a call.
			PreConfig: cloud.ResetCalls,
			Config:    cloud.providerBlock() + fleet(true)(missing),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deleteAddr, plancheck.ResourceActionUpdate)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(deleteAddr, tfjsonpath.New("desktop_ids"), stringsInAnyOrder(missing)),
				onMock(noCloudCalls(cloud, "switching ignore_missing")),
			},
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: onMockAfterDestroy(
			func() error {
				if !ignore {
					return nil
				}
				// The other resource went first, and its desktop was
				// gone before the fleet's destroy.
				deletes := cloud.CallsTo(f.name, f.deleteOp)
				if len(deletes) == 0 || !slices.Equal(deletes[0].DesktopIDs, []string{predeleted}) || deletes[0].Status/100 != 2 {
					return fmt.Errorf("the first %s call was not the other resource's accepted delete of %s", f.deleteOp, predeleted)
				}
				return nil
			},
			func() error { return untouched(cloud, f.name, keep) },
			// Each deleted once: the predeleted one by the other
			// resource, and never again.
			func() error { return desktopsGone(cloud, f.name, append(slices.Clone(present), predeleted)) },
			func() error {
				if n := cloud.DeleteCount(f.name, f.neverExisted); n != 0 {
					return fmt.Errorf("the desktop that never existed was deleted %d times", n)
				}
				return nil
			},
		),
		Steps: steps,
	})
}

// TestAccDesktopBatchDeleteWait_timeout destroys with a delete timeout of
// one second while the deletion of some desktops takes hours: destroy fails
// naming each of them and the status it was last seen in, and state keeps
// exactly those. Once the cloud has finished, the next destroy completes
// without deleting anything twice. Either the whole fleet is slow (the
// cloud's clock then moves past the deletion), or two stuck desktops among
// others deleted at once (they then come back as ordinary ones, and the
// next destroy retries only them).
func TestAccDesktopBatchDeleteWait_timeout(t *testing.T) {
	for _, tc := range []struct {
		cloud        cloudFixture
		slowDeletion mockcloud.Timing
		lastStatus   string
	}{
		{alibabaCloud, mockcloud.Timing{DeleteStopping: 2 * time.Hour}, "Stopping"},
		{huaweiCloud, mockcloud.Timing{JobRunning: 2 * time.Hour}, "RUNNING"},
	} {
		// The whole fleet slow, or only the cloud's stuck desktops.
		for _, stuck := range []bool{false, true} {
			f, timing := tc.cloud, tc.slowDeletion
			if stuck {
				timing = mockcloud.Timing{}
			}
			t.Run(fmt.Sprintf("%s/stuck=%t", f.name, stuck), func(t *testing.T) {
				cloud := newTestCloud(t, timing)
				good := cloud.seed(f, "fine", 3)
				keep := cloud.seed(f, "keep", 1)
				all, slow := good, good
				if stuck {
					slow = cloud.setStuck(f, true)
					all = slices.Concat(good, slow)
				}
				// Deleted once: all but the stuck ones, which the next
				// destroy deletes again, once they are ordinary.
				once := without(all, f.stuckIDs)
				fleet := func(ids []string) string {
					return hclResource(deleteType, "fleet", f.name, ids, timeoutsBlock("delete", "1s"))
				}
				cloudFinishes := func() {
					if stuck {
						cloud.setStuck(f, false)
					} else {
						cloud.Advance(3 * time.Hour)
					}
					cloud.ResetCalls()
				}

				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6ProviderFactories,
					CheckDestroy: onMockAfterDestroy(
						func() error { return untouched(cloud, f.name, keep) },
						// Gone, and deleted once: the retry did not delete
						// again what the first destroy had started.
						func() error { return desktopsGone(cloud, f.name, once) },
						func() error {
							for _, id := range slow {
								if d, ok := cloud.Desktop(f.name, id); ok {
									return fmt.Errorf("desktop %s still exists (%s/%s)", id, d.Status, d.TaskStatus)
								}
							}
							return nil
						},
					),
					Steps: failedDestroy{
						c: cloud, provider: cloud.providerBlock(), fleet: fleet, all: all, left: slow,
						want: failurePattern("delete", f.name, len(all), slow,
							sameLine(`timed out waiting for the cloud \(last status `+tc.lastStatus+`\)`)),
						checks: []func() error{
							func() error { return desktopsGone(cloud, f.name, without(all, slow)) },
							func() error {
								for _, id := range slow {
									if d, ok := cloud.Desktop(f.name, id); !ok || cloud.DeleteCount(f.name, id) != 1 {
										return fmt.Errorf("desktop %s: %+v (exists %t), deleted %d times; want its one deletion under way",
											id, d, ok, cloud.DeleteCount(f.name, id))
									}
								}
								return nil
							},
						},
					}.steps(destroyRest(cloud.providerBlock(), cloudFinishes, func() error {
						if stuck {
							// The retried destroy sends only the stuck ones.
							return deleteCallsNamed(cloud, f, slow)
						}
						return nil
					})),
				})
			})
		}
	}
}

// TestAccDesktopBatchDeleteWait_alibabaCallRefused is the Alibaba side of a
// partial failure: one subscription desktop among 130 makes its
// DeleteDesktops call (the second one: desktops go out sorted by ID) refused
// whole. Destroy fails with one line per desktop of that call, with the
// cloud's code and request ID, and state keeps exactly those 30; once the
// desktop is pay-as-you-go, the next destroy deletes just them.
func TestAccDesktopBatchDeleteWait_alibabaCallRefused(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.seed(alibabaCloud, "ali", 130)
	sorted := slices.Sorted(slices.Values(ids))
	refused := sorted[100:]
	prepaid := refused[17]
	charge := func(ct string) {
		cloud.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: alibabaCloud.scope, ID: prepaid, ChargeType: ct})
	}
	charge("PrePaid")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             onMockAfterDestroy(func() error { return desktopsGone(cloud, alibabaCloud.name, ids) }),
		Steps: failedDestroy{
			c: cloud, provider: cloud.providerBlock(),
			fleet: func(ids []string) string { return hclResource(deleteType, "fleet", alibabaCloud.name, ids) },
			// State holds exactly the 30 refused, in the order the
			// configuration listed them.
			all: ids, left: without(ids, sorted[:100]),
			want: failurePattern("delete", alibabaCloud.name, len(ids), refused,
				sameLine(`alibaba DeleteDesktops failed \(HTTP 400\): InvalidChargeType\.Unsupported: [^\n]*request ID [0-9A-Za-z-]{8,}`)),
			checks: []func() error{func() error { return desktopsGone(cloud, alibabaCloud.name, sorted[:100]) }},
		}.steps(destroyRest(cloud.providerBlock(),
			// Once the desktop is pay-as-you-go, the next destroy deletes
			// just them.
			func() {
				charge("PostPaid")
				cloud.ResetCalls()
			},
			func() error { return deleteCallsNamed(cloud, alibabaCloud, refused) },
		)),
	})
}
