package mockcloud

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Huawei Cloud Workspace, REST: /v2/{project_id}/...

// encodedAuthMessage stands in for the opaque blob Huawei puts in a 403.
const encodedAuthMessage = "bW9ja2Nsb3VkOiBhY2Nlc3MgZGVuaWVkIGJ5IHBvbGljeQ"

type hwError struct {
	ErrorCode                   string `json:"error_code"`
	ErrorMsg                    string `json:"error_msg"`
	ErrorDetail                 string `json:"error_detail"`
	EncodedAuthorizationMessage string `json:"encoded_authorization_message"`
}

type hwDesktop struct {
	DesktopID    string `json:"desktop_id"`
	ComputerName string `json:"computer_name"`
	Status       string `json:"status"`
	TaskStatus   string `json:"task_status"`
	Created      string `json:"created"`
	DesktopType  string `json:"desktop_type"`
}

type hwFailedOp struct {
	DesktopID   string `json:"desktop_id"`
	DesktopName string `json:"desktop_name"`
	ErrorCode   string `json:"error_code"`
	ErrorMsg    string `json:"error_msg"`
}

func huaweiHeader(requestID string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", requestID)
	return h
}

// hwErrorResponse renders Huawei's error body. error_detail repeats the
// message as a sentence, since the SDK does not parse it and users read it.
func hwErrorResponse(requestID string, status int, code, message string) *response {
	body := hwError{ErrorCode: code, ErrorMsg: message, ErrorDetail: message}
	if !strings.HasSuffix(body.ErrorDetail, ".") {
		body.ErrorDetail += "."
	}
	if status == http.StatusForbidden {
		body.EncodedAuthorizationMessage = encodedAuthMessage
	}
	return jsonResponse(status, body, requestID, code, huaweiHeader(requestID))
}

// hwRoute maps a path and method to an operation name.
func hwRoute(method string, segs []string) (op, param string) {
	switch {
	case len(segs) == 2 && segs[0] == "desktops" && segs[1] == "batch-delete" && method == http.MethodPost:
		return "BatchDeleteDesktops", ""
	case len(segs) == 2 && segs[0] == "desktops" && segs[1] == "action" && method == http.MethodPost:
		return "BatchRunDesktops", ""
	case len(segs) == 2 && segs[0] == "desktops" && segs[1] == "detail" && method == http.MethodGet:
		return "ListDesktopsDetail", ""
	case len(segs) == 2 && segs[0] == "desktops" && method == http.MethodGet:
		return "ShowDesktopDetail", segs[1]
	case len(segs) == 2 && segs[0] == "workspace-jobs" && method == http.MethodGet:
		return "ShowJob", segs[1]
	}
	return "", ""
}

