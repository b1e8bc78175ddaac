package huawei

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestSecretsEchoedByTheCloudAreRedacted: an error body that repeats the
// caller's token (as a gateway might) reaches neither the error nor any
// log line.
func TestSecretsEchoedByTheCloudAreRedacted(t *testing.T) {
	const token = "IAM-TOKEN-SHOULD-NOT-LEAK"
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		writeJSON(w, 401, map[string]string{
			"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: token " + r.Header.Get("X-Auth-Token"),
		})
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.AccessKey, c.SecretKey, c.AuthToken = "", "", token })
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	out := c.Deleter(DeleteOptions{Poll: testPoll}).Act(ctx, batch("d1"))
	if len(out.Failed) != 1 {
		t.Fatalf("outcome %+v", out)
	}
	if len(f.requests()) != 1 || f.requests()[0].Header.Get("X-Auth-Token") != token {
		t.Fatal("the token did not reach the cloud, so the test proves nothing")
	}
	msg := out.Failed[0].Err.Error()
	if strings.Contains(msg, token) || !strings.Contains(msg, "APIGW.0301") || !strings.Contains(msg, "(sensitive)") {
		t.Errorf("error %q: want the code, and the token redacted", msg)
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the log:\n%s", logs.String())
	}
}
