package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The error a fleet operation fails with, as the tests read it: one line
// per desktop that failed (report.go writes them).

// failurePattern matches the error of a reboot or delete ("reboot",
// "delete") on cloud that failed for the desktops failed of total: its
// header with the counts, then one line per failed desktop, in ID order,
// each "<id>: " and then matching line(id); or, from groupAt failed desktops
// on, when they share one reason, that reason once ("<n> desktops: <line>")
// followed by their IDs.
func failurePattern(verb, cloud string, total int, failed []string, line func(id string) string) *regexp.Regexp {
	failed = slices.Sorted(slices.Values(failed))
	p := fmt.Sprintf(`(?s)Could not %s %d of %d desktops.*%d of %d desktops on %s were %sed; %d were not\.\s+Failed:`,
		verb, len(failed), total, total-len(failed), total, cloud, strings.TrimSuffix(verb, "e"), len(failed))
	if len(failed) >= groupAt {
		p += fmt.Sprintf(`\s+%d desktops: %s\n`, len(failed), line(""))
		for _, id := range failed {
			p += `[\s,]+` + regexp.QuoteMeta(id)
		}
		return regexp.MustCompile(p)
	}
	for _, id := range failed {
		p += `\s+` + regexp.QuoteMeta(id) + ": " + line(id) + `\n`
	}
	return regexp.MustCompile(p)
}

// sameLine is a line function of failurePattern for a reason every failed
// desktop shares.
func sameLine(pattern string) func(string) string { return func(string) string { return pattern } }

// ---------------------------------------------------------------------------
// Diagnostics as the provider returned them

// diagRecorder records the error diagnostics of every apply, so that a test
// can check each per-desktop line rather than match a regular expression
// over hundreds of them.
type diagRecorder struct {
	mu     sync.Mutex
	errors []string // summary + "\n" + detail
}

// factories serve the provider through the recorder.
func (d *diagRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"clouddesktop": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return &recordingServer{ProviderServer: s, diags: d}, nil
		},
	}
}

// take returns the errors recorded since the last take.
func (d *diagRecorder) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.errors
	d.errors = nil
	return out
}

type recordingServer struct {
	tfprotov6.ProviderServer
	diags *diagRecorder
}

func (s *recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.diags.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				s.diags.errors = append(s.diags.errors, d.Summary+"\n"+d.Detail)
			}
		}
		s.diags.mu.Unlock()
	}
	return resp, err
}

// failureSummary is the summary of the provider's error for a fleet
// operation.
var failureSummary = regexp.MustCompile(`^Could not (\w+) (\d+) of (\d+) desktops$`)

// failureLines parses the one error an apply returned into its per-desktop
// lines ("  <id>: <message>", or a reason shared by many, "  <n> desktops:
// <message>", then "    <id>, <id>, ..."), by desktop ID, and checks that
// the summary names the operation, the fleet's size and as many desktops
// as there are lines. A desktop listed twice, or a "not processed"
// section, is an error.
func failureLines(errs []string, operation string, total int) (map[string]string, error) {
	if len(errs) != 1 {
		return nil, fmt.Errorf("the apply returned %d errors, want 1: %q", len(errs), errs)
	}
	summary, detail, _ := strings.Cut(errs[0], "\n")
	m := failureSummary.FindStringSubmatch(summary)
	if m == nil || m[1] != operation || m[3] != strconv.Itoa(total) {
		return nil, fmt.Errorf("error summary %q, want \"Could not %s N of %d desktops\"", summary, operation, total)
	}
	if strings.Contains(detail, "Not processed") {
		return nil, fmt.Errorf("some desktops were never processed:\n%s", detail)
	}
	lines := map[string]string{}
	add := func(id, msg string) error {
		if _, dup := lines[id]; dup {
			return fmt.Errorf("desktop %s is listed twice", id)
		}
		lines[id] = msg
		return nil
	}
	group := "" // the reason of the group whose IDs follow
	for _, line := range strings.Split(detail, "\n") {
		if ids, ok := strings.CutPrefix(line, "    "); ok && group != "" {
			// IDs of a reason shared by many: "    id, id, ..."
			for _, id := range strings.Split(ids, ", ") {
				if err := add(id, group); err != nil {
					return nil, err
				}
			}
			continue
		}
		rest, ok := strings.CutPrefix(line, "  ")
		if !ok {
			group = ""
			continue
		}
		id, msg, ok := strings.Cut(rest, ": ")
		if !ok {
			return nil, fmt.Errorf("failure line %q does not start with a desktop ID", line)
		}
		if n, isGroup := strings.CutSuffix(id, " desktops"); isGroup && n != "" && strings.Trim(n, "0123456789") == "" {
			group = msg
			continue
		}
		group = ""
		if err := add(id, msg); err != nil {
			return nil, err
		}
	}
	if m[2] != strconv.Itoa(len(lines)) {
		return nil, fmt.Errorf("error summary %q, but %d desktops are listed", summary, len(lines))
	}
	return lines, nil
}

// expectLines checks per-desktop failure lines against what is known of
// each desktop: must maps a desktop that has to fail to a pattern its line
// must match; may lists desktops that may fail or not, depending on which
// transient faults they met, with the pattern for when they do. Every
// other line is an error.
func expectLines(lines map[string]string, must, may map[string]*regexp.Regexp) error {
	for id, re := range must {
		msg, ok := lines[id]
		if !ok {
			return fmt.Errorf("desktop %s has no failure line", id)
		}
		if !re.MatchString(msg) {
			return fmt.Errorf("desktop %s: failure line %q does not match %s", id, msg, re)
		}
	}
	for id, msg := range lines {
		if _, ok := must[id]; ok {
			continue
		}
		re, ok := may[id]
		if !ok {
			return fmt.Errorf("desktop %s is reported failed but should have succeeded: %s", id, msg)
		}
		if !re.MatchString(msg) {
			return fmt.Errorf("desktop %s: failure line %q does not match %s", id, msg, re)
		}
	}
	return nil
}
