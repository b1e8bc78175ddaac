package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccMaxRetries: the provider's max_retries bounds how often a
// throttled call is sent: once plus max_retries times, then the apply
// fails with the cloud's throttling error.
func TestAccMaxRetries(t *testing.T) {
	tests := []struct {
		cloud      cloudFixture
		code       string
		maxRetries int
	}{
		{alibabaCloud, "Throttling.User", 0},
		{alibabaCloud, "Throttling.User", 2},
		{huaweiCloud, "429", 0},
		{huaweiCloud, "429", 2},
	}
	for _, tt := range tests {
		f := tt.cloud
		t.Run(fmt.Sprintf("%s/max_retries=%d", f.name, tt.maxRetries), func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.seed(f, "thr", 2)
			cloud.InjectFault(mockcloud.Fault{Cloud: f.name, Operation: f.rebootOp, Kind: mockcloud.FaultThrottle})
			provider := cloud.providerBlockWith(providerOptions{maxRetries: tt.maxRetries})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      provider + hclResource(rebootType, "fleet", f.name, ids, waitLine(false)),
						ExpectError: regexp.MustCompile(`(?s)Could not reboot 2 of 2 desktops.*` + regexp.QuoteMeta(tt.code)),
					},
					{
						// Nothing in state, and nothing rebooted.
						Config:           provider,
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						ConfigStateChecks: []statecheck.StateCheck{
							expectNoResource(rebootAddr),
							onMock(
								func() error {
									if n := len(cloud.CallsTo(f.name, f.rebootOp)); n != tt.maxRetries+1 {
										return fmt.Errorf("%d %s calls, want %d (once plus max_retries)", n, f.rebootOp, tt.maxRetries+1)
									}
									return nil
								},
								func() error { return everyDesktopRebooted(cloud, ids, 0) },
							),
						},
					},
				},
			})
		})
	}
}
