package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccDuplicateDesktopIDs: desktop_ids is a set, so an ID listed twice
// is one desktop. Terraform merges the two before the provider sees them;
// this proves that such a desktop is rebooted and deleted once, on both
// clouds, and that state holds it once.
func TestAccDuplicateDesktopIDs(t *testing.T) {
	for _, c := range []struct{ cloud, region string }{
		{mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion},
		{mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject},
	} {
		t.Run(c.cloud, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.SeedFleet(c.cloud, c.region, "dup", 2)
			listed := []string{ids[0], ids[1], ids[0]}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					for _, id := range ids {
						if n := cloud.DeleteCount(c.cloud, id); n != 1 {
							return fmt.Errorf("desktop %s deleted %d times, want once", id, n)
						}
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: cloud.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = %[1]q
  desktop_ids = %[2]s
  wait        = false
}

resource "clouddesktop_desktop_batch_delete" "fleet" {
  cloud       = %[1]q
  desktop_ids = %[2]s
  depends_on  = [clouddesktop_desktop_reboot.fleet]
}
`, c.cloud, hclStrings(listed)),
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr(rebootAddr, "desktop_ids.#", "2"),
						resource.TestCheckResourceAttr(deleteAddr, "desktop_ids.#", "2"),
						func(*terraform.State) error {
							for _, id := range ids {
								if n := cloud.RebootCount(c.cloud, id); n != 1 {
									return fmt.Errorf("desktop %s rebooted %d times, want once", id, n)
								}
							}
							return nil
						},
					),
				}},
			})
		})
	}
}
