package alibaba

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// Operation names, as users see them in errors and logs: the API actions.
const (
	opReboot   = "RebootDesktops"
	opDelete   = "DeleteDesktops"
	opDescribe = "DescribeDesktops"
)

// request is one RPC call.
type request struct {
	action    string
	version   string
	anonymous bool           // the client API: no signature, identity in the parameters
	params    map[string]any // RegionId is added; slices go out as Name.1..N
	ids       []string       // the desktops the call is about, for errors and logs
	secrets   []string       // parameter values that must never be shown
}

// call makes one API call (no retries: callers wrap it in retry.Policy.Do),
// decodes the response body into out when out is not nil, and returns the
// call's request ID and nil, ctx's error when ctx had already ended, or a
// *fleet.CloudError.
func (c *Client) call(ctx context.Context, req request, out any) (requestID string, err error) {
	// Do not start a call for an operation that is already over.
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if bearer := c.bearerInClear(req); bearer != "" {
		// Never sent: not retried, and nothing to read back.
		return "", &fleet.CloudError{
			Cloud: cloudName, Operation: req.action, DesktopIDs: slices.Clone(req.ids),
			Message: "refusing to send " + bearer + " over plain http to a host that is not loopback: " +
				"use an https:// endpoint, or set allow_plain_http = true if the network is trusted",
		}
	}
	rec := &callRecord{}
	callCtx, cancel := context.WithTimeout(withRecord(ctx, rec), c.timeout)
	defer cancel()

	authType := "AK"
	if req.anonymous {
		authType = "Anonymous"
	}
	params := &openapi.Params{
		Action:      dara.String(req.action),
		Version:     dara.String(req.version),
		Protocol:    dara.String("HTTPS"), // Config.Protocol overrides it for an http endpoint
		Pathname:    dara.String("/"),
		Method:      dara.String("POST"),
		AuthType:    dara.String(authType),
		Style:       dara.String("RPC"),
		ReqBodyType: dara.String("formData"),
		BodyType:    dara.String("json"),
	}
	query := map[string]any{"RegionId": c.region}
	for k, v := range req.params {
		query[k] = v
	}
	apiReq := &openapi.OpenApiRequest{Query: openapiutil.Query(query)}

	start := time.Now()
	res, err := safeCall(func() (map[string]any, error) {
		api, err := c.api(req.anonymous)
		if err != nil {
			return nil, err
		}
		// The context variant, so that cancelling the operation (and
		// the per-call timeout) ends the HTTP request itself.
		return api.CallApiWithCtx(callCtx, params, apiReq, &dara.RuntimeOptions{})
	})
	var body map[string]any
	if err == nil && (rec.status < 200 || rec.status > 299) {
		// darabonba takes anything below 400 for success.
		err = &malformedError{reason: "unexpected HTTP status " + strconv.Itoa(rec.status)}
	}
	if err == nil {
		body, err = successBody(res)
	}
	if err == nil && out != nil {
		err = decode(body, out)
	}
	requestID = rec.requestID
	if id, _ := body["RequestId"].(string); id != "" {
		requestID = id
	}

	fields := map[string]any{
		"action":        req.action,
		"version":       req.version,
		"anonymous":     req.anonymous,
		"desktop_count": len(req.ids),
		"request_id":    requestID,
		"http_status":   rec.status,
		"duration_ms":   time.Since(start).Milliseconds(),
	}
	if err == nil {
		tflog.Debug(ctx, "alibaba API call succeeded", fields)
		return requestID, nil
	}
	ce := toCloudError(ctx, req.action, req.ids, rec, err, slices.Concat(req.secrets, c.secrets))
	if ce.RequestID == "" {
		ce.RequestID = requestID // from a success body we could not use
	}
	fields["request_id"] = ce.RequestID
	fields["http_status"] = ce.HTTPStatus
	fields["error"] = ce.Brief()
	fields["retryable"] = ce.Retryable
	fields["ambiguous"] = ce.Ambiguous
	tflog.Debug(ctx, "alibaba API call failed", fields)
	return ce.RequestID, ce
}

// safeCall turns a panic inside darabonba into an error for this call.
// None was seen on HTML, truncated or empty bodies in v2.1.13, but its
// response handling is generated code full of type assertions.
func safeCall(fn func() (map[string]any, error)) (res map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r}
		}
	}()
	return fn()
}

// successBody checks the decoded body of a 2xx answer. darabonba returns
// no error for an empty body, "null" or JSON that is not an object; an ECD
// answer is always an object with a RequestId, so anything else did not
// come from the API as we know it.
func successBody(res map[string]any) (map[string]any, error) {
	body, _ := res["body"].(map[string]any)
	if len(body) == 0 {
		return nil, &malformedError{reason: "empty or non-object body"}
	}
	if id, _ := body["RequestId"].(string); id == "" {
		return nil, &malformedError{reason: "no RequestId in the body"}
	}
	return body, nil
}

// decode converts a body darabonba decoded into a map into a typed value.
func decode(body map[string]any, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return &malformedError{reason: err.Error()}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &malformedError{reason: err.Error()}
	}
	return nil
}

// logCtx masks the client's secrets and extra in every log line written
// under the returned context, the retry policy's included: a second guard
// behind never logging parameters at all.
func (c *Client) logCtx(ctx context.Context, extra ...string) context.Context {
	if all := slices.Concat(fleet.Secrets(extra...), c.secrets); len(all) > 0 {
		ctx = tflog.MaskLogStrings(ctx, all...)
	}
	return ctx
}

// bearerInClear names the bearer credential req would carry over a plain
// http endpoint off this machine, or returns "" when it carries none or the
// endpoint is safe. The client API's tokens travel as query parameters; a
// signed call carries an STS security token (x-acs-security-token) when the
// credentials, possibly from the credential chain, include one.
func (c *Client) bearerInClear(req request) string {
	switch {
	case !c.plainRemote:
		return ""
	case req.anonymous:
		if req.params["LoginToken"] != nil || req.params["SessionToken"] != nil {
			return "the client API's login token"
		}
		return ""
	}
	m, err := c.cred.GetCredential()
	if err == nil && m != nil && tea.StringValue(m.SecurityToken) != "" {
		return "the STS security token"
	}
	return ""
}
