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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// uuidPattern is the form of the IDs the provider makes up.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

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
	mock := newTestCloud(t, mockcloud.Timing{})
	ids := mock.seed(alibabaCloud, "fleet", 45)
	config := func(round string) string {
		return mock.rebootConfig(alibabaCloud.name, ids, keepers(round), hclBlock("alibaba", clientAPILogin,
			`client_os = "Linux"`, `client_version = "7.5.0"`, `uuid = "device-0001"`, `os_update = false`))
	}
	var firstTokens []string
	newReboot := statecheck.CompareValue(compare.ValuesDiffer())
	sameReboot := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// 45 desktops through the client API (20 a call) are 3 calls.
				Config: config("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("rebooted_at"), rfc3339()),
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("alibaba").AtMapKey("client_id"), knownvalue.StringRegexp(uuidPattern)),
					newReboot.AddStateValue(rebootAddr, tfjsonpath.New("id")),
					sameReboot.AddStateValue(rebootAddr, tfjsonpath.New("id")),
					onMock(func() error {
						var sizes []int
						for _, call := range mock.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops") {
							sizes = append(sizes, len(call.DesktopIDs))
							if err := alibabaClientAPI.checkCall(call); err != nil {
								return err
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
						tokens, err := rebootTokens(mock, "2020-10-02")
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
						return everyDesktopRebooted(mock, ids, 1)
					}),
				},
			},
			{
				// No change: an empty plan, no call, the same reboot.
				Config: config("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameReboot.AddStateValue(rebootAddr, tfjsonpath.New("id")),
					onMock(func() error {
						if n := len(mock.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops")); n != 3 {
							return fmt.Errorf("%d RebootDesktops calls after a no-op apply, want still 3", n)
						}
						return everyDesktopRebooted(mock, ids, 1)
					}),
				},
			},
			{
				// A keepers change replaces the resource: a new reboot, with a
				// new id and new ClientTokens.
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rebootAddr, plancheck.ResourceActionReplace)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					newReboot.AddStateValue(rebootAddr, tfjsonpath.New("id")),
					onMock(func() error {
						tokens, err := rebootTokens(mock, "2020-10-02")
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
						return everyDesktopRebooted(mock, ids, 2)
					}),
				},
			},
		},
	})
}

// TestAccDesktopReboot_api reboots a fleet larger than one call takes
// through the AK-signed Alibaba admin API and a Huawei HARD reboot: the
// calls go through that API, at most its maximum a call, and every desktop
// is rebooted once.
func TestAccDesktopReboot_api(t *testing.T) {
	for _, tt := range []struct {
		api   rebootAPI
		fleet int
	}{
		{alibabaAdminAPI, 150},
		{huaweiHardReboot, 120},
	} {
		t.Run(tt.api.name, func(t *testing.T) {
			mock := newTestCloud(t, mockcloud.Timing{})
			ids := mock.seed(tt.api.cloud, "api", tt.fleet)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: mock.providerBlock() + tt.api.resource(ids),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(2)),
						onMock(
							func() error { return checkRebootCalls(mock, tt.api, ids) },
							func() error { return everyDesktopRebooted(mock, ids, 1) },
						),
					},
				}},
			})
		})
	}
}
