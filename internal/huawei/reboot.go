package huawei

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	workspace "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// maxBatch is the most desktop_ids one batch call accepts.
const maxBatch = 100

// RebootOptions configures Rebooter.
type RebootOptions struct {
	// Type is "SOFT" (the default when empty) or "HARD".
	Type string
	// Wait makes Act return only once each rebooted desktop is ACTIVE with
	// an empty task_status again.
	Wait bool
	Poll retry.Poller
	// Settle is how long a desktop never seen rebooting must keep
	// reading ACTIVE and idle before it counts as rebooted
	// (fleet.RebootWatch); zero means fleet.DefaultRebootSettle.
	Settle time.Duration
}

type rebooter struct {
	fleet.Shape
	c       *Client
	opts    RebootOptions
	typ     model.BatchActionDesktopsReqType
	typeErr error
}

// Rebooter returns the reboot action (BatchRunDesktops, op_type "reboot").
func (c *Client) Rebooter(opts RebootOptions) fleet.BatchAction {
	r := &rebooter{Shape: fleet.Shape{Name: "reboot", Max: maxBatch}, c: c, opts: opts}
	types := model.GetBatchActionDesktopsReqTypeEnum()
	switch strings.ToUpper(strings.TrimSpace(opts.Type)) {
	case "", "SOFT":
		r.typ = types.SOFT
	case "HARD":
		r.typ = types.HARD
	default:
		// Validation belongs to the schema; this only keeps a bad value
		// from ever reaching the API.
		r.typeErr = fmt.Errorf("huawei: reboot type %q is neither SOFT nor HARD", opts.Type)
	}
	return r
}

// Act reboots the batch. Desktops the API lists in failed_operation_list
// fail with their own error; the others are Done (once running again, when
// waiting).
func (r *rebooter) Act(ctx context.Context, b fleet.Batch) fleet.Outcome {
	ctx = r.c.logCtx(ctx)
	var out fleet.Outcome
	if len(b.DesktopIDs) == 0 {
		return out
	}
	if r.typeErr != nil {
		return fleet.FailAll(b.DesktopIDs, r.typeErr)
	}
	var sent retry.Sent
	// A batch is at most MaxBatch, but splitting costs nothing and keeps an
	// oversized one from being rejected whole.
	for chunk := range slices.Chunk(b.DesktopIDs, maxBatch) {
		r.send(ctx, chunk, &sent, &out)
	}
	if !r.opts.Wait {
		out.Done = append(out.Done, sent.Accepted...)
		return out
	}
	watch := fleet.NewRebootWatch(time.Now(), r.opts.Settle, sent.FoundActedOn)
	r.c.waitRebooted(ctx, r.opts.Poll, sent.Accepted, watch, &out)
	return out
}

// send makes the reboot call for ids, acting on each desktop at most once
// (retry.SendOnce), and records in sent the desktops the API accepted, and
// those of them already seen rebooting. Failures go into out.
//
// Huawei has no idempotence token, so after an ambiguous failure the batch is
// read back first and only desktops not already rebooting are resent.
func (r *rebooter) send(ctx context.Context, ids []string, sent *retry.Sent, out *fleet.Outcome) {
	ex := retry.Exchange{
		Operation: opBatchRun,
		Call: func(ctx context.Context, ids []string) error {
			resp, reqID, err := r.c.batchRun(ctx, ids, r.typ, &out.RequestIDs)
			if err != nil {
				return err
			}
			failed := make(map[string]model.VmOperateResult)
			for _, f := range deref(resp.FailedOperationList) {
				if id := deref(f.DesktopId); id != "" {
					failed[id] = f
				} else {
					tflog.Warn(ctx, "huawei: failed_operation_list entry without desktop_id", map[string]any{"request_id": reqID})
				}
			}
			var accepted []string
			for _, id := range ids {
				f, ok := failed[id]
				if !ok {
					accepted = append(accepted, id)
					continue
				}
				msg := deref(f.ErrorMsg)
				if msg == "" && deref(f.ErrorCode) == "" {
					// An entry with only desktop_id would make an error
					// that says nothing (found by FuzzRebootResponse).
					msg = "the API listed the desktop in failed_operation_list without a reason"
				}
				out.Failed = append(out.Failed, fleet.DesktopFailure{
					DesktopID: id,
					Err:       cloudFailure(opBatchRun, id, resp.HttpStatusCode, deref(f.ErrorCode), msg, reqID),
				})
			}
			sent.Accept(accepted)
			fleet.NoteSent(ctx, len(accepted), reqID)
			return nil
		},
		ReadBack: func(ctx context.Context, ids []string, _ error) (retry.ReadBack, error) {
			return r.c.readBack(ctx, ids, rebootDisposition)
		},
		Taken: sent.Take,
	}
	r.c.retry.SendOnce(ctx, ex, ids, out).FailInto(out)
}

