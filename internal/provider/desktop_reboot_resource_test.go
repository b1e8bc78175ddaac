package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

const rebootAddr = "clouddesktop_desktop_reboot.fleet"

func alibabaClientAPIRebootConfig(c *testCloud, ids []string, round string) string {
	return c.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = "alibaba"
  desktop_ids = %s
  keepers     = { round = %q }

  alibaba {
    session_id     = %q
    login_token    = %q
    client_os      = "Linux"
    client_version = "7.5.0"
    uuid           = "device-0001"
    os_update      = false
  }
}
`, hclStrings(ids), round, mockcloud.DemoAlibabaSessionID, mockcloud.DemoAlibabaLoginToken)
}

// rebootTokens returns the ClientTokens of the RebootDesktops calls made
// so far, checking the shape of each call on the way.
func rebootTokens(c *testCloud, wantVersion string) ([]string, error) {
	var tokens []string
	for _, call := range c.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops") {
		if call.Version != wantVersion {
			return nil, fmt.Errorf("call used version %s, want %s", call.Version, wantVersion)
		}
		if call.Status != 200 {
			return nil, fmt.Errorf("call answered %d %s", call.Status, call.ErrorCode)
		}
		tokens = append(tokens, call.ClientToken)
	}
	return tokens, nil
}

func TestAccDesktopReboot_alibabaClientAPI(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "fleet", 45)
	var firstTokens []string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// 45 desktops through the client API (20 a call) are 3 calls.
				Config: alibabaClientAPIRebootConfig(cloud, ids, "1"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(rebootAddr, "request_ids.#", "3"),
					resource.TestMatchResourceAttr(rebootAddr, "rebooted_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
					resource.TestCheckResourceAttrSet(rebootAddr, "alibaba.client_id"),
					func(*terraform.State) error {
						calls := cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops")
						var sizes []int
						for _, call := range calls {
							sizes = append(sizes, len(call.DesktopIDs))
							if call.Auth != "anonymous" {
								return fmt.Errorf("client API call authenticated as %q, want anonymous", call.Auth)
							}
							for _, p := range []string{"RegionId", "ClientId", "SessionId", "LoginToken", "ClientOS", "ClientVersion", "Uuid", "OsUpdate"} {
								if call.Params[p] == "" {
									return fmt.Errorf("call lacks %s: %v", p, call.Params)
								}
							}
						}
						slices.Sort(sizes)
						if !slices.Equal(sizes, []int{5, 20, 20}) {
							return fmt.Errorf("batch sizes %v, want 20, 20, 5", sizes)
						}
						tokens, err := rebootTokens(cloud, "2020-10-02")
						if err != nil {
							return err
						}
						if len(slices.Compact(slices.Sorted(slices.Values(tokens)))) != 3 {
							return fmt.Errorf("ClientTokens not distinct per batch: %v", tokens)
						}
						for _, tok := range tokens {
							if len(tok) == 0 || len(tok) > 64 {
								return fmt.Errorf("ClientToken %q is not 1..64 characters", tok)
							}
						}
						firstTokens = tokens
						return everyDesktopRebooted(cloud, ids, 1)
					},
				),
			},
			{
				// No change: an empty plan and no call.
				Config: alibabaClientAPIRebootConfig(cloud, ids, "1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if n := len(cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops")); n != 3 {
						return fmt.Errorf("%d RebootDesktops calls after a no-op apply, want still 3", n)
					}
					return everyDesktopRebooted(cloud, ids, 1)
				},
			},
			{
				// A keepers change replaces the resource: a new reboot with new ClientTokens.
				Config: alibabaClientAPIRebootConfig(cloud, ids, "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionReplace)},
				},
				Check: func(*terraform.State) error {
					tokens, err := rebootTokens(cloud, "2020-10-02")
					if err != nil {
						return err
					}
					if len(tokens) != 6 {
						return fmt.Errorf("%d RebootDesktops calls, want 6", len(tokens))
					}
					for _, tok := range tokens[3:] {
						if slices.Contains(firstTokens, tok) {
							return fmt.Errorf("second reboot reused ClientToken %q", tok)
						}
					}
					return everyDesktopRebooted(cloud, ids, 2)
				},
			},
		},
	})
}

func everyDesktopRebooted(c *testCloud, ids []string, times int) error {
	var wrong []string
	for _, id := range ids {
		if n := c.RebootCount(mockcloud.CloudAlibaba, id) + c.RebootCount(mockcloud.CloudHuawei, id); n != times {
			wrong = append(wrong, id+" rebooted "+strconv.Itoa(n)+" times")
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("want each desktop rebooted %d times: %s", times, strings.Join(wrong, "; "))
	}
	return nil
}

func TestAccDesktopReboot_alibabaAdminAPI(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "admin", 150)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cloud.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = "alibaba"
  desktop_ids = %s
}
`, hclStrings(ids)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(rebootAddr, "request_ids.#", "2"),
				func(*terraform.State) error {
					for _, call := range cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops") {
						if call.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
							return fmt.Errorf("admin API call authenticated as %q", call.Auth)
						}
						if _, ok := call.Params["LoginToken"]; ok {
							return fmt.Errorf("admin API call carries a LoginToken")
						}
					}
					if _, err := rebootTokens(cloud, "2020-09-30"); err != nil {
						return err
					}
					return everyDesktopRebooted(cloud, ids, 1)
				},
			),
		}},
	})
}

func TestAccDesktopReboot_huawei(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "hw", 120)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cloud.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = "huawei"
  desktop_ids = %s
  huawei {
    type = "HARD"
  }
}
`, hclStrings(ids)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(rebootAddr, "request_ids.#", "2"),
				func(*terraform.State) error {
					calls := cloud.CallsTo(mockcloud.CloudHuawei, "BatchRunDesktops")
					if len(calls) != 2 {
						return fmt.Errorf("%d desktops/action calls, want 2", len(calls))
					}
					for _, call := range calls {
						if !strings.Contains(string(call.Body), `"op_type":"reboot"`) || !strings.Contains(string(call.Body), `"type":"HARD"`) {
							return fmt.Errorf("unexpected body %s", call.Body)
						}
					}
					return everyDesktopRebooted(cloud, ids, 1)
				},
			),
		}},
	})
}
