package mockcloud

import "time"

// Demo credentials and locations. They are public on purpose: they let a new
// user try the provider against `go run ./cmd/mockcloud` with no cloud
// account, and the acceptance tests use the same values.
const (
	DemoAlibabaAccessKey  = "MOCKALIBABAKEY"
	DemoAlibabaSecret     = "mock-alibaba-secret"
	DemoAlibabaRegion     = "cn-hangzhou"
	DemoAlibabaSessionID  = "mock-session"
	DemoAlibabaLoginToken = "mock-login-token"

	DemoHuaweiAccessKey = "MOCKHUAWEIKEY"
	DemoHuaweiSecret    = "mock-huawei-secret"
	DemoHuaweiProject   = "0123456789abcdef0123456789abcdef"
	DemoHuaweiAuthToken = "mock-auth-token"
	// DemoHuaweiRegion is only what a provider configuration would name:
	// the mock itself knows Huawei regions by their project ID.
	DemoHuaweiRegion = "cn-north-4"

	// Keyless flows: the role the demo access key (AssumeRole) or the demo
	// OIDC token (AssumeRoleWithOIDC) may assume, and the Huawei identity
	// provider that takes the demo id token.
	DemoAlibabaRoleArn         = "acs:ram::1234567890123456:role/clouddesktop-fleet"
	DemoAlibabaOIDCProviderArn = "acs:ram::1234567890123456:oidc-provider/terraform-cloud"
	DemoOIDCToken              = "mock-oidc-token"
	DemoHuaweiIdpID            = "terraform-cloud"
	DemoHuaweiIDToken          = "mock-id-token"
)

// DemoConfig accepts the demo credentials above, with short transitions that
// a person can watch (a reboot takes two seconds, a delete job four).
// Issued credentials live as long as their requests ask
// (CredentialLifetime is zero).
func DemoConfig() Config {
	return Config{
		AlibabaKeys:        map[string]string{DemoAlibabaAccessKey: DemoAlibabaSecret},
		AlibabaLoginTokens: map[string]string{DemoAlibabaSessionID: DemoAlibabaLoginToken},
		HuaweiKeys:         map[string]string{DemoHuaweiAccessKey: DemoHuaweiSecret},
		HuaweiAuthTokens:   []string{DemoHuaweiAuthToken},
		HuaweiProjects:     []string{DemoHuaweiProject},
		Timing: Timing{
			RebootStopping: time.Second,
			RebootStarting: time.Second,
			DeleteStopping: 2 * time.Second,
			DeletedVisible: 10 * time.Second,
			JobWaiting:     time.Second,
			JobRunning:     3 * time.Second,
		},
		Seed: 1,

		AlibabaRoles:            map[string]AlibabaRole{DemoAlibabaRoleArn: {}},
		AlibabaOIDCProviders:    map[string][]string{DemoAlibabaOIDCProviderArn: {DemoOIDCToken}},
		HuaweiIdentityProviders: map[string][]string{DemoHuaweiIdpID: {DemoHuaweiIDToken}},
	}
}
