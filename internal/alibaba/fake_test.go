package alibaba

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// Credentials of the test client; the fake verifies signatures made with
// them.
const (
	testAK = "LTAI-test-access-key"
	testSK = "test-secret-key-value"
)

// fast is the retry policy of every test.
var fast = retry.Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// seen is one call as the fake received it.
type seen struct {
	Action, Version string
	Query           url.Values
	Header          http.Header
	N               int      // how many calls of this action, this one included
	IDs             []string // DesktopId.1..N in order
}

// fakeDesktop is a desktop's state: what the next read reports, and what
// the reads after that report in turn (the last one sticks). An empty
// status in script means the desktop is gone from then on.
type fakeDesktop struct {
	status string
	script []string
}

// fakeECD is a small in-memory ECD: DescribeDesktops (filtered, paged),
// RebootDesktops (both APIs, ClientToken honoured) and DeleteDesktops.
// hook, when set, sees every call first and may answer it itself.
type fakeECD struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	desktops map[string]*fakeDesktop
	pageSize int // caps MaxResults when set
	calls    []seen
	tokens   map[string]string // ClientToken -> request ID of the reboot it made
	acted    map[string]int    // reboots and deletes applied, per desktop
	hook     func(w http.ResponseWriter, r *http.Request, s seen) bool
	// verify makes every AK call prove its signature with testSK.
	verify bool
}

func newFake(t *testing.T) *fakeECD {
	t.Helper()
	f := &fakeECD{t: t, desktops: map[string]*fakeDesktop{}, tokens: map[string]string{}, acted: map[string]int{}, verify: true}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// seed adds desktops with a status.
func (f *fakeECD) seed(status string, ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.desktops[id] = &fakeDesktop{status: status}
	}
}

// setScript makes id report status now and the script on later reads.
func (f *fakeECD) setScript(id, status string, script ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.desktops[id] = &fakeDesktop{status: status, script: script}
}

