package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The actions on the real Terraform CLI: terraform_data whose lifecycle
// triggers them. The protocol-level tests (action_protocol_test.go) run
// with any Terraform; these need one with actions.

// firstWithActions is the first Terraform whose actions these tests can
// use: actions came in 1.14, and 1.14.0 ran after_* actions before the
// resource that triggered them.
var firstWithActions = version.Must(version.NewVersion("1.14.1"))

// skipWithoutActions skips, saying why, on a Terraform without usable
// actions.
type skipWithoutActions struct{}

func (skipWithoutActions) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest,
	resp *tfversion.CheckTerraformVersionResponse) {
	if req.TerraformVersion.LessThan(firstWithActions) {
		resp.Skip = fmt.Sprintf("the CLI under test (version %s) has no usable actions: they came in Terraform 1.14, 1.14.0 "+
			"ran after_* actions before the resource that triggered them, and OpenTofu has none; run with "+
			"TF_ACC_TERRAFORM_PATH set to Terraform %s or later (make testacc-actions)", req.TerraformVersion, firstWithActions)
	}
}

var actionVersionChecks = []tfversion.TerraformVersionCheck{skipWithoutActions{}}

// triggeredAction is a configuration whose terraform_data "name", holding
// round, invokes action typ "name" with body on create and on every change.
func triggeredAction(typ, name, round string, body ...string) string {
	return fmt.Sprintf(`
resource "terraform_data" %[3]q {
  input = %[1]q
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.%[2]s.%[3]s]
    }
  }
}
`, round, typ, name) + hclBlock(fmt.Sprintf("action %q %q", typ, name), hclBlock("config", body...))
}

// actionFleetBody is the config of an action over ids on cloud, without
// waiting.
func actionFleetBody(cloud string, ids []string) []string {
	return []string{fmt.Sprintf("cloud = %q", cloud), "desktop_ids = " + hclStrings(ids), waitLine(false)}
}

// TestAccActionReboot_triggers: the reboot action fires when the
// triggering resource is created and when it changes, and not on a plan
// with nothing to do; on both clouds.
func TestAccActionReboot_triggers(t *testing.T) {
	for _, f := range bothClouds {
		t.Run(f.name, func(t *testing.T) {
			mock := newTestCloud(t, mockcloud.Timing{})
			ids := mock.seed(f, "act", 3)
			config := func(round string) string {
				return mock.providerBlock() + triggeredAction(rebootActionType, "fleet", round, actionFleetBody(f.name, ids)...)
			}
			rebooted := func(times int) []statecheck.StateCheck {
				return []statecheck.StateCheck{onMock(func() error { return everyDesktopRebooted(mock, ids, times) })}
			}
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   actionVersionChecks,
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config("1"), ConfigStateChecks: rebooted(1)},
					{
						// Nothing changed: no action is planned, none fires.
						Config:            config("1"),
						ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						ConfigStateChecks: rebooted(1),
					},
					{Config: config("2"), ConfigStateChecks: rebooted(2)},
				},
			})
		})
	}
}

// TestAccActionDelete_failureFailsTheApply: a delete the cloud refuses
// fails the apply with the cloud's own words, per desktop; the desktops
// stay.
func TestAccActionDelete_failureFailsTheApply(t *testing.T) {
	for _, f := range bothClouds {
		t.Run(f.name, func(t *testing.T) {
			mock := newTestCloud(t, mockcloud.Timing{})
			ids := mock.seed(f, "act", 3)
			mock.InjectFault(mockcloud.Fault{Cloud: f.name, Operation: f.deleteOp, Kind: mockcloud.FaultError, Status: 403,
				Code: "Forbidden.ByTest", Message: "the test forbids this deletion"})
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   actionVersionChecks,
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: mock.providerBlock() + triggeredAction(deleteActionType, "fleet", "1", actionFleetBody(f.name, ids)...),
					ExpectError: regexp.MustCompile(`Could not delete 3 of 3 desktops[\s\S]*Forbidden\.ByTest[\s\S]*the test forbids ` +
						`this\s+deletion`),
				}},
				CheckDestroy: onMockAfterDestroy(func() error { return untouched(mock, f.name, ids) }),
			})
		})
	}
}

// TestAccActionSecretsNeverLogged: the actions take their credentials from
// the provider, so at TF_LOG=TRACE neither the plan, nor the log, nor a
// diagnostic holds any of them.
func TestAccActionSecretsNeverLogged(t *testing.T) {
	logPath := tracedLog(t)
	srv := newTestCloudWith(t, func(cfg *mockcloud.Config) {
		cfg.AlibabaKeys = map[string]string{leakAlibabaAK: leakAlibabaSK}
		cfg.HuaweiAuthTokens = []string{leakHuaweiAuth}
	})
	ali := srv.seed(alibabaCloud, "leak", 2)
	hw := srv.seed(huaweiCloud, "leak", 2)
	config := leakProviderBlock(srv.URL, fmt.Sprintf("auth_token = %q", leakHuaweiAuth)) +
		triggeredAction(rebootActionType, "alibaba", "1", actionFleetBody("alibaba", ali)...) +
		triggeredAction(deleteActionType, "huawei", "1", actionFleetBody("huawei", hw)...)
	secrets := []string{leakAlibabaAK, leakAlibabaSK, leakAlibabaSTS, leakHuaweiAuth, leakSecretsPattern}

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionVersionChecks,
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planHoldsNone(secrets)}},
			ConfigStateChecks: []statecheck.StateCheck{onMock(
				func() error { return everyDesktopRebooted(srv, ali, 1) },
				func() error { return deletedOnce(srv, huaweiCloud.name, hw) },
			)},
		}},
	})
	checkTraceLog(t, logPath, nil, secrets, "RebootDesktops", "batch-delete", `ACS3-HMAC-SHA256 ***`, `X-Auth-Token:***`)
}