func (s *Server) huaweiExchange(r *http.Request, body []byte) *exchange {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v2/"), "/"), "/")
	project := segs[0]
	op, param := hwRoute(r.Method, segs[1:])
	query, _ := url.ParseQuery(r.URL.RawQuery)
	call := &Call{
		Cloud: CloudHuawei, Operation: or(op, "Unknown"), Version: "v2", Method: r.Method, Path: r.URL.Path,
		Params: flatQuery(query), Header: r.Header.Clone(), Body: body,
	}
	// Name the desktops for the record and for fault matching; a body that
	// does not parse is the handler's to reject.
	switch op {
	case "BatchDeleteDesktops", "BatchRunDesktops":
		var b struct {
			DesktopIDs []string `json:"desktop_ids"`
		}
		if json.Unmarshal(body, &b) == nil {
			call.DesktopIDs = b.DesktopIDs
		}
	case "ShowDesktopDetail":
		call.DesktopIDs = []string{param}
	case "ListDesktopsDetail":
		call.DesktopIDs = splitValues(query["desktop_id"])
	case "ShowJob":
		call.JobID = param
	}
	requestID := newRequestID()
	ex := &exchange{call: call}
	ex.errorResponse = func(status int, code, message string) *response {
		return hwErrorResponse(requestID, status, code, message)
	}
	ex.authenticate = func() (string, *response) {
		var auth string
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			if !s.tokenAccepted(tok) {
				return "", ex.errorResponse(http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: the token is invalid or has expired.")
			}
			auth = "token"
		} else {
			if r.Header.Get("Authorization") == "" {
				return "", ex.errorResponse(http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: neither X-Auth-Token nor an AK/SK signature was sent.")
			}
			ak, fail := verifySDKHMAC(r, body, s.secretOf(CloudHuawei), s.wallClock())
			if fail == nil {
				// A temporary AK also needs its security token, which
				// the signature covers.
				auth, fail = s.keyAuth(CloudHuawei, ak, r.Header.Get("X-Security-Token"))
			}
			if fail != nil {
				return "", ex.errorResponse(fail.status, fail.code, fail.message)
			}
			// An AK/SK is account-wide: the signed X-Project-Id says which
			// project the call is for, and it must be the one in the URL.
			if r.Header.Get("X-Project-Id") != project {
				return "", ex.errorResponse(http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: X-Project-Id must equal the project ID in the URL.")
			}
		}
		if s.projects != nil && !s.projects[project] {
			// The caller is authenticated, so the record says who it was.
			return auth, ex.errorResponse(http.StatusNotFound, "APIGW.0101",
				fmt.Sprintf("The API does not exist or has not been published in the environment: project %s is not known here (a Huawei project belongs to one region).", project))
		}
		return auth, nil
	}
	ex.plan = func(now time.Time) plan {
		h := &hwHandler{s: s, project: project, requestID: requestID, ex: ex, now: now, call: call}
		if op != "" && r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			// Huawei rejects these without the JSON content type.
			return h.fail(http.StatusBadRequest, "WKS.0001", "The request must be sent with Content-Type: application/json.")
		}
		switch op {
		case "BatchDeleteDesktops":
			return h.batchDelete(body)
		case "BatchRunDesktops":
			return h.batchRun(body)
		case "ListDesktopsDetail":
			return h.list(query)
		case "ShowDesktopDetail":
			return h.show(param)
		case "ShowJob":
			return h.showJob(param)
		}
		return h.fail(http.StatusNotFound, "APIGW.0101",
			fmt.Sprintf("The API does not exist or has not been published in the environment: %s %s.", r.Method, r.URL.Path))
	}
	return ex
}

func (s *Server) tokenAccepted(tok string) bool {
	for _, t := range s.cfg.HuaweiAuthTokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			return true
		}
	}
	return false
}

// splitValues accepts an array query parameter both as repeated names (as
// the SDK sends it) and as one comma-separated value.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

type hwHandler struct {
	s         *Server
	project   string
	requestID string
	ex        *exchange
	now       time.Time
	call      *Call
}

func (h *hwHandler) fail(status int, code, message string) plan {
	return plan{resp: h.ex.errorResponse(status, code, message)}
}

func (h *hwHandler) ok(status int, v any) *response {
	return jsonResponse(status, v, h.requestID, "", huaweiHeader(h.requestID))
}

// decodeStrict reads a JSON object body; a type mismatch or trailing garbage
// is a validation error like any other.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON object")
	}
	return nil
}

// hwBatch is what the bodies of both batch calls hold in common.
type hwBatch struct {
	DesktopIDs *[]string `json:"desktop_ids"`
}

// batchBody decodes the body of a batch call (api) into req, whose
// hwBatch is batch, and checks its desktop_ids.
func (h *hwHandler) batchBody(body []byte, api string, req any, batch *hwBatch) ([]string, plan, bool) {
	if err := decodeStrict(body, req); err != nil {
		return nil, h.fail(http.StatusBadRequest, "WKS.0001", "The request body is not valid JSON for "+api+": "+err.Error()), false
	}
	if batch.DesktopIDs == nil {
		return nil, h.fail(http.StatusBadRequest, "WKS.0001", "desktop_ids is required."), false
	}
	ids := *batch.DesktopIDs
	if msg := checkIDs(ids); msg != "" {
		return nil, h.fail(http.StatusBadRequest, "WKS.0001", msg), false
	}
	return ids, plan{}, true
}

// checkIDs applies the batch rules: 1..100 IDs, none empty, no repeats.
func checkIDs(ids []string) string {
	switch {
	case len(ids) == 0:
		return "desktop_ids must name at least one desktop."
	case len(ids) > 100:
		return fmt.Sprintf("desktop_ids may name at most 100 desktops; %d were sent.", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" {
			return "desktop_ids must not contain an empty ID."
		}
		if seen[id] {
			return fmt.Sprintf("desktop_ids names %s more than once.", id)
		}
		seen[id] = true
	}
	return ""
}

