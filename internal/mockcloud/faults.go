package mockcloud

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// FaultKind is what an injected fault does.
type FaultKind string

const (
	// FaultThrottle answers with the cloud's throttling error (Alibaba 400
	// Throttling.User, Huawei 429 APIGW.0308).
	FaultThrottle FaultKind = "throttle"
	// FaultServerError answers 500/502/503/504 (default 503) in the cloud's
	// error format.
	FaultServerError FaultKind = "server_error"
	// FaultLatency delays the call, then handles it normally.
	FaultLatency FaultKind = "latency"
	// FaultReset closes the connection without any response.
	FaultReset FaultKind = "reset"
	// FaultHTML answers 502 with a gateway's HTML page.
	FaultHTML FaultKind = "html"
	// FaultTruncatedJSON answers 200 with the first half of the real body.
	FaultTruncatedJSON FaultKind = "truncated_json"
	// FaultEmptyBody answers 200 with no body.
	FaultEmptyBody FaultKind = "empty_body"
	// FaultError answers with the status, code and message of your choice.
	FaultError FaultKind = "error"
	// FaultJobFailed makes Huawei delete sub-jobs end FAILED; it never
	// changes an HTTP response.
	FaultJobFailed FaultKind = "job_failed"
	// FaultAnswer answers with the Status (default 200), Header and Body
	// of your choice: an answer the clouds' sources allow but the mock
	// does not give by itself (a proxy's page, a body cut short, a word no
	// document names).
	FaultAnswer FaultKind = "answer"
)

var faultKinds = []FaultKind{FaultThrottle, FaultServerError, FaultLatency, FaultReset, FaultHTML,
	FaultTruncatedJSON, FaultEmptyBody, FaultError, FaultJobFailed, FaultAnswer}

// Fault describes an injected failure. Empty Cloud or Operation match any.
type Fault struct {
	Cloud       string        `json:"cloud"`
	Operation   string        `json:"operation"`
	Kind        FaultKind     `json:"kind"`
	Status      int           `json:"status"`      // FaultServerError (500/502/503/504; default 503), FaultError (any status), FaultThrottle (override)
	Code        string        `json:"code"`        // FaultError / FaultThrottle / FaultServerError / FaultJobFailed override of the error code
	Message     string        `json:"message"`     // ... and of the message
	Probability float64       `json:"probability"` // 0 or 1 = always; else chance per matching call (seeded RNG)
	Count       int           `json:"count"`       // fire at most this many times; 0 = unlimited
	AfterApply  bool          `json:"afterApply"`  // ServerError/Reset/HTML/TruncatedJSON/EmptyBody: apply the request first, then break the response
	Latency     time.Duration `json:"latency"`     // FaultLatency: delay before handling (honours request cancellation)
	DesktopIDs  []string      `json:"desktopIds"`  // FaultJobFailed: these desktops' sub-jobs fail (empty = all); FaultError: only fire when the call names one
	RetryAfter  time.Duration `json:"retryAfter"`  // FaultThrottle: send Retry-After (seconds) when > 0
	// Header and Body are FaultAnswer's answer. Content-Type defaults to
	// application/json and the cloud's request-ID header (x-acs-request-id,
	// X-Request-Id) to a fresh ID; an empty value leaves a header out. A
	// Content-Length larger than Body makes a body cut short.
	Header map[string]string `json:"header"`
	Body   string            `json:"body"`
}

type faultEntry struct {
	id    int
	f     Fault
	fired int
}

// InjectFault adds a fault and returns its id for RemoveFault. Faults are
// tried in the order they were added; the first that matches a call fires.
func (s *Server) InjectFault(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFault++
	f.DesktopIDs, f.Header = slices.Clone(f.DesktopIDs), maps.Clone(f.Header)
	s.faults = append(s.faults, &faultEntry{id: s.nextFault, f: f})
	return s.nextFault
}

