package mockcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Cloud names, as used in Desktop.Cloud, Call.Cloud and Fault.Cloud.
const (
	CloudAlibaba = "alibaba"
	CloudHuawei  = "huawei"
)

// Config says which credentials the mock accepts and how long transitions
// take.
type Config struct {
	AlibabaKeys        map[string]string // AccessKeyId -> AccessKeySecret accepted for AK-signed (ACS3-HMAC-SHA256) calls
	AlibabaLoginTokens map[string]string // SessionId -> LoginToken accepted by the anonymous client API 2020-10-02
	HuaweiKeys         map[string]string // AK -> SK accepted for SDK-HMAC-SHA256
	HuaweiAuthTokens   []string          // accepted X-Auth-Token values
	// HuaweiProjects are the known project IDs; others get 404 (a Huawei
	// project is per region). Empty accepts every project ID.
	HuaweiProjects []string
	// HuaweiJobIDs are handed out, in order, as the job_id of the first
	// batch-delete jobs (a test can make the mock answer with a document's
	// example job ID); later jobs get generated IDs.
	HuaweiJobIDs []string
	Timing       Timing
	// Behaviour is how the mock answers where the clouds' sources leave
	// room; it can be switched later with SetBehaviour.
	Behaviour Behaviour
	Seed      int64 // seeds the fault probability RNG and generated IDs (deterministic)
	// Log, when set, receives one line per cloud call. Lines never hold
	// signatures, tokens or secrets.
	Log io.Writer

	// Short-lived credentials: what the STS and IAM take and hand out
	// (sts.go, iam.go, credentials.go).

	// AlibabaRoles are the roles (by ARN) that the STS's AssumeRole and
	// AssumeRoleWithOIDC may assume.
	AlibabaRoles map[string]AlibabaRole
	// AlibabaOIDCProviders are the OIDC providers (by ARN) that
	// AssumeRoleWithOIDC knows, each with the OIDC tokens it accepts.
	AlibabaOIDCProviders map[string][]string
	// HuaweiIdentityProviders are the IAM identity providers (by the ID
	// sent in X-Idp-Id), each with the id tokens it accepts.
	HuaweiIdentityProviders map[string][]string
	// CredentialLifetime is how long every issued credential (and Huawei's
	// subject token) lives; zero means what the request asks for (Alibaba
	// DurationSeconds, Huawei duration_seconds).
	CredentialLifetime time.Duration
}

// Timing is how long each phase of a transition lasts. Zero means instant.
type Timing struct {
	// RebootLag is how long an accepted reboot does not show yet: the
	// desktop keeps reading Running / ACTIVE with no task, as with a cloud
	// whose task state lags the call (the reason the huaweicloud provider
	// waits 10 s after a power action before it trusts an idle read).
	RebootLag                      time.Duration
	RebootStopping, RebootStarting time.Duration // Alibaba: Running -> Stopping -> Starting -> Running; Huawei: ACTIVE with task_status "rebooting" for the sum
	DeleteStopping                 time.Duration // Alibaba: after DeleteDesktops the desktop is Stopping this long, then "Deleted" for DeletedVisible, then absent
	DeletedVisible                 time.Duration // Alibaba Deleted / Huawei status DELETED visible this long before the desktop is gone (404 / absent)
	JobWaiting, JobRunning         time.Duration // Huawei job WAITING for JobWaiting, RUNNING for JobRunning, then SUCCESS/FAILED; desktops are deleted when the job finishes
}

