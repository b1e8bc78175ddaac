package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/secretfile"
)

// TestAccKeylessCredentials runs a reboot through every keyless flow on the
// real CLI at TF_LOG=TRACE: the flow's exchange reaches the mock's STS or
// IAM, every cloud call is signed with the keys the mock issued and carries
// their security token (the mock refuses them otherwise), each desktop is
// rebooted once, and no token, key or issued secret is in the TRACE log or
// the plan. Each flow sets environment variables, so none runs in parallel.
func TestAccKeylessCredentials(t *testing.T) {
	for _, f := range keylessFlows {
		t.Run(f.name, func(t *testing.T) {
			logPath := tracedLog(t)
			c := newTestCloudWith(t, func(cfg *mockcloud.Config) {
				if f.mock != nil {
					f.mock(cfg)
				}
			})
			k := f.setUp(t, c)
			ids := c.seed(f.cloud, "keyless", 5)
			secrets := []string{mockcloud.DemoAlibabaSecret, mockcloud.DemoHuaweiSecret, leakSecretsPattern}
			if f.tokenValue != "" {
				secrets = append(secrets, f.tokenValue)
			}
			var used []string
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: f.factories(k),
				Steps: []resource.TestStep{{
					Config: f.providerBlock(k) + hclResource(rebootType, "fleet", f.cloud.name, ids, waitLine(true)),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{planHoldsNone(secrets)},
					},
					ConfigStateChecks: []statecheck.StateCheck{onMock(
						func() error { return everyDesktopRebooted(c, ids, 1) },
						func() (err error) {
							used, err = f.checkExchange(c, f.cloud.rebootOp, f.cloud.rebootWaitReads[0])
							return err
						},
					)},
				}},
			})
			if f.name == huaweiFederatedToken.name {
				checkPrivateTokenFile(t)
			}
			if len(used) == 0 {
				t.Fatal("no cloud call was checked")
			}
			want := []string{"cloud HTTP request", "x-acs-security-token:***", "RebootDesktops"}
			if f.cloud.name == mockcloud.CloudHuawei {
				want = []string{"cloud HTTP request", "X-Security-Token:***", "desktops/action"}
			}
			checkTraceLog(t, logPath, nil, append(secrets, c.IssuedSecrets()...), want...)
		})
	}
}

// checkPrivateTokenFile checks that the id token given as a value sits in
// a file only its owner can read, in a directory only its owner can open.
func checkPrivateTokenFile(t *testing.T) {
	t.Helper()
	dir := secretfile.Dir()
	if dir == "" {
		t.Fatal("the id token was not written to a private file")
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("the token directory has mode %v, want 0700", perm)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no token file")
	}
	for _, file := range files {
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("the token file has mode %v, want 0600", perm)
		}
	}
}

