package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The one table of keyless credential flows the tests drive: how each is
// configured, and which exchange with the mock's STS or IAM it makes.

// keylessFlow is one way to reach a cloud without long-lived keys.
type keylessFlow struct {
	name  string
	cloud cloudFixture
	// auth renders the credential lines of the cloud's provider block
	// for a mock whose STS (over TLS) is at stsHost.
	auth func(k keylessSetup) string
	// env is the provider's own environment (providerFactoriesWithEnv).
	env func(k keylessSetup) map[string]string
	// exchange are the mock's operations of one exchange, in order.
	exchange []string
	// tokenValue is a token the flow gives as a value (attribute or
	// variable), which must never be seen again.
	tokenValue string
	// mock edits the mock's configuration (the role's external ID).
	mock func(*mockcloud.Config)
	// sent are parameters the first exchange call must carry.
	sent map[string]string
}

// keylessExternalID is the external ID the assume_role flow's role asks for.
const keylessExternalID = "fleet-external-id"

// keylessSetup is where a flow's mock is: its plain URL (the cloud APIs and
// Huawei IAM), its TLS host (Alibaba STS, always called over https) and a
// file holding the flow's token, for the flows that read one.
type keylessSetup struct {
	url, stsHost, tokenFile string
}

const (
	alibabaAssumeRoleOp = "AssumeRole"
	alibabaOIDCOp       = "AssumeRoleWithOIDC"
	huaweiIDTokenOp     = "CreateTokenWithIdToken"
	huaweiTempKeysOp    = "CreateTemporaryAccessKeyByToken"
)

