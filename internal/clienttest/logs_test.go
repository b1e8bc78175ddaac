package clienttest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// Credentials of the logging test: each must stay out of every log line
// and error.
const (
	logAK    = "AK-LOGSECRET-1"
	logSK    = "SK-LOGSECRET-2"
	logSTS   = "STS-LOGSECRET-3"
	logLogin = "LOGIN-LOGSECRET-4"
	logSess  = "SESSION-LOGSECRET-5"
	logToken = "TOKEN-LOGSECRET-6"
)

// TestLogsCarryCallsNotSecrets runs a reboot and a delete, with calls that
// fail in the ways most likely to leak a secret (a transport error, whose
// URL holds the query; a retried failure; an answer that echoes the login
// token), under each kind of credential, and checks every log line and
// error: no secret anywhere, the TRACE log of each request with its
// credential header masked, and a DEBUG line per call that says what it
// was.
func TestLogsCarryCallsNotSecrets(t *testing.T) {
	tests := []struct {
		name string
		// cloud accepts the row's credentials and fails its calls;
		// run makes the calls against it.
		cloud func(cfg *mockcloud.Config)
		run   func(t *testing.T, m *clienttest.Cloud, ctx context.Context) []fleet.Outcome
		// masked is how the credential header shows in the TRACE log.
		masked string
		// A call's DEBUG line is the one with callField, carrying
		// fields, nonEmpty ones not empty.
		callField        string
		fields, nonEmpty []string
		calls            int
		// echoed is the code of a failure whose message echoed a
		// secret, shown redacted in place; "" when nothing fails.
		echoed string
	}{
		{
			name: "alibaba, AK/SK, STS and client API tokens",
			cloud: func(cfg *mockcloud.Config) {
				cfg.AlibabaKeys[logAK] = logSK
				cfg.AlibabaLoginTokens["s"] = logLogin
				cfg.Timing = mockcloud.Timing{DeleteStopping: time.Hour, DeletedVisible: time.Hour}
			},
			run: func(t *testing.T, m *clienttest.Cloud, ctx context.Context) []fleet.Outcome {
				ids := m.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "log", 2)
				// Reboot: the connection reset, then a refusal that
				// echoes the token. Delete: throttled, accepted, then
				// read Stopping and Deleted.
				m.InTurn(mockcloud.Fault{Cloud: mockcloud.CloudAlibaba, Operation: "RebootDesktops", Kind: mockcloud.FaultReset},
					mockcloud.Fault{Cloud: mockcloud.CloudAlibaba, Operation: "RebootDesktops", Kind: mockcloud.FaultError, Status: 403,
						Code: "InvalidLoginToken", Message: "The login token " + logLogin + " has expired."})
				m.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudAlibaba, Operation: "DeleteDesktops", Kind: mockcloud.FaultThrottle, Count: 1})
				m.StepClock(mockcloud.CloudAlibaba, "DescribeDesktops", time.Hour)
				c, err := alibaba.NewClient(alibaba.Config{Region: mockcloud.DemoAlibabaRegion, AccessKey: logAK, SecretKey: logSK, SecurityToken: logSTS,
					Endpoint: m.URL, Retry: fast})
				if err != nil {
					t.Fatal(err)
				}
				api := &alibaba.ClientAPI{ClientID: "c", SessionID: "s", LoginToken: logLogin, SessionToken: logSess}
				return []fleet.Outcome{
					c.Rebooter(alibaba.RebootOptions{ClientAPI: api}).Act(ctx, fleet.Batch{DesktopIDs: ids[:1], Token: "tok"}),
					c.Deleter(alibaba.DeleteOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch(ids[1])),
				}
			},
			masked:    `"Authorization":"ACS3-HMAC-SHA256 ***"`,
			callField: "action", fields: []string{"version", "desktop_count", "request_id", "http_status"},
			// Reboot: reset, 403. Delete: throttled, accepted, two reads.
			calls:  6,
			echoed: "InvalidLoginToken",
		},
		{
			name:  "huawei, AK/SK and STS",
			cloud: func(cfg *mockcloud.Config) { cfg.HuaweiKeys[logAK] = logSK },
			run: func(t *testing.T, m *clienttest.Cloud, ctx context.Context) []fleet.Outcome {
				return huaweiLogRun(t, m, ctx, func(c *huawei.Config) { c.AccessKey, c.SecretKey, c.SecurityToken = logAK, logSK, logSTS })
			},
			masked:    `"Authorization":"SDK-HMAC-SHA256 ***"`,
			callField: "operation", fields: []string{"desktop_count", "request_id", "http_status"}, nonEmpty: []string{"request_id"},
			calls: 3, // 429, reboot, delete
		},
		{
			name:  "huawei, IAM token",
			cloud: func(cfg *mockcloud.Config) { cfg.HuaweiAuthTokens = append(cfg.HuaweiAuthTokens, logToken) },
			run: func(t *testing.T, m *clienttest.Cloud, ctx context.Context) []fleet.Outcome {
				return huaweiLogRun(t, m, ctx, func(c *huawei.Config) { c.AuthToken = logToken })
			},
			masked:    `"X-Auth-Token":"***"`,
			callField: "operation", fields: []string{"desktop_count", "request_id", "http_status"}, nonEmpty: []string{"request_id"},
			calls: 3,
		},
	}
	secrets := []string{logAK, logSK, logSTS, logLogin, logSess, logToken, "LOGSECRET"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t, tt.cloud)
			ctx, logs := clienttest.CaptureLogs(context.Background())
			var texts []string
			for _, o := range tt.run(t, m, ctx) {
				for _, fl := range o.Failed {
					texts = append(texts, fl.String(), fl.Err.Error(), fmt.Sprintf("%v", fl.Err))
				}
			}
			if tt.echoed == "" && len(texts) != 0 {
				t.Fatalf("failures: %q", texts)
			}
			if tt.echoed != "" && (len(texts) == 0 || !strings.Contains(texts[0], tt.echoed) || !strings.Contains(texts[0], "(sensitive)")) {
				t.Errorf("the echoed token was not redacted in place: %q", texts)
			}
			for _, text := range texts {
				for _, secret := range append(secrets, "Authorization", "ACS3-HMAC", "SDK-HMAC") {
					if strings.Contains(text, secret) {
						t.Errorf("%q shows up in an error:\n%s", secret, text)
					}
				}
			}
			for _, secret := range append(secrets, "Signature=") {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("%q shows up in the log:\n%s", secret, logs)
				}
			}
			if !strings.Contains(logs.String(), tt.masked) {
				t.Errorf("the log does not show %s:\n%s", tt.masked, logs)
			}
			calls := 0
			for _, e := range logs.Entries(t) {
				if e["@level"] != "debug" || e[tt.callField] == nil {
					continue
				}
				calls++
				for _, field := range tt.fields {
					if _, ok := e[field]; !ok {
						t.Errorf("call log lacks %s: %v", field, e)
					}
				}
				for _, field := range tt.nonEmpty {
					if e[field] == "" {
						t.Errorf("call log has an empty %s: %v", field, e)
					}
				}
			}
			if calls != tt.calls {
				t.Errorf("%d call log lines, want %d:\n%s", calls, tt.calls, logs)
			}
		})
	}
}

// huaweiLogRun is the Huawei part of the logging test: a reboot throttled
// once, then a delete.
func huaweiLogRun(t *testing.T, m *clienttest.Cloud, ctx context.Context, creds func(*huawei.Config)) []fleet.Outcome {
	ids := m.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "log", 2)
	m.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudHuawei, Operation: "BatchRunDesktops", Kind: mockcloud.FaultThrottle, Count: 1})
	cfg := huawei.Config{ProjectID: mockcloud.DemoHuaweiProject, Endpoint: m.URL, Retry: fast}
	creds(&cfg)
	c, err := huawei.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return []fleet.Outcome{
		c.Rebooter(huawei.RebootOptions{}).Act(ctx, batch(ids...)),
		c.Deleter(huawei.DeleteOptions{}).Act(ctx, batch(ids[0])),
	}
}
