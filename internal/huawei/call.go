package huawei

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// Operation names, as users see them in errors and logs.
const (
	opBatchRun    = "BatchRunDesktops"
	opBatchDelete = "BatchDeleteDesktops"
	opShowJob     = "ShowJob"
	opList        = "ListDesktopsDetail"
)

// invoke makes one SDK call (no retries: callers wrap it in retry.Policy.Do)
// and returns the call's request ID and nil, ctx's error when ctx had
// already ended, or a *fleet.CloudError. The request ID of a call that
// reached the API is also appended to reqIDs when reqIDs is not nil.
func (c *Client) invoke(ctx context.Context, op string, ids []string, reqIDs *[]string, fn func(ws *workspace.WorkspaceClient) error) (string, error) {
	// Do not start a call for an operation that is already over.
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// One of the operation's max_concurrency places, until the answer is
	// read; the per-call timeout starts once the call has it.
	release, err := fleet.AcquireCall(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	rec := &callRecord{}
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	start := time.Now()
	err = func() error {
		ws, err := c.workspace(callCtx, rec)
		if err != nil {
			return err
		}
		return safeCall(func() error { return fn(ws) })
	}()
	if rec.requestID != "" && reqIDs != nil {
		*reqIDs = append(*reqIDs, rec.requestID)
	}

	fields := map[string]any{
		"operation":     op,
		"desktop_count": len(ids),
		"request_id":    rec.requestID,
		"http_status":   rec.status,
		"duration_ms":   time.Since(start).Milliseconds(),
	}
	if err == nil {
		tflog.Debug(ctx, "huawei API call succeeded", fields)
		return rec.requestID, nil
	}
	ce := toCloudError(ctx, op, ids, rec, err)
	ce.Redact(c.secrets)
	fields["error"] = ce.Brief()
	fields["retryable"] = ce.Retryable
	fields["ambiguous"] = ce.Ambiguous
	tflog.Debug(ctx, "huawei API call failed", fields)
	return rec.requestID, ce
}

// safeCall turns a panic inside the SDK (say, on a response shape it did not
// expect) into an error for this call alone.
func safeCall(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r}
		}
	}()
	return fn()
}

// cloudFailure builds the error for one desktop named in an otherwise
// successful response.
func cloudFailure(op, id string, status int, code, message, requestID string) *fleet.CloudError {
	return &fleet.CloudError{
		Cloud:      cloudName,
		Operation:  op,
		HTTPStatus: status,
		Code:       code,
		Message:    message,
		RequestID:  requestID,
		DesktopIDs: []string{id},
	}
}
