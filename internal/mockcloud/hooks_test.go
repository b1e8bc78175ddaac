package mockcloud

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOnCall: hooks see each call as recorded, in order, before the handler:
// a clock moved by a hook shows in the same call's answer, and a hook may
// use the Server without deadlocking.
func TestOnCall(t *testing.T) {
	e := newEnv(t, Timing{RebootStopping: time.Hour, RebootStarting: time.Hour})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "h", 1)
	var seen []string
	e.srv.OnCall(func(c Call) { seen = append(seen, c.Operation+" "+c.Auth) })
	e.srv.OnCall(func(c Call) {
		if c.Operation == "DescribeDesktops" {
			e.srv.Advance(time.Hour) // Stopping -> Starting, before this read is answered
		}
	})
	c := e.ali(t)
	_, err := aliCall(c, "RebootDesktops", aliAdminVersion, false, adminQuery(ids))
	mustOK(t, err)
	res, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false, adminQuery(ids))
	mustOK(t, err)
	desktops, _ := aliBody(t, res)["Desktops"].([]any)
	if len(desktops) != 1 || desktops[0].(map[string]any)["DesktopStatus"] != aliStarting {
		t.Errorf("read %v, want the desktop Starting after the hook moved the clock", desktops)
	}
	want := []string{"RebootDesktops ak:" + DemoAlibabaAccessKey, "DescribeDesktops ak:" + DemoAlibabaAccessKey}
	if !slices.Equal(seen, want) {
		t.Errorf("hooks saw %q, want %q", seen, want)
	}
}

// TestCallRecordsHeaders: a test can read what the client sent, tokens
// included, while the control API never shows them.
func TestCallRecordsHeaders(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "hdr", 1)
	_, err := hwReboot(e.hwWith(t, DemoHuaweiAccessKey, DemoHuaweiSecret, DemoHuaweiProject, "sts-value"), ids)
	mustOK(t, err)
	c := lastCall(t, e.srv)
	if c.Header.Get("X-Security-Token") != "sts-value" || c.Header.Get("Authorization") == "" {
		t.Errorf("recorded headers %v", c.Header)
	}
	resp, err := http.Get(e.hs.URL + "/_mock/calls")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "BatchRunDesktops") || strings.Contains(string(body), "sts-value") || strings.Contains(string(body), "SDK-HMAC-SHA256") {
		t.Errorf("the control API shows headers, or not the call: %s", body)
	}
}
