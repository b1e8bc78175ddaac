package alibaba

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
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
func (c *Client) call(ctx context.Context, req request, out answer) (requestID string, err error) {
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
	// One of the operation's max_concurrency places, until the answer is
	// read; the per-call timeout starts once the call has it.
	release, err := fleet.AcquireCall(ctx)
	if err != nil {
		return "", err
	}
	defer release()
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
		// The body unread: darabonba's "json" decodes it, converts the
		// map by a JSON round trip, and we would convert it once more
		// into our types; reading it once ourselves costs a fifth.
		BodyType: dara.String("binary"),
	}
	query := map[string]any{"RegionId": c.region}
	for k, v := range req.params {
		query[k] = v
	}
	apiReq := &openapi.OpenApiRequest{Query: rpcQuery(query)}

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
	var bodyRequestID string
	if err == nil {
		bodyRequestID, err = readSuccess(res, rec, out)
	}
	requestID = rec.requestID
	if bodyRequestID != "" {
		requestID = bodyRequestID
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

// answer is what a success body decodes into: every ECD answer carries
// the call's RequestId.
type answer interface{ requestID() string }

// bareAnswer is the answer of a call whose body holds nothing else we use.
type bareAnswer struct{ RequestId string }

func (a *bareAnswer) requestID() string { return a.RequestId }

// readSuccess reads the body of an answer darabonba took for a success
// (anything below 400) and decodes it into out (a bareAnswer when nil). It
// returns the body's RequestId, even when out cannot take the rest.
func readSuccess(res map[string]any, rec *callRecord, out answer) (requestID string, err error) {
	body, _ := res["body"].(io.ReadCloser)
	if body == nil {
		return "", &malformedError{reason: "no body"}
	}
	defer body.Close()
	raw, err := io.ReadAll(body)
	if err != nil {
		return "", err // rec.bodyErr has it too: a transport failure
	}
	if rec.status < 200 || rec.status > 299 {
		return "", &malformedError{reason: "unexpected HTTP status " + strconv.Itoa(rec.status)}
	}
	if out == nil {
		out = &bareAnswer{}
	}
	return successBody(raw, out)
}

// successBody checks and decodes the body of a 2xx answer in one pass. An
// ECD answer is always a JSON object with a RequestId; an empty body,
// "null", or JSON that is not an object did not come from the API as we
// know it. A field of the wrong type fails the call but keeps the
// RequestId, which encoding/json still decodes.
func successBody(raw []byte, out answer) (requestID string, err error) {
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || trimmed[0] != '{' {
		return "", &malformedError{reason: "empty or non-object body"}
	}
	err = json.Unmarshal(raw, out)
	requestID = out.requestID()
	switch {
	case requestID == "" && err == nil:
		return "", &malformedError{reason: "no RequestId in the body"}
	case err != nil:
		return requestID, &malformedError{reason: err.Error()}
	}
	return requestID, nil
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
