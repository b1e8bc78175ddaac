package mockcloud

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

// The tests drive the mock with the official SDK clients over real HTTP, so
// the SDKs' signers and the mock's verifiers check each other.

// hours is a transition long enough never to finish during a test, so a
// transitional status can be read without racing the clock.
const hours = 24 * time.Hour

// env is a mock behind a real HTTP server. tamper, when set, changes each
// request on its way in, as a man in the middle would.
type env struct {
	srv    *Server
	hs     *httptest.Server
	tamper atomic.Pointer[func(*http.Request)]
}

func newEnv(t *testing.T, timing Timing) *env {
	t.Helper()
	cfg := DemoConfig()
	cfg.Timing = timing
	return newEnvConfig(t, cfg)
}

func newEnvConfig(t *testing.T, cfg Config) *env {
	t.Helper()
	e := &env{srv: New(cfg)}
	e.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := e.tamper.Load(); f != nil {
			(*f)(r)
		}
		e.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(e.hs.Close)
	return e
}

func (e *env) setTamper(f func(*http.Request)) { e.tamper.Store(&f) }

// newSignatureEnv is a mock for a signature test: tamper, when set, changes
// each request on its way in, and the clock signatures are checked against
// is skew off.
func newSignatureEnv(t *testing.T, tamper func(*http.Request), skew time.Duration) *env {
	t.Helper()
	e := newEnv(t, Timing{})
	if tamper != nil {
		e.setTamper(tamper)
	}
	e.srv.signatureSkew.Store(int64(skew))
	return e
}

func (e *env) host() string { return strings.TrimPrefix(e.hs.URL, "http://") }

// ---- Alibaba ----

func (e *env) ali(t *testing.T) *openapi.Client {
	return e.aliWith(t, DemoAlibabaAccessKey, DemoAlibabaSecret, "")
}

// aliAnon is a client for the anonymous client API, sending RPC V2
// requests as the official ECD 2020-10-02 SDK does.
func (e *env) aliAnon(t *testing.T) *openapi.Client {
	return e.aliConfig(t, "", "", "", "v2")
}

func (e *env) aliWith(t *testing.T, ak, secret, token string) *openapi.Client {
	return e.aliConfig(t, ak, secret, token, "")
}

func (e *env) aliConfig(t *testing.T, ak, secret, token, signatureAlgorithm string) *openapi.Client {
	t.Helper()
	cfg := &openapi.Config{
		Endpoint: tea.String(e.host()),
		Protocol: tea.String("http"),
		RegionId: tea.String(DemoAlibabaRegion),
		// dara's shared default client writes its Timeout while other
		// calls read it (a data race in tea v1.5.3), so each client gets
		// its own, as the provider does.
		HttpClient: plainHTTP{&http.Client{Timeout: 10 * time.Second}},
	}
	if ak != "" {
		cfg.AccessKeyId, cfg.AccessKeySecret = tea.String(ak), tea.String(secret)
	}
	if token != "" {
		cfg.SecurityToken = tea.String(token)
	}
	if signatureAlgorithm != "" {
		cfg.SignatureAlgorithm = tea.String(signatureAlgorithm)
	}
	c, err := openapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// plainHTTP is a dara.HttpClient over a net/http client of its own.
type plainHTTP struct{ c *http.Client }

func (p plainHTTP) Call(req *http.Request, _ *http.Transport) (*http.Response, error) {
	return p.c.Do(req)
}

// aliCall sends one RPC call exactly as the provider does.
func aliCall(c *openapi.Client, action, version string, anonymous bool, query map[string]any) (map[string]any, error) {
	auth := "AK"
	if anonymous {
		auth = "Anonymous"
	}
	params := &openapi.Params{
		Action: tea.String(action), Version: tea.String(version), Protocol: tea.String("HTTPS"),
		Pathname: tea.String("/"), Method: tea.String("POST"), AuthType: tea.String(auth),
		Style: tea.String("RPC"), ReqBodyType: tea.String("formData"), BodyType: tea.String("json"),
	}
	return c.CallApi(params, &openapi.OpenApiRequest{Query: openapiutil.Query(query)}, &dara.RuntimeOptions{})
}

// describePages reads DescribeDesktops of the demo region page by page,
// maxResults a page, and returns the body of each page.
func describePages(t *testing.T, c *openapi.Client, maxResults int) []map[string]any {
	t.Helper()
	var pages []map[string]any
	token := ""
	for len(pages) < 100 {
		q := adminQuery(nil, "MaxResults", maxResults)
		if token != "" {
			q["NextToken"] = token
		}
		res, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false, q)
		mustOK(t, err)
		body := aliBody(t, res)
		pages = append(pages, body)
		if token, _ = body["NextToken"].(string); token == "" {
			return pages
		}
	}
	t.Fatal("the NextTokens never end")
	return nil
}

func adminQuery(ids []string, extra ...any) map[string]any {
	q := map[string]any{"RegionId": DemoAlibabaRegion}
	if ids != nil {
		q["DesktopId"] = ids
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q[extra[i].(string)] = extra[i+1]
	}
	return q
}

