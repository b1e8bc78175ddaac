package mockcloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAlibabaSignature(t *testing.T) {
	tests := []struct {
		name             string
		ak, secret, sts  string
		tamper           func(*http.Request)
		skew             time.Duration // how far the server's clock is from the signer's
		wantCode         string
		wantStatus       int
		wantMsg          string
		wantAuth         string
		wantRebootsAfter int
	}{
		{name: "valid", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantAuth: "ak:" + DemoAlibabaAccessKey, wantRebootsAfter: 1},
		{name: "valid with security token", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, sts: "sts-token-123",
			wantAuth: "ak:" + DemoAlibabaAccessKey, wantRebootsAfter: 1},
		{name: "wrong secret", ak: DemoAlibabaAccessKey, secret: "not-the-secret", wantCode: "SignatureDoesNotMatch", wantStatus: 400},
		{name: "unknown access key", ak: "NOSUCHKEY", secret: DemoAlibabaSecret, wantCode: "InvalidAccessKeyId.NotFound", wantStatus: 404},
		{name: "tampered query", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantCode: "SignatureDoesNotMatch", wantStatus: 400,
			tamper: func(r *http.Request) {
				q := r.URL.Query()
				q.Set("OsUpdate", "true")
				r.URL.RawQuery = q.Encode()
			}},
		{name: "tampered action header", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantCode: "SignatureDoesNotMatch", wantStatus: 400,
			tamper: func(r *http.Request) { r.Header.Set("x-acs-action", "DeleteDesktops") }},
		{name: "tampered body", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantCode: "SignatureDoesNotMatch", wantStatus: 400,
			wantMsg: "x-acs-content-sha256",
			tamper: func(r *http.Request) {
				body := "DesktopId.2=ecd-other"
				r.Body = ioNopCloser(body)
				r.ContentLength = int64(len(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}},
		{name: "unsigned x-acs header added", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantCode: "IncompleteSignature", wantStatus: 400,
			tamper: func(r *http.Request) { r.Header.Set("x-acs-security-token", "injected") }},
		{name: "no Authorization", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, wantCode: "IncompleteSignature", wantStatus: 400,
			tamper: func(r *http.Request) { r.Header.Del("Authorization") }},
		{name: "stale date", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, skew: 16 * time.Minute,
			wantCode: "InvalidTimeStamp.Expired", wantStatus: 400},
		{name: "date from the future", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, skew: -16 * time.Minute,
			wantCode: "InvalidTimeStamp.Expired", wantStatus: 400},
		{name: "date within the window", ak: DemoAlibabaAccessKey, secret: DemoAlibabaSecret, skew: 14 * time.Minute,
			wantAuth: "ak:" + DemoAlibabaAccessKey, wantRebootsAfter: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSignatureEnv(t, tt.tamper, tt.skew)
			ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "sig", 1)
			_, err := aliCall(e.aliWith(t, tt.ak, tt.secret, tt.sts), "RebootDesktops", aliAdminVersion, false, adminQuery(ids))
			c := lastCall(t, e.srv)
			if tt.wantCode != "" {
				wantAliErr(t, err, tt.wantCode, tt.wantStatus)
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("message does not mention %q: %v", tt.wantMsg, err)
				}
				if c.Auth != "" || c.Applied {
					t.Errorf("rejected call recorded auth %q applied %v", c.Auth, c.Applied)
				}
				if c.ErrorCode != tt.wantCode {
					t.Errorf("recorded error %q", c.ErrorCode)
				}
			} else {
				mustOK(t, err)
				if c.Auth != tt.wantAuth {
					t.Errorf("auth %q, want %q", c.Auth, tt.wantAuth)
				}
			}
			if n := e.srv.RebootCount(CloudAlibaba, ids[0]); n != tt.wantRebootsAfter {
				t.Errorf("reboots %d, want %d", n, tt.wantRebootsAfter)
			}
		})
	}
}

func ioNopCloser(s string) *nopCloser { return &nopCloser{strings.NewReader(s)} }

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// A signed request replayed byte for byte is refused by its nonce.
func TestAlibabaNonceReplay(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "nonce", 1)
	got := make(chan *http.Request, 1)
	e.setTamper(func(r *http.Request) { got <- r.Clone(r.Context()) })
	_, err := aliCall(e.ali(t), "DescribeDesktops", aliAdminVersion, false, adminQuery(ids))
	mustOK(t, err)
	e.setTamper(func(*http.Request) {})
	captured := <-got

	req, _ := http.NewRequest(captured.Method, e.hs.URL+captured.URL.RequestURI(), nil)
	req.Header = captured.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c := lastCall(t, e.srv); resp.StatusCode != 400 || c.ErrorCode != "SignatureNonceUsed" {
		t.Fatalf("replay got HTTP %d %s, want 400 SignatureNonceUsed", resp.StatusCode, c.ErrorCode)
	}
}

