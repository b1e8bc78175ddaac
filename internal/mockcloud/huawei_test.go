package mockcloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

func TestHuaweiSignature(t *testing.T) {
	tests := []struct {
		name                string
		ak, sk, project, st string
		tamper              func(*http.Request)
		skew                time.Duration
		wantCode            string
		wantStatus          int
		wantReboots         int
	}{
		{name: "valid", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, wantReboots: 1},
		{name: "valid with security token", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, st: "temp-token", wantReboots: 1},
		{name: "wrong secret", ak: DemoHuaweiAccessKey, sk: "wrong", project: DemoHuaweiProject, wantCode: "APIGW.0301", wantStatus: 401},
		{name: "unknown AK", ak: "NOSUCHAK", sk: DemoHuaweiSecret, project: DemoHuaweiProject, wantCode: "APIGW.0301", wantStatus: 401},
		{name: "unknown project", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: "ffffffffffffffffffffffffffffffff", wantCode: "APIGW.0101", wantStatus: 404},
		{name: "tampered body", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, wantCode: "APIGW.0301", wantStatus: 401,
			tamper: func(r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				b = bytes.Replace(b, []byte(`"SOFT"`), []byte(`"HARD"`), 1)
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			}},
		{name: "tampered query", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, wantCode: "APIGW.0301", wantStatus: 401,
			tamper: func(r *http.Request) { r.URL.RawQuery = "force=true" }},
		{name: "project header swapped", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, wantCode: "APIGW.0301", wantStatus: 401,
			tamper: func(r *http.Request) { r.Header.Set("X-Project-Id", "ffffffffffffffffffffffffffffffff") }},
		{name: "stale date", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, skew: 16 * time.Minute, wantCode: "APIGW.0301", wantStatus: 401},
		{name: "future date", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, skew: -16 * time.Minute, wantCode: "APIGW.0301", wantStatus: 401},
		{name: "date within the window", ak: DemoHuaweiAccessKey, sk: DemoHuaweiSecret, project: DemoHuaweiProject, skew: 14 * time.Minute, wantReboots: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSignatureEnv(t, tt.tamper, tt.skew)
			ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "sig", 1)
			_, err := hwReboot(e.hwWith(t, tt.ak, tt.sk, tt.project, tt.st), ids)
			c := lastCall(t, e.srv)
			if tt.wantCode != "" {
				wantHwErr(t, err, tt.wantCode, tt.wantStatus)
				for _, secret := range []string{tt.sk, tt.st} {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Errorf("error echoes a secret: %v", err)
					}
				}
				if tt.wantStatus == 401 && c.Auth != "" {
					t.Errorf("rejected call recorded auth %q", c.Auth)
				}
			} else {
				mustOK(t, err)
				if c.Auth != "ak:"+tt.ak {
					t.Errorf("auth %q", c.Auth)
				}
			}
			if n := e.srv.RebootCount(CloudHuawei, ids[0]); n != tt.wantReboots {
				t.Errorf("reboots %d, want %d", n, tt.wantReboots)
			}
		})
	}
}

// An AK/SK is account-wide, so the signed X-Project-Id must name the
// project in the URL. The SDK always makes them equal, so this request is
// built and signed with the SDK's signer by hand.
func TestHuaweiProjectHeaderMustMatchPath(t *testing.T) {
	const second = "22222222222222222222222222222222"
	cfg := DemoConfig()
	cfg.HuaweiProjects = append(cfg.HuaweiProjects, second)
	e := newEnvConfig(t, cfg)
	for _, tt := range []struct {
		name, header string
		wantStatus   int
	}{
		{"same project", DemoHuaweiProject, 200},
		{"other project", second, 401},
		{"no project header", "", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := request.NewHttpRequestBuilder().WithEndpoint(e.hs.URL).WithMethod("GET").
				WithPath(hwPath("/desktops/detail")).AddQueryParam("limit", reflect.ValueOf(5)).
				AddHeaderParam("Content-Type", "application/json")
			if tt.header != "" {
				b = b.AddHeaderParam("X-Project-Id", tt.header)
			}
			req := b.Build()
			extra, err := signer.Sign(req, DemoHuaweiAccessKey, DemoHuaweiSecret)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range extra {
				req.AddHeaderParam(k, v)
			}
			hr, err := req.ConvertRequest()
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
			}
			if tt.wantStatus == 401 && !strings.Contains(string(body), "X-Project-Id") {
				t.Errorf("the error does not say why: %s", body)
			}
		})
	}
}