func clientQuery(ids []string, token string) map[string]any {
	return map[string]any{
		"RegionId": DemoAlibabaRegion, "ClientId": "client-1", "SessionId": DemoAlibabaSessionID,
		"LoginToken": DemoAlibabaLoginToken, "ClientToken": token, "DesktopId": ids,
		"ClientOS": "Linux", "ClientVersion": "1.0.0",
	}
}

// sdkError is the SDK's error of type E that a call failed with; it fails
// the test when the call succeeded or failed otherwise.
func sdkError[E error](t *testing.T, err error) E {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded, want an error")
	}
	var se E
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v is not a %T", err, err, se)
	}
	return se
}

// aliErrCode returns the cloud error code and HTTP status of an SDK error.
func aliErrCode(t *testing.T, err error) (string, int) {
	t.Helper()
	se := sdkError[*tea.SDKError](t, err)
	return tea.StringValue(se.Code), tea.IntValue(se.StatusCode)
}

// wantAliAnswer checks how an Alibaba call ended: refused with code,
// status and a message naming msg, or accepted when code is "". It returns
// how often the call's desktops must have been acted on: never when it was
// refused, once when accepted.
func wantAliAnswer(t *testing.T, err error, code string, status int, msg string) int {
	t.Helper()
	if code == "" {
		mustOK(t, err)
		return 1
	}
	wantAliErr(t, err, code, status)
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("message does not name %q: %v", msg, err)
	}
	return 0
}

func wantAliErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	gotCode, gotStatus := aliErrCode(t, err)
	if gotCode != code || gotStatus != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d): %v", gotCode, gotStatus, code, status, err)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
}

// aliBody is the decoded JSON body of a successful CallApi.
func aliBody(t *testing.T, res map[string]any) map[string]any {
	t.Helper()
	b, ok := res["body"].(map[string]any)
	if !ok {
		t.Fatalf("no JSON body in %v", res)
	}
	return b
}

// ---- Huawei ----

func (e *env) hw(t *testing.T) *workspace.WorkspaceClient {
	return e.hwWith(t, DemoHuaweiAccessKey, DemoHuaweiSecret, DemoHuaweiProject, "")
}

func (e *env) hwWith(t *testing.T, ak, sk, project, securityToken string) *workspace.WorkspaceClient {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(project)
	if securityToken != "" {
		b = b.WithSecurityToken(securityToken)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := workspace.WorkspaceClientBuilder().WithEndpoints([]string{e.hs.URL}).WithCredential(cred).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return workspace.NewWorkspaceClient(hc)
}

func hwErr(t *testing.T, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	return sdkError[*sdkerr.ServiceResponseError](t, err)
}

func wantHwErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	se := hwErr(t, err)
	if se.ErrorCode != code || se.StatusCode != status {
		t.Fatalf("got %s (HTTP %d), want %s (HTTP %d): %v", se.ErrorCode, se.StatusCode, code, status, err)
	}
	if se.RequestId == "" {
		t.Fatalf("error without X-Request-Id: %v", err)
	}
}

func hwDelete(c *workspace.WorkspaceClient, ids []string) (*model.BatchDeleteDesktopsResponse, error) {
	return c.BatchDeleteDesktops(&model.BatchDeleteDesktopsRequest{Body: &model.DeleteDesktopsReq{
		DesktopIds: ids, DeleteUsers: ptr(false), EmailNotification: ptr(true), IsForceDelete: ptr(false),
	}})
}

func hwReboot(c *workspace.WorkspaceClient, ids []string) (*model.BatchRunDesktopsResponse, error) {
	soft := model.GetBatchActionDesktopsReqTypeEnum().SOFT
	return c.BatchRunDesktops(&model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{
		DesktopIds: ids, OpType: "reboot", Type: &soft,
	}})
}

func showJob(t *testing.T, c *workspace.WorkspaceClient, id string) *model.ShowJobResponse {
	t.Helper()
	resp, err := c.ShowJob(&model.ShowJobRequest{JobId: id})
	mustOK(t, err)
	return resp
}

func hwDesktopOf(t *testing.T, c *workspace.WorkspaceClient, id string) (status, task string) {
	t.Helper()
	resp, err := c.ShowDesktopDetail(&model.ShowDesktopDetailRequest{DesktopId: id})
	mustOK(t, err)
	return deref(resp.Desktop.Status), deref(resp.Desktop.TaskStatus)
}

// rawHuawei sends a request the SDK cannot (token auth, broken bodies) and
// returns the status, the error code and the raw body.
func (e *env) rawHuawei(t *testing.T, method, path, token, contentType string, body []byte) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.hs.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", method, path)
	}
	var code string
	if i := bytes.Index(b, []byte(`"error_code":"`)); i >= 0 {
		rest := b[i+len(`"error_code":"`):]
		code = string(rest[:bytes.IndexByte(rest, '"')])
	}
	return resp.StatusCode, code, b
}

func hwPath(format string, args ...any) string {
	return "/v2/" + DemoHuaweiProject + fmt.Sprintf(format, args...)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// lastCall is the most recent recorded call.
func lastCall(t *testing.T, s *Server) Call {
	t.Helper()
	calls := s.Calls()
	if len(calls) == 0 {
		t.Fatal("no calls recorded")
	}
	return calls[len(calls)-1]
}

func showReq(id string) *model.ShowDesktopDetailRequest {
	return &model.ShowDesktopDetailRequest{DesktopId: id}
}
