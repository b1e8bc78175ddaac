package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// These tests are about destroying clouddesktop_desktop_batch_delete on both
// clouds: the delete calls, `wait`, `ignore_missing`, delete timeouts and
// per-desktop failures. None of them sleeps, and none measures the wall
// clock: where a deletion has to take time, the mock's clock moves only when
// the provider reads a status (bdwSteppedCloud), so "the provider waited"
// means "the provider kept reading until the mock said done", whatever the
// speed of the machine.

// bdwCloud is what the tests need to know about one cloud.
type bdwCloud struct {
	cloud string
	// region is where desktops are seeded: the Alibaba region or the
	// Huawei project.
	region string
	// deleteOp is the mock's name for the cloud's delete call.
	deleteOp string
	// readOps are the calls that read desktop or job status.
	readOps []string
	// neverExisted is a well-formed desktop ID the cloud never had.
	neverExisted string
	// notFoundCode is the error code the cloud gives a desktop it does not
	// know, in a delete.
	notFoundCode string
	// unknownIDs are the ways the mock can treat an unknown ID in a
	// delete, as real answers differ (mockcloud.Behaviour).
	unknownIDs []string
}

// withUnknownIDs sets how the mock's delete treats an unknown ID on cloud.
func withUnknownIDs(cloud, mode string) func(*mockcloud.Config) {
	return func(cfg *mockcloud.Config) {
		if cloud == mockcloud.CloudAlibaba {
			cfg.Behaviour.AlibabaUnknownIDs = mode
		} else {
			cfg.Behaviour.HuaweiUnknownIDs = mode
		}
	}
}

var (
	bdwAlibaba = bdwCloud{
		cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion, deleteOp: "DeleteDesktops",
		readOps:      []string{"DescribeDesktops"},
		neverExisted: "ecd-neverexisted00001", notFoundCode: "InvalidDesktopId.NotFound",
		unknownIDs: []string{mockcloud.UnknownReject, mockcloud.UnknownSkip},
	}
	bdwHuawei = bdwCloud{
		cloud: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject, deleteOp: "BatchDeleteDesktops",
		readOps:      []string{"ShowJob", "ListDesktopsDetail", "ShowDesktopDetail"},
		neverExisted: "00000000-0000-4000-8000-00000000dead", notFoundCode: "WKS.0004",
		unknownIDs: []string{mockcloud.UnknownFailedSubJob, mockcloud.UnknownReject, mockcloud.UnknownSkip},
	}
	bdwClouds = []bdwCloud{bdwAlibaba, bdwHuawei}
)

// bdwResource renders one batch-delete resource; extra goes inside it.
func bdwResource(name, cloud string, ids []string, extra string) string {
	return fmt.Sprintf(`
resource "clouddesktop_desktop_batch_delete" %q {
  cloud       = %q
  desktop_ids = %s
%s}
`, name, cloud, hclStrings(ids), extra)
}

// bdwConfig is the provider pointed at c plus the resource at deleteAddr.
func bdwConfig(c *testCloud, cloud string, ids []string, extra string) string {
	return c.providerBlock() + bdwResource("fleet", cloud, ids, extra)
}

// bdwSteppedCloud is a mock cloud whose clock moves forward by step just
// before it answers each status read (Alibaba DescribeDesktops, any Huawei
// GET), and at no other time that matters: with transitions measured in
// hours, a deletion is over after a known number of reads, and is never
// over when nobody reads.
func bdwSteppedCloud(t *testing.T, timing mockcloud.Timing, step time.Duration) *testCloud {
	t.Helper()
	c := newTestCloud(t, timing)
	mock := c.Server
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bdwIsStatusRead(r) {
			mock.Advance(step)
		}
		mock.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	c.URL = hs.URL
	return c
}

func bdwIsStatusRead(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		return r.Method == http.MethodGet
	}
	return r.Header.Get("x-acs-action") == "DescribeDesktops" || r.URL.Query().Get("Action") == "DescribeDesktops"
}