func TestAlibabaClientReboot(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(q map[string]any)
		wantCode   string
		wantStatus int
	}{
		{name: "valid"},
		{name: "bad login token", edit: func(q map[string]any) { q["LoginToken"] = "stolen-or-expired" }, wantCode: "InvalidLoginToken", wantStatus: 403},
		{name: "unknown session", edit: func(q map[string]any) { q["SessionId"] = "other-session" }, wantCode: "InvalidLoginToken", wantStatus: 403},
		{name: "missing RegionId", edit: func(q map[string]any) { delete(q, "RegionId") }, wantCode: "MissingParameter", wantStatus: 400},
		{name: "missing ClientId", edit: func(q map[string]any) { delete(q, "ClientId") }, wantCode: "MissingParameter", wantStatus: 400},
		// Optional in the document: the token alone identifies the user.
		{name: "no SessionId", edit: func(q map[string]any) { delete(q, "SessionId") }},
		{name: "no SessionId, unknown token", edit: func(q map[string]any) { delete(q, "SessionId"); q["LoginToken"] = "nobody" }, wantCode: "InvalidLoginToken", wantStatus: 403},
		{name: "no LoginToken: nobody to act as", edit: func(q map[string]any) { delete(q, "LoginToken") }, wantCode: "InvalidLoginToken", wantStatus: 403},
		{name: "missing ClientToken", edit: func(q map[string]any) { delete(q, "ClientToken") }, wantCode: "MissingParameter", wantStatus: 400},
		{name: "missing DesktopId", edit: func(q map[string]any) { delete(q, "DesktopId") }, wantCode: "MissingParameter", wantStatus: 400},
		{name: "21 desktops", edit: func(q map[string]any) { q["DesktopId"] = fakeIDs(21) }, wantCode: "InvalidParameter.DesktopId", wantStatus: 400},
		{name: "ClientToken of 65 chars", edit: func(q map[string]any) { q["ClientToken"] = strings.Repeat("a", 65) }, wantCode: "InvalidParameter.ClientToken", wantStatus: 400},
		{name: "ClientToken not ASCII", edit: func(q map[string]any) { q["ClientToken"] = "tök" }, wantCode: "InvalidParameter.ClientToken", wantStatus: 400},
		{name: "unknown desktop", edit: func(q map[string]any) { q["DesktopId"] = []string{"ecd-doesnotexist00000"} }, wantCode: "InvalidDesktopId.NotFound", wantStatus: 400},
		{name: "other region", edit: func(q map[string]any) { q["RegionId"] = "cn-shanghai" }, wantCode: "InvalidDesktopId.NotFound", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{})
			ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "cli", 2)
			q := clientQuery(ids, "token-"+tt.name)
			if tt.edit != nil {
				tt.edit(q)
			}
			_, err := aliCall(e.aliAnon(t), "RebootDesktops", aliClientVersion, true, q)
			want := 1
			if tt.wantCode != "" {
				wantAliErr(t, err, tt.wantCode, tt.wantStatus)
				want = 0
				if strings.Contains(fmt.Sprint(err), DemoAlibabaLoginToken) || strings.Contains(fmt.Sprint(err), "stolen-or-expired") {
					t.Errorf("error echoes the login token: %v", err)
				}
			} else {
				mustOK(t, err)
				if c := lastCall(t, e.srv); c.Auth != "anonymous" || c.ClientToken != q["ClientToken"] || len(c.DesktopIDs) != 2 {
					t.Errorf("recorded %+v", c)
				}
			}
			for _, id := range ids {
				if n := e.srv.RebootCount(CloudAlibaba, id); n != want {
					t.Errorf("%s rebooted %d times, want %d", id, n, want)
				}
			}
		})
	}
}

func fakeIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("ecd-fake%013d", i)
	}
	return out
}

