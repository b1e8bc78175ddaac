package huawei

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// federatedClient is a client of c through the federated login, with the
// id token in a file.
func federatedClient(t *testing.T, c *clienttest.Cloud, token string) *Client {
	t.Helper()
	file := filepath.Join(t.TempDir(), "id-token")
	if err := os.WriteFile(file, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	return newTestClient(t, c.URL, func(cfg *Config) {
		cfg.AccessKey, cfg.SecretKey = "", ""
		cfg.Federated = &Federated{IdpID: mockcloud.DemoHuaweiIdpID, IDTokenFile: file, IAMEndpoint: c.URL}
	})
}

// TestFederatedConcurrentRenewals lists desktops from many goroutines at
// once while every call renews the temporary keys (they live less than the
// SDK's 40-minute margin): the SDK rewrites the shared credential's keys
// and token on each renewal, and without the lock a call would go out
// signed with one credential's keys and another's token, which the mock
// refuses. Run with -race (make test does), it also catches the unguarded
// writes.
func TestFederatedConcurrentRenewals(t *testing.T) {
	c := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.CredentialLifetime = 10 * time.Minute })
	c.SeedFleet(hw, testProject, "fed", 3)
	client := federatedClient(t, c, mockcloud.DemoHuaweiIDToken)

	const callers = 16
	clienttest.Concurrently(t, callers, func() error {
		_, err := client.ListDesktops(context.Background(), fleet.ListFilter{})
		return err
	})
	issued := 0
	for _, cred := range c.Issued() {
		if cred.Cloud == hw {
			issued++
		}
	}
	lists := c.CallsTo(hw, "ListDesktopsDetail")
	if issued != len(lists) {
		// Each call renews once: the SDK's second look at the keys,
		// when it signs, must not renew them again.
		t.Errorf("%d credentials issued for %d calls that each needed one renewal", issued, len(lists))
	}
	for _, call := range lists {
		if call.Status != 200 || !strings.HasPrefix(call.Auth, "sts:") {
			t.Errorf("a list call answered %d %s, authenticated as %q", call.Status, call.ErrorCode, call.Auth)
		}
	}
}

// TestFederatedRefusal: IAM refusing the token fails the call before any
// Workspace request, as an exchange error that is not retried and names
// the IdP and IAM's answer.
func TestFederatedRefusal(t *testing.T) {
	c := clienttest.Start(t)
	client := federatedClient(t, c, "not-a-token-the-idp-accepts")
	_, err := client.ListDesktops(context.Background(), fleet.ListFilter{})
	if !errors.Is(err, ErrCredentialExchange) {
		t.Fatalf("err = %v, want an exchange error", err)
	}
	var ce *fleet.CloudError
	if !errors.As(err, &ce) || ce.Retryable || ce.Ambiguous {
		t.Errorf("err = %#v, want a CloudError neither retryable nor ambiguous", err)
	}
	for _, want := range []string{"idp_id " + mockcloud.DemoHuaweiIdpID, "HTTP 401"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "not-a-token") {
		t.Errorf("%q shows the token", err)
	}
	if n := len(c.CallsTo(hw, "CreateTokenWithIdToken")); n != 1 {
		t.Errorf("%d id-token exchanges, want 1 (a refused token is not retried)", n)
	}
	if n := len(c.CallsTo(hw, "ListDesktopsDetail")); n != 0 {
		t.Errorf("%d list calls reached Workspace, want none", n)
	}
}

// TestFederatedTransientIAM: IAM throttling or failing the exchange fails
// nothing (no Workspace request was sent, so the call is retried), and an
// answer the SDK cannot decode, whose error quotes the answer, shows none
// of the keys in it.
func TestFederatedTransientIAM(t *testing.T) {
	tests := []struct {
		name  string
		fault mockcloud.Fault
		ok    bool // the call succeeds on a retry
	}{
		{"throttled_login", mockcloud.Fault{Cloud: hw, Operation: "CreateTokenWithIdToken", Kind: mockcloud.FaultThrottle, Count: 1}, true},
		{"server_error_keys", mockcloud.Fault{Cloud: hw, Operation: "CreateTemporaryAccessKeyByToken", Kind: mockcloud.FaultServerError, Count: 1}, true},
		{"truncated_keys", mockcloud.Fault{Cloud: hw, Operation: "CreateTemporaryAccessKeyByToken", Kind: mockcloud.FaultTruncatedJSON, AfterApply: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clienttest.Start(t)
			c.SeedFleet(hw, testProject, "fed", 2)
			c.InjectFault(tt.fault)
			client := federatedClient(t, c, mockcloud.DemoHuaweiIDToken)
			_, err := client.ListDesktops(context.Background(), fleet.ListFilter{})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(c.CallsTo(hw, "ListDesktopsDetail")); n != 1 {
					t.Errorf("%d list calls, want 1", n)
				}
				return
			}
			if !errors.Is(err, ErrCredentialExchange) {
				t.Fatalf("err = %v, want an exchange error", err)
			}
			if len(c.IssuedSecrets()) == 0 {
				t.Fatal("the mock issued nothing: the truncated answer held no keys to leak")
			}
			for _, secret := range c.IssuedSecrets() {
				if showsPartOf(err.Error(), secret) {
					t.Errorf("the error shows part of an issued secret: %v", err)
				}
			}
		})
	}
}

// showsPartOf reports whether text holds any ten characters in a row of
// secret: a decoding error quotes a window of the answer, which may cut a
// secret anywhere.
func showsPartOf(text, secret string) bool {
	const window = 10
	for i := 0; i+window <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+window]) {
			return true
		}
	}
	return false
}