var (
	// alibabaBaseKeys are the long-lived keys assume_role starts from.
	alibabaBaseKeys = fmt.Sprintf("access_key = %q\nsecret_key = %q", mockcloud.DemoAlibabaAccessKey, mockcloud.DemoAlibabaSecret)
	// stsAt points the role flows at the mock's STS.
	stsAt = func(k keylessSetup) string { return fmt.Sprintf("sts_endpoint = %q", k.stsHost) }

	alibabaAssumeRole = keylessFlow{
		name: "alibaba_assume_role", cloud: alibabaCloud, exchange: []string{alibabaAssumeRoleOp},
		auth: func(k keylessSetup) string {
			return alibabaBaseKeys + "\n" + stsAt(k) + "\n" + hclBlock("assume_role",
				fmt.Sprintf("role_arn = %q", mockcloud.DemoAlibabaRoleArn), `session_name = "terraform-fleet"`, "session_expiration = 900",
				fmt.Sprintf("external_id = %q", keylessExternalID), `policy = jsonencode({ Version = "1", Statement = [] })`)
		},
		mock: func(cfg *mockcloud.Config) {
			cfg.AlibabaRoles = map[string]mockcloud.AlibabaRole{mockcloud.DemoAlibabaRoleArn: {ExternalID: keylessExternalID}}
		},
		sent: map[string]string{"RoleArn": mockcloud.DemoAlibabaRoleArn, "RoleSessionName": "terraform-fleet", "DurationSeconds": "900",
			"ExternalId": keylessExternalID, "Policy": `{"Statement":[],"Version":"1"}`},
	}
	alibabaAssumeRoleFromEnv = keylessFlow{
		name: "alibaba_assume_role_env", cloud: alibabaCloud, exchange: []string{alibabaAssumeRoleOp},
		auth: func(keylessSetup) string { return alibabaBaseKeys + "\nassume_role {}" },
		env: func(k keylessSetup) map[string]string {
			return map[string]string{"ALIBABA_CLOUD_ROLE_ARN": mockcloud.DemoAlibabaRoleArn, "ALIBABA_CLOUD_STS_ENDPOINT": k.stsHost}
		},
	}
	// alibabaOIDCTerraformCloud is a Terraform Cloud workspace: an empty
	// block, everything else from the run's environment.
	alibabaOIDCTerraformCloud = keylessFlow{
		name: "alibaba_oidc_tfc", cloud: alibabaCloud, exchange: []string{alibabaOIDCOp}, tokenValue: mockcloud.DemoOIDCToken,
		auth: func(keylessSetup) string { return "assume_role_with_oidc {}" },
		env: func(k keylessSetup) map[string]string {
			return map[string]string{
				"TFC_WORKLOAD_IDENTITY_TOKEN":     mockcloud.DemoOIDCToken,
				"ALIBABA_CLOUD_OIDC_PROVIDER_ARN": mockcloud.DemoAlibabaOIDCProviderArn,
				"ALIBABA_CLOUD_ROLE_ARN":          mockcloud.DemoAlibabaRoleArn,
				"ALIBABA_CLOUD_STS_ENDPOINT":      k.stsHost,
			}
		},
	}
	// alibabaOIDCEnvToken takes credentials-go's own variable, and the
	// session settings from the block.
	alibabaOIDCEnvToken = keylessFlow{
		name: "alibaba_oidc_env_token", cloud: alibabaCloud, exchange: []string{alibabaOIDCOp}, tokenValue: mockcloud.DemoOIDCToken,
		auth: func(k keylessSetup) string {
			return stsAt(k) + "\n" + hclBlock("assume_role_with_oidc", `session_name = "ci-run"`, "session_expiration = 1800")
		},
		env: func(keylessSetup) map[string]string {
			return map[string]string{
				"ALIBABA_CLOUD_OIDC_TOKEN":        mockcloud.DemoOIDCToken,
				"ALIBABA_CLOUD_OIDC_PROVIDER_ARN": mockcloud.DemoAlibabaOIDCProviderArn,
				"ALIBABA_CLOUD_ROLE_ARN":          mockcloud.DemoAlibabaRoleArn,
				// A Terraform Cloud token that must lose to it.
				"TFC_WORKLOAD_IDENTITY_TOKEN": "leak-check-losing-tfc-token",
			}
		},
		sent: map[string]string{"RoleSessionName": "ci-run", "DurationSeconds": "1800", "OIDCProviderArn": mockcloud.DemoAlibabaOIDCProviderArn},
	}
	// alibabaOIDCTokenAttribute writes the token in the configuration: it
	// must stay out of the plan.
	alibabaOIDCTokenAttribute = keylessFlow{
		name: "alibaba_oidc_token_attribute", cloud: alibabaCloud, exchange: []string{alibabaOIDCOp}, tokenValue: mockcloud.DemoOIDCToken,
		auth: func(k keylessSetup) string {
			return stsAt(k) + "\n" + hclBlock("assume_role_with_oidc",
				fmt.Sprintf("oidc_provider_arn = %q", mockcloud.DemoAlibabaOIDCProviderArn),
				fmt.Sprintf("role_arn = %q", mockcloud.DemoAlibabaRoleArn),
				fmt.Sprintf("oidc_token = %q", mockcloud.DemoOIDCToken))
		},
	}
	alibabaOIDCFile = keylessFlow{
		name: "alibaba_oidc_file", cloud: alibabaCloud, exchange: []string{alibabaOIDCOp}, tokenValue: mockcloud.DemoOIDCToken,
		auth: func(k keylessSetup) string {
			return stsAt(k) + "\n" + hclBlock("assume_role_with_oidc",
				fmt.Sprintf("oidc_provider_arn = %q", mockcloud.DemoAlibabaOIDCProviderArn),
				fmt.Sprintf("role_arn = %q", mockcloud.DemoAlibabaRoleArn),
				fmt.Sprintf("oidc_token_file = %q", k.tokenFile))
		},
	}
	huaweiFederatedToken = keylessFlow{
		name: "huawei_id_token", cloud: huaweiCloud, exchange: []string{huaweiIDTokenOp, huaweiTempKeysOp}, tokenValue: mockcloud.DemoHuaweiIDToken,
		auth: func(k keylessSetup) string {
			return fmt.Sprintf("idp_id = %q\nid_token = %q\niam_endpoint = %q", mockcloud.DemoHuaweiIdpID, mockcloud.DemoHuaweiIDToken, k.url)
		},
	}
	huaweiFederatedTerraformCloud = keylessFlow{
		name: "huawei_tfc", cloud: huaweiCloud, exchange: []string{huaweiIDTokenOp, huaweiTempKeysOp}, tokenValue: mockcloud.DemoHuaweiIDToken,
		auth: func(keylessSetup) string { return "" },
		env: func(k keylessSetup) map[string]string {
			return map[string]string{
				"HUAWEICLOUD_SDK_IDP_ID":       mockcloud.DemoHuaweiIdpID,
				"TFC_WORKLOAD_IDENTITY_TOKEN":  mockcloud.DemoHuaweiIDToken,
				"HUAWEICLOUD_SDK_IAM_ENDPOINT": k.url,
			}
		},
	}
	// huaweiFederatedTaggedToken is a workspace using both clouds: the
	// token of the audience tagged HUAWEI wins over the untagged one.
	huaweiFederatedTaggedToken = keylessFlow{
		name: "huawei_tfc_tagged", cloud: huaweiCloud, exchange: []string{huaweiIDTokenOp, huaweiTempKeysOp}, tokenValue: mockcloud.DemoHuaweiIDToken,
		auth: func(k keylessSetup) string {
			return fmt.Sprintf("idp_id = %q\niam_endpoint = %q", mockcloud.DemoHuaweiIdpID, k.url)
		},
		env: func(keylessSetup) map[string]string {
			return map[string]string{
				"TFC_WORKLOAD_IDENTITY_TOKEN_HUAWEI": mockcloud.DemoHuaweiIDToken,
				"TFC_WORKLOAD_IDENTITY_TOKEN":        "leak-check-untagged-tfc-token",
			}
		},
	}
	huaweiFederatedEnvFile = keylessFlow{
		name: "huawei_id_token_file_env", cloud: huaweiCloud, exchange: []string{huaweiIDTokenOp, huaweiTempKeysOp}, tokenValue: mockcloud.DemoHuaweiIDToken,
		auth: func(k keylessSetup) string {
			return fmt.Sprintf("idp_id = %q\niam_endpoint = %q", mockcloud.DemoHuaweiIdpID, k.url)
		},
		env: func(k keylessSetup) map[string]string {
			return map[string]string{"HUAWEICLOUD_SDK_ID_TOKEN_FILE": k.tokenFile}
		},
	}
	huaweiFederatedFile = keylessFlow{
		name: "huawei_id_token_file", cloud: huaweiCloud, exchange: []string{huaweiIDTokenOp, huaweiTempKeysOp}, tokenValue: mockcloud.DemoHuaweiIDToken,
		auth: func(k keylessSetup) string {
			return fmt.Sprintf("idp_id = %q\nid_token_file = %q\niam_endpoint = %q", mockcloud.DemoHuaweiIdpID, k.tokenFile, k.url)
		},
	}

	keylessFlows = []keylessFlow{
		alibabaAssumeRole, alibabaAssumeRoleFromEnv, alibabaOIDCTerraformCloud, alibabaOIDCEnvToken, alibabaOIDCTokenAttribute, alibabaOIDCFile,
		huaweiFederatedToken, huaweiFederatedTerraformCloud, huaweiFederatedTaggedToken, huaweiFederatedEnvFile, huaweiFederatedFile,
	}
)

