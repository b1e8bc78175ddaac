package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

const deleteAddr = "clouddesktop_desktop_batch_delete.fleet"

func huaweiBatchDeleteConfig(c *testCloud, ids []string, extra string) string {
	return c.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_batch_delete" "fleet" {
  cloud       = "huawei"
  desktop_ids = %s
%s
}
`, hclStrings(ids), extra)
}

// stateDesktopIDs reads desktop_ids of the resource at addr from state.
func stateDesktopIDs(s *terraform.State, addr string) ([]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	var ids []string
	for k, v := range rs.Primary.Attributes {
		if strings.HasPrefix(k, "desktop_ids.") && k != "desktop_ids.#" {
			ids = append(ids, v)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

func desktopsGone(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		if d, ok := c.Desktop(cloud, id); ok {
			return fmt.Errorf("desktop %s still exists (status %s)", id, d.Status)
		}
		if n := c.DeleteCount(cloud, id); n != 1 {
			return fmt.Errorf("desktop %s deleted %d times, want once", id, n)
		}
	}
	return nil
}

func TestAccDesktopBatchDelete_huawei(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "hw", 130)
	keep := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "keep", 3)
	flags := `
  huawei {
    delete_users       = true
    email_notification = false
    is_force_delete    = true
  }`

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			calls := cloud.CallsTo(mockcloud.CloudHuawei, "BatchDeleteDesktops")
			if len(calls) != 2 {
				return fmt.Errorf("%d batch-delete calls for 130 desktops, want 2", len(calls))
			}
			for _, call := range calls {
				for _, want := range []string{`"delete_users":true`, `"email_notification":false`, `"is_force_delete":true`} {
					if !strings.Contains(string(call.Body), want) {
						return fmt.Errorf("batch-delete body %s lacks %s", call.Body, want)
					}
				}
			}
			if len(cloud.CallsTo(mockcloud.CloudHuawei, "ShowJob")) == 0 {
				return fmt.Errorf("the deletion job was never polled")
			}
			for _, id := range keep {
				if _, ok := cloud.Desktop(mockcloud.CloudHuawei, id); !ok {
					return fmt.Errorf("desktop %s outside the fleet was deleted", id)
				}
			}
			return desktopsGone(cloud, mockcloud.CloudHuawei, ids)
		},
		Steps: []resource.TestStep{
			{
				// Taking the fleet on makes no cloud call.
				Config: huaweiBatchDeleteConfig(cloud, ids[:100], flags),
				Check: func(*terraform.State) error {
					if n := len(cloud.Calls()); n != 0 {
						return fmt.Errorf("create made %d cloud calls, want none", n)
					}
					return nil
				},
			},
			{
				// Growing the fleet updates in place, still without a call.
				Config: huaweiBatchDeleteConfig(cloud, ids, flags),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(deleteAddr, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(deleteAddr, "desktop_ids.#", "130"),
					func(*terraform.State) error {
						if n := len(cloud.Calls()); n != 0 {
							return fmt.Errorf("update made %d cloud calls, want none", n)
						}
						return nil
					},
				),
			},
		},
	})
}

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
			ids := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "err", 3)
			message := fmt.Sprintf("injected failure %d", tt.status)
			// ignore_missing = false, so a 404 is an error too.
			config := huaweiBatchDeleteConfig(cloud, ids, "  ignore_missing = false")
			// error_code, error_msg, error_detail (the mock's is the
			// message with a full stop) and the request ID.
			want := regexp.MustCompile(fmt.Sprintf(`(?s)huawei BatchDeleteDesktops failed \(HTTP %d\): %s: %s \(%s\.\); request ID [0-9A-Za-z-]{8,}`,
				tt.status, regexp.QuoteMeta(tt.code), message, message))

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					return desktopsGone(cloud, mockcloud.CloudHuawei, ids)
				},
				Steps: []resource.TestStep{
					{Config: config},
					{
						PreConfig: func() {
							cloud.InjectFault(mockcloud.Fault{
								Cloud: mockcloud.CloudHuawei, Operation: "BatchDeleteDesktops", Kind: mockcloud.FaultError,
								Status: tt.status, Code: tt.code, Message: message,
							})
						},
						Config:      cloud.providerBlock(),
						ExpectError: want,
					},
					{
						// The fleet is still in state, whole; once the cloud recovers, destroy completes.
						PreConfig: cloud.ClearFaults,
						Config:    cloud.providerBlock(),
						Check: func(*terraform.State) error {
							// A refusal (4xx) is final. 500 is retried up
							// to max_retries (3), each time after reading
							// the batch back, since it may have been applied.
							want, reads := 2, 0
							if tt.status == 500 {
								want, reads = 1+3+1, 3
							}
							if n := len(cloud.CallsTo(mockcloud.CloudHuawei, "BatchDeleteDesktops")); n != want {
								return fmt.Errorf("%d batch-delete calls, want %d for status %d", n, want, tt.status)
							}
							if n := len(cloud.CallsTo(mockcloud.CloudHuawei, "ListDesktopsDetail")); n < reads {
								return fmt.Errorf("%d listings, want a read-back before each of the %d resends", n, reads)
							}
							return nil
						},
					},
				},
			})
		})
	}
}

func TestAccDesktopBatchDelete_partialFailureKeepsUndeleted(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "part", 5)
	failing := slices.Sorted(slices.Values([]string{ids[1], ids[3]}))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return desktopsGone(cloud, mockcloud.CloudHuawei, ids)
		},
		Steps: []resource.TestStep{
			{Config: huaweiBatchDeleteConfig(cloud, ids, "")},
			{
				PreConfig: func() {
					cloud.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudHuawei, Kind: mockcloud.FaultJobFailed, DesktopIDs: failing})
				},
				Config: cloud.providerBlock(),
				ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Could not delete 2 of 5 desktops.*%s: huawei .*WKS\.0500.*%s: huawei .*WKS\.0500`,
					failing[0], failing[1])),
			},
			{
				// State holds exactly the two desktops the cloud did not delete: a
				// configuration naming just those two plans no change at all.
				Config: huaweiBatchDeleteConfig(cloud, failing, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(s *terraform.State) error {
					got, err := stateDesktopIDs(s, deleteAddr)
					if err != nil {
						return err
					}
					if !slices.Equal(got, failing) {
						return fmt.Errorf("state holds %v, want exactly the undeleted %v", got, failing)
					}
					return nil
				},
			},
			{
				// The next destroy retries only those two.
				PreConfig: func() {
					cloud.ClearFaults()
					cloud.ResetCalls()
				},
				Config: cloud.providerBlock(),
				Check: func(*terraform.State) error {
					return deleteCallsCarryExactly(cloud, failing)
				},
			},
		},
	})
}

// deleteCallsCarryExactly checks that the Huawei batch-delete calls since the
// last ResetCalls named exactly want, each desktop once.
func deleteCallsCarryExactly(cloud *testCloud, want []string) error {
	var got []string
	for _, c := range cloud.CallsTo(mockcloud.CloudHuawei, "BatchDeleteDesktops") {
		got = append(got, c.DesktopIDs...)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("batch-delete calls named %v, want exactly %v", got, want)
	}
	return nil
}
