package alibaba

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

// TestRoleFlowsConfigure: where each setting of the role flows comes from.
// The attribute first; the OIDC token in credentials-go's own order
// (ALIBABA_CLOUD_OIDC_TOKEN before any file), then Terraform Cloud's token
// tagged ALIBABA, then the untagged one; what is missing is named at plan.
func TestRoleFlowsConfigure(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("file-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	oidc := func(set map[string]attr.Value) map[string]attr.Value {
		return map[string]attr.Value{"assume_role_with_oidc": clienttest.NestedBlock(t, Adapter{}, "assume_role_with_oidc", set)}
	}
	arns := map[string]string{envOIDCProviderArn: "provider-env", envRoleArn: "role-env"}
	tests := []struct {
		name  string
		block map[string]attr.Value
		env   map[string]string
		// want: the OIDC flow's token, token file and source, or the
		// role ARN of assume_role; wantErr: what checkRoles names.
		token, tokenFile, source, role string
		wantErr                        string
	}{
		{name: "token attribute first", block: oidc(map[string]attr.Value{"oidc_token": types.StringValue("attr")}),
			env: clienttest.Env(arns, envOIDCToken, "env", envTFCToken, "tfc"), token: "attr", source: "`oidc_token`", role: "role-env"},
		{name: "ALIBABA_CLOUD_OIDC_TOKEN before a file", block: oidc(map[string]attr.Value{"oidc_token_file": types.StringValue(file)}),
			env: clienttest.Env(arns, envOIDCToken, "env"), token: "env", source: envOIDCToken, role: "role-env"},
		{name: "file attribute before the environment's file", block: oidc(map[string]attr.Value{"oidc_token_file": types.StringValue(file)}),
			env: clienttest.Env(arns, envOIDCTokenFile, "/elsewhere", envTFCToken, "tfc"), tokenFile: file, source: "the file `oidc_token_file`", role: "role-env"},
		{name: "the environment's file before Terraform Cloud's token", block: oidc(nil),
			env: clienttest.Env(arns, envOIDCTokenFile, file, envTFCToken, "tfc"), tokenFile: file, source: "the file " + envOIDCTokenFile, role: "role-env"},
		{name: "the token tagged ALIBABA before the untagged", block: oidc(nil),
			env: clienttest.Env(arns, envTFCTaggedToken, "tagged", envTFCToken, "tfc"), token: "tagged", source: envTFCTaggedToken, role: "role-env"},
		{name: "Terraform Cloud's token last", block: oidc(map[string]attr.Value{"role_arn": types.StringValue("role-attr")}),
			env: clienttest.Env(arns, envTFCToken, "tfc"), token: "tfc", source: envTFCToken, role: "role-attr"},
		{name: "no token", block: oidc(nil), env: arns, role: "role-env",
			wantErr: "needs an OIDC token: `oidc_token`, ALIBABA_CLOUD_OIDC_TOKEN"},
		{name: "an unreadable token file", block: oidc(map[string]attr.Value{"oidc_token_file": types.StringValue("/no/such/token")}),
			env: arns, tokenFile: "/no/such/token", source: "the file `oidc_token_file`", role: "role-env",
			wantErr: "a readable OIDC token file (the file `oidc_token_file`): open /no/such/token"},
		{name: "no provider ARN", block: oidc(map[string]attr.Value{"oidc_token": types.StringValue("t")}),
			env: map[string]string{envRoleArn: "r"}, token: "t", source: "`oidc_token`", role: "r",
			wantErr: "needs `oidc_provider_arn` (or ALIBABA_CLOUD_OIDC_PROVIDER_ARN)"},
		{name: "assume_role takes the role from the environment",
			block: map[string]attr.Value{"assume_role": clienttest.NestedBlock(t, Adapter{}, "assume_role", nil)},
			env:   map[string]string{envRoleArn: "role-env"}, role: "role-env"},
		{name: "assume_role without a role",
			block:   map[string]attr.Value{"assume_role": clienttest.NestedBlock(t, Adapter{}, "assume_role", nil)},
			wantErr: "alibaba.assume_role needs `role_arn` (or ALIBABA_CLOUD_ROLE_ARN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := clienttest.Configure(t, Adapter{}, tt.block, tt.env).(*settings)
			switch {
			case s.oidc != nil:
				o := s.oidc
				if o.OIDCToken != tt.token || o.OIDCTokenFile != tt.tokenFile || o.TokenSource != tt.source || o.RoleArn != tt.role {
					t.Errorf("token %q, file %q, source %q, role %q; want %q, %q, %q, %q",
						o.OIDCToken, o.OIDCTokenFile, o.TokenSource, o.RoleArn, tt.token, tt.tokenFile, tt.source, tt.role)
				}
			case s.assumeRole != nil:
				if s.assumeRole.RoleArn != tt.role {
					t.Errorf("role %q, want %q", s.assumeRole.RoleArn, tt.role)
				}
			default:
				t.Fatal("no role flow configured")
			}
			err := s.checkRoles()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
