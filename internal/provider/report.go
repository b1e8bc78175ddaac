package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// reportDiagnostics turns a fleet report into an error diagnostic with one
// line per desktop that failed or was not processed. It reports whether
// the whole operation succeeded.
func reportDiagnostics(ctx context.Context, operation, cloud string, total int, r fleet.Report, diags *diag.Diagnostics) bool {
	tflog.Info(ctx, operation+" finished", map[string]any{
		"cloud": cloud, "done": len(r.Done), "failed": len(r.Failed), "not_processed": len(r.NotProcessed), "calls": len(r.RequestIDs),
	})
	bad := len(r.Failed) + len(r.NotProcessed)
	if bad == 0 {
		return true
	}
	help, allLackCredentials := credentialsAdvice(r)
	if allLackCredentials && len(r.Done) == 0 && len(r.NotProcessed) == 0 {
		// Every desktop failed the same way before anything was sent:
		// one message, not one line per desktop.
		diags.AddError("No credentials for "+cloud,
			fmt.Sprintf("None of the %d desktops on %s were %s: %s.\n\n%s", total, cloud, pastTense(operation), briefError(r.Failed[0].Err), help))
		return false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d desktops on %s were %s; %d were not.\n", len(r.Done), total, cloud, pastTense(operation), bad)
	if len(r.Failed) > 0 {
		b.WriteString("\nFailed:\n")
		writeFailures(&b, r.Failed)
	}
	if len(r.NotProcessed) > 0 {
		b.WriteString("\nNot processed (the operation was cancelled or timed out before reaching them):\n")
		for _, id := range r.NotProcessed {
			b.WriteString("  " + id + "\n")
		}
		// After an interruption the user needs both halves of the fleet.
		if len(r.Done) > 0 {
			b.WriteString("\n" + strings.ToUpper(pastTense(operation)[:1]) + pastTense(operation)[1:] + ":\n")
			for _, id := range r.Done {
				b.WriteString("  " + id + "\n")
			}
		}
	}
	if help != "" {
		b.WriteString("\n" + help + "\n")
	}
	diags.AddError(fmt.Sprintf("Could not %s %d of %d desktops", operation, bad, total), strings.TrimRight(b.String(), "\n"))
	return false
}

// credentialsAdvice returns what would supply missing credentials when some
// failure was for want of them, and whether every failure was.
func credentialsAdvice(r fleet.Report) (help string, all bool) {
	all = len(r.Failed) > 0
	for _, f := range r.Failed {
		if h, ok := credentialsHelp(f.Err); ok {
			help = h
		} else {
			all = false
		}
	}
	return help, all
}

// briefError is err without the desktop list a CloudError carries.
func briefError(err error) string {
	var ce *fleet.CloudError
	if errors.As(err, &ce) {
		return ce.Brief()
	}
	return err.Error()
}

// groupAt is how many desktops must share a failure for it to be written
// once, followed by their IDs, rather than once per desktop: a fleet of
// thousands refused for one reason gets a few lines, not thousands.
const groupAt = 5

// idsPerLine is how many desktop IDs a line of a group holds.
const idsPerLine = 8

// writeFailures writes one line per failed desktop ("  <id>: <why>"),
// except that failures with the same reason, request IDs aside, shared by
// groupAt desktops or more are written once ("  <n> desktops: <why>;
// request IDs ...") followed by their IDs, so that every failed desktop is
// still named. Each reason stands where its first desktop does.
func writeFailures(b *strings.Builder, failed []fleet.DesktopFailure) {
	type group struct {
		why        string
		ids        []string
		requestIDs []string
		seenReqIDs map[string]bool
		lines      []string
	}
	var order []*group
	byWhy := map[string]*group{}
	for _, f := range failed {
		why, reqID := failureReason(f)
		g := byWhy[why]
		if g == nil {
			g = &group{why: why, seenReqIDs: map[string]bool{}}
			byWhy[why] = g
			order = append(order, g)
		}
		g.ids = append(g.ids, f.DesktopID)
		if reqID != "" && !g.seenReqIDs[reqID] {
			g.seenReqIDs[reqID] = true
			g.requestIDs = append(g.requestIDs, reqID)
		}
		g.lines = append(g.lines, failureLine(f))
	}
	for _, g := range order {
		if len(g.ids) < groupAt {
			for _, line := range g.lines {
				b.WriteString("  " + line + "\n")
			}
			continue
		}
		fmt.Fprintf(b, "  %d desktops: %s", len(g.ids), g.why)
		switch len(g.requestIDs) {
		case 0:
		case 1:
			b.WriteString("; request ID " + g.requestIDs[0])
		default:
			b.WriteString("; request IDs " + abbreviate(g.requestIDs, 10))
		}
		b.WriteString("\n")
		for chunk := range slices.Chunk(g.ids, idsPerLine) {
			b.WriteString("    " + strings.Join(chunk, ", ") + "\n")
		}
	}
}

// failureReason is a failure's line without the desktop ID and the request
// ID, which tell desktops and batches apart, and that request ID.
func failureReason(f fleet.DesktopFailure) (why, requestID string) {
	var ce *fleet.CloudError
	if !errors.Is(f.Err, context.DeadlineExceeded) && !errors.Is(f.Err, context.Canceled) && errors.As(f.Err, &ce) {
		bare := *ce
		bare.RequestID, bare.DesktopIDs = "", nil
		return withLastStatus(bare.Brief(), f.LastStatus), ce.RequestID
	}
	line := failureLine(f)
	return strings.TrimPrefix(line, f.DesktopID+": "), ""
}

func failureLine(f fleet.DesktopFailure) string {
	switch {
	case errors.Is(f.Err, context.DeadlineExceeded):
		return withLastStatus(f.DesktopID+": timed out waiting for the cloud", f.LastStatus)
	case errors.Is(f.Err, context.Canceled):
		return withLastStatus(f.DesktopID+": cancelled", f.LastStatus)
	}
	return f.String()
}

func withLastStatus(s, status string) string {
	if status == "" {
		return s
	}
	return s + " (last status " + status + ")"
}

func pastTense(operation string) string {
	switch operation {
	case "reboot":
		return "rebooted"
	case "delete":
		return "deleted"
	}
	return operation + "ed"
}