// A retry with the same ClientToken gets the first answer and reboots
// nothing; a new token reboots again; reusing a token for other desktops
// is refused.
func TestAlibabaClientTokenIdempotence(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "idem", 3)
	c := e.aliAnon(t)

	first, err := aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids[:2], "reboot-1"))
	mustOK(t, err)
	again, err := aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids[:2], "reboot-1"))
	mustOK(t, err)
	if a, b := aliBody(t, first)["RequestId"], aliBody(t, again)["RequestId"]; a != b || a == "" {
		t.Errorf("replay RequestId %v, first %v: want the same", b, a)
	}
	calls := e.srv.CallsTo(CloudAlibaba, "RebootDesktops")
	if !calls[0].Applied || calls[1].Applied || calls[1].RequestID != calls[0].RequestID {
		t.Errorf("applied %v/%v, request IDs %s/%s", calls[0].Applied, calls[1].Applied, calls[0].RequestID, calls[1].RequestID)
	}
	for _, id := range ids[:2] {
		if n := e.srv.RebootCount(CloudAlibaba, id); n != 1 {
			t.Errorf("%s rebooted %d times after a replay, want 1", id, n)
		}
	}

	_, err = aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids[1:], "reboot-1"))
	wantAliErr(t, err, "IdempotentParameterMismatch", 400)

	_, err = aliCall(c, "RebootDesktops", aliClientVersion, true, clientQuery(ids[:2], "reboot-2"))
	mustOK(t, err)
	if n := e.srv.RebootCount(CloudAlibaba, ids[0]); n != 2 {
		t.Errorf("a new ClientToken rebooted %d times in all, want 2", n)
	}
}

// The admin API 2020-09-30 reboot.
func TestAlibabaAdminReboot(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(s *Server, ids []string) []string // returns the IDs to send
		extra      []any
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{name: "100 desktops", setup: func(s *Server, ids []string) []string {
			return s.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "many", 100)
		}},
		{name: "101 desktops", setup: func(s *Server, ids []string) []string {
			return s.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "many", 101)
		}, wantCode: "InvalidParameter.DesktopId", wantStatus: 400},
		{name: "none", setup: func(*Server, []string) []string { return nil }, wantCode: "MissingParameter", wantStatus: 400},
		{name: "one unknown refuses all", setup: func(_ *Server, ids []string) []string {
			return append(ids, "ecd-missing0000000001")
		}, wantCode: "InvalidDesktopId.NotFound", wantStatus: 400, wantMsg: "ecd-missing0000000001"},
		{name: "one stopped refuses all", setup: func(s *Server, ids []string) []string {
			s.AddDesktops(Desktop{Cloud: CloudAlibaba, ID: "ecd-stopped0000000001", Status: "Stopped"})
			return append(ids, "ecd-stopped0000000001")
		}, wantCode: "IncorrectDesktopStatus", wantStatus: 400, wantMsg: "ecd-stopped0000000001"},
		{name: "bad OsUpdate", setup: func(_ *Server, ids []string) []string { return ids }, extra: []any{"OsUpdate", "yes"},
			wantCode: "InvalidParameter.OsUpdate", wantStatus: 400},
		{name: "OsUpdate true", setup: func(_ *Server, ids []string) []string { return ids }, extra: []any{"OsUpdate", true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{})
			base := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "adm", 2)
			ids := tt.setup(e.srv, base)
			_, err := aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery(ids, tt.extra...))
			want := wantAliAnswer(t, err, tt.wantCode, tt.wantStatus, tt.wantMsg)
			for _, id := range ids {
				if n := e.srv.RebootCount(CloudAlibaba, id); n != want {
					t.Fatalf("%s rebooted %d times, want %d", id, n, want)
				}
			}
		})
	}
}

func TestAlibabaDelete(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(s *Server, ids []string) []string
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{name: "valid", setup: func(_ *Server, ids []string) []string { return ids }},
		{name: "unknown refuses all", setup: func(_ *Server, ids []string) []string {
			return append(ids, "ecd-missing0000000001", "ecd-missing0000000002")
		}, wantCode: "InvalidDesktopId.NotFound", wantStatus: 400, wantMsg: "ecd-missing0000000001, ecd-missing0000000002"},
		{name: "prepaid refused", setup: func(s *Server, ids []string) []string {
			s.AddDesktops(Desktop{Cloud: CloudAlibaba, ID: "ecd-prepaid0000000001", ChargeType: "PrePaid"})
			return append(ids, "ecd-prepaid0000000001")
		}, wantCode: "InvalidChargeType.Unsupported", wantStatus: 400, wantMsg: "ecd-prepaid0000000001"},
		{name: "101 desktops", setup: func(s *Server, _ []string) []string {
			return s.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "many", 101)
		}, wantCode: "InvalidParameter.DesktopId", wantStatus: 400},
		{name: "missing RegionId is named", setup: func(_ *Server, ids []string) []string { return ids },
			wantCode: "MissingParameter", wantStatus: 400, wantMsg: "RegionId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{DeleteStopping: hours})
			ids := tt.setup(e.srv, e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "del", 2))
			q := adminQuery(ids)
			if tt.wantMsg == "RegionId" {
				delete(q, "RegionId")
			}
			_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, q)
			want := wantAliAnswer(t, err, tt.wantCode, tt.wantStatus, tt.wantMsg)
			for _, id := range ids {
				if n := e.srv.DeleteCount(CloudAlibaba, id); n != want {
					t.Fatalf("%s deleted %d times, want %d", id, n, want)
				}
			}
		})
	}

	t.Run("already deleting", func(t *testing.T) {
		e := newEnv(t, Timing{DeleteStopping: hours})
		ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "twice", 2)
		_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery(ids[:1]))
		mustOK(t, err)
		_, err = aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery(ids))
		wantAliErr(t, err, "IncorrectDesktopStatus", 400)
		if a, b := e.srv.DeleteCount(CloudAlibaba, ids[0]), e.srv.DeleteCount(CloudAlibaba, ids[1]); a != 1 || b != 0 {
			t.Errorf("delete counts %d, %d; want 1, 0", a, b)
		}
	})
}

