package mockcloud

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Alibaba Cloud ECD, RPC style: POST / with every parameter in the query.

const (
	aliAdminVersion  = "2020-09-30"
	aliClientVersion = "2020-10-02"
)

type aliError struct {
	RequestId string
	HostId    string
	Code      string
	Message   string
	Recommend string
}

type aliOK struct {
	RequestId string
}

type aliDesktop struct {
	DesktopId     string
	DesktopName   string
	DesktopStatus string
	RegionId      string
	ChargeType    string
	CreationTime  string
}

type aliDescribe struct {
	RequestId  string
	Desktops   []aliDesktop
	NextToken  string
	TotalCount int
}

// tokenEntry remembers the answer to an applied client-API call, so a retry
// with the same ClientToken gets the same answer and changes nothing.
type tokenEntry struct {
	region string
	ids    []string // sorted
	resp   *response
}

// alibabaExchange parses an RPC request. Parameters come from the query, and
// from a form body too, since the RPC style allows either.
func (s *Server) alibabaExchange(r *http.Request, body []byte) *exchange {
	params, _ := url.ParseQuery(r.URL.RawQuery)
	if params == nil {
		params = url.Values{}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && len(body) > 0 {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range form {
				if _, dup := params[k]; !dup {
					params[k] = vs
				}
			}
		}
	}
	action := or(r.Header.Get("x-acs-action"), params.Get("Action"))
	version := or(r.Header.Get("x-acs-version"), params.Get("Version"))
	region := params.Get("RegionId")
	ids, _ := aliDesktopIDs(params)
	call := &Call{
		Cloud: CloudAlibaba, Operation: action, Version: version, Method: r.Method, Path: r.URL.Path,
		Params: flatQuery(params), Header: r.Header.Clone(), Body: body, DesktopIDs: ids, ClientToken: params.Get("ClientToken"),
	}
	requestID := newRequestID()
	ex := &exchange{call: call}
	ex.errorResponse = func(status int, code, message string) *response {
		return aliErrorResponse(requestID, region, status, code, message)
	}
	anonymous := action == "RebootDesktops" && version == aliClientVersion
	ex.authenticate = func() (string, *response) {
		if anonymous {
			if fail := checkRPCV2Anonymous(r, params, s.wallClock()); fail != nil {
				return "", ex.errorResponse(fail.status, fail.code, fail.message)
			}
			// The client API has no signature: its identity is the
			// LoginToken of a session (SessionId, when sent, says
			// which).
			if !s.loginTokenAccepted(params.Get("SessionId"), params.Get("LoginToken")) {
				// Never echo the token.
				return "", ex.errorResponse(http.StatusForbidden, "InvalidLoginToken", "The login token is missing, invalid or has expired; log in to the client again.")
			}
			return "anonymous", nil
		}
		ak, fail := verifyACS3(r, body, s.secretOf(CloudAlibaba), s.wallClock(), s.nonceSeen)
		if fail == nil {
			// The signature is good; a temporary key also needs its
			// security token, which the signature covers.
			var auth string
			if auth, fail = s.keyAuth(CloudAlibaba, ak, r.Header.Get("x-acs-security-token")); fail == nil {
				return auth, nil
			}
		}
		return "", ex.errorResponse(fail.status, fail.code, fail.message)
	}
	ex.plan = func(now time.Time) plan {
		h := &aliHandler{s: s, params: params, region: region, requestID: requestID, ex: ex, now: now}
		switch {
		case action == "":
			return h.fail(http.StatusBadRequest, "MissingParameter", missingParam("Action"))
		case version == "":
			return h.fail(http.StatusBadRequest, "MissingParameter", missingParam("Version"))
		case action == "RebootDesktops" && version == aliAdminVersion:
			return h.reboot(false)
		case anonymous:
			return h.reboot(true)
		case action == "DeleteDesktops" && version == aliAdminVersion:
			return h.delete()
		case action == "DescribeDesktops" && version == aliAdminVersion:
			return h.describe()
		}
		return h.fail(http.StatusNotFound, "InvalidAction.NotFound",
			fmt.Sprintf("Specified api is not found, please check your url and method (action %s, version %s).", action, version))
	}
	return ex
}

