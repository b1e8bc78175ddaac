package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// cloudCallsSoFar is a plan check that the mock cloud has received exactly
// want calls. terraform-plugin-testing never runs a step's Check on a
// PlanOnly step, so what a plan must not do is asserted as a plan check.
func cloudCallsSoFar(c *testCloud, want int) plancheck.PlanCheck {
	return cloudCallsCheck{c: c, want: want}
}

type cloudCallsCheck struct {
	c    *testCloud
	want int
}

func (k cloudCallsCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if n := len(k.c.Calls()); n != k.want {
		resp.Error = fmt.Errorf("%d cloud calls, want %d: plans must not call the cloud", n, k.want)
	}
}