// TestAccKeylessCredentialsRefresh reboots 1,000 desktops through a flow
// while the apply takes longer than its credentials last for the SDK
// (every call is slowed and made one at a time):
//   - living 3 s, less than the apply, they expire under it: the provider
//     renews them (the SDKs renew on every call inside their margin) and
//     goes on, and no call comes with an expired one;
//   - living 3 s longer than the SDK's renewal margin (credentials-go 180 s,
//     ram_role_arn.go needUpdateCredential; the Huawei SDK 40 minutes,
//     base_credentials.go), the first keys serve several calls, then are
//     renewed before they expire.
//
// Either way the mock refuses no call and no desktop is rebooted twice. The
// mock reports expiry in whole seconds, cutting what it issues to at least
// 2 s of life: ample for a call made as soon as the keys are, even on a
// loaded machine.
func TestAccKeylessCredentialsRefresh(t *testing.T) {
	const short = 3 * time.Second
	tests := []struct {
		flow     keylessFlow
		lifetime time.Duration
		check    func(c *testCloud, f keylessFlow) error
	}{
		{alibabaAssumeRole, short, outlivedCredentials},
		{alibabaOIDCFile, short, outlivedCredentials},
		{huaweiFederatedToken, short, outlivedCredentials},
		{alibabaAssumeRole, 180*time.Second + short, reusedThenRenewed},
		{huaweiFederatedToken, 40*time.Minute + short, reusedThenRenewed},
	}
	for _, tt := range tests {
		f := tt.flow
		t.Run(fmt.Sprintf("%s_%s", f.name, tt.lifetime), func(t *testing.T) {
			t.Parallel()
			c := newTestCloudWith(t, func(cfg *mockcloud.Config) {
				if f.mock != nil {
					f.mock(cfg)
				}
				cfg.CredentialLifetime = tt.lifetime
			})
			k := f.setUp(t, c)
			ids := c.seed(f.cloud, "refresh", 1000)
			for _, op := range []string{f.cloud.rebootOp, f.cloud.rebootWaitReads[0]} {
				c.InjectFault(mockcloud.Fault{Cloud: f.cloud.name, Operation: op, Kind: mockcloud.FaultLatency, Latency: 150 * time.Millisecond})
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: f.factories(k),
				Steps: []resource.TestStep{{
					Config: f.providerBlock(k, "max_concurrency = 1") + hclResource(rebootType, "fleet", f.cloud.name, ids, waitLine(true)),
					ConfigStateChecks: []statecheck.StateCheck{onMock(
						func() error { return everyDesktopRebooted(c, ids, 1) },
						func() error { return tt.check(c, f) },
					)},
				}},
			})
		})
	}
}

// reusedThenRenewed checks that the flow's first issued keys served more
// than one call before later keys took over, and that the mock refused
// none of the calls.
func reusedThenRenewed(c *testCloud, f keylessFlow) error {
	ops := []string{f.cloud.rebootOp, f.cloud.rebootWaitReads[0]}
	used, err := f.checkExchange(c, ops...)
	if err != nil {
		return err
	}
	if len(used) < 2 {
		return fmt.Errorf("%s: the calls used %d issued credential(s), want them renewed", f.name, len(used))
	}
	first := 0
	for _, op := range ops {
		for _, call := range c.CallsTo(f.cloud.name, op) {
			if call.Status >= 300 {
				return fmt.Errorf("%s: a %s call was refused: %d %s", f.name, op, call.Status, call.ErrorCode)
			}
			if call.Auth == "sts:"+used[0] {
				first++
			}
		}
	}
	if first < 2 {
		return fmt.Errorf("%s: the first keys served %d call(s), want them reused until the SDK's margin", f.name, first)
	}
	return nil
}

// outlivedCredentials checks that the flow's cloud calls went on after the
// first credential they used had expired, with renewed ones, and that the
// mock refused none of them.
func outlivedCredentials(c *testCloud, f keylessFlow) error {
	ops := []string{f.cloud.rebootOp, f.cloud.rebootWaitReads[0]}
	used, err := f.checkExchange(c, ops...)
	if err != nil {
		return err
	}
	if len(used) < 2 {
		return fmt.Errorf("%s: the calls used %d issued credential(s), want renewed ones", f.name, len(used))
	}
	var firstExpiry time.Time
	for _, cred := range c.Issued() {
		if cred.AccessKey == used[0] {
			firstExpiry = cred.ExpiresAt
		}
	}
	outlived := false
	for _, op := range ops {
		for _, call := range c.CallsTo(f.cloud.name, op) {
			if call.Status >= 300 {
				return fmt.Errorf("%s: a %s call was refused: %d %s", f.name, op, call.Status, call.ErrorCode)
			}
			outlived = outlived || call.Time.After(firstExpiry)
		}
	}
	if !outlived {
		return fmt.Errorf("%s: every call came before the first credential expired (%s): the apply did not outlive it", f.name, firstExpiry)
	}
	return nil
}

