package alibaba

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestRoleFlowErrors: a failed exchange names the flow, the role and STS's
// own code, message and request ID, and never a key, a token or the
// signed URL of the request.
func TestRoleFlowErrors(t *testing.T) {
	assume := &roleFlow{assume: &AssumeRole{RoleArn: "acs:ram::1:role/r"}, secrets: []string{"AKIDVALUE", "SKVALUE", "BASETOKENVALUE"}}
	oidc := &roleFlow{oidc: &AssumeRoleWithOIDC{RoleArn: "acs:ram::1:role/o", TokenSource: "TFC_WORKLOAD_IDENTITY_TOKEN"}, secrets: []string{"OIDCTOKENVALUE"}}
	signedURL := "https://sts.aliyuncs.com/?AccessKeyId=AKIDVALUE&Signature=SIGVALUE&SecurityToken=BASETOKENVALUE"
	tests := []struct {
		name string
		flow *roleFlow
		err  error
		want []string
		// transient: worth retrying (throttling, a server error, a
		// broken connection), unlike a refusal.
		transient bool
	}{
		{
			name: "sts_refusal", flow: assume,
			err:  errors.New(`refresh session token failed: {"RequestId":"REQ-1","HostId":"sts","Code":"EntityNotExist.Role","Message":"The role not exists."}`),
			want: []string{"assume_role: STS AssumeRole for role acs:ram::1:role/r failed: EntityNotExist.Role: The role not exists. (request ID REQ-1)"},
		},
		{
			name: "transport_error_quotes_the_signed_url", flow: assume,
			err:  &url.Error{Op: "Post", URL: signedURL, Err: errors.New("connection refused")},
			want: []string{"failed: connection refused"}, transient: true,
		},
		{
			name: "sts_throttling", flow: assume,
			err:  errors.New(`refresh session token failed: {"RequestId":"REQ-3","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`),
			want: []string{"Throttling.User"}, transient: true,
		},
		{
			name: "gateway_page", flow: assume,
			err:  errors.New("refresh session token failed: <html><body>502 Bad Gateway SKVALUE</body></html>"),
			want: []string{"an answer that is not STS's (49 bytes)"}, transient: true,
		},
		{
			name: "url_inside_a_message", flow: assume,
			err:  fmt.Errorf("Post %q: tls: handshake failure", signedURL),
			want: []string{`"https://sts.aliyuncs.com/": tls: handshake failure`},
		},
		{
			name: "oidc_refusal_echoing_the_token", flow: oidc,
			err: errors.New(`get session token failed: {"RequestId":"REQ-2","Code":"AuthenticationFail.OIDCToken.Invalid","Message":"bad token OIDCTOKENVALUE"}`),
			want: []string{"assume_role_with_oidc: STS AssumeRoleWithOIDC for role acs:ram::1:role/o failed: AuthenticationFail.OIDCToken.Invalid: bad token ***",
				"taken from TFC_WORKLOAD_IDENTITY_TOKEN"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flow.fail(tt.err)
			if xe := err.(*exchangeError); xe.transient != tt.transient {
				t.Errorf("transient = %t, want %t", xe.transient, tt.transient)
			}
			if !errors.Is(err, ErrCredentialExchange) {
				t.Errorf("errors.Is(%v, ErrCredentialExchange) is false", err)
			}
			help, ok := Adapter{}.CredentialsHelp(fmt.Errorf("wrapped: %w", err))
			if !ok {
				t.Fatal("CredentialsHelp does not recognise the exchange error")
			}
			text := err.Error() + "\n" + help
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			for _, secret := range []string{"AKIDVALUE", "SKVALUE", "BASETOKENVALUE", "SIGVALUE", "OIDCTOKENVALUE"} {
				if strings.Contains(text, secret) {
					t.Errorf("%q shows %s", text, secret)
				}
			}
		})
	}
}
