package alibaba

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// clientAPIMaxBatch is the most DesktopId.N the client API's RebootDesktops
// takes (the admin API takes maxPerCall).
const clientAPIMaxBatch = 20

// maxClientToken is the longest ClientToken the API accepts.
const maxClientToken = 64

// RebootOptions configures Rebooter.
type RebootOptions struct {
	// ClientAPI, when set, reboots through the anonymous client API
	// (2020-10-02) as that end user; when nil, through the AK-signed
	// admin API (2020-09-30).
	ClientAPI *ClientAPI
	// OsUpdate is sent as OsUpdate when not nil (both APIs).
	OsUpdate *bool
	// Wait makes Act return only once every desktop of the batch is
	// Running again. Waiting reads DescribeDesktops, an admin API call,
	// so it needs AK credentials even with ClientAPI set.
	Wait bool
	Poll retry.Poller
	// Settle is how long a desktop never seen rebooting must keep
	// reading Running before it counts as rebooted (fleet.RebootWatch);
	// zero means fleet.DefaultRebootSettle.
	Settle time.Duration
}

// ClientAPI is the end-user identity of the client API. Empty optional
// fields (SessionToken, ClientOS, ClientVersion, UUID) are not sent.
type ClientAPI struct {
	ClientID, SessionID, LoginToken, SessionToken, ClientOS, ClientVersion, UUID string
}

// String keeps the tokens out of any message that prints a ClientAPI.
func (a ClientAPI) String() string {
	return fmt.Sprintf("alibaba.ClientAPI{ClientID:%q SessionID:%q LoginToken:%s SessionToken:%s ClientOS:%q ClientVersion:%q UUID:%q}",
		a.ClientID, a.SessionID, fleet.Masked(a.LoginToken), fleet.Masked(a.SessionToken), a.ClientOS, a.ClientVersion, a.UUID)
}

// GoString covers %#v, which would otherwise bypass String.
func (a ClientAPI) GoString() string { return a.String() }

type rebooter struct {
	fleet.Shape
	c    *Client
	opts RebootOptions
}

// Rebooter returns the reboot action (RebootDesktops).
func (c *Client) Rebooter(opts RebootOptions) fleet.BatchAction {
	if opts.ClientAPI != nil {
		a := *opts.ClientAPI // a caller editing its copy later must not change a running action
		opts.ClientAPI = &a
	}
	shape := fleet.Shape{Name: "reboot", Max: maxPerCall}
	if opts.ClientAPI != nil {
		shape.Max = clientAPIMaxBatch
	}
	return &rebooter{Shape: shape, c: c, opts: opts}
}

// Act reboots the batch. The API answers a whole call at once, so a failed
// call fails each of its desktops; an accepted desktop is Done (once
// Running again, when waiting).
func (r *rebooter) Act(ctx context.Context, b fleet.Batch) fleet.Outcome {
	var out fleet.Outcome
	if len(b.DesktopIDs) == 0 {
		return out
	}
	var secrets []string
	token := ""
	if a := r.opts.ClientAPI; a != nil {
		secrets = fleet.Secrets(a.LoginToken, a.SessionToken)
		// The batch's token makes every retry of this call (and a
		// retried apply of the same reboot) one reboot on the cloud's
		// side. Without one, a token of our own still covers the
		// retries made here.
		token = b.Token
		if token == "" {
			token = uuid.NewString()
		}
		if err := checkClientToken(token); err != nil {
			return fleet.FailAll(b.DesktopIDs, err)
		}
		if r.opts.Wait {
			// Waiting reads DescribeDesktops, an AK-signed call. Find
			// out before rebooting: a reboot that cannot be waited for
			// would fail, and the next apply would reboot again.
			if _, err := r.c.cred.GetCredential(); err != nil {
				return fleet.FailAll(b.DesktopIDs, &fleet.CloudError{
					Cloud: cloudName, Operation: opReboot, DesktopIDs: slices.Clone(b.DesktopIDs), Cause: err,
					Message: "waiting for the client API reboot reads DescribeDesktops, which needs AK credentials: " + err.Error(),
				})
			}
		}
	}
	ctx = r.c.logCtx(ctx, secrets...)

	var sent retry.Sent
	// fleet.Run never hands over more than MaxBatch; splitting anyway
	// keeps an oversized batch from being rejected whole.
	for i, chunk := range slices.Collect(slices.Chunk(b.DesktopIDs, r.MaxBatch())) {
		r.send(ctx, chunk, chunkToken(token, i), &sent, &out)
	}
	if !r.opts.Wait {
		out.Done = append(out.Done, sent.Accepted...)
		return out
	}
	watch := fleet.NewRebootWatch(time.Now(), r.opts.Settle, sent.FoundActedOn)
	r.c.await(ctx, r.opts.Poll, opReboot, sent.Accepted, rebootJudge(ctx, watch, new(fleet.UnknownWords)), &out)
	return out
}

