package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// Distinct secret values, so that any of them turning up anywhere is a leak.
const (
	leakAlibabaAK      = "LTAILEAKCHECKAK0001"
	leakAlibabaSK      = "leak-check-alibaba-secret-0002"
	leakAlibabaSTS     = "leak-check-alibaba-sts-0003"
	leakLoginToken     = "leak-check-login-token-0004"
	leakSessionToken   = "leak-check-session-token-0005"
	leakWrongLogin     = "leak-check-wrong-login-0006"
	leakHuaweiAK       = "HWLEAKCHECKAK0007"
	leakHuaweiSK       = "leak-check-huawei-secret-0008"
	leakHuaweiAuth     = "leak-check-huawei-auth-token-0009"
	leakSessionID      = "leak-session-1"
	leakSecretsPattern = "leak-check-"
)

var leakSecrets = []string{
	leakAlibabaAK, leakAlibabaSK, leakAlibabaSTS, leakLoginToken, leakSessionToken, leakWrongLogin,
	leakHuaweiAK, leakHuaweiSK, leakHuaweiAuth, leakSecretsPattern,
}

// TestAccSecretsNeverLogged runs reboots and a batch delete on both clouds
// with every kind of credential at TF_LOG=TRACE, plus a failing call whose
// error body echoes the token it was given, and then searches the whole
// log (Terraform's and the provider's) and every diagnostic for the
// secrets. It also checks that the log did record the requests, with
// their signatures and X-Auth-Token masked, so that an empty log cannot
// pass. It sets environment variables, so it does not run in parallel.
func TestAccSecretsNeverLogged(t *testing.T) {
	logPath := tracedLog(t)

	srv := newTestCloudWith(t, func(cfg *mockcloud.Config) {
		cfg.AlibabaKeys = map[string]string{leakAlibabaAK: leakAlibabaSK}
		cfg.AlibabaLoginTokens = map[string]string{leakSessionID: leakLoginToken}
		cfg.HuaweiKeys = map[string]string{leakHuaweiAK: leakHuaweiSK}
		cfg.HuaweiAuthTokens = []string{leakHuaweiAuth}
	})
	ali := srv.seed(alibabaCloud, "leak", 4)
	hw := srv.seed(huaweiCloud, "leak", 4)
	// Retries and error answers are logged too: one throttled client-API
	// reboot (its query carries the login token), one 502 page and one
	// reset connection, each followed by a retry.
	srv.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudAlibaba, Operation: "RebootDesktops", Kind: mockcloud.FaultThrottle, Count: 1})
	srv.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudHuawei, Operation: "BatchRunDesktops", Kind: mockcloud.FaultHTML, Status: 502, Count: 1})
	srv.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudHuawei, Operation: "BatchDeleteDesktops", Kind: mockcloud.FaultReset, Count: 1})

	// One provider configuration per step, not aliases: the test harness
	// serves every alias from one provider instance. Step 2 switches
	// Huawei from AK/SK signing to an IAM token.
	fleet := func(loginToken string, huaweiToken bool) string {
		huaweiCreds := fmt.Sprintf("access_key = %q\n    secret_key = %q", leakHuaweiAK, leakHuaweiSK)
		if huaweiToken {
			huaweiCreds = fmt.Sprintf("auth_token = %q", leakHuaweiAuth)
		}
		return leakProviderBlock(srv.URL, huaweiCreds) + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "client_api" {
  cloud       = "alibaba"
  desktop_ids = %[1]s
  alibaba {
    session_id    = %[2]q
    login_token   = %[3]q
    session_token = %[4]q
  }
}

resource "clouddesktop_desktop_reboot" "admin_api" {
  cloud       = "alibaba"
  desktop_ids = %[5]s
}

resource "clouddesktop_desktop_reboot" "huawei" {
  cloud       = "huawei"
  desktop_ids = %[6]s
}

resource "clouddesktop_desktop_batch_delete" "huawei" {
  cloud       = "huawei"
  desktop_ids = %[7]s
}
`, hclStrings(ali[:2]), leakSessionID, loginToken, leakSessionToken, hclStrings(ali[2:]), hclStrings(hw[:2]), hclStrings(hw[2:]))
	}

	var diagnostics []string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		// The failing step below is checked here rather than with
		// ExpectError, so that its whole text can be searched.
		ErrorCheck: func(err error) error {
			diagnostics = append(diagnostics, err.Error())
			if !strings.Contains(err.Error(), "InvalidLoginToken") {
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: fleet(leakLoginToken, false),
				// One call, or two when it drew the throttling fault
				// (which of the two Alibaba reboots draws it varies).
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rebootType+".client_api", tfjsonpath.New("request_ids"), listSizeBetween(1, 2)),
				},
			},
			{
				// A wrong login token: the mock's error message echoes it,
				// as the cloud's does.
				Config: fleet(leakLoginToken, true),
				Taint:  []string{"clouddesktop_desktop_reboot.huawei"},
			},
			{
				Config: fleet(leakWrongLogin, true),
				Taint:  []string{"clouddesktop_desktop_reboot.client_api"},
			},
		},
	})
	if len(diagnostics) == 0 {
		t.Fatal("the wrong login token did not fail the apply, so the diagnostic path was not checked")
	}
	for _, f := range srv.Faults() {
		if f.Fired != 1 {
			t.Errorf("fault %s on %s fired %d times, want once: the retry path was not checked", f.Fault.Kind, f.Fault.Operation, f.Fired)
		}
	}

	checkTraceLog(t, logPath, diagnostics, leakSecrets,
		`ACS3-HMAC-SHA256 ***`, `SDK-HMAC-SHA256 ***`, `X-Auth-Token:***`, `LoginToken=%2A%2A%2A`,
		"RebootDesktops", "batch-delete", "InvalidLoginToken", "retrying cloud call", "Throttling")
}

// leakProviderBlock configures the provider at url with every kind of
// Alibaba credential and huaweiCreds, all of them leak-check values.
func leakProviderBlock(url, huaweiCreds string) string {
	return fmt.Sprintf(`
provider "clouddesktop" {
  alibaba {
    region         = %q
    access_key     = %q
    secret_key     = %q
    security_token = %q
    endpoint       = %q
  }
  huawei {
    region     = "cn-north-4"
    project_id = %q
    %s
    endpoint   = %q
  }
}
`, mockcloud.DemoAlibabaRegion, leakAlibabaAK, leakAlibabaSK, leakAlibabaSTS, url, mockcloud.DemoHuaweiProject, huaweiCreds, url)
}

// tracedLog makes the test's Terraform runs (Terraform's and the
// provider's) log at TRACE into the file it returns. It sets environment
// variables, so the test cannot run in parallel.
func tracedLog(t *testing.T) string {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	return logPath
}

// checkTraceLog fails the test if any of secrets is in the TRACE log at
// logPath or in a diagnostic, and if the log lacks any of want, so that an
// empty log cannot pass.
func checkTraceLog(t *testing.T, logPath string, diagnostics, secrets []string, want ...string) {
	t.Helper()
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// The test harness itself logs each step's configuration, which holds
	// the secrets as the user wrote them; those lines ("  | ...") are the
	// user's own text, not something Terraform or the provider emitted.
	var kept []string
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "  | ") {
			kept = append(kept, line)
		}
	}
	log := strings.Join(kept, "\n")
	for _, secret := range secrets {
		if strings.Contains(log, secret) {
			line := log[strings.LastIndex(log[:strings.Index(log, secret)], "\n")+1:]
			line, _, _ = strings.Cut(line, "\n")
			t.Errorf("secret %q is in the TRACE log:\n%s", secret, line)
		}
		for _, d := range diagnostics {
			if strings.Contains(d, secret) {
				t.Errorf("secret %q is in a diagnostic:\n%s", secret, d)
			}
		}
	}
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("the TRACE log lacks %q: the requests were not logged as expected", w)
		}
	}
}

// planHoldsNone fails a plan whose JSON (resources, actions and their
// configuration) holds any of secrets.
func planHoldsNone(secrets []string) plancheck.PlanCheck { return planSecrets(secrets) }

type planSecrets []string

func (s planSecrets) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	for _, secret := range s {
		if strings.Contains(string(raw), secret) {
			resp.Error = fmt.Errorf("the plan holds the secret %q", secret)
			return
		}
	}
}

// TestAccWriteOnlyTokensNotStored reboots through the client API with the
// write-only login and session tokens: the cloud receives them, and
// neither the plan nor the state holds them. Write-only attributes need
// Terraform 1.11; older CLIs skip this test.
func TestAccWriteOnlyTokensNotStored(t *testing.T) {
	cloud := newTestCloud(t, mockcloud.Timing{})
	ids := cloud.seed(alibabaCloud, "wo", 3)
	config := func(round string) string {
		return cloud.rebootConfig(alibabaCloud.name, ids, keepers(round), hclBlock("alibaba",
			fmt.Sprintf("session_id       = %q", mockcloud.DemoAlibabaSessionID),
			fmt.Sprintf("login_token_wo   = %q", mockcloud.DemoAlibabaLoginToken),
			`session_token_wo = "write-only-session-token"`))
	}
	sentTokens := func(want int) statecheck.StateCheck {
		return onMock(func() error {
			calls := cloud.CallsTo(alibabaCloud.name, alibabaCloud.rebootOp)
			if len(calls) != want {
				return fmt.Errorf("%d RebootDesktops calls, want %d", len(calls), want)
			}
			for _, c := range calls {
				if c.Auth != "anonymous" || c.Status != 200 || c.Params["SessionToken"] == "" || c.Params["LoginToken"] == "" {
					return fmt.Errorf("call did not carry the write-only tokens: auth %s, status %d, params %v", c.Auth, c.Status, c.Params)
				}
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectUnknownValue(rebootAddr, tfjsonpath.New("request_ids")),
						expectNullInPlan(rebootAddr, "login_token_wo", "session_token_wo"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sentTokens(1),
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("alibaba").AtMapKey("login_token_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("alibaba").AtMapKey("session_token_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("alibaba").AtMapKey("login_token"), knownvalue.Null()),
				},
			},
			{
				// A replacement reads the write-only tokens from the
				// configuration again.
				Config:            config("2"),
				ConfigStateChecks: []statecheck.StateCheck{sentTokens(2)},
			},
		},
	})
}

// expectNullInPlan checks that the named attributes of the resource's
// alibaba block are null in the planned values.
func expectNullInPlan(addr string, attrs ...string) plancheck.PlanCheck {
	checks := make([]plancheck.PlanCheck, len(attrs))
	for i, a := range attrs {
		checks[i] = plancheck.ExpectKnownValue(addr, tfjsonpath.New("alibaba").AtMapKey(a), knownvalue.Null())
	}
	return planChecks(checks)
}

type planChecks []plancheck.PlanCheck

func (p planChecks) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, c := range p {
		c.CheckPlan(ctx, req, resp)
		if resp.Error != nil {
			return
		}
	}
}