// loginTokenAccepted checks a client-API identity: the LoginToken of the
// session named by SessionId or, without a SessionId (optional in the
// RebootDesktops document), of any session.
func (s *Server) loginTokenAccepted(session, token string) bool {
	if token == "" {
		return false
	}
	for id, want := range s.cfg.AlibabaLoginTokens {
		if (session == "" || session == id) && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1 {
			return true
		}
	}
	return false
}

// nonceSeen records a signature nonce (x-acs-signature-nonce, or the STS's
// SignatureNonce with a prefix of its own) and says whether it was seen in
// the signature window before: a replayed signed request is refused.
func (s *Server) nonceSeen(nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.wallClock()
	if len(s.nonces) > 4096 {
		for n, t := range s.nonces {
			if now.Sub(t) > 2*signatureWindow {
				delete(s.nonces, n)
			}
		}
	}
	if _, ok := s.nonces[nonce]; ok {
		return true
	}
	s.nonces[nonce] = now
	return false
}

func aliErrorResponse(requestID, region string, status int, code, message string) *response {
	host := "ecd.aliyuncs.com"
	if region != "" {
		host = "ecd." + region + ".aliyuncs.com"
	}
	body := aliError{
		RequestId: requestID, HostId: host, Code: code, Message: message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=ecd&requestId=" + requestID,
	}
	return jsonResponse(status, body, requestID, code, aliHeader(requestID))
}

func aliHeader(requestID string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json;charset=utf-8")
	h.Set("x-acs-request-id", requestID)
	return h
}

func missingParam(name string) string {
	return fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

// aliDesktopIDs reads DesktopId.1..N in index order, dropping repeats. bad
// is set when a parameter is not a well-formed DesktopId.N with a value.
func aliDesktopIDs(params url.Values) (ids []string, bad string) {
	type indexed struct {
		n  int
		id string
	}
	var all []indexed
	for k, vs := range params {
		if k == "DesktopId" {
			bad = "DesktopId must be sent as DesktopId.1, DesktopId.2, ..."
			continue
		}
		rest, ok := strings.CutPrefix(k, "DesktopId.")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			bad = fmt.Sprintf("%s is not a valid DesktopId.N parameter.", k)
			continue
		}
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				bad = fmt.Sprintf("%s is empty.", k)
				continue
			}
			all = append(all, indexed{n, v})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].n < all[j].n })
	seen := map[string]bool{}
	for _, x := range all {
		if !seen[x.id] {
			seen[x.id] = true
			ids = append(ids, x.id)
		}
	}
	return ids, bad
}

// aliHandler answers one validated-and-authenticated Alibaba call. Its
// methods only read state; changes go into the returned plan's apply.
type aliHandler struct {
	s         *Server
	params    url.Values
	region    string
	requestID string
	ex        *exchange
	now       time.Time
}

func (h *aliHandler) fail(status int, code, message string) plan {
	return plan{resp: h.ex.errorResponse(status, code, message)}
}

func (h *aliHandler) ok(v any) *response {
	return jsonResponse(http.StatusOK, v, h.requestID, "", aliHeader(h.requestID))
}

// require reports the first missing parameter, in the documented order.
func (h *aliHandler) require(names ...string) (plan, bool) {
	for _, n := range names {
		if h.params.Get(n) == "" {
			return h.fail(http.StatusBadRequest, "MissingParameter", missingParam(n)), false
		}
	}
	return plan{}, true
}

// desktopIDs validates the DesktopId.N list against the API's bounds.
func (h *aliHandler) desktopIDs(fewest, most int) ([]string, plan, bool) {
	ids, bad := aliDesktopIDs(h.params)
	switch {
	case bad != "":
		return nil, h.fail(http.StatusBadRequest, "InvalidParameter.DesktopId", bad), false
	case len(ids) < fewest:
		return nil, h.fail(http.StatusBadRequest, "MissingParameter", missingParam("DesktopId.1")), false
	case len(ids) > most:
		return nil, h.fail(http.StatusBadRequest, "InvalidParameter.DesktopId",
			fmt.Sprintf("At most %d DesktopId.N values are allowed; %d were sent.", most, len(ids))), false
	}
	return ids, plan{}, true
}