func TestAlibabaDescribePagination(t *testing.T) {
	e := newEnv(t, Timing{RebootStopping: hours})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "page", 25)
	e.srv.SeedFleet(CloudAlibaba, "cn-shanghai", "elsewhere", 3)
	c := e.ali(t)

	var seen []string
	pages := describePages(t, c, 10)
	for i, body := range pages {
		if n := fmt.Sprint(body["TotalCount"]); n != "25" {
			t.Fatalf("TotalCount %s, want 25", n)
		}
		page := body["Desktops"].([]any)
		if want := min(10, 25-len(seen)); len(page) != want {
			t.Fatalf("page %d holds %d desktops, want %d", i+1, len(page), want)
		}
		for _, d := range page {
			m := d.(map[string]any)
			if m["RegionId"] != DemoAlibabaRegion || m["DesktopStatus"] != "Running" {
				t.Errorf("desktop %v", m)
			}
			seen = append(seen, m["DesktopId"].(string))
		}
	}
	if len(pages) != 3 || len(seen) != 25 {
		t.Fatalf("%d pages, %d desktops; want 3 pages of 25", len(pages), len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i-1] >= seen[i] {
			t.Fatalf("not ordered by ID: %s then %s", seen[i-1], seen[i])
		}
	}

	// Filters: by ID (unknown IDs simply absent) and by status.
	_, err := aliCall(c, "RebootDesktops", aliAdminVersion, false, adminQuery(ids[:2]))
	mustOK(t, err)
	res, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false,
		adminQuery([]string{ids[0], ids[5], "ecd-unknown0000000000"}, "DesktopStatus", "Stopping"))
	mustOK(t, err)
	body := aliBody(t, res)
	if got := body["Desktops"].([]any); len(got) != 1 || got[0].(map[string]any)["DesktopId"] != ids[0] {
		t.Errorf("filtered to %v, want only %s", got, ids[0])
	}

	for _, tt := range []struct {
		name  string
		extra []any
		code  string
	}{
		{"MaxResults 101", []any{"MaxResults", 101}, "InvalidParameter"},
		{"MaxResults 0", []any{"MaxResults", 0}, "InvalidParameter"},
		{"bad NextToken", []any{"NextToken", "garbage"}, "InvalidNextToken"},
		{"forged NextToken", []any{"NextToken", "bW9jaw"}, "InvalidNextToken"},
		{"101 IDs", []any{"DesktopId", fakeIDs(101)}, "InvalidParameter.DesktopId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false, adminQuery(nil, tt.extra...))
			wantAliErr(t, err, tt.code, 400)
		})
	}

	t.Run("unknown region is empty", func(t *testing.T) {
		res, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false, map[string]any{"RegionId": "ap-nowhere-1"})
		mustOK(t, err)
		if b := aliBody(t, res); fmt.Sprint(b["TotalCount"]) != "0" || len(b["Desktops"].([]any)) != 0 {
			t.Errorf("got %v", b)
		}
	})
}

func TestAlibabaUnknownAction(t *testing.T) {
	e := newEnv(t, Timing{})
	for _, tt := range []struct{ action, version, code string }{
		{"StartDesktops", aliAdminVersion, "InvalidAction.NotFound"},
		{"DeleteDesktops", aliClientVersion, "InvalidAction.NotFound"},
		{"RebootDesktops", "2019-01-01", "InvalidAction.NotFound"},
	} {
		t.Run(tt.action+"@"+tt.version, func(t *testing.T) {
			_, err := aliCall(e.ali(t), tt.action, tt.version, false, adminQuery(nil))
			wantAliErr(t, err, tt.code, 404)
		})
	}
}