// Server is the mock cloud. It implements http.Handler and is safe for
// concurrent use. One mutex guards everything: the mock is not meant to be
// fast, and a single lock makes "check, then apply" atomic per request.
type Server struct {
	cfg       Config
	tokens    map[string]bool // Huawei X-Auth-Token values
	projects  map[string]bool // Huawei projects; nil accepts any
	mu        sync.Mutex
	behaviour Behaviour
	offset    time.Duration // Advance: how far the mock's clock is ahead of the wall clock
	desktops  map[dkey]*desktop
	counts    map[dkey]*counts
	jobs      map[string]*hwJob
	// jobIDsHanded marks the Config.HuaweiJobIDs already given out.
	jobIDsHanded map[string]bool
	tokenCache   map[string]*tokenEntry // Alibaba client API idempotence, by action and ClientToken
	nonces       map[string]time.Time   // Alibaba x-acs-signature-nonce and RPC SignatureNonce values seen, for replay refusal
	calls        []*Call
	hooks        []func(Call) // OnCall
	faults       []*faultEntry
	nextFault    int
	faultRNG     *rand.Rand
	idRNG        *rand.Rand
	// signatureSkew shifts the clock that signature dates, and the expiry
	// of issued credentials, are checked against. That clock is the wall
	// clock, not the mock's (Advance) clock, because the SDKs sign with
	// the wall clock and decide when to refresh a credential by it; tests
	// in this package skew it to make fresh SDK signatures look stale and
	// issued credentials expire without waiting.
	signatureSkew atomic.Int64

	// What the STS and IAM handed out (credentials.go).
	issued     []*IssuedCredential // in issue order
	issuedKeys map[issuedKey]*IssuedCredential
	// subjectTokens are the Huawei federated tokens (X-Subject-Token)
	// handed out, which CreateTemporaryAccessKeyByToken takes.
	subjectTokens map[string]*subjectToken
	secrets       []string // every secret handed out, in issue order
}

// New returns a mock cloud with no desktops.
func New(cfg Config) *Server {
	s := &Server{
		cfg:          cfg,
		behaviour:    cfg.Behaviour,
		tokens:       map[string]bool{},
		desktops:     map[dkey]*desktop{},
		counts:       map[dkey]*counts{},
		jobs:         map[string]*hwJob{},
		jobIDsHanded: map[string]bool{},
		tokenCache:   map[string]*tokenEntry{},
		nonces:       map[string]time.Time{},

		issuedKeys:    map[issuedKey]*IssuedCredential{},
		subjectTokens: map[string]*subjectToken{},
		// Two generators, so seeding a fleet does not change which calls
		// a probabilistic fault hits.
		faultRNG: rand.New(rand.NewSource(cfg.Seed)),
		idRNG:    rand.New(rand.NewSource(cfg.Seed ^ 0x5eed)),
	}
	for _, t := range cfg.HuaweiAuthTokens {
		s.tokens[t] = true
	}
	if len(cfg.HuaweiProjects) > 0 {
		s.projects = map[string]bool{}
		for _, p := range cfg.HuaweiProjects {
			s.projects[p] = true
		}
	}
	return s
}

// Advance moves the mock's clock forward by d, so a test can walk a desktop
// through the phases of a transition without sleeping. Signature dates are
// still checked against the wall clock, which is what the SDKs sign with.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Now is the mock's clock: the wall clock plus every Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return time.Now().Add(s.offset) }

// wallClock is what signature dates and credential expiry are checked
// against.
func (s *Server) wallClock() time.Time {
	return time.Now().Add(time.Duration(s.signatureSkew.Load()))
}

// maxBody bounds what one request may send; the real APIs take far less.
const maxBody = 1 << 20

// ServeHTTP routes by path: /_mock/ is the control API, /v2/ is Huawei
// Workspace, /v3.0/ is Huawei IAM, and / is the Alibaba RPC endpoint, where
// AssumeRole and AssumeRoleWithOIDC of version 2015-04-01 go to the STS.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_mock" || strings.HasPrefix(r.URL.Path, "/_mock/") {
		s.serveControl(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		// The client went away mid-body: there is nobody to answer.
		return
	}
	var ex *exchange
	switch {
	case strings.HasPrefix(r.URL.Path, "/v2/"):
		ex = s.huaweiExchange(r, body)
	case strings.HasPrefix(r.URL.Path, "/v3.0/"):
		ex = s.iamExchange(r, body)
	case r.URL.Path == "/" && isSTSRequest(r):
		ex = s.stsExchange(r, body)
	case r.URL.Path == "/":
		ex = s.alibabaExchange(r, body)
	default:
		ex = s.unknownExchange(r, body)
	}
	if len(body) > maxBody {
		ex.authenticate = func() (string, *response) {
			return "", ex.errorResponse(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than 1 MiB.")
		}
	}
	s.serve(w, r, ex)
}