// The SDK sends array query parameters as repeated names; both they and the
// rest of the query are signed.
func TestHuaweiSignedArrayQuery(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "q", 5)
	resp, err := e.hw(t).ListDesktopsDetail(&model.ListDesktopsDetailRequest{
		DesktopId: &[]string{ids[3], ids[1], "not-there"}, Limit: ptr(int32(10)), Offset: ptr(int32(0)), Status: ptr("ACTIVE"),
	})
	mustOK(t, err)
	var got []string
	for _, d := range *resp.Desktops {
		got = append(got, deref(d.DesktopId))
	}
	want := []string{ids[1], ids[3]}
	slices.Sort(want)
	if !slices.Equal(got, want) || deref(resp.TotalCount) != 2 {
		t.Fatalf("got %v (total %d), want %v", got, deref(resp.TotalCount), want)
	}
	if c := lastCall(t, e.srv); len(c.DesktopIDs) != 3 {
		t.Errorf("recorded desktops %v", c.DesktopIDs)
	}
}

func TestHuaweiTokenAuth(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "tok", 1)
	body := []byte(fmt.Sprintf(`{"desktop_ids":[%q],"op_type":"reboot","type":"SOFT"}`, ids[0]))
	tests := []struct {
		name, token, project string
		wantStatus           int
		wantCode             string
	}{
		{"good token", DemoHuaweiAuthToken, DemoHuaweiProject, 200, ""},
		{"bad token", "expired-token", DemoHuaweiProject, 401, "APIGW.0301"},
		{"no auth at all", "", DemoHuaweiProject, 401, "APIGW.0301"},
		{"unknown project", DemoHuaweiAuthToken, "ffffffffffffffffffffffffffffffff", 404, "APIGW.0101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, raw := e.rawHuawei(t, "POST", "/v2/"+tt.project+"/desktops/action", tt.token, "application/json", body)
			if status != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("HTTP %d %s, want %d %s: %s", status, code, tt.wantStatus, tt.wantCode, raw)
			}
			if tt.token != "" && bytes.Contains(raw, []byte(tt.token)) {
				t.Errorf("response echoes the token: %s", raw)
			}
			wantAuth := "token"
			if tt.wantStatus == 401 {
				wantAuth = ""
			}
			if c := lastCall(t, e.srv); c.Auth != wantAuth {
				t.Errorf("auth %q, want %q", c.Auth, wantAuth)
			}
		})
	}
	if n := e.srv.RebootCount(CloudHuawei, ids[0]); n != 1 {
		t.Errorf("reboots %d, want 1", n)
	}
}

func TestHuaweiErrorBody(t *testing.T) {
	e := newEnv(t, Timing{})
	status, _, raw := e.rawHuawei(t, "GET", hwPath("/desktops/%s", "nope"), DemoHuaweiAuthToken, "", nil)
	var body map[string]string
	if err := json.Unmarshal(raw, &body); err != nil || status != 404 {
		t.Fatalf("HTTP %d %s", status, raw)
	}
	for _, k := range []string{"error_code", "error_msg", "error_detail", "encoded_authorization_message"} {
		if _, ok := body[k]; !ok {
			t.Errorf("error body lacks %s: %s", k, raw)
		}
	}
	if body["error_code"] != "WKS.0004" || body["error_detail"] == "" || body["encoded_authorization_message"] != "" {
		t.Errorf("error body %s", raw)
	}

	// A 403 carries the opaque authorization message.
	e.srv.InjectFault(Fault{Kind: FaultError, Status: 403, Code: "WKS.0403", Message: "denied"})
	_, _, raw = e.rawHuawei(t, "GET", hwPath("/desktops/detail"), DemoHuaweiAuthToken, "", nil)
	if !bytes.Contains(raw, []byte(`"encoded_authorization_message":"`+encodedAuthMessage)) {
		t.Errorf("403 body %s", raw)
	}
}

