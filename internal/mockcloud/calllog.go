package mockcloud

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Call is the record of one cloud request, rejected and faulted ones
// included.
type Call struct {
	Cloud     string `json:"cloud"`
	Operation string `json:"operation"` // Alibaba action name (STS: "AssumeRole", "AssumeRoleWithOIDC"); Huawei: "BatchDeleteDesktops", "BatchRunDesktops" (desktops/action), "ShowJob", "ListDesktopsDetail", "ShowDesktopDetail", IAM "CreateTokenWithIdToken", "CreateTemporaryAccessKeyByToken"
	Version   string `json:"version"`   // Alibaba API version; Huawei "v2", IAM "v3.0"
	Method    string `json:"method"`
	Path      string `json:"path"`
	// Params are the Alibaba query (and form) parameters, flattened as sent
	// ("DesktopId.1"), or the Huawei query parameters (repeated values
	// joined with ",").
	Params map[string]string `json:"params"`
	// Header is the request's headers, signatures and tokens included:
	// for tests in this process only, never shown by the control API or
	// the log.
	Header      http.Header `json:"-"`
	Body        []byte      `json:"body"`       // as sent, but an STS or IAM call's tokens are masked, here and in Params: the control API shows both
	DesktopIDs  []string    `json:"desktopIds"` // desktops named in the request
	ClientToken string      `json:"clientToken"`
	JobID       string      `json:"jobId"` // Huawei: the job a BatchDeleteDesktops created, or the one ShowJob asked for
	Auth        string      `json:"auth"`  // "ak:<AccessKeyId>", "sts:<issued AccessKeyId>", "token", "anonymous", or "" when auth failed
	Status      int         `json:"status"`
	RequestID   string      `json:"requestId"`
	ErrorCode   string      `json:"errorCode"`
	Fault       string      `json:"fault"`   // kind of injected fault, "" if none
	Applied     bool        `json:"applied"` // the request changed state
	Time        time.Time   `json:"time"`    // arrival, on the mock's clock
}

// record reserves the call's place in arrival order; finish fills in the
// outcome later.
func (s *Server) record(c *Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Time = s.nowLocked()
	s.calls = append(s.calls, c)
}

func (s *Server) finish(c *Call, resp *response, f *Fault, applied bool) {
	s.mu.Lock()
	c.Status = resp.status
	c.RequestID = resp.requestID
	c.ErrorCode = resp.errorCode
	if f != nil {
		c.Fault = string(f.Kind)
	}
	c.Applied = applied
	line := logLine(c)
	s.mu.Unlock()
	if s.cfg.Log != nil && line != "" {
		fmt.Fprintln(s.cfg.Log, line)
	}
}

// logLine describes a call without anything secret: no headers, no body, no
// token-bearing parameters.
func logLine(c *Call) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", c.Time.UTC().Format("15:04:05.000"), orDash(c.Cloud), c.Operation)
	if c.Version != "" {
		fmt.Fprintf(&b, " version=%s", c.Version)
	}
	fmt.Fprintf(&b, " status=%d", c.Status)
	if c.ErrorCode != "" {
		fmt.Fprintf(&b, " error=%s", c.ErrorCode)
	}
	fmt.Fprintf(&b, " auth=%s desktops=%d applied=%t", orDash(c.Auth), len(c.DesktopIDs), c.Applied)
	if c.Fault != "" {
		fmt.Fprintf(&b, " fault=%s", c.Fault)
	}
	if c.JobID != "" {
		fmt.Fprintf(&b, " job=%s", c.JobID)
	}
	if c.RequestID != "" {
		fmt.Fprintf(&b, " request_id=%s", c.RequestID)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Calls returns a copy of every request so far, in arrival order. A request
// still being handled shows what is known of it.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.clone()
	}
	return out
}

// CallsTo returns the calls to one cloud's operation, in arrival order.
func (s *Server) CallsTo(cloud, operation string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Cloud == cloud && c.Operation == operation {
			out = append(out, c.clone())
		}
	}
	return out
}

// ResetCalls forgets the recorded calls (counts and state are kept).
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func (c *Call) clone() Call {
	out := *c
	out.Params = maps.Clone(c.Params)
	out.Header = c.Header.Clone()
	out.Body = slices.Clone(c.Body)
	out.DesktopIDs = slices.Clone(c.DesktopIDs)
	return out
}

// flatQuery keeps one value per key; repeated keys (Huawei arrays) are
// joined with commas so a test can still see them.
func flatQuery(q url.Values) map[string]string {
	out := make(map[string]string, len(q))
	for k, vs := range q {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// redacted stands in for a secret in what the mock shows of a call.
const redacted = "REDACTED"

// sensitiveParams are never shown by the control API or the log.
var sensitiveParams = map[string]bool{"LoginToken": true, "SessionToken": true, "SecurityToken": true, "AccessKeySecret": true, "OIDCToken": true}

// redactedCall is what the control API shows of a call: the body as text and
// token-bearing parameters masked, since /_mock/calls has no auth.
func redactedCall(c Call) map[string]any {
	params := map[string]string{}
	keys := slices.Collect(maps.Keys(c.Params))
	sort.Strings(keys)
	for _, k := range keys {
		if sensitiveParams[k] {
			params[k] = redacted
		} else {
			params[k] = c.Params[k]
		}
	}
	return map[string]any{
		"cloud": c.Cloud, "operation": c.Operation, "version": c.Version, "method": c.Method, "path": c.Path,
		"params": params, "body": string(c.Body), "desktopIds": c.DesktopIDs, "clientToken": c.ClientToken,
		"jobId": c.JobID, "auth": c.Auth, "status": c.Status, "requestId": c.RequestID, "errorCode": c.ErrorCode,
		"fault": c.Fault, "applied": c.Applied, "time": c.Time,
	}
}