// regionAndDesktops validates the parameters of an admin call about
// desktops: RegionId, then the DesktopId.N list.
func (h *aliHandler) regionAndDesktops(fewest, most int) ([]string, plan, bool) {
	if p, ok := h.require("RegionId"); !ok {
		return nil, p, false
	}
	return h.desktopIDs(fewest, most)
}

// found resolves every ID in the region or fails the whole call naming the
// unknown ones, as the real API does.
func (h *aliHandler) found(ids []string) ([]*desktop, []string, plan, bool) {
	var ds []*desktop
	var statuses, missing []string
	for _, id := range ids {
		d, status, _, ok := h.s.lookup(CloudAlibaba, h.region, id, h.now)
		if !ok {
			missing = append(missing, id)
			continue
		}
		ds = append(ds, d)
		statuses = append(statuses, status)
	}
	if len(missing) > 0 {
		return nil, nil, h.fail(http.StatusBadRequest, "InvalidDesktopId.NotFound",
			fmt.Sprintf("The specified desktops do not exist in region %s: %s.", h.region, strings.Join(missing, ", "))), false
	}
	return ds, statuses, plan{}, true
}

// reboot serves both RebootDesktops versions: the AK-signed admin API and
// the anonymous client API, which adds LoginToken identity and ClientToken
// idempotence.
func (h *aliHandler) reboot(client bool) plan {
	mostDesktops := 100
	if client {
		// The parameters the RebootDesktops document (2020-10-02) marks
		// required; SessionId, LoginToken and the rest are optional.
		mostDesktops = 20
		if p, ok := h.require("RegionId", "ClientId", "ClientToken"); !ok {
			return p
		}
		if tok := h.params.Get("ClientToken"); len(tok) > 64 || !ascii(tok) {
			return h.fail(http.StatusBadRequest, "InvalidParameter.ClientToken", "ClientToken supports only ASCII characters and must be no longer than 64 characters.")
		}
	} else if p, ok := h.require("RegionId"); !ok {
		return p
	}
	if v := h.params.Get("OsUpdate"); v != "" && v != "true" && v != "false" {
		return h.fail(http.StatusBadRequest, "InvalidParameter.OsUpdate", "OsUpdate must be true or false.")
	}
	ids, p, ok := h.desktopIDs(1, mostDesktops)
	if !ok {
		return p
	}
	var cacheKey string
	if client {
		cacheKey = "RebootDesktops\x00" + h.params.Get("ClientToken")
		if e := h.s.tokenCache[cacheKey]; e != nil {
			if e.region != h.region || !slices.Equal(e.ids, sortedCopy(ids)) {
				return h.fail(http.StatusBadRequest, "IdempotentParameterMismatch",
					"The ClientToken was already used for a request with other parameters.")
			}
			// A retry of a call the cloud applied: the same answer, and
			// the desktops are not rebooted again.
			return plan{resp: e.resp}
		}
	}
	ds, statuses, p, ok := h.found(ids)
	if !ok {
		return p
	}
	var wrong []string
	for i, d := range ds {
		if statuses[i] != aliRunning {
			wrong = append(wrong, fmt.Sprintf("%s (%s)", d.ID, statuses[i]))
		}
	}
	if len(wrong) > 0 {
		return h.fail(http.StatusBadRequest, "IncorrectDesktopStatus",
			"The operation is not supported in the current desktop status; desktops must be Running: "+strings.Join(wrong, ", ")+".")
	}
	resp := h.ok(aliOK{RequestId: h.requestID})
	return plan{resp: resp, apply: func() {
		for _, d := range ds {
			h.s.startReboot(d, h.now)
		}
		if client {
			h.s.tokenCache[cacheKey] = &tokenEntry{region: h.region, ids: sortedCopy(ids), resp: resp}
		}
	}}
}

