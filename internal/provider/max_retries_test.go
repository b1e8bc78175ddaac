package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccMaxRetries: the provider's max_retries bounds how often a
// throttled call is sent: once plus max_retries times, then the apply
// fails with the cloud's throttling error.
func TestAccMaxRetries(t *testing.T) {
	tests := []struct {
		cloud, region, op, code string
		maxRetries              int
	}{
		{mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "RebootDesktops", "Throttling.User", 0},
		{mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "RebootDesktops", "Throttling.User", 2},
		{mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "BatchRunDesktops", "429", 0},
		{mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "BatchRunDesktops", "429", 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/max_retries=%d", tt.cloud, tt.maxRetries), func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.SeedFleet(tt.cloud, tt.region, "thr", 2)
			cloud.InjectFault(mockcloud.Fault{Cloud: tt.cloud, Operation: tt.op, Kind: mockcloud.FaultThrottle})
			provider := cloud.providerBlockWith(providerOptions{maxRetries: tt.maxRetries})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: provider + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = %q
  desktop_ids = %s
  wait        = false
}
`, tt.cloud, hclStrings(ids)),
						ExpectError: regexp.MustCompile(`(?s)Could not reboot 2 of 2 desktops.*` + regexp.QuoteMeta(tt.code)),
					},
					{
						PreConfig: func() {
							if n := len(cloud.CallsTo(tt.cloud, tt.op)); n != tt.maxRetries+1 {
								t.Errorf("%d %s calls, want %d (once plus max_retries)", n, tt.op, tt.maxRetries+1)
							}
							for _, id := range ids {
								if n := cloud.RebootCount(tt.cloud, id); n != 0 {
									t.Errorf("desktop %s rebooted %d times through throttling", id, n)
								}
							}
						},
						Config:   provider,
						PlanOnly: true,
					},
				},
			})
		})
	}
}