// TestAccKeylessCredentialErrors: a flow the cloud refuses (a wrong role, a
// rejected token) fails the apply with one error that names the flow, what
// STS or IAM said and what to check, before any desktop is touched and
// without the token; a flow that lacks something fails at plan, naming the
// attribute and the variable.
func TestAccKeylessCredentialErrors(t *testing.T) {
	wrongRole := alibabaAssumeRole
	wrongRole.auth = func(k keylessSetup) string {
		return alibabaBaseKeys + "\n" + stsAt(k) + "\n" + hclBlock("assume_role", `role_arn = "acs:ram::1234567890123456:role/nobody"`)
	}
	wrongOIDCToken := alibabaOIDCTerraformCloud
	wrongOIDCToken.tokenValue = "leak-check-rejected-oidc-token"
	wrongOIDCToken.env = func(k keylessSetup) map[string]string {
		env := alibabaOIDCTerraformCloud.env(k)
		env["TFC_WORKLOAD_IDENTITY_TOKEN"] = wrongOIDCToken.tokenValue
		return env
	}
	wrongIDToken := huaweiFederatedToken
	wrongIDToken.tokenValue = "leak-check-rejected-id-token"
	wrongIDToken.auth = func(k keylessSetup) string {
		return fmt.Sprintf("idp_id = %q\nid_token = %q\niam_endpoint = %q", mockcloud.DemoHuaweiIdpID, wrongIDToken.tokenValue, k.url)
	}
	alibabaAuth := func(lines ...string) func(keylessSetup) string {
		return func(keylessSetup) string { return strings.Join(lines, "\n") }
	}
	noOIDCToken := alibabaOIDCTerraformCloud
	noOIDCToken.env = func(k keylessSetup) map[string]string {
		env := alibabaOIDCTerraformCloud.env(k)
		delete(env, "TFC_WORKLOAD_IDENTITY_TOKEN")
		return env
	}
	noIDToken := huaweiFederatedToken
	noIDToken.auth = func(keylessSetup) string { return fmt.Sprintf("idp_id = %q", mockcloud.DemoHuaweiIdpID) }
	mixedHuawei := huaweiFederatedToken
	mixedHuawei.auth = func(k keylessSetup) string {
		return huaweiFederatedToken.auth(k) + fmt.Sprintf("\naccess_key = %q\nsecret_key = %q", mockcloud.DemoHuaweiAccessKey, mockcloud.DemoHuaweiSecret)
	}
	withAuth := func(f keylessFlow, auth func(keylessSetup) string) keylessFlow {
		f.auth = auth
		return f
	}

	tests := []struct {
		name string
		flow keylessFlow
		// atApply: the error comes from the exchange, at apply;
		// otherwise plan fails and nothing is called at all.
		atApply bool
		want    string
		// listing: the configuration lists desktops (the data source)
		// instead of rebooting them.
		listing bool
	}{
		{name: "wrong_role", flow: wrongRole, atApply: true,
			want: `No credentials for alibaba.*assume_role: STS AssumeRole for role acs:ram::1234567890123456:role/nobody failed: EntityNotExist\.Role.*Check .alibaba\.assume_role.: .role_arn. \(or ALIBABA_CLOUD_ROLE_ARN\)`},
		{name: "rejected_oidc_token", flow: wrongOIDCToken, atApply: true,
			want: `No credentials for alibaba.*assume_role_with_oidc: STS AssumeRoleWithOIDC for role ` + regexp.QuoteMeta(mockcloud.DemoAlibabaRoleArn) +
				` failed: AuthenticationFail\.OIDCToken\.Invalid.*taken from TFC_WORKLOAD_IDENTITY_TOKEN.*TFC_WORKLOAD_IDENTITY_AUDIENCE`},
		{name: "rejected_id_token", flow: wrongIDToken, atApply: true,
			want: `No credentials for huawei.*federated login \(idp_id ` + mockcloud.DemoHuaweiIdpID + `\): IAM gave no temporary credentials: HTTP 401.*` +
				"Check the federated login: .huawei.idp_id. \\(or HUAWEICLOUD_SDK_IDP_ID\\).*taken from .id_token."},
		{name: "wrong_role_listing", flow: wrongRole, atApply: true, listing: true,
			want: `Cannot list desktops.*assume_role: STS AssumeRole for role acs:ram::1234567890123456:role/nobody failed: EntityNotExist\.Role.*Check .alibaba\.assume_role.`},
		{name: "rejected_id_token_listing", flow: wrongIDToken, atApply: true, listing: true,
			want: `Cannot list desktops.*federated login \(idp_id ` + mockcloud.DemoHuaweiIdpID + `\): IAM gave no temporary credentials: HTTP 401.*Check the federated login`},
		{name: "oidc_without_token", flow: noOIDCToken,
			want: `alibaba\.assume_role_with_oidc needs an OIDC token: .oidc_token., ALIBABA_CLOUD_OIDC_TOKEN.*TFC_WORKLOAD_IDENTITY_TOKEN`},
		{name: "assume_role_without_role", flow: withAuth(alibabaAssumeRole, alibabaAuth(alibabaBaseKeys, "assume_role {}")),
			want: `alibaba\.assume_role needs .role_arn. \(or ALIBABA_CLOUD_ROLE_ARN\)`},
		{name: "short_session", flow: withAuth(alibabaAssumeRole, alibabaAuth(alibabaBaseKeys, "assume_role {\n  role_arn = \"r\"\n  session_expiration = 600\n}")),
			want: `session_expiration.*at least 900`},
		{name: "both_role_blocks", flow: withAuth(alibabaAssumeRole, alibabaAuth(alibabaBaseKeys, `assume_role { role_arn = "r" }`, "assume_role_with_oidc {}")),
			want: `assume_role_with_oidc.*cannot be specified when.*assume_role`},
		{name: "sts_over_http", flow: withAuth(alibabaAssumeRole, alibabaAuth(alibabaBaseKeys, `sts_endpoint = "http://127.0.0.1:1"`, `assume_role { role_arn = "r" }`)),
			want: `STS is always called over https`},
		{name: "idp_without_token", flow: noIDToken,
			want: `the federated login's id token: .huawei\.id_token., .huawei\.id_token_file., HUAWEICLOUD_SDK_ID_TOKEN_FILE`},
		{name: "idp_with_keys", flow: mixedHuawei,
			want: `one kind of credentials: a federated login \(idp_id\) replaces .access_key./.secret_key.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestCloud(t, mockcloud.Timing{})
			k := tt.flow.setUp(t, c)
			ids := c.seed(tt.flow.cloud, "refused", 3)
			wanted := regexp.MustCompile("(?s)" + strings.ReplaceAll(tt.want, " ", `\s+`))
			config := hclResource(rebootType, "fleet", tt.flow.cloud.name, ids)
			if tt.listing {
				config = hclDesktops("fleet", tt.flow.cloud.name)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: tt.flow.factories(k),
				ErrorCheck: func(err error) error {
					msg := err.Error()
					if !wanted.MatchString(msg) {
						return fmt.Errorf("want an error matching %s, got: %w", tt.want, err)
					}
					if n := strings.Count(msg, "Error: "); n != 1 {
						return fmt.Errorf("%d errors, want one: %s", n, msg)
					}
					for _, secret := range []string{tt.flow.tokenValue, mockcloud.DemoAlibabaSecret, mockcloud.DemoHuaweiSecret} {
						if secret != "" && strings.Contains(msg, secret) {
							return fmt.Errorf("the error holds a secret: %s", msg)
						}
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: tt.flow.providerBlock(k) + config,
					// Never reached: ErrorCheck takes every error, so a
					// step that does not fail must fail here.
					ConfigStateChecks: []statecheck.StateCheck{onMock(func() error { return fmt.Errorf("the apply succeeded, want %s", tt.want) })},
				}},
			})
			if calls := c.CallsTo(tt.flow.cloud.name, tt.flow.cloud.rebootOp); len(calls) != 0 {
				t.Errorf("%d reboot calls reached the cloud, want none", len(calls))
			}
			exchanges := 0
			for _, op := range tt.flow.exchange {
				exchanges += len(c.CallsTo(tt.flow.cloud.name, op))
			}
			if got := exchanges > 0; got != tt.atApply {
				t.Errorf("%d exchange calls, want some only for an error at apply (%t)", exchanges, tt.atApply)
			}
		})
	}
}

// TestAccKeylessProviderExample applies the published keyless provider
// example as written, in a Terraform Cloud workspace's environment that
// uses both clouds: each cloud takes the workload identity token of its
// own tagged audience, Alibaba through AssumeRoleWithOIDC and Huawei
// through its federated login, and reboots its fleet with the keys issued.
// Only the endpoints point at the mock.
func TestAccKeylessProviderExample(t *testing.T) {
	example, _ := readExample(t, "../../examples/provider-keyless/provider.tf")
	c := newTestCloud(t, mockcloud.Timing{})
	k := alibabaOIDCTerraformCloud.setUp(t, c)
	ali := c.seed(alibabaCloud, "example", 3)
	hw := c.seed(huaweiCloud, "example", 3)
	env := map[string]string{
		"CLOUDDESKTOP_ALIBABA_ENDPOINT":       c.URL,
		"CLOUDDESKTOP_HUAWEI_ENDPOINT":        c.URL,
		"ALIBABA_CLOUD_STS_ENDPOINT":          k.stsHost,
		"HUAWEICLOUD_SDK_IAM_ENDPOINT":        c.URL,
		"TFC_WORKLOAD_IDENTITY_TOKEN_ALIBABA": mockcloud.DemoOIDCToken,
		"TFC_WORKLOAD_IDENTITY_TOKEN_HUAWEI":  mockcloud.DemoHuaweiIDToken,
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: providerFactoriesWithEnv(env),
		Steps: []resource.TestStep{{
			Config: string(example) + hclResource(rebootType, "alibaba", alibabaCloud.name, ali) +
				hclResource(rebootType, "huawei", huaweiCloud.name, hw),
			ConfigVariables: config.Variables{"huawei_project_id": config.StringVariable(mockcloud.DemoHuaweiProject)},
			ConfigStateChecks: []statecheck.StateCheck{onMock(
				func() error { return everyDesktopRebooted(c, append(ali, hw...), 1) },
				func() error { _, err := alibabaOIDCTerraformCloud.checkExchange(c, alibabaCloud.rebootOp); return err },
				func() error {
					_, err := huaweiFederatedTerraformCloud.checkExchange(c, huaweiCloud.rebootOp)
					return err
				},
			)},
		}},
	})
}

// TestAccKeylessSessionShared applies three reboot resources on one cloud
// through a keyless flow: they share the provider's one session, so the
// apply makes one exchange, not one per resource.
func TestAccKeylessSessionShared(t *testing.T) {
	for _, f := range []keylessFlow{alibabaAssumeRole, huaweiFederatedToken} {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := newTestCloudWith(t, func(cfg *mockcloud.Config) {
				if f.mock != nil {
					f.mock(cfg)
				}
			})
			k := f.setUp(t, c)
			ids := c.seed(f.cloud, "shared", 9)
			config := f.providerBlock(k)
			for i := range 3 {
				config += hclResource(rebootType, fmt.Sprintf("part%d", i), f.cloud.name, ids[3*i:3*i+3])
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: f.factories(k),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{onMock(
						func() error { return everyDesktopRebooted(c, ids, 1) },
						func() error {
							if n := len(c.CallsTo(f.cloud.name, f.exchange[0])); n != 1 {
								return fmt.Errorf("%d %s calls for three resources, want one shared session", n, f.exchange[0])
							}
							_, err := f.checkExchange(c, f.cloud.rebootOp)
							return err
						},
					)},
				}},
			})
		})
	}
}