// exchange is one cloud request on its way through the pipeline. The cloud
// handlers fill it in; serve runs the steps in a fixed order: record,
// authenticate, inject faults, plan, apply, respond.
type exchange struct {
	call *Call
	// authenticate says who the caller is ("ak:<id>", "sts:<issued
	// id>", "token", "anonymous") and returns a nil response when it may
	// proceed, or the error response. It runs without the lock, so it
	// must not touch call: Calls may be reading it.
	authenticate func() (auth string, fail *response)
	// plan validates the request against the current state and returns the
	// response plus a function that makes the change. It runs under s.mu
	// and must not change anything itself, so a fault can drop the change.
	plan func(now time.Time) plan
	// errorResponse renders an error in this cloud's format.
	errorResponse func(status int, code, message string) *response
}

type plan struct {
	resp  *response
	apply func() // nil when the request changes nothing
}

// response is a fully rendered answer, computed under the lock and written
// after it is released.
type response struct {
	status    int
	header    http.Header
	body      []byte
	requestID string
	errorCode string
	reset     bool // close the connection without answering
}

func newRequestID() string { return strings.ToUpper(uuid.NewString()) }

// serve runs one exchange. Auth comes first, so a fault never hides a bad
// signature; faults come before the handler, so they can stop a request
// from being applied.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, ex *exchange) {
	s.record(ex.call)
	auth, resp := ex.authenticate()
	s.mu.Lock()
	ex.call.Auth = auth
	s.mu.Unlock()
	s.runHooks(ex.call)
	var fired, slow *Fault
	applied := false
	if resp == nil {
		var ok bool
		if slow, ok = s.delay(r.Context(), ex.call); !ok {
			// The client gave up during an injected delay: nothing was
			// applied and nobody reads an answer.
			s.finish(ex.call, &response{}, slow, false)
			return
		}
		s.mu.Lock()
		fired = s.pickFault(ex.call)
		if fired != nil && !fired.needsPlan() {
			resp = s.faultResponse(ex, fired, nil)
		} else {
			p := ex.plan(s.nowLocked())
			if p.apply != nil && (fired == nil || fired.AfterApply) {
				p.apply()
				applied = true
			}
			resp = p.resp
			if fired != nil {
				resp = s.faultResponse(ex, fired, p.resp)
			}
		}
		s.mu.Unlock()
	}
	if fired == nil {
		fired = slow
	}
	// Record before answering: once the client has its answer, a test
	// reading Calls must see the finished record.
	s.finish(ex.call, resp, fired, applied)
	writeResponse(w, resp)
}

func writeResponse(w http.ResponseWriter, resp *response) {
	if resp.reset {
		resetConnection(w)
		return
	}
	for k, vs := range resp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// resetConnection closes the TCP connection without an HTTP response, the
// way a crashed load balancer does.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2): net/http aborts the stream for this panic.
	panic(http.ErrAbortHandler)
}

// delay applies the latency faults that match, honouring the request's
// context. It returns false when the client cancelled.
func (s *Server) delay(ctx context.Context, call *Call) (*Fault, bool) {
	s.mu.Lock()
	f := s.pickLatency(call)
	s.mu.Unlock()
	if f == nil || f.Latency <= 0 {
		return f, true
	}
	t := time.NewTimer(f.Latency)
	defer t.Stop()
	select {
	case <-t.C:
		return f, true
	case <-ctx.Done():
		return f, false
	}
}

// unknownExchange answers paths that belong to neither cloud. It is still
// recorded, so a test sees a client that built a wrong URL.
func (s *Server) unknownExchange(r *http.Request, body []byte) *exchange {
	call := &Call{Method: r.Method, Path: r.URL.Path, Params: flatQuery(r.URL.Query()), Header: r.Header.Clone(), Body: body, Operation: "Unknown"}
	ex := &exchange{call: call}
	ex.errorResponse = func(status int, code, message string) *response {
		return jsonResponse(status, map[string]string{"code": code, "message": message}, newRequestID(), code, nil)
	}
	ex.authenticate = func() (string, *response) {
		return "", ex.errorResponse(http.StatusNotFound, "NotFound", fmt.Sprintf("No cloud API is served at %s.", r.URL.Path))
	}
	return ex
}

// jsonResponse renders v as the body. Struct types keep field order fixed,
// which makes FaultTruncatedJSON cut at a predictable place.
func jsonResponse(status int, v any, requestID, errorCode string, header http.Header) *response {
	// No HTML escaping: the clouds send "&" in URLs as is.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("mockcloud: cannot render a response: %v", err))
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	return &response{status: status, header: header, body: body, requestID: requestID, errorCode: errorCode}
}