// The client API takes exactly the RPC V2 anonymous request the official
// ECD 2020-10-02 SDK sends, and the admin API exactly an ACS3-HMAC-SHA256
// one: each shape sent to the other API version is refused, and nothing is
// rebooted.
func TestAlibabaRequestShapePerVersion(t *testing.T) {
	rawV2 := func(ids []string, edit func(url.Values)) url.Values {
		q := anonReboot(ids[0], "t-"+ids[0])
		if edit != nil {
			edit(q)
		}
		return q
	}
	post := func(t *testing.T, e *env, q url.Values, header http.Header) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, e.hs.URL+"/?"+q.Encode(), nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Code string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Code
	}
	tests := []struct {
		name     string
		send     func(t *testing.T, e *env, ids []string) (int, string)
		wantCode string // "" when the reboot must be accepted
	}{
		{"client API as RPC V2, anonymous (the SDK's shape)", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, nil), nil)
		}, ""},
		{"client API as RPC V2 with the SDK", func(t *testing.T, e *env, ids []string) (int, string) {
			_, err := aliCall(e.aliAnon(t), "RebootDesktops", aliClientVersion, true, clientQuery(ids, "sdk-"+ids[0]))
			return sdkOutcome(t, err)
		}, ""},
		{"client API as ACS3 (V3) anonymous", func(t *testing.T, e *env, ids []string) (int, string) {
			_, err := aliCall(e.aliWith(t, "", "", ""), "RebootDesktops", aliClientVersion, true, clientQuery(ids, "v3-"+ids[0]))
			return sdkOutcome(t, err)
		}, "MissingParameter"},
		{"client API signed with ACS3", func(t *testing.T, e *env, ids []string) (int, string) {
			_, err := aliCall(e.ali(t), "RebootDesktops", aliClientVersion, false, clientQuery(ids, "acs3-"+ids[0]))
			return sdkOutcome(t, err)
		}, "MissingParameter"},
		{"client API as RPC V2 carrying a signature", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, func(q url.Values) { q.Set("AccessKeyId", DemoAlibabaAccessKey); q.Set("Signature", "x") }), nil)
		}, "UnexpectedSignature"},
		{"client API as RPC V2 with an Authorization header", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, nil), http.Header{"Authorization": {"ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=y"}})
		}, "UnexpectedSignature"},
		{"client API as RPC V2 without Timestamp", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, func(q url.Values) { q.Del("Timestamp") }), nil)
		}, "MissingParameter"},
		{"client API as RPC V2 with a stale Timestamp", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, func(q url.Values) { q.Set("Timestamp", "2020-01-01T00:00:00Z") }), nil)
		}, "InvalidTimeStamp.Expired"},
		{"client API as RPC V2 in XML", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, func(q url.Values) { q.Set("Format", "XML") }), nil)
		}, "InvalidParameter.Format"},
		{"admin API signed RPC V2 (HMAC-SHA1)", func(t *testing.T, e *env, ids []string) (int, string) {
			_, err := aliCall(e.aliConfig(t, DemoAlibabaAccessKey, DemoAlibabaSecret, "", "v2"), "RebootDesktops", aliAdminVersion, false, adminQuery(ids))
			return sdkOutcome(t, err)
		}, "IncompleteSignature"},
		{"admin API anonymous RPC V2", func(t *testing.T, e *env, ids []string) (int, string) {
			return post(t, e, rawV2(ids, func(q url.Values) { q.Set("Version", aliAdminVersion) }), nil)
		}, "IncompleteSignature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{})
			ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "shape", 1)
			status, code := tt.send(t, e, ids)
			want := 0
			if tt.wantCode == "" {
				want = 1
				if status != 200 {
					t.Fatalf("HTTP %d %s, want the reboot accepted", status, code)
				}
			} else if status != 400 || code != tt.wantCode {
				t.Fatalf("HTTP %d %s, want 400 %s", status, code, tt.wantCode)
			}
			if n := e.srv.RebootCount(CloudAlibaba, ids[0]); n != want {
				t.Errorf("rebooted %d times, want %d", n, want)
			}
		})
	}
}

// sdkOutcome is the HTTP status and error code of an SDK call.
func sdkOutcome(t *testing.T, err error) (int, string) {
	if err == nil {
		return 200, ""
	}
	code, status := aliErrCode(t, err)
	return status, code
}
