package huawei

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

// TestFederationConfigure: where the federated login's settings come from,
// and how it meets keys: what the provider block writes wins over what the
// environment holds; both written, or both from the environment, is an
// error at plan naming both.
func TestFederationConfigure(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("file-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"HW_REGION_NAME": "cn-north-4", "HW_PROJECT_ID": "p"}
	with := func(more ...string) map[string]string { return clienttest.Env(base, more...) }
	str := types.StringValue
	tests := []struct {
		name  string
		block map[string]attr.Value
		env   map[string]string
		// idp, token, tokenFile, source: the federated login ("" idp:
		// none); keys: whether the access key survived; iam: the IAM
		// endpoint; wantErr: what check names.
		idp, token, tokenFile, source, iam string
		keys                               bool
		wantErr                            string
	}{
		{name: "id token attribute", block: map[string]attr.Value{"idp_id": str("idp"), "id_token": str("tok")}, env: with(),
			idp: "idp", token: "tok", source: "`id_token`"},
		{name: "file attribute before the environment's file", block: map[string]attr.Value{"idp_id": str("idp"), "id_token_file": str(file)},
			env: with(envIDTokenFile, "/elsewhere", envTFCToken, "tfc"), idp: "idp", tokenFile: file, source: "the file `id_token_file`"},
		{name: "the environment's file before Terraform Cloud's token", env: with(envIdpID, "idp", envIDTokenFile, file, envTFCToken, "tfc"),
			idp: "idp", tokenFile: file, source: "the file " + envIDTokenFile},
		{name: "the token tagged HUAWEI before the untagged", env: with(envIdpID, "idp", envTFCTaggedToken, "tagged", envTFCToken, "tfc"),
			idp: "idp", token: "tagged", source: envTFCTaggedToken},
		{name: "IAM endpoint from the environment gets https", env: with(envIdpID, "idp", envTFCToken, "tfc", envIAMEndpoint, "iam.example.com"),
			idp: "idp", token: "tfc", source: envTFCToken, iam: "https://iam.example.com"},
		{name: "written idp_id wins over keys from the environment", block: map[string]attr.Value{"idp_id": str("idp"), "id_token": str("tok")},
			env: with("HW_ACCESS_KEY", "ak", "HW_SECRET_KEY", "sk", "HW_SECURITY_TOKEN", "st"), idp: "idp", token: "tok", source: "`id_token`"},
		{name: "written keys win over idp_id from the environment", block: map[string]attr.Value{"access_key": str("ak"), "secret_key": str("sk")},
			env: with(envIdpID, "idp", envTFCToken, "tfc"), keys: true},
		{name: "both from the environment", env: with(envIdpID, "idp", envTFCToken, "tfc", "HW_ACCESS_KEY", "ak", "HW_SECRET_KEY", "sk"),
			idp: "idp", token: "tfc", source: envTFCToken, keys: true, wantErr: "one kind of credentials"},
		{name: "both written", block: map[string]attr.Value{"idp_id": str("idp"), "id_token": str("tok"), "auth_token": str("at")}, env: with(),
			idp: "idp", token: "tok", source: "`id_token`", wantErr: "one kind of credentials"},
		{name: "no token", env: with(envIdpID, "idp"), idp: "idp", wantErr: "the federated login's id token"},
		{name: "an unreadable token file", block: map[string]attr.Value{"idp_id": str("idp"), "id_token_file": str("/no/such/token")}, env: with(),
			idp: "idp", tokenFile: "/no/such/token", source: "the file `id_token_file`", wantErr: "a readable id token file"},
		{name: "a token without idp_id", block: map[string]attr.Value{"id_token": str("tok")}, env: with(),
			token: "tok", source: "`id_token`", wantErr: "`huawei.idp_id` or HUAWEICLOUD_SDK_IDP_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := clienttest.Configure(t, Adapter{}, tt.block, tt.env).(*settings)
			if s.idpID != tt.idp || s.idToken != tt.token || s.idTokenFile != tt.tokenFile || s.tokenSource != tt.source || s.iamEndpoint != tt.iam {
				t.Errorf("idp %q, token %q, file %q, source %q, iam %q; want %q, %q, %q, %q, %q",
					s.idpID, s.idToken, s.idTokenFile, s.tokenSource, s.iamEndpoint, tt.idp, tt.token, tt.tokenFile, tt.source, tt.iam)
			}
			if got := s.accessKey != ""; got != tt.keys {
				t.Errorf("access key kept: %t, want %t", got, tt.keys)
			}
			if tt.idp != "" && !tt.keys && s.securityToken != "" {
				t.Errorf("the environment's security token %q stayed beside the federated login", s.securityToken)
			}
			err := s.check("")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