func (f *fakeECD) setHook(h func(w http.ResponseWriter, r *http.Request, s seen) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// callsTo returns the calls of one action, in order.
func (f *fakeECD) callsTo(action string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seen
	for _, c := range f.calls {
		if c.Action == action {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeECD) actedOn(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.acted[id]
}

func (f *fakeECD) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// V3 requests carry action and version in headers, not the query.
	s := seen{Action: r.Header.Get("x-acs-action"), Version: r.Header.Get("x-acs-version"), Query: q, Header: r.Header.Clone()}
	for i := 1; q.Has("DesktopId." + strconv.Itoa(i)); i++ {
		s.IDs = append(s.IDs, q.Get("DesktopId."+strconv.Itoa(i)))
	}
	f.mu.Lock()
	for _, c := range f.calls {
		if c.Action == s.Action {
			s.N++
		}
	}
	s.N++
	f.calls = append(f.calls, s)
	hook, verify := f.hook, f.verify
	f.mu.Unlock()

	if r.Method != http.MethodPost || r.URL.Path != "/" {
		f.t.Errorf("%s %s, want POST /", r.Method, r.URL.Path)
	}
	anonymous := s.Action == opReboot && s.Version == clientAPIVersion
	if verify && !anonymous {
		if err := verifySignature(r, testAK, testSK); err != nil {
			f.t.Errorf("%s: %v", s.Action, err)
			writeError(w, 400, "SignatureDoesNotMatch", err.Error(), "req-badsig")
			return
		}
	}
	if hook != nil && hook(w, r, s) {
		return
	}
	status, body := f.apply(s)
	writeJSON(w, status, body)
}

// apply performs a call on the fake's state and returns the answer. Hooks
// call it to let a call take effect and then lose the answer.
func (f *fakeECD) apply(s seen) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reqID := fmt.Sprintf("req-%s-%d", s.Action, s.N)
	switch s.Action {
	case opDescribe:
		return f.describe(s, reqID)
	case opReboot:
		if tok := s.Query.Get("ClientToken"); tok != "" {
			if prev, ok := f.tokens[tok]; ok {
				return 200, map[string]any{"RequestId": prev}
			}
		}
		for _, id := range s.IDs {
			d, ok := f.desktops[id]
			if !ok {
				return 400, fakeErrorBody("InvalidDesktopId.NotFound", "The specified desktop "+id+" is not found.", reqID)
			}
			if d.status != statusRunning {
				return 400, fakeErrorBody("IncorrectDesktopStatus", "The desktop "+id+" is "+d.status+".", reqID)
			}
		}
		for _, id := range s.IDs {
			f.desktops[id].status, f.desktops[id].script = statusStopping, []string{statusStarting, statusRunning}
			f.acted[id]++
		}
		if tok := s.Query.Get("ClientToken"); tok != "" {
			f.tokens[tok] = reqID
		}
		return 200, map[string]any{"RequestId": reqID}
	case opDelete:
		for _, id := range s.IDs {
			if d, ok := f.desktops[id]; !ok || d.status == statusDeleted {
				return 400, fakeErrorBody("InvalidDesktopId.NotFound", "The specified desktop "+id+" is not found.", reqID)
			}
		}
		for _, id := range s.IDs {
			f.desktops[id].status, f.desktops[id].script = statusStopping, []string{statusDeleted, ""}
			f.acted[id]++
		}
		return 200, map[string]any{"RequestId": reqID}
	}
	return 400, fakeErrorBody("InvalidAction.NotFound", "unknown action "+s.Action, reqID)
}

func (f *fakeECD) describe(s seen, reqID string) (int, any) {
	ids := s.IDs
	if len(ids) == 0 {
		for id := range f.desktops {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var listed []string
	for _, id := range ids {
		if _, ok := f.desktops[id]; ok {
			listed = append(listed, id)
		}
	}
	size, _ := strconv.Atoi(s.Query.Get("MaxResults"))
	if size <= 0 || size > 100 {
		return 400, fakeErrorBody("InvalidParameter.MaxResults", "MaxResults must be 1..100", reqID)
	}
	if f.pageSize > 0 {
		size = min(size, f.pageSize)
	}
	start, _ := strconv.Atoi(s.Query.Get("NextToken"))
	end := min(start+size, len(listed))
	var page []map[string]any
	for _, id := range listed[min(start, end):end] {
		d := f.desktops[id]
		page = append(page, map[string]any{"DesktopId": id, "DesktopName": "name-" + id, "DesktopStatus": d.status})
		// Advance: the next read sees the next scripted status.
		if len(d.script) > 0 {
			d.status, d.script = d.script[0], d.script[1:]
			if d.status == "" {
				delete(f.desktops, id)
			}
		}
	}
	next := ""
	if end < len(listed) {
		next = strconv.Itoa(end)
	}
	return 200, map[string]any{"RequestId": reqID, "NextToken": next, "Desktops": page, "TotalCount": len(listed)}
}

func fakeErrorBody(code, message, reqID string) map[string]any {
	return map[string]any{"Code": code, "Message": message, "RequestId": reqID, "HostId": "ecd.cn-hangzhou.aliyuncs.com"}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	if m, ok := body.(map[string]any); ok {
		if id, ok := m["RequestId"].(string); ok {
			w.Header().Set("x-acs-request-id", id)
		}
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, code, message, reqID string) {
	writeJSON(w, status, fakeErrorBody(code, message, reqID))
}

// writeRaw answers with an arbitrary body and content type.
func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// resetConn drops the connection without an answer, with a TCP reset,
// after the request has been read: a response lost on the way back.
func resetConn(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic("hijack: " + err.Error()) // the test server is HTTP/1.1: cannot happen
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// verifySignature checks an ACS3-HMAC-SHA256 (V3) signature the way the
// API does, from the request as received.
func verifySignature(r *http.Request, ak, sk string) error {
	auth := r.Header.Get("Authorization")
	const algo = "ACS3-HMAC-SHA256"
	if !strings.HasPrefix(auth, algo+" ") {
		return fmt.Errorf("authorization %q is not %s", auth, algo)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, algo+" "), ",") {
		k, v, _ := strings.Cut(part, "=")
		fields[k] = v
	}
	if fields["Credential"] != ak {
		return fmt.Errorf("credential %q, want %q", fields["Credential"], ak)
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	for _, must := range []string{"host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"} {
		if !slices.Contains(signed, must) {
			return fmt.Errorf("header %s is not signed (%v)", must, signed)
		}
	}
	body, _ := io.ReadAll(r.Body)
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if got := r.Header.Get("x-acs-content-sha256"); got != payload {
		return fmt.Errorf("x-acs-content-sha256 %q, body hashes to %q", got, payload)
	}
	q := r.URL.Query()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	})
	var cq []string
	for _, k := range keys {
		cq = append(cq, k+"="+percentEncode(q.Get(k)))
	}
	var ch strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		ch.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	canonical := strings.Join([]string{r.Method, "/", strings.Join(cq, "&"), ch.String(), fields["SignedHeaders"], payload}, "\n")
	digest := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(algo + "\n" + hex.EncodeToString(digest[:])))
	if want := hex.EncodeToString(mac.Sum(nil)); fields["Signature"] != want {
		return fmt.Errorf("signature %s does not verify", fields["Signature"])
	}
	return nil
}

// percentEncode is RFC 3986 encoding as the V3 signature wants it.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// newTestClient builds a client for endpoint with the test credentials and
// the fast policy; edit adjusts the Config first.
func newTestClient(t *testing.T, endpoint string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Region: "cn-hangzhou", AccessKey: testAK, SecretKey: testSK, Endpoint: endpoint, Retry: fast, Timeout: 5 * time.Second, UserAgent: "terraform-provider-clouddesktop/test"}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func batch(token string, ids ...string) fleet.Batch {
	return fleet.Batch{DesktopIDs: ids, Token: token}
}

func idRange(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return out
}

// failedIDs lists the desktops of an outcome's failures.
func failedIDs(o fleet.Outcome) []string {
	var out []string
	for _, f := range o.Failed {
		out = append(out, f.DesktopID)
	}
	slices.Sort(out)
	return out
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// isolateCredentials empties every source of the default credential chain,
// so that it finds nothing (and never asks the ECS metadata service).
func isolateCredentials(t *testing.T) {
	for _, k := range []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_OIDC_TOKEN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_ROLE_ARN",
		"ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CONFIG_FILE",
		"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ECS_METADATA",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())
}