// RemoveFault removes one fault; an unknown id is ignored.
func (s *Server) RemoveFault(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = slices.DeleteFunc(s.faults, func(e *faultEntry) bool { return e.id == id })
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// FaultInfo is a fault as listed by Faults.
type FaultInfo struct {
	ID    int   `json:"id"`
	Fault Fault `json:"fault"`
	Fired int   `json:"fired"`
}

// Faults lists the injected faults and how often each fired.
func (s *Server) Faults() []FaultInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]FaultInfo, len(s.faults))
	for i, e := range s.faults {
		out[i] = FaultInfo{ID: e.id, Fault: e.f, Fired: e.fired}
		out[i].Fault.DesktopIDs, out[i].Fault.Header = slices.Clone(e.f.DesktopIDs), maps.Clone(e.f.Header)
	}
	return out
}

// needsPlan says whether the real handler must run: to apply the request
// before breaking the answer, or to have a real body to break.
func (f *Fault) needsPlan() bool {
	switch f.Kind {
	case FaultTruncatedJSON, FaultEmptyBody:
		return true
	case FaultServerError, FaultReset, FaultHTML, FaultAnswer:
		return f.AfterApply
	}
	return false
}

// matches says whether the fault applies to the call, before counting and
// probability. Called with s.mu held.
func (e *faultEntry) matches(c *Call) bool {
	f := &e.f
	if f.Cloud != "" && f.Cloud != c.Cloud {
		return false
	}
	if f.Operation != "" && f.Operation != c.Operation {
		return false
	}
	if f.Count > 0 && e.fired >= f.Count {
		return false
	}
	// These two kinds are about particular desktops: a call (or job) that
	// names none of them is not theirs, and does not use up Count.
	if (f.Kind == FaultError || f.Kind == FaultJobFailed) && len(f.DesktopIDs) > 0 {
		return slices.ContainsFunc(c.DesktopIDs, func(id string) bool { return slices.Contains(f.DesktopIDs, id) })
	}
	return true
}

// roll consumes one use of the fault if the dice allow it.
func (s *Server) roll(e *faultEntry) bool {
	p := e.f.Probability
	if p > 0 && p < 1 && s.faultRNG.Float64() >= p {
		return false
	}
	e.fired++
	return true
}

func (s *Server) pickLatency(c *Call) *Fault {
	return s.pick(c, func(k FaultKind) bool { return k == FaultLatency })
}

// pickFault chooses the fault that shapes the response, if any.
func (s *Server) pickFault(c *Call) *Fault {
	return s.pick(c, func(k FaultKind) bool { return k != FaultLatency && k != FaultJobFailed })
}

// pickJobFailures is consulted when a Huawei delete job is created: every
// job failure that fires, in the order added. A sub-job fails by the first
// of them that names its desktop, or names none.
func (s *Server) pickJobFailures(c *Call) []Fault {
	var out []Fault
	for _, e := range s.faults {
		if e.f.Kind == FaultJobFailed && e.matches(c) && s.roll(e) {
			out = append(out, e.f)
		}
	}
	return out
}

func (s *Server) pick(c *Call, kind func(FaultKind) bool) *Fault {
	for _, e := range s.faults {
		if kind(e.f.Kind) && e.matches(c) && s.roll(e) {
			f := e.f
			return &f
		}
	}
	return nil
}

