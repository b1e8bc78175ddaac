package alibaba

import (
	"fmt"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// The tests run the client against the mock cloud (internal/mockcloud),
// which checks every signature with code of its own and keeps the
// desktops' state; clienttest starts it and holds what both clouds' tests
// share.

// Credentials of the test client: those the mock cloud accepts.
const (
	testAK = mockcloud.DemoAlibabaAccessKey
	testSK = mockcloud.DemoAlibabaSecret
)

// ali is the cloud's name in the mock.
const ali = mockcloud.CloudAlibaba

// fast is the retry policy of every test.
var fast = retry.Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

var quickPoll = retry.Poller{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// clientAPI is a client-API identity the mock accepts.
func clientAPI() *ClientAPI {
	return &ClientAPI{ClientID: "client-1", SessionID: mockcloud.DemoAlibabaSessionID, LoginToken: mockcloud.DemoAlibabaLoginToken}
}

// newTestClient builds a client for endpoint with the test credentials and
// the fast policy; edit adjusts the Config first.
func newTestClient(t *testing.T, endpoint string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Region: mockcloud.DemoAlibabaRegion, AccessKey: testAK, SecretKey: testSK, Endpoint: endpoint, Retry: fast,
		Timeout: 5 * time.Second, UserAgent: "terraform-provider-clouddesktop/test"}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// add puts desktops with these IDs into the mock, Running unless status
// says otherwise.
func add(m *clienttest.Cloud, status string, ids ...string) {
	for _, id := range ids {
		m.AddDesktops(mockcloud.Desktop{Cloud: ali, ID: id, Status: status})
	}
}

// timing makes the mock's transitions last as long as given.
func timing(t mockcloud.Timing) func(*mockcloud.Config) {
	return func(cfg *mockcloud.Config) { cfg.Timing = t }
}

func batch(token string, ids ...string) fleet.Batch {
	return fleet.Batch{DesktopIDs: ids, Token: token}
}

// idRange names n desktops d-000, d-001, ...
func idRange(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d-%03d", i)
	}
	return out
}