// batchRun is one BatchRunDesktops call.
func (c *Client) batchRun(ctx context.Context, ids []string, typ model.BatchActionDesktopsReqType, reqIDs *[]string) (*model.BatchRunDesktopsResponse, string, error) {
	req := &model.BatchRunDesktopsRequest{Body: &model.BatchActionDesktopsReq{
		DesktopIds: slices.Clone(ids),
		OpType:     "reboot",
		Type:       &typ,
	}}
	var resp *model.BatchRunDesktopsResponse
	reqID, err := c.invoke(ctx, opBatchRun, ids, reqIDs, func(ws *workspace.WorkspaceClient) error {
		r, err := ws.BatchRunDesktops(req)
		resp = r
		return err
	})
	return resp, reqID, err
}

// waitRebooted polls the listing until the watch counts each of ids
// rebooted (fleet.RebootWatch: seen rebooting and ACTIVE and idle again,
// or idle across the settle window). A desktop that disappears or goes
// into ERROR fails at once rather than holding the wait until the timeout.
func (c *Client) waitRebooted(ctx context.Context, poll retry.Poller, ids []string, watch *fleet.RebootWatch, out *fleet.Outcome) {
	if len(ids) == 0 {
		return
	}
	remaining := slices.Clone(ids)
	last := make(map[string]string)
	unknown := new(fleet.UnknownWords)
	err := poll.Until(ctx, func(ctx context.Context) (bool, error) {
		// When the read was sent: the state it returns is at least
		// that recent, so the settle window is never shortened.
		at := time.Now()
		next, err := c.followRound(ctx, remaining, last, func(id string, s desktopState, listed bool, reqID string) (verdict, error) {
			switch {
			case !listed || s.Gone():
				return waitFailed, cloudFailure(opBatchRun, id, 0, "", "desktop disappeared while waiting for it to come back from the reboot", reqID)
			case strings.EqualFold(s.Status, "ERROR"):
				return waitFailed, cloudFailure(opBatchRun, id, 0, "", "desktop went into ERROR after the reboot", reqID)
			case watch.Observe(id, rebootSign(ctx, s, unknown), at):
				return waitDone, nil
			}
			return waitMore, nil
		}, out)
		if err != nil {
			return false, err
		}
		fleet.NoteSettled(ctx, len(remaining)-len(next))
		remaining = next
		return len(remaining) == 0, nil
	})
	if err != nil {
		for _, id := range remaining {
			out.Failed = append(out.Failed, fleet.DesktopFailure{DesktopID: id, Err: err, LastStatus: last[id]})
		}
	}
}

// rebootSign reads a desktop's status and task for the watch; a word not
// known is logged, and never counts as back up.
func rebootSign(ctx context.Context, s desktopState, unknown *fleet.UnknownWords) fleet.RebootSign {
	switch {
	case s.Up():
		return fleet.SignUp
	case s.Rebooting():
		return fleet.SignRebooting
	}
	s.unknownWords(func(kind, word string) { unknown.Note(ctx, cloudName, kind, word, s.ID) })
	return fleet.SignOther
}