func TestHuaweiBatchDeleteValidation(t *testing.T) {
	tests := []struct {
		name       string
		body       func(ids []string) string
		ct         string
		busy       bool // the first desktop is rebooting
		wantStatus int
		wantCode   string
		wantDelete []int // indexes of ids deleted
	}{
		{name: "valid", body: func(ids []string) string { return delBody(ids, false) }, wantStatus: 202, wantDelete: []int{0, 1}},
		{name: "empty list", body: func([]string) string { return `{"desktop_ids":[]}` }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "missing list", body: func([]string) string { return `{"delete_users":false}` }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "101 desktops", body: func([]string) string { return delBody(fakeIDs(101), false) }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "duplicate", body: func(ids []string) string { return delBody([]string{ids[0], ids[0]}, false) }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "malformed JSON", body: func([]string) string { return `{"desktop_ids":["a"` }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "wrong type", body: func([]string) string { return `{"desktop_ids":"a"}` }, wantStatus: 400, wantCode: "WKS.0001"},
		{name: "no JSON content type", body: func(ids []string) string { return delBody(ids, false) }, ct: "text/plain", wantStatus: 400, wantCode: "WKS.0001"},
		{name: "all unknown", body: func([]string) string { return delBody([]string{"x1", "x2"}, false) }, wantStatus: 404, wantCode: "WKS.0004"},
		{name: "some unknown", body: func(ids []string) string { return delBody([]string{ids[0], "x1"}, false) }, wantStatus: 202, wantDelete: []int{0}},
		{name: "busy refuses all", busy: true, body: func(ids []string) string { return delBody(ids, false) }, wantStatus: 409, wantCode: "WKS.0409"},
		{name: "busy forced", busy: true, body: func(ids []string) string { return delBody(ids, true) }, wantStatus: 202, wantDelete: []int{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{RebootStarting: hours})
			ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "v", 2)
			if tt.busy {
				_, err := hwReboot(e.hw(t), ids[:1])
				mustOK(t, err)
			}
			status, code, raw := e.rawHuawei(t, "POST", hwPath("/desktops/batch-delete"), DemoHuaweiAuthToken, or(tt.ct, "application/json"), []byte(tt.body(ids)))
			if status != tt.wantStatus || code != tt.wantCode {
				t.Fatalf("HTTP %d %s, want %d %s: %s", status, code, tt.wantStatus, tt.wantCode, raw)
			}
			for i, id := range ids {
				want := 0
				if slices.Contains(tt.wantDelete, i) {
					want = 1
				}
				if n := e.srv.DeleteCount(CloudHuawei, id); n != want {
					t.Errorf("desktop %d deleted %d times, want %d", i, n, want)
				}
			}
		})
	}
}

func delBody(ids []string, force bool) string {
	b, _ := json.Marshal(map[string]any{"desktop_ids": ids, "delete_users": false, "email_notification": true, "is_force_delete": force})
	return string(b)
}