// faultResponse renders the broken answer. answer is the handler's answer
// when the fault needs one (see needsPlan), else nil.
func (s *Server) faultResponse(ex *exchange, f *Fault, answer *response) *response {
	cloud := ex.call.Cloud
	switch f.Kind {
	case FaultThrottle:
		return throttleResponse(ex, f)
	case FaultServerError:
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		code, msg := serverErrorCode(cloud, status)
		return ex.errorResponse(status, or(f.Code, code), or(f.Message, msg))
	case FaultError:
		status := or(f.Status, http.StatusBadRequest)
		code := "InvalidParameter"
		if cloud == CloudHuawei {
			code = "WKS.0001"
		}
		return ex.errorResponse(status, or(f.Code, code), or(f.Message, "Injected error."))
	case FaultReset:
		return &response{reset: true}
	case FaultAnswer:
		return answerResponse(cloud, f)
	case FaultHTML:
		h := http.Header{}
		h.Set("Content-Type", "text/html")
		return &response{status: http.StatusBadGateway, header: h, body: []byte(gatewayPage)}
	case FaultTruncatedJSON, FaultEmptyBody:
		out := *answer
		out.header = answer.header.Clone()
		out.header.Del("Content-Length")
		if out.status < 200 || out.status > 299 {
			out.status = http.StatusOK
		}
		out.errorCode = ""
		if f.Kind == FaultEmptyBody {
			out.body = nil
		} else {
			out.body = answer.body[:len(answer.body)/2]
		}
		return &out
	}
	// A kind this version does not know answers like a server error, so a
	// typo in a test is loud rather than silently ignored.
	return ex.errorResponse(http.StatusInternalServerError, "MockFaultUnknown", fmt.Sprintf("Unknown fault kind %q.", f.Kind))
}

// answerResponse is a FaultAnswer's answer, with the cloud's defaults for
// the headers it does not name.
func answerResponse(cloud string, f *Fault) *response {
	idHeader := "x-acs-request-id"
	if cloud == CloudHuawei {
		idHeader = "X-Request-Id"
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(idHeader, newRequestID())
	for k, v := range f.Header {
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
	}
	return &response{status: or(f.Status, http.StatusOK), header: h, body: []byte(f.Body), requestID: h.Get(idHeader)}
}

func throttleResponse(ex *exchange, f *Fault) *response {
	var resp *response
	if ex.call.Cloud == CloudHuawei {
		if f.Code == "-" {
			// A bare 429: the SDK then has no error code to go by.
			resp = &response{status: http.StatusTooManyRequests, header: huaweiHeader(newRequestID()), body: nil}
			resp.requestID = resp.header.Get("X-Request-Id")
		} else {
			resp = ex.errorResponse(or(f.Status, http.StatusTooManyRequests), or(f.Code, "APIGW.0308"),
				or(f.Message, "The throttling threshold has been reached"))
		}
	} else {
		code := or(f.Code, "Throttling.User")
		status := http.StatusBadRequest
		if code == "ServiceUnavailable" {
			status = http.StatusServiceUnavailable
		}
		resp = ex.errorResponse(or(f.Status, status), code,
			or(f.Message, "Request was denied due to user flow control."))
	}
	if f.RetryAfter > 0 {
		resp.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
	return resp
}

// serverErrors are the code and message each cloud answers a 5xx with, by
// status; status 0 stands for any status not listed (503 and the rest).
var serverErrors = map[string]map[int][2]string{
	CloudHuawei: {
		http.StatusInternalServerError: {"WKS.0500", "Internal server error."},
		http.StatusGatewayTimeout:      {"APIGW.0204", "Backend timeout."},
		0:                              {"APIGW.0203", "Backend unavailable."},
	},
	CloudAlibaba: {
		http.StatusInternalServerError: {"InternalError", "The request processing has failed due to some unknown error, exception or failure."},
		http.StatusGatewayTimeout:      {"GatewayTimeout", "The gateway did not receive a timely response from the service."},
		0:                              {"ServiceUnavailable", "The request has failed due to a temporary failure of the server."},
	},
}

func serverErrorCode(cloud string, status int) (code, message string) {
	byStatus, ok := serverErrors[cloud]
	if !ok {
		byStatus = serverErrors[CloudAlibaba]
	}
	e, ok := byStatus[status]
	if !ok {
		e = byStatus[0]
	}
	return e[0], e[1]
}

// gatewayPage is what a load balancer in front of either cloud sends when
// the service behind it is down.
const gatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>Tengine</center>
</body>
</html>
`

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