// send makes the reboot call for ids, acting on each desktop at most once
// (retry.SendOnce), and records in sent the desktops the API accepted, and
// those of them already seen rebooting. Failures go into out.
//
// The client API resends with the same ClientToken. The admin API has no
// token, so after an ambiguous failure the batch is read back first:
// desktops already Stopping or Starting got the reboot and are not sent
// again; only those still Running are.
func (r *rebooter) send(ctx context.Context, ids []string, token string, sent *retry.Sent, out *fleet.Outcome) {
	ex := retry.Exchange{
		Operation: opReboot,
		Call:      r.c.callAccepting(out, sent, func(ids []string) request { return r.request(ids, token) }),
		Taken:     sent.Take,
	}
	if r.opts.ClientAPI == nil {
		ex.ReadBack = func(ctx context.Context, ids []string, lastErr error) (retry.ReadBack, error) {
			return r.c.readBack(ctx, ids, lastErr, rebootDisposition)
		}
	}
	r.c.retry.SendOnce(ctx, ex, ids, out).FailInto(out)
}

// request builds the RebootDesktops call for ids.
func (r *rebooter) request(ids []string, token string) request {
	p := map[string]any{"DesktopId": ids}
	if r.opts.OsUpdate != nil {
		p["OsUpdate"] = *r.opts.OsUpdate
	}
	a := r.opts.ClientAPI
	if a == nil {
		return request{action: opReboot, version: adminAPIVersion, params: p, ids: ids}
	}
	// ClientId and ClientToken are required by the RebootDesktops document
	// (2020-10-02), so sent even when empty: the API's error then names
	// the missing parameter. Everything else is optional there and goes
	// out only when set: never as an empty "SessionId=".
	p["ClientId"], p["ClientToken"] = a.ClientID, token
	for name, v := range map[string]string{
		"SessionId": a.SessionID, "LoginToken": a.LoginToken, "SessionToken": a.SessionToken,
		"ClientOS": a.ClientOS, "ClientVersion": a.ClientVersion, "Uuid": a.UUID,
	} {
		if v != "" {
			p[name] = v
		}
	}
	return request{
		action: opReboot, version: clientAPIVersion, anonymous: true, params: p, ids: ids,
		secrets: fleet.Secrets(a.LoginToken, a.SessionToken),
	}
}

// rebootDisposition sorts a desktop after an ambiguous admin reboot: one
// rebooting got it; one still Running did not; any other cannot be
// rebooted now (a resend would be refused), and fails with what the call
// did and what was seen.
func rebootDisposition(d desktop, listed bool) retry.Disposition {
	switch {
	case listed && rebooting(d):
		return retry.ActedOn
	case listed && d.is(statusRunning):
		return retry.NotActedOn
	}
	return retry.FailedForGood
}

// rebootJudge waits until the watch counts each desktop rebooted. A
// desktop that disappears, is deleted or expires will not come back.
func rebootJudge(ctx context.Context, watch *fleet.RebootWatch, unknown *fleet.UnknownWords) judge {
	return func(id string, d desktop, listed bool, at time.Time) (verdict, string) {
		switch {
		case gone(d, listed):
			return waitLost, "desktop disappeared while waiting for it to come back from the reboot"
		case d.is(statusExpired):
			return waitLost, "desktop expired while waiting for it to come back from the reboot"
		}
		if watch.Observe(id, rebootSign(ctx, d, unknown), at) {
			return waitDone, ""
		}
		return waitMore, ""
	}
}

// rebootSign reads a desktop's DesktopStatus for the watch. ECD has no
// "Rebooting": a reboot shows as Stopping and Starting, then Running
// (CLOUD-NOTES.md; the DescribeDesktops statuses of SPEC.md).
func rebootSign(ctx context.Context, d desktop, unknown *fleet.UnknownWords) fleet.RebootSign {
	switch {
	case d.is(statusRunning):
		return fleet.SignUp
	case rebooting(d):
		return fleet.SignRebooting
	case fleetStatus(d.Status) == fleet.StatusUnknown:
		unknown.Note(ctx, cloudName, "desktop status", d.Status, d.ID)
	}
	return fleet.SignOther
}

// checkClientToken enforces the document's rule for ClientToken ("supports
// only ASCII characters and must be no longer than 64 characters") before
// anything is sent.
func checkClientToken(token string) error {
	if len(token) > maxClientToken {
		return fmt.Errorf("alibaba: ClientToken is %d characters long, the API takes at most %d", len(token), maxClientToken)
	}
	for _, r := range token {
		if r > 0x7f {
			return errors.New("alibaba: ClientToken supports only ASCII characters")
		}
	}
	return nil
}

// chunkToken gives chunk i of an oversized batch a token of its own: a
// token reused with other parameters would be refused or answered with
// the first call's result.
func chunkToken(token string, i int) string {
	if token == "" || i == 0 {
		return token
	}
	suffix := "-" + strconv.Itoa(i)
	return token[:min(len(token), maxClientToken-len(suffix))] + suffix
}

// failRest fails each of ids with err. A bare context error means the
// call was never started (the operation ended first): those desktops are
// left unaccounted, which fleet.Run reports as not processed.
func failRest(ctx context.Context, ids []string, err error, out *fleet.Outcome) {
	var ce *fleet.CloudError
	if !errors.As(err, &ce) && ctx.Err() != nil {
		return
	}
	out.Failed = append(out.Failed, fleet.FailAll(ids, err).Failed...)
}