// bdwNoCalls checks that nothing reached either cloud since the last
// ResetCalls.
func bdwNoCalls(c *testCloud, what string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if calls := c.Calls(); len(calls) != 0 {
			return fmt.Errorf("%s made %d cloud calls (first %s %s), want none", what, len(calls), calls[0].Cloud, calls[0].Operation)
		}
		return nil
	}
}

// bdwStateHolds checks that the resource at deleteAddr holds exactly want.
func bdwStateHolds(want []string) resource.TestCheckFunc {
	want = slices.Sorted(slices.Values(want))
	return func(s *terraform.State) error {
		got, err := stateDesktopIDs(s, deleteAddr)
		if err != nil {
			return err
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("state holds %v, want exactly %v", got, want)
		}
		return nil
	}
}

// bdwUntouched checks that desktops outside the fleet still exist, idle,
// and were never deleted.
func bdwUntouched(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		d, ok := c.Desktop(cloud, id)
		if !ok {
			return fmt.Errorf("desktop %s outside the fleet is gone", id)
		}
		if n := c.DeleteCount(cloud, id); n != 0 || d.TaskStatus != "" || (d.Status != "Running" && d.Status != "ACTIVE") {
			return fmt.Errorf("desktop %s outside the fleet was touched: %d deletions, status %s/%s", id, n, d.Status, d.TaskStatus)
		}
	}
	return nil
}

// bdwDeletedOnce checks that each desktop was deleted exactly once,
// whatever the mock shows of it now.
func bdwDeletedOnce(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		if n := c.DeleteCount(cloud, id); n != 1 {
			return fmt.Errorf("desktop %s deleted %d times, want once", id, n)
		}
	}
	return nil
}

// bdwDeleteCallsNamed returns the desktops the delete calls since the last
// ResetCalls named, sorted, and an error if a call was not accepted or
// carried more than 100.
func bdwDeleteCallsNamed(c *testCloud, k bdwCloud) ([]string, error) {
	var got []string
	for _, call := range c.CallsTo(k.cloud, k.deleteOp) {
		if len(call.DesktopIDs) > 100 {
			return nil, fmt.Errorf("a %s call named %d desktops, at most 100 allowed", k.deleteOp, len(call.DesktopIDs))
		}
		got = append(got, call.DesktopIDs...)
	}
	slices.Sort(got)
	return got, nil
}

// bdwFailurePattern matches the destroy error: its header with the counts,
// then one line per failed desktop, in ID order, each matching line(id);
// or, from groupAt failed desktops on, when they share one reason, that
// reason once ("<n> desktops: <line>") followed by their IDs.
func bdwFailurePattern(cloud string, total int, failed []string, line func(id string) string) *regexp.Regexp {
	failed = slices.Sorted(slices.Values(failed))
	p := fmt.Sprintf(`(?s)Could not delete %d of %d desktops.*%d of %d desktops on %s were deleted; %d were not\..*Failed:`,
		len(failed), total, total-len(failed), total, cloud, len(failed))
	if len(failed) >= groupAt {
		p += fmt.Sprintf(`\s+%d desktops: %s\n`, len(failed), line(""))
		for _, id := range failed {
			p += `[\s,]+` + regexp.QuoteMeta(id)
		}
		return regexp.MustCompile(p)
	}
	for _, id := range failed {
		p += `[^\n]*\n[^\n]*` + regexp.QuoteMeta(id) + ": " + line(id)
	}
	return regexp.MustCompile(p)
}