// setUp serves c's STS over TLS and writes the flow's token file.
func (f keylessFlow) setUp(t *testing.T, c *testCloud) keylessSetup {
	t.Helper()
	k := keylessSetup{url: c.URL, stsHost: (&clienttest.Cloud{Server: c.Server, URL: c.URL}).ServeTLS(t)}
	token := mockcloud.DemoOIDCToken
	if f.cloud.name == mockcloud.CloudHuawei {
		token = mockcloud.DemoHuaweiIDToken
	}
	k.tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(k.tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// factories serves the provider with the flow's environment.
func (f keylessFlow) factories(k keylessSetup) map[string]func() (tfprotov6.ProviderServer, error) {
	env := map[string]string{}
	if f.env != nil {
		env = f.env(k)
	}
	return providerFactoriesWithEnv(env)
}

// providerBlock configures the flow's cloud with the flow's credentials and
// the other cloud with its demo keys.
func (f keylessFlow) providerBlock(k keylessSetup, extra ...string) string {
	alibaba := []string{fmt.Sprintf("region = %q", mockcloud.DemoAlibabaRegion), fmt.Sprintf("endpoint = %q", k.url)}
	huawei := []string{fmt.Sprintf("region = %q", mockcloud.DemoHuaweiRegion), fmt.Sprintf("project_id = %q", mockcloud.DemoHuaweiProject),
		fmt.Sprintf("endpoint = %q", k.url)}
	if f.cloud.name == mockcloud.CloudAlibaba {
		alibaba = append(alibaba, f.auth(k))
		huawei = append(huawei, fmt.Sprintf("access_key = %q\nsecret_key = %q", mockcloud.DemoHuaweiAccessKey, mockcloud.DemoHuaweiSecret))
	} else {
		alibaba = append(alibaba, alibabaBaseKeys)
		huawei = append(huawei, f.auth(k))
	}
	body := append([]string{hclBlock("alibaba", alibaba...), hclBlock("huawei", huawei...), "max_retries = 3"}, extra...)
	return "\n" + hclBlock(`provider "clouddesktop"`, body...)
}

// issuedKeys are the access keys the mock issued on the flow's cloud.
func issuedKeys(c *testCloud, cloud string) []string {
	var keys []string
	for _, cred := range c.Issued() {
		if cred.Cloud == cloud {
			keys = append(keys, cred.AccessKey)
		}
	}
	return keys
}

// checkExchange checks that the flow's exchange reached the mock, in order,
// and that every call of ops on the flow's cloud was made with keys the
// mock issued (and their security token), none with long-lived keys. It
// returns the issued keys the calls used.
func (f keylessFlow) checkExchange(c *testCloud, ops ...string) (used []string, err error) {
	for i, op := range f.exchange {
		calls := c.CallsTo(f.cloud.name, op)
		if len(calls) == 0 {
			return nil, fmt.Errorf("%s: no %s call: the exchange did not happen", f.name, op)
		}
		if i > 0 && calls[0].Time.Before(c.CallsTo(f.cloud.name, f.exchange[i-1])[0].Time) {
			return nil, fmt.Errorf("%s: %s came before %s", f.name, op, f.exchange[i-1])
		}
		for _, call := range calls {
			if call.Status >= 300 {
				return nil, fmt.Errorf("%s: %s answered %d %s", f.name, op, call.Status, call.ErrorCode)
			}
		}
		if i == 0 {
			for name, want := range f.sent {
				if got := calls[0].Params[name]; got != want {
					return nil, fmt.Errorf("%s: %s sent %s=%q, want %q", f.name, op, name, got, want)
				}
			}
		}
	}
	issued := issuedKeys(c, f.cloud.name)
	if len(issued) == 0 {
		return nil, fmt.Errorf("%s: the mock issued no credentials", f.name)
	}
	for _, op := range ops {
		calls := c.CallsTo(f.cloud.name, op)
		if len(calls) == 0 {
			return nil, fmt.Errorf("%s: no %s call", f.name, op)
		}
		for _, call := range calls {
			key, ok := strings.CutPrefix(call.Auth, "sts:")
			if !ok || !slices.Contains(issued, key) {
				return nil, fmt.Errorf("%s: a %s call authenticated as %q, want an issued key with its security token", f.name, op, call.Auth)
			}
			if !slices.Contains(used, key) {
				used = append(used, key)
			}
		}
	}
	return used, nil
}
