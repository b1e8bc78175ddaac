package alibaba

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestPlainHTTPBearer: over http:// to a host that is not loopback, no call
// carrying a bearer credential leaves the client (the client API's login
// token; a security token, from the configuration or the credential
// chain), unless AllowPlainHTTP opts in. Nothing listens at 192.0.2.1
// (TEST-NET): a call that was not refused would fail differently.
func TestPlainHTTPBearer(t *testing.T) {
	clientAPI := &ClientAPI{ClientID: "c", LoginToken: "lt-secret"}
	tests := []struct {
		name     string
		endpoint string
		allow    bool
		sts      string
		api      *ClientAPI
		refused  string // the credential named, or "" when the call may go
	}{
		{"client API, remote http", "http://192.0.2.1:9", false, "", clientAPI, "the client API's login token"},
		{"STS key, remote http", "http://192.0.2.1:9", false, "sts-secret", nil, "the STS security token"},
		{"plain AK, remote http", "http://192.0.2.1:9", false, "", nil, ""},
		{"client API, opted in", "http://192.0.2.1:9", true, "", clientAPI, ""},
		{"STS key, opted in", "http://192.0.2.1:9", true, "sts-secret", nil, ""},
		{"client API, loopback", "http://127.0.0.1:9", false, "", clientAPI, ""},
		{"STS key, https", "https://192.0.2.1", false, "sts-secret", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.endpoint, func(cfg *Config) { cfg.SecurityToken, cfg.AllowPlainHTTP = tt.sts, tt.allow })
			r := c.Rebooter(RebootOptions{ClientAPI: tt.api}).(*rebooter)
			req := r.request([]string{"ecd-1"}, "token-0")
			if got := c.bearerInClear(req); got != tt.refused {
				t.Fatalf("bearerInClear = %q, want %q", got, tt.refused)
			}
			if tt.refused == "" {
				return
			}
			o := c.Rebooter(RebootOptions{ClientAPI: tt.api}).Act(context.Background(), batch("token-0", "ecd-1"))
			var ce *fleet.CloudError
			if len(o.Failed) != 1 || !errors.As(o.Failed[0].Err, &ce) || ce.Retryable || ce.Ambiguous || len(o.RequestIDs) != 0 ||
				!strings.Contains(ce.Message, "refusing to send "+tt.refused+" over plain http") {
				t.Fatalf("outcome %+v", o)
			}
			if msg := ce.Error(); strings.Contains(msg, "secret") {
				t.Errorf("the refusal shows a credential: %s", msg)
			}
		})
	}
}