// TestAccDesktopBatchDeleteWait_alibaba takes on a fleet of 130 Alibaba
// desktops in two steps without a cloud call, then destroys it: two
// AK-signed DeleteDesktops calls (2020-09-30, at most 100 desktops each),
// DescribeDesktops until every desktop is gone, and nothing else touched.
func TestAccDesktopBatchDeleteWait_alibaba(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "ali", 130)
	keep := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "keep", 3)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			calls := cloud.CallsTo(mockcloud.CloudAlibaba, "DeleteDesktops")
			if len(calls) != 2 {
				return fmt.Errorf("%d DeleteDesktops calls for 130 desktops, want 2", len(calls))
			}
			for _, call := range calls {
				if call.Version != "2020-09-30" || call.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
					return fmt.Errorf("DeleteDesktops used version %s authenticated as %q, want the AK-signed 2020-09-30 API", call.Version, call.Auth)
				}
				if call.Params["RegionId"] != mockcloud.DemoAlibabaRegion || call.Status != http.StatusOK {
					return fmt.Errorf("DeleteDesktops in region %q answered %d %s", call.Params["RegionId"], call.Status, call.ErrorCode)
				}
			}
			named, err := bdwDeleteCallsNamed(cloud, bdwAlibaba)
			if err != nil {
				return err
			}
			if want := slices.Sorted(slices.Values(ids)); !slices.Equal(named, want) {
				return fmt.Errorf("DeleteDesktops calls named %d desktops, want the 130 of the fleet, each once", len(named))
			}
			if len(cloud.CallsTo(mockcloud.CloudAlibaba, "DescribeDesktops")) == 0 {
				return fmt.Errorf("the deletion was never followed with DescribeDesktops")
			}
			for _, call := range cloud.Calls() {
				if call.Cloud != mockcloud.CloudAlibaba || (call.Operation != "DeleteDesktops" && call.Operation != "DescribeDesktops") {
					return fmt.Errorf("destroy made an unexpected %s %s call", call.Cloud, call.Operation)
				}
			}
			if err := bdwUntouched(cloud, mockcloud.CloudAlibaba, keep); err != nil {
				return err
			}
			return desktopsGone(cloud, mockcloud.CloudAlibaba, ids)
		},
		Steps: []resource.TestStep{
			{
				// Taking the fleet on makes no cloud call.
				Config: bdwConfig(cloud, mockcloud.CloudAlibaba, ids[:100], ""),
				Check:  bdwNoCalls(cloud, "create"),
			},
			{
				// Growing it updates in place, still without a call.
				Config: bdwConfig(cloud, mockcloud.CloudAlibaba, ids, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deleteAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(deleteAddr, "desktop_ids.#", "130"),
					bdwNoCalls(cloud, "update"),
				),
			},
		},
	})
}

// TestAccDesktopBatchDeleteWait_matrix destroys a fleet on every cloud with
// and without wait. Deletion takes hours on the mock's clock, which moves
// 45 minutes at each status read: Alibaba desktops are Stopping for 2h, then
// Deleted for 1h; a Huawei job is WAITING for 1h, then RUNNING for 1h. So
// with wait the provider must read three times before the cloud says done,
// and without wait the deletion is still under way when destroy returns.
func TestAccDesktopBatchDeleteWait_matrix(t *testing.T) {
	const step = 45 * time.Minute
	timing := mockcloud.Timing{DeleteStopping: 2 * time.Hour, DeletedVisible: time.Hour, JobWaiting: time.Hour, JobRunning: time.Hour}
	for _, k := range bdwClouds {
		for _, wait := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/wait=%t", k.cloud, wait), func(t *testing.T) {
				cloud := bdwSteppedCloud(t, timing, step)
				ids := cloud.SeedFleet(k.cloud, k.region, "wait", 3)
				keep := cloud.SeedFleet(k.cloud, k.region, "keep", 1)

				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: protoV6ProviderFactories,
					CheckDestroy: func(*terraform.State) error {
						if err := bdwUntouched(cloud, k.cloud, keep); err != nil {
							return err
						}
						if err := bdwDeleteDone(cloud, k, ids, wait); err != nil {
							return err
						}
						return bdwDeletedOnce(cloud, k.cloud, ids)
					},
					Steps: []resource.TestStep{{
						Config: bdwConfig(cloud, k.cloud, ids, fmt.Sprintf("  wait = %t\n", wait)),
						Check:  bdwNoCalls(cloud, "create"),
					}},
				})
			})
		}
	}
}