// A delete job goes WAITING -> RUNNING -> SUCCESS; meanwhile the desktops
// show task_status "deleting", then DELETED for a while, then 404.
func TestHuaweiJobLifecycle(t *testing.T) {
	const step = time.Hour
	e := newEnv(t, Timing{JobWaiting: step, JobRunning: step, DeletedVisible: step})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "job", 2)
	keep := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "keep", 1)
	c := e.hw(t)
	resp, err := c.BatchDeleteDesktops(&model.BatchDeleteDesktopsRequest{Body: &model.DeleteDesktopsReq{
		DesktopIds: append(slices.Clone(ids), "ghost-desktop"), DeleteUsers: ptr(true), EmailNotification: ptr(false),
	}})
	mustOK(t, err)
	jobID := deref(resp.JobId)
	if du, en, fd, ok := e.srv.HuaweiDeleteFlags(jobID); !ok || !du || en || fd {
		t.Errorf("flags delete_users=%v email_notification=%v is_force_delete=%v ok=%v", du, en, fd, ok)
	}
	if c := lastCall(t, e.srv); c.JobID != jobID || c.Operation != "BatchDeleteDesktops" {
		t.Errorf("recorded %+v", c)
	}

	phases := []struct {
		at         time.Duration
		job        string
		subs       []string // ids[0], ids[1], ghost
		status     string
		task       string
		gone       bool
		failReason string
	}{
		{0, "WAITING", []string{"WAITING", "WAITING", "WAITING"}, "ACTIVE", "deleting", false, ""},
		{step, "RUNNING", []string{"RUNNING", "RUNNING", "RUNNING"}, "ACTIVE", "deleting", false, ""},
		{2 * step, "FAILED", []string{"SUCCESS", "SUCCESS", "FAILED"}, "DELETED", "", false, "desktop not found"},
		{3 * step, "FAILED", []string{"SUCCESS", "SUCCESS", "FAILED"}, "", "", true, "desktop not found"},
	}
	var now time.Duration
	for _, p := range phases {
		e.srv.Advance(p.at - now)
		now = p.at
		job := showJob(t, c, jobID)
		if deref(job.Status) != p.job || deref(job.SubJobsTotal) != 3 || deref(job.JobType) != "BATCH_DELETE_DESKTOPS" {
			t.Fatalf("at %v: job %s (%d sub-jobs, type %s), want %s", p.at, deref(job.Status), deref(job.SubJobsTotal), deref(job.JobType), p.job)
		}
		for i, sj := range *job.SubJobs {
			if deref(sj.Status) != p.subs[i] {
				t.Errorf("at %v: sub-job %d %s, want %s", p.at, i, deref(sj.Status), p.subs[i])
			}
		}
		ghost := (*job.SubJobs)[2]
		if deref(ghost.Entities.DesktopId) != "ghost-desktop" || deref(ghost.FailReason) != p.failReason {
			t.Errorf("at %v: ghost sub-job %s", p.at, ghost)
		}
		if p.failReason != "" && (deref(ghost.ErrorCode) != "WKS.0004" || deref(job.EndTime) == "") {
			t.Errorf("at %v: finished job %s", p.at, job)
		}
		for _, id := range ids {
			if p.gone {
				_, err := c.ShowDesktopDetail(&model.ShowDesktopDetailRequest{DesktopId: id})
				wantHwErr(t, err, "WKS.0004", 404)
				continue
			}
			if status, task := hwDesktopOf(t, c, id); status != p.status || task != p.task {
				t.Errorf("at %v: desktop %s/%q, want %s/%q", p.at, status, task, p.status, p.task)
			}
		}
		if status, task := hwDesktopOf(t, c, keep[0]); status != "ACTIVE" || task != "" {
			t.Errorf("bystander desktop %s/%q", status, task)
		}
	}
	for _, id := range ids {
		if n := e.srv.DeleteCount(CloudHuawei, id); n != 1 {
			t.Errorf("%s deleted %d times", id, n)
		}
	}
}

func TestHuaweiJobFailedFault(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantFailed []int
	}{
		{name: "named desktops", fault: Fault{Cloud: CloudHuawei, Kind: FaultJobFailed}, wantFailed: []int{1, 3}},
		{name: "whole job", fault: Fault{Cloud: CloudHuawei, Kind: FaultJobFailed, Code: "WKS.0999", Message: "backend exploded"}, wantFailed: []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Timing{})
			ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "jf", 4)
			if tt.name == "named desktops" {
				tt.fault.DesktopIDs = []string{ids[1], ids[3]}
			}
			e.srv.InjectFault(tt.fault)
			c := e.hw(t)
			resp, err := hwDelete(c, ids)
			mustOK(t, err)
			job := showJob(t, c, deref(resp.JobId))
			if deref(job.Status) != "FAILED" || deref(job.JobErrorCode) == "" || deref(job.FailReason) == "" {
				t.Fatalf("job %s", job)
			}
			for i, sj := range *job.SubJobs {
				failed := slices.Contains(tt.wantFailed, i)
				wantStatus, wantDeletes := "SUCCESS", 1
				if failed {
					wantStatus, wantDeletes = "FAILED", 0
					if code := deref(sj.ErrorCode); code != or(tt.fault.Code, "WKS.0500") || deref(sj.FailReason) == "" {
						t.Errorf("sub-job %d error %s %q", i, code, deref(sj.FailReason))
					}
				}
				if deref(sj.Status) != wantStatus {
					t.Errorf("sub-job %d %s, want %s", i, deref(sj.Status), wantStatus)
				}
				if n := e.srv.DeleteCount(CloudHuawei, ids[i]); n != wantDeletes {
					t.Errorf("desktop %d deleted %d times, want %d", i, n, wantDeletes)
				}
				d, ok := e.srv.Desktop(CloudHuawei, ids[i])
				if failed && (!ok || d.Status != "ACTIVE" || d.TaskStatus != "deleteFailed") {
					t.Errorf("failed desktop %d is %+v (present %v), want ACTIVE with task_status deleteFailed", i, d, ok)
				}
				if !failed && ok && d.Status != "DELETED" {
					t.Errorf("deleted desktop %d is %+v", i, d)
				}
			}
			// The fault keeps firing until cleared; without it the
			// survivors are deleted.
			e.srv.ClearFaults()
			var left []string
			for _, i := range tt.wantFailed {
				left = append(left, ids[i])
			}
			resp, err = hwDelete(c, left)
			mustOK(t, err)
			if job := showJob(t, c, deref(resp.JobId)); deref(job.Status) != "SUCCESS" {
				t.Errorf("retry job %s", job)
			}
		})
	}
}

