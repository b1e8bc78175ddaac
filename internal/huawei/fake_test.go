package huawei

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
	"regexp"
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

const (
	testAK      = "AKTESTEXAMPLE"
	testSK      = "SKtestSecretValue0123456789"
	testProject = "0123456789abcdef0123456789abcdef"
)

var (
	testPolicy = retry.Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	testPoll   = retry.Poller{Interval: time.Millisecond}
)

// Routes of the four calls, as the fake sees them.
const (
	routeAction = "action"
	routeDelete = "batch-delete"
	routeJob    = "job"
	routeList   = "list"
)

// seen is one request as it arrived.
type seen struct {
	Route  string
	N      int // 1-based count of calls to this route, this one included
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Host   string
	Body   []byte
}

// IDs is the desktop_ids of a POST body or the desktop_id filter of a list.
func (s seen) IDs() []string {
	if s.Method == http.MethodGet {
		return s.Query["desktop_id"]
	}
	var b struct {
		DesktopIDs []string `json:"desktop_ids"`
	}
	_ = json.Unmarshal(s.Body, &b)
	return b.DesktopIDs
}

// fake is an httptest server that records every request and hands it to
// the test's handler.
type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []seen
	counts map[string]int
}

type handler func(w http.ResponseWriter, r *http.Request, s seen)

func newFake(t *testing.T, h handler) *fake {
	t.Helper()
	f := &fake{counts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		route := routeOf(r)
		f.mu.Lock()
		f.counts[route]++
		s := seen{Route: route, N: f.counts[route], Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
			Header: r.Header.Clone(), Host: r.Host, Body: body}
		f.reqs = append(f.reqs, s)
		f.mu.Unlock()
		w.Header().Set("X-Request-Id", fmt.Sprintf("req-%s-%d", route, s.N))
		h(w, r, s)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func routeOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/desktops/action"):
		return routeAction
	case strings.HasSuffix(p, "/desktops/batch-delete"):
		return routeDelete
	case strings.Contains(p, "/workspace-jobs/"):
		return routeJob
	case strings.HasSuffix(p, "/desktops/detail"):
		return routeList
	}
	return "other:" + p
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fake) of(route string) []seen {
	var out []seen
	for _, s := range f.requests() {
		if s.Route == route {
			out = append(out, s)
		}
	}
	return out
}

func newTestClient(t *testing.T, endpoint string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Region: "cn-north-4", ProjectID: testProject,
		AccessKey: testAK, SecretKey: testSK,
		Endpoint: endpoint, Retry: testPolicy, Timeout: 10 * time.Second,
		UserAgent: "clouddesktop-test",
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg})
}

// resetConn drops the connection with a TCP reset after the request was
// read: the client has sent everything and gets no answer.
func resetConn(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// desk is a desktop in a fake listing.
type desk struct{ id, status, task string }

// writeList answers ListDesktopsDetail from desktops, honouring the
// desktop_id filter, offset and limit.
func writeList(w http.ResponseWriter, s seen, desktops []desk) {
	want := s.Query["desktop_id"]
	var rows []map[string]any
	for _, d := range desktops {
		if len(want) > 0 && !slices.Contains(want, d.id) {
			continue
		}
		row := map[string]any{"desktop_id": d.id, "computer_name": "pc-" + d.id, "status": d.status}
		if d.task != "" {
			row["task_status"] = d.task
		}
		rows = append(rows, row)
	}
	offset, _ := strconv.Atoi(s.Query.Get("offset"))
	limit, _ := strconv.Atoi(s.Query.Get("limit"))
	if limit == 0 {
		limit = 1000
	}
	total := len(rows)
	page := rows[min(offset, total):min(offset+limit, total)]
	if page == nil {
		page = []map[string]any{}
	}
	writeJSON(w, 200, map[string]any{"desktops": page, "total_count": total})
}

func idsN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// cloudErr extracts the *fleet.CloudError of a failure, failing the test
// when there is none.
func cloudErr(t *testing.T, err error) *fleet.CloudError {
	t.Helper()
	ce, ok := err.(*fleet.CloudError)
	if !ok {
		t.Fatalf("error %T (%v) is not a *fleet.CloudError", err, err)
	}
	return ce
}

func failedIDs(o fleet.Outcome) []string {
	var out []string
	for _, f := range o.Failed {
		out = append(out, f.DesktopID)
	}
	sort.Strings(out)
	return out
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return out
}

func sameIDs(a, b []string) bool { return slices.Equal(sorted(a), sorted(b)) }

var authPattern = regexp.MustCompile(`^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;_-]+), Signature=([0-9a-f]{64})$`)

// verifySignature recomputes SDK-HMAC-SHA256 from the request as received,
// following the algorithm in CLOUD-NOTES rather than the SDK's code.
func verifySignature(s seen, ak, sk string, now time.Time) error {
	m := authPattern.FindStringSubmatch(s.Header.Get("Authorization"))
	if m == nil {
		return fmt.Errorf("Authorization %q is not SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...", s.Header.Get("Authorization"))
	}
	if m[1] != ak {
		return fmt.Errorf("Access=%q, want %q", m[1], ak)
	}
	date := s.Header.Get("X-Sdk-Date")
	ts, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return fmt.Errorf("X-Sdk-Date %q: %v", date, err)
	}
	if d := now.Sub(ts); d > 15*time.Minute || d < -15*time.Minute {
		return fmt.Errorf("X-Sdk-Date %q is %s off", date, d)
	}
	signed := strings.Split(m[2], ";")
	for _, h := range []string{"x-sdk-date", "x-project-id"} {
		if !slices.Contains(signed, h) {
			return fmt.Errorf("SignedHeaders %q lacks %s", m[2], h)
		}
	}
	if s.Header.Get("X-Security-Token") != "" && !slices.Contains(signed, "x-security-token") {
		return fmt.Errorf("SignedHeaders %q lacks x-security-token", m[2])
	}

	var uri []string
	for _, seg := range strings.Split(s.Path, "/") {
		uri = append(uri, sigEscape(seg))
	}
	canonURI := strings.Join(uri, "/")
	if !strings.HasSuffix(canonURI, "/") {
		canonURI += "/"
	}
	var keys []string
	for k := range s.Query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var q []string
	for _, k := range keys {
		vals := slices.Clone(s.Query[k])
		sort.Strings(vals)
		for _, v := range vals {
			q = append(q, sigEscape(k)+"="+sigEscape(v))
		}
	}
	var hdrs strings.Builder
	for _, h := range signed {
		vals := s.Header.Values(h)
		if h == "host" {
			vals = []string{s.Host}
		}
		if len(vals) == 0 {
			return fmt.Errorf("signed header %s not in the request", h)
		}
		vals = slices.Clone(vals)
		sort.Strings(vals)
		for _, v := range vals {
			hdrs.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	bodyHash := sha256.Sum256(s.Body)
	canonical := strings.Join([]string{s.Method, canonURI, strings.Join(q, "&"), hdrs.String(), m[2], hex.EncodeToString(bodyHash[:])}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	toSign := "SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(toSign))
	if want := hex.EncodeToString(mac.Sum(nil)); want != m[3] {
		return fmt.Errorf("signature %s, recomputed %s", m[3], want)
	}
	return nil
}

func sigEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("_-~.", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func batch(ids ...string) fleet.Batch { return fleet.Batch{DesktopIDs: ids} }

func fleetFilter(ids ...string) fleet.ListFilter { return fleet.ListFilter{IDs: ids} }

func fleet0() fleet.ListFilter { return fleet.ListFilter{} }