// bdwDeleteDone checks where the deletion of ids stands once destroy has
// returned: over (with wait) or just accepted, never followed (without).
func bdwDeleteDone(c *testCloud, k bdwCloud, ids []string, wait bool) error {
	deletes := c.CallsTo(k.cloud, k.deleteOp)
	if len(deletes) != 1 || deletes[0].Status/100 != 2 {
		return fmt.Errorf("%d %s calls (%v), want one accepted call", len(deletes), k.deleteOp, deletes)
	}
	var reads []string
	for _, op := range k.readOps {
		for range c.CallsTo(k.cloud, op) {
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

	if k.cloud == mockcloud.CloudHuawei {
		job := deletes[0].JobID
		status, ok := c.HuaweiJobStatus(job)
		want := "SUCCESS"
		if !wait {
			want = "WAITING" // nobody read, so the mock's clock never moved
		}
		if !ok || status != want {
			return fmt.Errorf("delete job %s is %q when destroy has returned, want %s", job, status, want)
		}
		for _, call := range c.CallsTo(k.cloud, "ShowJob") {
			if call.JobID != job {
				return fmt.Errorf("ShowJob asked for job %q, want %s", call.JobID, job)
			}
		}
	}
	for _, id := range ids {
		d, exists := c.Desktop(k.cloud, id)
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
	for _, k := range bdwClouds {
		for _, mode := range k.unknownIDs {
			for _, ignore := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/unknown_ids=%s/ignore_missing=%t", k.cloud, mode, ignore), func(t *testing.T) {
					testIgnoreMissing(t, k, mode, ignore)
				})
			}
		}
	}
}

func testIgnoreMissing(t *testing.T, k bdwCloud, mode string, ignore bool) {
	cloud := newTestCloudWith(t, withUnknownIDs(k.cloud, mode))
	present := cloud.SeedFleet(k.cloud, k.region, "present", 3)
	predeleted := cloud.SeedFleet(k.cloud, k.region, "predeleted", 1)[0]
	keep := cloud.SeedFleet(k.cloud, k.region, "keep", 1)
	missing := slices.Sorted(slices.Values([]string{predeleted, k.neverExisted}))
	all := append(slices.Clone(present), missing...)
	fleet := func(ids []string, ignore bool) string {
		return bdwResource("fleet", k.cloud, ids, fmt.Sprintf("  ignore_missing = %t\n", ignore))
	}
	other := bdwResource("other", k.cloud, []string{predeleted}, "  depends_on = [clouddesktop_desktop_batch_delete.fleet]\n")

	steps := []resource.TestStep{{
		Config: cloud.providerBlock() + fleet(all, ignore) + other,
		Check:  bdwNoCalls(cloud, "create"),
	}}
	if !ignore {
		line := func(string) string {
			return fmt.Sprintf(`%s %s failed[^\n]*: %s:[^\n]*request ID [0-9A-Za-z-]{8,}`, k.cloud, k.deleteOp, regexp.QuoteMeta(k.notFoundCode))
		}
		steps = append(steps,
			resource.TestStep{
				Config:      cloud.providerBlock(),
				ExpectError: bdwFailurePattern(k.cloud, len(all), missing, line),
			},
			resource.TestStep{
				// State holds exactly the two missing desktops: a
				// configuration naming just those plans nothing.
				Config:   cloud.providerBlock() + fleet(missing, false),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			resource.TestStep{
				// Clean up: with ignore_missing on, the next
				// destroy counts them as deleted. The switch
				// itself is an in-place update without a call.
				PreConfig: cloud.ResetCalls,
				Config:    cloud.providerBlock() + fleet(missing, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deleteAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					bdwStateHolds(missing),
					bdwNoCalls(cloud, "switching ignore_missing"),
				),
			},
		)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if ignore {
				// The other resource went first, and its
				// desktop was gone before the fleet's destroy.
				deletes := cloud.CallsTo(k.cloud, k.deleteOp)
				if len(deletes) == 0 || !slices.Equal(deletes[0].DesktopIDs, []string{predeleted}) || deletes[0].Status/100 != 2 {
					return fmt.Errorf("the first %s call was not the other resource's accepted delete of %s", k.deleteOp, predeleted)
				}
			}
			if err := bdwUntouched(cloud, k.cloud, keep); err != nil {
				return err
			}
			// Each deleted once: the predeleted one by the
			// other resource, and never again.
			if err := desktopsGone(cloud, k.cloud, append(slices.Clone(present), predeleted)); err != nil {
				return err
			}
			if n := cloud.DeleteCount(k.cloud, k.neverExisted); n != 0 {
				return fmt.Errorf("the desktop that never existed was deleted %d times", n)
			}
			return nil
		},
		Steps: steps,
	})
}