func (h *hwHandler) batchDelete(body []byte) plan {
	var req struct {
		hwBatch
		DeleteUsers       *bool `json:"delete_users"`
		EmailNotification *bool `json:"email_notification"`
		IsForceDelete     *bool `json:"is_force_delete"`
	}
	ids, p, ok := h.batchBody(body, "batch-delete", &req, &req.hwBatch)
	if !ok {
		return p
	}
	force := req.IsForceDelete != nil && *req.IsForceDelete
	type target struct {
		d      *desktop
		task   string
		exists bool
		sub    int // index of its sub-job
	}
	targets := make([]target, len(ids))
	var busy, unknown []string
	for i, id := range ids {
		d, _, task, ok := h.s.lookup(CloudHuawei, h.project, id, h.now)
		targets[i] = target{d: d, task: task, exists: ok}
		switch {
		case !ok:
			unknown = append(unknown, id)
		case task != "" && task != hwDeleteFailed:
			// A failed delete may be tried again; any other task
			// is in the way.
			busy = append(busy, fmt.Sprintf("%s (%s)", id, task))
		}
	}
	mode := or(h.s.behaviour.HuaweiUnknownIDs, UnknownFailedSubJob)
	switch {
	case len(unknown) == len(ids) && mode != UnknownSkip, len(unknown) > 0 && mode == UnknownReject:
		return h.fail(http.StatusNotFound, "WKS.0004", "These desktops do not exist: "+strings.Join(unknown, ", ")+".")
	}
	if len(busy) > 0 && !force {
		return h.fail(http.StatusConflict, "WKS.0409",
			"These desktops are busy with another task; wait, or set is_force_delete: "+strings.Join(busy, ", ")+".")
	}
	job := &hwJob{
		id: h.s.newJobID(), project: h.project, created: h.now,
		deleteUsers: req.DeleteUsers != nil && *req.DeleteUsers,
		// email_notification defaults to true, as documented.
		emailNotification: req.EmailNotification == nil || *req.EmailNotification,
		isForceDelete:     force,
	}
	for i, t := range targets {
		sub := hwSubJob{id: h.s.newUUID()}
		switch {
		case !t.exists && mode == UnknownSkip:
			continue // no sub-job at all
		case !t.exists:
			sub.desktopID = ids[i]
			sub.failed, sub.errorCode, sub.failReason = true, "WKS.0004", "desktop not found"
		case t.task == hwDeleting:
			// Forced onto a desktop another job is deleting: that job
			// decides its fate, this one reports the clash.
			sub.desktopID, sub.desktopName = t.d.ID, t.d.Name
			sub.failed, sub.errorCode, sub.failReason = true, "WKS.0409", "desktop is already being deleted by another job"
		default:
			sub.desktopID, sub.desktopName, sub.stuck = t.d.ID, t.d.Name, t.d.Stuck
		}
		targets[i].sub = len(job.subs)
		job.subs = append(job.subs, sub)
	}
	return plan{resp: h.ok(http.StatusAccepted, struct {
		JobID string `json:"job_id"`
	}{job.id}), apply: func() {
		h.call.JobID = job.id // only a job that exists is recorded
		// Which sub-jobs an injected failure hits is decided now, when
		// the cloud accepts the job, so counts stay truthful.
		job.failSubJobs(h.s.pickJobFailures(h.call))
		h.s.jobs[job.id] = job
		for _, t := range targets {
			if t.exists && t.task != hwDeleting {
				h.s.startDelete(t.d, h.now, job, t.sub)
			}
		}
	}}
}

var hwOpTypes = map[string]bool{"reboot": true, "os-start": true, "os-stop": true, "os-hibernate": true, "start": true, "stop": true}

