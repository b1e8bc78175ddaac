package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// failedDestroy is the story most batch-delete tests tell: a fleet taken
// on without a cloud call, a destroy that fails for some of its desktops,
// and state that keeps exactly those, so that a configuration naming them
// plans no change.
type failedDestroy struct {
	c *testCloud
	// provider is the provider block; fleet renders the resource at
	// deleteAddr holding ids; beside is more HCL for the first step only.
	provider string
	fleet    func(ids []string) string
	beside   string
	// all is the fleet taken on, left what the failed destroy leaves.
	all, left []string
	// breakCloud, when set, arms the mock just before the destroy.
	breakCloud func()
	// want matches the destroy's error.
	want *regexp.Regexp
	// checks run on the mock once state is seen to hold left.
	checks []func() error
}

// steps are the steps of d, followed by more.
func (d failedDestroy) steps(more ...resource.TestStep) []resource.TestStep {
	return append([]resource.TestStep{
		{
			// Taking the fleet on makes no cloud call.
			Config:            d.provider + d.fleet(d.all) + d.beside,
			ConfigStateChecks: []statecheck.StateCheck{onMock(noCloudCalls(d.c, "create"))},
		},
		{PreConfig: d.breakCloud, Config: d.provider, ExpectError: d.want},
		{
			// State holds exactly the desktops the cloud did not delete:
			// a configuration naming just those plans no change at all.
			Config:           d.provider + d.fleet(d.left),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(deleteAddr, tfjsonpath.New("desktop_ids"), stringsInAnyOrder(d.left)),
				onMock(d.checks...),
			},
		},
	}, more...)
}

// destroyRest is the step after a failed destroy: once heal has put the
// cloud right, removing the resource deletes what is left, and checks hold
// on the mock.
func destroyRest(provider string, heal func(), checks ...func() error) resource.TestStep {
	return resource.TestStep{
		PreConfig: heal,
		Config:    provider,
		ConfigStateChecks: []statecheck.StateCheck{
			expectNoResource(deleteAddr),
			onMock(checks...),
		},
	}
}

// TestAccDesktopBatchDelete_takeOnAndDestroy takes on a fleet of 130
// desktops in two steps without a cloud call (growing it is an update in
// place), then destroys it: two delete calls (at most 100 desktops each)
// as the cloud's API wants them, the deletion followed until every desktop
// is gone, each deleted once, and nothing else touched.
func TestAccDesktopBatchDelete_takeOnAndDestroy(t *testing.T) {
	tests := []struct {
		cloud cloudFixture
		// body is what the resource sets beyond its fleet.
		body string
		// checkCall checks one delete call against the API and body.
		checkCall func(mockcloud.Call) error
		// onlyOps: destroy calls only the delete and the reads of its wait.
		onlyOps bool
	}{
		{
			// The AK-signed 2020-09-30 API, in the provider's region.
			cloud: alibabaCloud,
			checkCall: func(call mockcloud.Call) error {
				if call.Version != "2020-09-30" || call.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
					return fmt.Errorf("DeleteDesktops used version %s authenticated as %q, want the AK-signed 2020-09-30 API", call.Version, call.Auth)
				}
				if call.Params["RegionId"] != mockcloud.DemoAlibabaRegion || call.Status != 200 {
					return fmt.Errorf("DeleteDesktops in region %q answered %d %s", call.Params["RegionId"], call.Status, call.ErrorCode)
				}
				return nil
			},
			onlyOps: true,
		},
		{
			// The flags of the huawei block travel in the body.
			cloud: huaweiCloud,
			body:  hclBlock("huawei", "delete_users       = true", "email_notification = false", "is_force_delete    = true"),
			checkCall: func(call mockcloud.Call) error {
				for _, want := range []string{`"delete_users":true`, `"email_notification":false`, `"is_force_delete":true`} {
					if !strings.Contains(string(call.Body), want) {
						return fmt.Errorf("batch-delete body %s lacks %s", call.Body, want)
					}
				}
				return nil
			},
		},
	}
	for _, tt := range tests {
		f := tt.cloud
		t.Run(f.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.seed(f, "fleet", 130)
			keep := cloud.seed(f, "keep", 3)
			fleet := func(ids []string) string { return cloud.deleteConfig(f.name, ids, tt.body) }

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: onMockAfterDestroy(
					func() error {
						calls := cloud.CallsTo(f.name, f.deleteOp)
						if len(calls) != 2 {
							return fmt.Errorf("%d %s calls for 130 desktops, want 2", len(calls), f.deleteOp)
						}
						for _, call := range calls {
							if err := tt.checkCall(call); err != nil {
								return err
							}
						}
						return deleteCallsNamed(cloud, f, ids)
					},
					func() error {
						var reads, others []string
						for _, call := range cloud.Calls() {
							switch {
							case call.Cloud == f.name && slices.Contains(f.deleteWaitReads, call.Operation):
								reads = append(reads, call.Operation)
							case call.Cloud != f.name || call.Operation != f.deleteOp:
								others = append(others, call.Cloud+" "+call.Operation)
							}
						}
						if len(reads) == 0 {
							return fmt.Errorf("the deletion was never followed (%v)", f.deleteWaitReads)
						}
						if tt.onlyOps && len(others) > 0 {
							return fmt.Errorf("destroy made unexpected calls: %v", others)
						}
						return nil
					},
					func() error { return untouched(cloud, f.name, keep) },
					func() error { return desktopsGone(cloud, f.name, ids) },
				),
				Steps: []resource.TestStep{
					{
						// Taking the fleet on makes no cloud call.
						Config:            fleet(ids[:100]),
						ConfigStateChecks: []statecheck.StateCheck{onMock(noCloudCalls(cloud, "create"))},
					},
					{
						// Growing it updates in place, still without a call.
						Config: fleet(ids),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deleteAddr, plancheck.ResourceActionUpdate)},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue(deleteAddr, tfjsonpath.New("desktop_ids"), knownvalue.ListSizeExact(130)),
							onMock(noCloudCalls(cloud, "update")),
						},
					},
				},
			})
		})
	}
}