// TestAccDesktopBatchDeleteWait_timeout destroys with a delete timeout of
// one second while the cloud takes hours: destroy fails naming every
// desktop and the status it was last seen in, and state keeps them all.
// Once the mock's clock has moved past the deletion, the next destroy
// completes without deleting anything twice.
func TestAccDesktopBatchDeleteWait_timeout(t *testing.T) {
	for _, tc := range []struct {
		k          bdwCloud
		timing     mockcloud.Timing
		lastStatus string
	}{
		{bdwAlibaba, mockcloud.Timing{DeleteStopping: 2 * time.Hour}, "Stopping"},
		{bdwHuawei, mockcloud.Timing{JobRunning: 2 * time.Hour}, "RUNNING"},
	} {
		k := tc.k
		t.Run(k.cloud, func(t *testing.T) {
			cloud := newTestCloud(t, tc.timing)
			ids := cloud.SeedFleet(k.cloud, k.region, "slow", 3)
			keep := cloud.SeedFleet(k.cloud, k.region, "keep", 1)
			config := bdwConfig(cloud, k.cloud, ids, "  timeouts {\n    delete = \"1s\"\n  }\n")
			line := func(string) string {
				return `timed out waiting for the cloud \(last status ` + tc.lastStatus + `\)`
			}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					if err := bdwUntouched(cloud, k.cloud, keep); err != nil {
						return err
					}
					// Gone, and deleted once: the retry did not delete
					// again what the first destroy had started.
					return desktopsGone(cloud, k.cloud, ids)
				},
				Steps: []resource.TestStep{
					{Config: config},
					{
						Config:      cloud.providerBlock(),
						ExpectError: bdwFailurePattern(k.cloud, len(ids), ids, line),
					},
					{
						// The deletion is still under way and state keeps
						// the whole fleet. Then, hours later, the cloud has
						// finished, and the destroy at the end of the test
						// finds the desktops gone.
						Config:   config,
						PlanOnly: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						PreConfig: func() {
							for _, id := range ids {
								if d, ok := cloud.Desktop(k.cloud, id); !ok || cloud.DeleteCount(k.cloud, id) != 1 {
									t.Errorf("desktop %s: %+v (exists %t), deleted %d times; want its one deletion under way",
										id, d, ok, cloud.DeleteCount(k.cloud, id))
								}
							}
							cloud.Advance(3 * time.Hour)
						},
					},
				},
			})
		})
	}
}

