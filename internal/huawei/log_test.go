package huawei

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestLogsCarryCallsNotSecrets captures every log line of a reboot and a
// delete (with a retried failure) under each kind of credential.
func TestLogsCarryCallsNotSecrets(t *testing.T) {
	const (
		ak    = "AK-LOGSECRET-1"
		sk    = "SK-LOGSECRET-2"
		sts   = "STS-LOGSECRET-3"
		token = "TOKEN-LOGSECRET-4"
	)
	creds := map[string]func(*Config){
		"aksk": func(c *Config) { c.AccessKey, c.SecretKey, c.SecurityToken = ak, sk, sts },
		"token": func(c *Config) {
			c.AccessKey, c.SecretKey, c.AuthToken = "", "", token
		},
	}
	for name, edit := range creds {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
				switch {
				case s.Route == routeAction && s.N == 1:
					writeError(w, 429, "APIGW.0308", "throttled")
				case s.Route == routeAction:
					okReboot(w)
				case s.Route == routeDelete:
					okDelete(w, "job-1")
				}
			})
			c := newTestClient(t, f.srv.URL, edit)
			var buf bytes.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			c.Rebooter(RebootOptions{}).Act(ctx, batch("d1", "d2"))
			c.Deleter(DeleteOptions{}).Act(ctx, batch("d1"))

			logs := buf.String()
			for _, secret := range []string{ak, sk, sts, token, "LOGSECRET", "Signature="} {
				if strings.Contains(logs, secret) {
					t.Errorf("logs contain %q", secret)
				}
			}
			// The TRACE log shows each request's headers with credentials masked.
			masked := map[string]string{"aksk": `"Authorization":"SDK-HMAC-SHA256 ***"`, "token": `"X-Auth-Token":"***"`}[name]
			if !strings.Contains(logs, masked) {
				t.Errorf("logs lack %s", masked)
			}
			entries, err := tflogtest.MultilineJSONDecode(&buf)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			for _, e := range entries {
				if e["operation"] == nil || e["@level"] != "debug" {
					continue
				}
				calls++
				if e["request_id"] == "" || e["desktop_count"] == nil || e["http_status"] == nil {
					t.Errorf("call log lacks fields: %v", e)
				}
			}
			if calls != 3 {
				t.Errorf("%d debug call lines, want 3 (429, reboot, delete):\n%s", calls, logs)
			}
		})
	}
}

// TestConcurrentActs shares one Client between batches in flight at once,
// as the provider does with max_concurrency; run with -race.
func TestConcurrentActs(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, s seen) {
		switch s.Route {
		case routeAction:
			okReboot(w)
		case routeDelete:
			okDelete(w, "job-1")
		case routeJob:
			writeJSON(w, 200, map[string]any{"id": "job-1", "status": "SUCCESS"})
		case routeList:
			// The reboot batches (a, c, e, g) are back up; the deleted
			// ones (b, d, f, h) are gone.
			var desks []desk
			for _, id := range s.Query["desktop_id"] {
				if strings.ContainsAny(id[:1], "aceg") {
					desks = append(desks, desk{id, "ACTIVE", ""})
				}
			}
			writeList(w, s, desks)
		}
	})
	for name, edit := range map[string]func(*Config){
		"aksk":  func(*Config) {},
		"token": func(c *Config) { c.AuthToken = "tok" },
	} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, f.srv.URL, edit)
			reboot := c.Rebooter(RebootOptions{Wait: true, Poll: testPoll, Settle: time.Millisecond})
			del := c.Deleter(DeleteOptions{Wait: true, Poll: testPoll})
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					ids := idsN(string(rune('a'+i)), 5)
					action := reboot
					if i%2 == 1 {
						action = del
					}
					out := action.Act(context.Background(), batch(ids...))
					if !sameIDs(out.Done, ids) {
						t.Errorf("batch %d: %+v", i, out)
					}
				})
			}
			wg.Wait()
		})
	}
}