// TestAccDesktopBatchDelete_huaweiErrorStatuses: a refusal of the
// batch-delete call fails the destroy with the cloud's code, message,
// detail and request ID; the fleet stays in state, whole, and once the
// cloud recovers, destroy completes. A refusal (4xx) is final; a 500 is
// retried after a read-back, since it may have been applied.
func TestAccDesktopBatchDelete_huaweiErrorStatuses(t *testing.T) {
	tests := []struct {
		status int
		code   string
	}{
		{400, "WKS.0001"},
		{401, "APIGW.0301"},
		{403, "WKS.0403"},
		{404, "WKS.0004"},
		{409, "WKS.0409"},
		{500, "WKS.0500"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.seed(huaweiCloud, "err", 3)
			message := fmt.Sprintf("injected failure %d", tt.status)
			destroy := failedDestroy{
				c:        cloud,
				provider: cloud.providerBlock(),
				// ignore_missing = false, so a 404 is an error too.
				fleet: func(ids []string) string {
					return hclResource(deleteType, "fleet", huaweiCloud.name, ids, "ignore_missing = false")
				},
				all: ids, left: ids,
				breakCloud: func() {
					cloud.InjectFault(mockcloud.Fault{
						Cloud: huaweiCloud.name, Operation: huaweiCloud.deleteOp, Kind: mockcloud.FaultError,
						Status: tt.status, Code: tt.code, Message: message,
					})
				},
				// error_code, error_msg, error_detail (the mock's is the
				// message with a full stop) and the request ID.
				want: regexp.MustCompile(fmt.Sprintf(`(?s)huawei BatchDeleteDesktops failed \(HTTP %d\): %s: %s \(%s\.\); request ID [0-9A-Za-z-]{8,}`,
					tt.status, regexp.QuoteMeta(tt.code), message, message)),
			}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy:             onMockAfterDestroy(func() error { return desktopsGone(cloud, huaweiCloud.name, ids) }),
				Steps: destroy.steps(destroyRest(cloud.providerBlock(), cloud.ClearFaults, func() error {
					// max_retries is 3: a 500 is sent 1+3 times, each
					// resend after reading the batch back.
					want, reads := 2, 0
					if tt.status == 500 {
						want, reads = 1+3+1, 3
					}
					if n := len(cloud.CallsTo(huaweiCloud.name, huaweiCloud.deleteOp)); n != want {
						return fmt.Errorf("%d batch-delete calls, want %d for status %d", n, want, tt.status)
					}
					if n := len(cloud.CallsTo(huaweiCloud.name, huaweiCloud.listOp)); n < reads {
						return fmt.Errorf("%d listings, want a read-back before each of the %d resends", n, reads)
					}
					return nil
				})),
			})
		})
	}
}

// TestAccDesktopBatchDelete_partialFailureKeepsUndeleted: two FAILED
// sub-jobs of a Huawei delete job fail the destroy naming those two, state
// keeps exactly them, and the next destroy deletes only them.
func TestAccDesktopBatchDelete_partialFailureKeepsUndeleted(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.seed(huaweiCloud, "part", 5)
	failing := slices.Sorted(slices.Values([]string{ids[1], ids[3]}))
	destroy := failedDestroy{
		c:        cloud,
		provider: cloud.providerBlock(),
		fleet:    func(ids []string) string { return hclResource(deleteType, "fleet", huaweiCloud.name, ids) },
		all:      ids, left: failing,
		breakCloud: func() {
			cloud.InjectFault(mockcloud.Fault{Cloud: huaweiCloud.name, Kind: mockcloud.FaultJobFailed, DesktopIDs: failing})
		},
		want: failurePattern("delete", huaweiCloud.name, len(ids), failing, sameLine(`huawei [^\n]*WKS\.0500[^\n]*`)),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             onMockAfterDestroy(func() error { return desktopsGone(cloud, huaweiCloud.name, ids) }),
		Steps: destroy.steps(destroyRest(cloud.providerBlock(),
			func() {
				cloud.ClearFaults()
				cloud.ResetCalls()
			},
			// The next destroy retries only those two.
			func() error { return deleteCallsNamed(cloud, huaweiCloud, failing) },
		)),
	})
}
