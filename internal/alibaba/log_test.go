package alibaba

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestSecretsStayOut runs calls that fail in the ways most likely to leak
// a secret (a transport error, whose URL holds the query, and an API that
// echoes the login token) and checks every log line and error.
func TestSecretsStayOut(t *testing.T) {
	const (
		ak    = "AK-LOGSECRET-1"
		sk    = "SK-LOGSECRET-2"
		sts   = "STS-LOGSECRET-3"
		login = "LOGIN-LOGSECRET-4"
		sess  = "SESSION-LOGSECRET-5"
	)
	f := newFake(t)
	f.verify = false // signed with other keys than the fake's
	f.seed(statusRunning, "d1", "d2")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		switch {
		case s.Action == opReboot && s.N == 1:
			resetConn(w)
		case s.Action == opReboot && s.N == 2:
			writeError(w, 403, "InvalidLoginToken", "The login token "+s.Query.Get("LoginToken")+" has expired.", "req-403")
		case s.Action == opDelete && s.N == 1:
			writeError(w, 400, "Throttling.User", "slow down", "req-thr")
		default:
			return false
		}
		return true
	})
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.AccessKey, c.SecretKey, c.SecurityToken = ak, sk, sts })
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	api := &ClientAPI{ClientID: "c", SessionID: "s", LoginToken: login, SessionToken: sess}
	var texts []string
	for _, o := range []fleet.Outcome{
		c.Rebooter(RebootOptions{ClientAPI: api}).Act(ctx, batch("tok", "d1")),
		c.Deleter(DeleteOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch("", "d2")),
	} {
		for _, fl := range o.Failed {
			texts = append(texts, fl.String(), fl.Err.Error(), fmt.Sprintf("%v", fl.Err))
		}
	}
	if len(texts) == 0 {
		t.Fatal("the reboot should have failed")
	}
	if !strings.Contains(texts[0], "InvalidLoginToken") || !strings.Contains(texts[0], "(sensitive)") {
		t.Errorf("the echoed token was not redacted in place: %s", texts[0])
	}
	logs := buf.String()
	for _, text := range texts {
		for _, secret := range []string{ak, sk, sts, login, sess, "LOGSECRET", "Authorization", "ACS3-HMAC"} {
			if strings.Contains(text, secret) {
				t.Errorf("%q shows up in an error:\n%s", secret, text)
			}
		}
	}
	// The TRACE log shows each request's headers, the signature masked.
	for _, secret := range []string{ak, sk, sts, login, sess, "LOGSECRET", "Signature="} {
		if strings.Contains(logs, secret) {
			t.Errorf("%q shows up in the log:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"Authorization":"ACS3-HMAC-SHA256 ***"`) {
		t.Errorf("the log does not show the masked Authorization header:\n%s", logs)
	}

	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	for _, e := range entries {
		if e["@level"] != "debug" || e["action"] == nil {
			continue
		}
		calls++
		for _, field := range []string{"version", "desktop_count", "request_id", "http_status"} {
			if _, ok := e[field]; !ok {
				t.Errorf("call log lacks %s: %v", field, e)
			}
		}
	}
	// Reboot: reset, 403. Delete: throttled, accepted, two reads.
	if calls != 6 {
		t.Errorf("%d call log lines, want 6:\n%s", calls, logs)
	}
}

// TestConcurrentBatches shares one client between batches in flight at
// once, as the provider does with max_concurrency, with credentials from
// the default chain; run with -race.
func TestConcurrentBatches(t *testing.T) {
	isolateCredentials(t)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testAK)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSK)
	f := newFake(t)
	ids := idRange("d", 250)
	f.seed(statusRunning, ids...)
	c := newTestClient(t, f.srv.URL, func(c *Config) { c.AccessKey, c.SecretKey = "", "" })

	r := fleet.Run(context.Background(), ids, c.Rebooter(RebootOptions{Wait: true, Poll: quickPoll}), 4, nil)
	if len(r.Done) != 250 || len(r.Failed)+len(r.NotProcessed) != 0 || len(r.RequestIDs) != 3 {
		t.Fatalf("reboot: done %d failed %v not processed %d requests %v", len(r.Done), r.Failed, len(r.NotProcessed), r.RequestIDs)
	}
	r = fleet.Run(context.Background(), ids, c.Deleter(DeleteOptions{Wait: true, Poll: quickPoll}), 4, nil)
	if len(r.Done) != 250 || len(r.Failed)+len(r.NotProcessed) != 0 {
		t.Fatalf("delete: done %d failed %v not processed %d", len(r.Done), r.Failed, len(r.NotProcessed))
	}
	for _, id := range ids {
		if n := f.actedOn(id); n != 2 {
			t.Errorf("%s acted on %d times, want 2", id, n)
		}
	}
}
