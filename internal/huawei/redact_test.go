package huawei

import (
	"context"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// TestSecretsEchoedByTheCloudAreRedacted: an error body that repeats the
// caller's token (as a gateway might) reaches neither the error nor any
// log line.
func TestSecretsEchoedByTheCloudAreRedacted(t *testing.T) {
	const token = "IAM-TOKEN-SHOULD-NOT-LEAK"
	m := clienttest.Start(t, func(cfg *mockcloud.Config) { cfg.HuaweiAuthTokens = []string{token} })
	add(m, "d1")
	m.InjectFault(failure(opBatchDelete, 401, "APIGW.0301", "Incorrect IAM authentication information: token "+token))
	c := newTestClient(t, m.URL, func(c *Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", token })
	ctx, logs := clienttest.CaptureLogs(context.Background())
	out := c.Deleter(DeleteOptions{Deletion: retry.Deletion{Poll: testPoll}}).Act(ctx, batch("d1"))
	if len(out.Failed) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	if calls := m.Calls(); len(calls) != 1 || calls[0].Header.Get("X-Auth-Token") != token || calls[0].Auth != "token" {
		t.Fatal("the token did not reach the cloud, so the test proves nothing")
	}
	msg := out.Failed[0].Err.Error()
	if strings.Contains(msg, token) || !strings.Contains(msg, "APIGW.0301") || !strings.Contains(msg, "(sensitive)") {
		t.Errorf("error %q: want the code, and the token redacted", msg)
	}
	if logs.String() == "" {
		t.Fatal("nothing was logged")
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the log:\n%s", logs)
	}
}