func TestHuaweiReboot(t *testing.T) {
	e := newEnv(t, Timing{RebootStopping: hours})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "rb", 3)
	e.srv.AddDesktops(Desktop{Cloud: CloudHuawei, Region: DemoHuaweiProject, ID: "shutoff-1", Status: "SHUTOFF"})
	c := e.hw(t)

	resp, err := hwReboot(c, []string{ids[0], "missing-1", "shutoff-1"})
	mustOK(t, err)
	if resp.JobId != nil {
		t.Errorf("reboot returned a job_id")
	}
	failed := map[string]string{}
	for _, f := range *resp.FailedOperationList {
		failed[deref(f.DesktopId)] = deref(f.ErrorCode)
	}
	if len(failed) != 2 || failed["missing-1"] != "WKS.0004" || failed["shutoff-1"] != "WKS.0409" {
		t.Errorf("failed_operation_list %v", failed)
	}
	if status, task := hwDesktopOf(t, c, ids[0]); status != "ACTIVE" || task != "rebooting" {
		t.Errorf("rebooting desktop %s/%q", status, task)
	}
	// A busy desktop is listed, not rebooted twice.
	resp, err = hwReboot(c, ids[:2])
	mustOK(t, err)
	if l := *resp.FailedOperationList; len(l) != 1 || deref(l[0].DesktopId) != ids[0] || deref(l[0].ErrorCode) != "WKS.0409" {
		t.Errorf("second reboot failed list %v", l)
	}
	if a, b := e.srv.RebootCount(CloudHuawei, ids[0]), e.srv.RebootCount(CloudHuawei, ids[1]); a != 1 || b != 1 {
		t.Errorf("reboot counts %d, %d", a, b)
	}

	for _, tt := range []struct{ name, body string }{
		{"op_type", fmt.Sprintf(`{"desktop_ids":[%q],"op_type":"explode"}`, ids[2])},
		{"type", fmt.Sprintf(`{"desktop_ids":[%q],"op_type":"reboot","type":"GENTLE"}`, ids[2])},
		{"empty", `{"desktop_ids":[],"op_type":"reboot"}`},
		{"too many", fmt.Sprintf(`{"desktop_ids":%s,"op_type":"reboot"}`, mustJSON(fakeIDs(101)))},
		{"duplicate", fmt.Sprintf(`{"desktop_ids":[%q,%q],"op_type":"reboot"}`, ids[2], ids[2])},
		{"malformed", `{"desktop_ids":`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, code, raw := e.rawHuawei(t, "POST", hwPath("/desktops/action"), DemoHuaweiAuthToken, "application/json", []byte(tt.body))
			if status != 400 || code != "WKS.0001" {
				t.Errorf("HTTP %d %s: %s", status, code, raw)
			}
		})
	}
	if n := e.srv.RebootCount(CloudHuawei, ids[2]); n != 0 {
		t.Errorf("invalid calls rebooted %d times", n)
	}

	t.Run("stop and start", func(t *testing.T) {
		for _, step := range []struct{ op, want string }{{"os-stop", "SHUTOFF"}, {"os-start", "ACTIVE"}} {
			_, err := c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{DesktopIds: ids[2:], OpType: step.op}})
			mustOK(t, err)
			if status, _ := hwDesktopOf(t, c, ids[2]); status != step.want {
				t.Errorf("after %s: %s", step.op, status)
			}
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHuaweiListPagination(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "pg", 23)
	other := New(DemoConfig()) // a fleet elsewhere must not leak in
	other.SeedFleet(CloudHuawei, DemoHuaweiProject, "x", 2)
	e.srv.AddDesktops(Desktop{Cloud: CloudHuawei, Region: "another-project", ID: "elsewhere"})
	c := e.hw(t)
	var seen []string
	for offset := int32(0); ; offset += 10 {
		resp, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{Offset: ptr(offset), Limit: ptr(int32(10))})
		mustOK(t, err)
		if deref(resp.TotalCount) != 23 {
			t.Fatalf("total_count %d", deref(resp.TotalCount))
		}
		for _, d := range *resp.Desktops {
			seen = append(seen, deref(d.DesktopId))
			if deref(d.Status) != "ACTIVE" || d.TaskStatus == nil || deref(d.Created) == "" || deref(d.ComputerName) == "" {
				t.Errorf("desktop %s", d)
			}
		}
		if len(*resp.Desktops) < 10 {
			break
		}
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("pages gave %d desktops %v, want %v", len(seen), seen, want)
	}

	for _, q := range []string{"limit=1001", "limit=0", "offset=-1", "limit=abc"} {
		status, code, raw := e.rawHuawei(t, "GET", hwPath("/desktops/detail?%s", q), DemoHuaweiAuthToken, "", nil)
		if status != 400 || code != "WKS.0001" {
			t.Errorf("%s: HTTP %d %s %s", q, status, code, raw)
		}
	}
	// The default limit is 100, and the comma form of desktop_id works too.
	status, _, raw := e.rawHuawei(t, "GET", hwPath("/desktops/detail?desktop_id=%s,%s", ids[0], ids[1]), DemoHuaweiAuthToken, "", nil)
	var body struct {
		Desktops   []map[string]any `json:"desktops"`
		TotalCount int              `json:"total_count"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || status != 200 || body.TotalCount != 2 || len(body.Desktops) != 2 {
		t.Errorf("HTTP %d %s", status, raw)
	}
}

func TestHuaweiUnknownRoutes(t *testing.T) {
	e := newEnv(t, Timing{})
	for _, tt := range []struct{ method, path, code string }{
		{"GET", hwPath("/workspace-jobs/no-such-job"), "WKS.0404"},
		{"GET", hwPath("/desktops/no-such-desktop"), "WKS.0004"},
		{"DELETE", hwPath("/desktops/x"), "APIGW.0101"},
		{"GET", hwPath("/volumes"), "APIGW.0101"},
	} {
		status, code, raw := e.rawHuawei(t, tt.method, tt.path, DemoHuaweiAuthToken, "", nil)
		if status != 404 || code != tt.code {
			t.Errorf("%s %s: HTTP %d %s: %s", tt.method, tt.path, status, code, raw)
		}
	}
	// A job belongs to its project.
	cfg := DemoConfig()
	cfg.Timing = Timing{}
	const second = "22222222222222222222222222222222"
	cfg.HuaweiProjects = append(cfg.HuaweiProjects, second)
	e2 := newEnvConfig(t, cfg)
	ids := e2.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "p", 1)
	resp, err := hwDelete(e2.hw(t), ids)
	mustOK(t, err)
	status, code, _ := e2.rawHuawei(t, "GET", "/v2/"+second+"/workspace-jobs/"+deref(resp.JobId), DemoHuaweiAuthToken, "", nil)
	if status != 404 || code != "WKS.0404" {
		t.Errorf("job asked for in another project: HTTP %d %s", status, code)
	}
}

// The SDK decodes the job JSON into its own model: field names must match.
func TestHuaweiJobJSONMatchesSDK(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "m", 1)
	resp, err := hwDelete(e.hw(t), ids)
	mustOK(t, err)
	job := showJob(t, e.hw(t), deref(resp.JobId))
	sj := (*job.SubJobs)[0]
	if deref(job.Id) != deref(resp.JobId) || deref(job.BeginTime) == "" || deref(job.EndTime) == "" ||
		deref(sj.Id) == "" || deref(sj.JobType) == "" || deref(sj.Entities.DesktopId) != ids[0] ||
		deref(sj.Entities.DesktopName) != "m-0001" || deref(sj.BeginTime) == "" {
		t.Errorf("decoded job %s", job)
	}
}