// batchRun is desktops/action. Unlike batch-delete it never fails the whole
// call for a bad desktop: those are listed in failed_operation_list and
// the rest go ahead.
func (h *hwHandler) batchRun(body []byte) plan {
	var req struct {
		hwBatch
		OpType string  `json:"op_type"`
		Type   *string `json:"type"`
	}
	ids, p, ok := h.batchBody(body, "desktops/action", &req, &req.hwBatch)
	if !ok {
		return p
	}
	if !hwOpTypes[req.OpType] {
		return h.fail(http.StatusBadRequest, "WKS.0001", fmt.Sprintf("op_type %q is not supported; use reboot, os-start or os-stop.", req.OpType))
	}
	if req.Type != nil && *req.Type != "SOFT" && *req.Type != "HARD" {
		return h.fail(http.StatusBadRequest, "WKS.0001", fmt.Sprintf("type %q is not supported; use SOFT or HARD.", *req.Type))
	}
	// What each operation needs and what it does.
	var from, to string
	switch req.OpType {
	case "reboot":
		from = hwActive
	case "os-start", "start":
		from, to = hwShutoff, hwActive
	case "os-stop", "stop":
		from, to = hwActive, hwShutoff
	default: // hibernate is accepted and, in this mock, changes nothing
		from = hwActive
	}
	failed := []hwFailedOp{}
	var ready []*desktop
	for _, id := range ids {
		d, status, task, ok := h.s.lookup(CloudHuawei, h.project, id, h.now)
		switch {
		case !ok:
			failed = append(failed, hwFailedOp{DesktopID: id, ErrorCode: "WKS.0004", ErrorMsg: "desktop not found"})
		case status != from || task != "":
			failed = append(failed, hwFailedOp{DesktopID: id, DesktopName: d.Name, ErrorCode: "WKS.0409",
				ErrorMsg: fmt.Sprintf("desktop is %s with task %q; %s needs %s and no task", status, task, req.OpType, from)})
		default:
			ready = append(ready, d)
		}
	}
	resp := h.ok(http.StatusOK, struct {
		FailedOperationList []hwFailedOp `json:"failed_operation_list"`
	}{failed})
	if len(ready) == 0 || (req.OpType != "reboot" && to == "") {
		return plan{resp: resp}
	}
	return plan{resp: resp, apply: func() {
		for _, d := range ready {
			if req.OpType == "reboot" {
				h.s.startReboot(d, h.now)
			} else {
				d.Status, d.TaskStatus, d.op, d.job = to, "", opNone, nil
			}
		}
	}}
}

// render is a desktop as the listing and the detail show it.
func (h *hwHandler) render(d *desktop) hwDesktop {
	status, task, _ := h.s.view(d, h.now)
	if task == hwDeleting && h.s.behaviour.HuaweiDeletingLooksEmpty {
		// Only the display: the cloud itself still knows the desktop
		// is being deleted, and refuses to start another delete.
		status, task = "", ""
	}
	return hwDesktop{
		DesktopID: d.ID, ComputerName: d.Name, Status: status, TaskStatus: task,
		Created: d.created.UTC().Format("2006-01-02T15:04:05.000Z"), DesktopType: "DEDICATED",
	}
}

func (h *hwHandler) list(query url.Values) plan {
	offset, limit := 0, 100
	if v := query.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return h.fail(http.StatusBadRequest, "WKS.0001", "offset must be a non-negative integer.")
		}
		offset = n
	}
	if v := query.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return h.fail(http.StatusBadRequest, "WKS.0001", "limit must be an integer from 1 to 1000.")
		}
		limit = n
	}
	ids := splitValues(query["desktop_id"])
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	statusFilter := query.Get("status")
	match := []hwDesktop{}
	for _, d := range h.s.visible(CloudHuawei, h.project, h.now, ids) {
		v := h.render(d)
		if (len(want) > 0 && !want[d.ID]) || (statusFilter != "" && v.Status != statusFilter) {
			continue
		}
		match = append(match, v)
	}
	start := min(offset, len(match))
	end := min(start+limit, len(match))
	return plan{resp: h.ok(http.StatusOK, struct {
		Desktops   []hwDesktop `json:"desktops"`
		TotalCount int         `json:"total_count"`
	}{match[start:end], len(match)})}
}

func (h *hwHandler) show(id string) plan {
	d, _, _, ok := h.s.lookup(CloudHuawei, h.project, id, h.now)
	if !ok {
		return h.fail(http.StatusNotFound, "WKS.0004", fmt.Sprintf("The desktop %s does not exist.", id))
	}
	return plan{resp: h.ok(http.StatusOK, struct {
		Desktop hwDesktop `json:"desktop"`
	}{h.render(d)})}
}

func (h *hwHandler) showJob(id string) plan {
	job, ok := h.s.jobs[id]
	if !ok || job.project != h.project {
		return h.fail(http.StatusNotFound, "WKS.0404", fmt.Sprintf("The job %s does not exist.", id))
	}
	return plan{resp: h.ok(http.StatusOK, job.render(h.s.cfg.Timing, h.now, h.s.jobWords()))}
}
