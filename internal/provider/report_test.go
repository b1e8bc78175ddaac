package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestReportDiagnostics(t *testing.T) {
	timedOut := fmt.Errorf("waiting: %w", context.DeadlineExceeded)
	tests := []struct {
		name    string
		report  fleet.Report
		ok      bool
		want    []string // lines the detail must hold
		wantNot []string
	}{
		{
			name:   "all done",
			report: fleet.Report{Done: []string{"d1", "d2"}},
			ok:     true,
		},
		{
			name: "failures, one line each",
			report: fleet.Report{Done: []string{"d1"}, Failed: []fleet.DesktopFailure{
				{DesktopID: "d2", Err: errors.New("WKS.0409: busy")},
				{DesktopID: "d3", Err: timedOut, LastStatus: "Stopping"},
			}},
			want:    []string{"1 of 3 desktops on huawei were rebooted; 2 were not.", "  d2: WKS.0409: busy", "  d3: timed out waiting for the cloud (last status Stopping)"},
			wantNot: []string{"Not processed", "Rebooted:"},
		},
		{
			name: "a reason shared by many is written once, with every ID",
			report: fleet.Report{Failed: append(refusals(12, "req-A", "req-B"), fleet.DesktopFailure{
				DesktopID: "x9", Err: &fleet.CloudError{Cloud: "alibaba", Operation: "RebootDesktops", Code: "Other", RequestID: "req-C", DesktopIDs: []string{"x9"}}})},
			want: []string{
				"0 of 3 desktops on huawei were rebooted; 13 were not.",
				"  12 desktops: alibaba RebootDesktops failed (HTTP 400): IncorrectDesktopStatus: not Running; request IDs req-A, req-B\n",
				"    d-00, d-01, d-02, d-03, d-04, d-05, d-06, d-07\n    d-08, d-09, d-10, d-11\n",
				"  x9: alibaba RebootDesktops failed: Other; request ID req-C",
			},
			wantNot: []string{"d-00: "},
		},
		{
			name:    "interrupted: both halves named",
			report:  fleet.Report{Done: []string{"d1"}, NotProcessed: []string{"d2", "d3"}},
			want:    []string{"Not processed", "  d2\n  d3", "Rebooted:\n  d1"},
			wantNot: []string{"Failed:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			ok := reportDiagnostics(context.Background(), "reboot", "huawei", 3, tt.report, &diags)
			text := diagsText(diags)
			if ok != tt.ok || ok == diags.HasError() {
				t.Fatalf("ok %v, errors %v, want ok %v:\n%s", ok, diags.HasError(), tt.ok, text)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("diagnostic lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("diagnostic has %q:\n%s", w, text)
				}
			}
		})
	}
}

// refusals are n desktops refused for one reason, in calls that alternate
// between the request IDs given.
func refusals(n int, requestIDs ...string) []fleet.DesktopFailure {
	out := make([]fleet.DesktopFailure, n)
	for i := range out {
		id := fmt.Sprintf("d-%02d", i)
		out[i] = fleet.DesktopFailure{DesktopID: id, Err: &fleet.CloudError{
			Cloud: "alibaba", Operation: "RebootDesktops", HTTPStatus: 400, Code: "IncorrectDesktopStatus", Message: "not Running",
			RequestID: requestIDs[i%len(requestIDs)], DesktopIDs: []string{id},
		}}
	}
	return out
}