// TestAccDesktopBatchDeleteWait_timeoutPartial is the timeout with only some
// desktops slow: two are stuck in their deletion, the other three are
// deleted at once. Destroy fails naming just the stuck two with their last
// status, and state keeps just them, so the next destroy retries only those.
func TestAccDesktopBatchDeleteWait_timeoutPartial(t *testing.T) {
	for _, tc := range []struct {
		k          bdwCloud
		stuck      []string
		lastStatus string
	}{
		{bdwAlibaba, []string{"ecd-stuckdesktop00001", "ecd-stuckdesktop00002"}, "Stopping"},
		{bdwHuawei, []string{"57c0c000-0000-4000-8000-000000000001", "57c0c000-0000-4000-8000-000000000002"}, "RUNNING"},
	} {
		k := tc.k
		t.Run(k.cloud, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			good := cloud.SeedFleet(k.cloud, k.region, "fine", 3)
			stuck := func(on bool) {
				for _, id := range tc.stuck {
					cloud.AddDesktops(mockcloud.Desktop{Cloud: k.cloud, Region: k.region, ID: id, Stuck: on})
				}
			}
			stuck(true)
			all := append(slices.Clone(good), tc.stuck...)
			timeouts := "  timeouts {\n    delete = \"1s\"\n  }\n"
			line := func(string) string {
				return `timed out waiting for the cloud \(last status ` + tc.lastStatus + `\)`
			}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					named, err := bdwDeleteCallsNamed(cloud, k)
					if err != nil {
						return err
					}
					if !slices.Equal(named, tc.stuck) {
						return fmt.Errorf("the retried destroy's %s calls named %v, want just %v", k.deleteOp, named, tc.stuck)
					}
					if err := desktopsGone(cloud, k.cloud, good); err != nil {
						return err
					}
					for _, id := range tc.stuck {
						if d, ok := cloud.Desktop(k.cloud, id); ok {
							return fmt.Errorf("desktop %s still exists (%s/%s)", id, d.Status, d.TaskStatus)
						}
					}
					return nil
				},
				Steps: []resource.TestStep{
					{Config: bdwConfig(cloud, k.cloud, all, timeouts)},
					{
						Config:      cloud.providerBlock(),
						ExpectError: bdwFailurePattern(k.cloud, len(all), tc.stuck, line),
					},
					{
						// State holds just the stuck desktops. They then
						// come back as ordinary ones, and the destroy at
						// the end of the test retries only them.
						Config:   bdwConfig(cloud, k.cloud, tc.stuck, timeouts),
						PlanOnly: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						PreConfig: func() {
							if err := desktopsGone(cloud, k.cloud, good); err != nil {
								t.Error(err)
							}
							stuck(false)
							cloud.ResetCalls()
						},
					},
				},
			})
		})
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
	ids := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "ali", 130)
	sorted := slices.Sorted(slices.Values(ids))
	refused := sorted[100:]
	prepaid := refused[17]
	charge := func(ct string) {
		d, ok := cloud.Desktop(mockcloud.CloudAlibaba, prepaid)
		if !ok {
			panic("desktop " + prepaid + " vanished")
		}
		d.ChargeType = ct
		cloud.AddDesktops(d)
	}
	charge("PrePaid")
	line := func(string) string {
		return `alibaba DeleteDesktops failed \(HTTP 400\): InvalidChargeType\.Unsupported: [^\n]*request ID [0-9A-Za-z-]{8,}`
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			named, err := bdwDeleteCallsNamed(cloud, bdwAlibaba)
			if err != nil {
				return err
			}
			if !slices.Equal(named, refused) {
				return fmt.Errorf("the retried destroy's DeleteDesktops calls named %d desktops, want the 30 refused", len(named))
			}
			return desktopsGone(cloud, mockcloud.CloudAlibaba, ids)
		},
		Steps: []resource.TestStep{
			{Config: bdwConfig(cloud, mockcloud.CloudAlibaba, ids, "")},
			{
				Config:      cloud.providerBlock(),
				ExpectError: bdwFailurePattern(mockcloud.CloudAlibaba, len(ids), refused, line),
			},
			{
				// State holds exactly the 30 refused, in the order the
				// configuration listed them. Once the desktop is
				// pay-as-you-go, the destroy at the end of the test
				// deletes just them.
				Config:   bdwConfig(cloud, mockcloud.CloudAlibaba, without(ids, sorted[:100]), ""),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				PreConfig: func() {
					if err := desktopsGone(cloud, mockcloud.CloudAlibaba, sorted[:100]); err != nil {
						t.Error(err)
					}
					charge("PostPaid")
					cloud.ResetCalls()
				},
			},
		},
	})
}