func (h *aliHandler) delete() plan {
	ids, p, ok := h.regionAndDesktops(1, 100)
	if !ok {
		return p
	}
	if h.s.behaviour.AlibabaUnknownIDs == UnknownSkip {
		// Unknown IDs are left out silently; the rest are deleted.
		var known []string
		for _, id := range ids {
			if _, _, _, ok := h.s.lookup(CloudAlibaba, h.region, id, h.now); ok {
				known = append(known, id)
			}
		}
		ids = known
	}
	ds, _, p, ok := h.found(ids)
	if !ok {
		return p
	}
	var prepaid, deleting []string
	for _, d := range ds {
		if d.ChargeType == "PrePaid" {
			prepaid = append(prepaid, d.ID)
		}
		if d.op == opDelete {
			deleting = append(deleting, d.ID)
		}
	}
	if len(prepaid) > 0 {
		return h.fail(http.StatusBadRequest, "InvalidChargeType.Unsupported",
			"Only pay-as-you-go desktops can be released this way; these are subscription desktops: "+strings.Join(prepaid, ", ")+".")
	}
	if len(deleting) > 0 {
		return h.fail(http.StatusBadRequest, "IncorrectDesktopStatus",
			"The operation is not supported in the current desktop status; these desktops are already being deleted: "+strings.Join(deleting, ", ")+".")
	}
	return plan{resp: h.ok(aliOK{RequestId: h.requestID}), apply: func() {
		for _, d := range ds {
			h.s.startDelete(d, h.now, nil, 0)
		}
	}}
}

const aliTokenPrefix = "mock-next:"

func (h *aliHandler) describe() plan {
	ids, p, ok := h.regionAndDesktops(0, 100)
	if !ok {
		return p
	}
	pageSize := 10
	if v := h.params.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return h.fail(http.StatusBadRequest, "InvalidParameter", "MaxResults must be an integer from 1 to 100.")
		}
		pageSize = n
	}
	if limit := h.s.behaviour.AlibabaPageLimit; limit > 0 {
		pageSize = min(pageSize, limit)
	}
	// The token is opaque to clients; inside it is the last ID returned,
	// so pages stay right even when desktops vanish between calls.
	after := ""
	if tok := h.params.Get("NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		rest, ok := strings.CutPrefix(string(raw), aliTokenPrefix)
		if err != nil || !ok || rest == "" {
			return h.fail(http.StatusBadRequest, "InvalidNextToken", "The specified NextToken is invalid.")
		}
		after = rest
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	statusFilter := h.params.Get("DesktopStatus")
	var match []aliDesktop
	for _, d := range h.s.visible(CloudAlibaba, h.region, h.now, ids) {
		status, _, _ := h.s.view(d, h.now)
		if (len(want) > 0 && !want[d.ID]) || (statusFilter != "" && status != statusFilter) {
			continue
		}
		match = append(match, aliDesktop{
			DesktopId: d.ID, DesktopName: d.Name, DesktopStatus: status, RegionId: d.Region,
			ChargeType: d.ChargeType, CreationTime: d.created.UTC().Format("2006-01-02T15:04Z"),
		})
	}
	start := sort.Search(len(match), func(i int) bool { return match[i].DesktopId > after })
	end := min(start+pageSize, len(match))
	out := aliDescribe{RequestId: h.requestID, Desktops: match[start:end], TotalCount: len(match)}
	if out.Desktops == nil {
		out.Desktops = []aliDesktop{}
	}
	if end < len(match) {
		out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(aliTokenPrefix + match[end-1].DesktopId))
	}
	return plan{resp: h.ok(out)}
}

// ascii is the document's rule for ClientToken: "supports only ASCII
// characters".
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > 0x7f {
			return false
		}
	}
	return true
}

func sortedCopy(ss []string) []string {
	out := slices.Clone(ss)
	sort.Strings(out)
	return out
}
