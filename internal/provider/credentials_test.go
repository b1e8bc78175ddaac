package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccMissingAlibabaCredentials: with no Alibaba credentials anywhere
// (none in the provider block, the environment or a profile), an Alibaba
// reboot and an Alibaba listing fail once each with an error that names
// what would supply them, nothing reaches Alibaba, and a Huawei reboot in
// the same configuration still happens.
func TestAccMissingAlibabaCredentials(t *testing.T) {
	// Not parallel: the credential chain reads the process environment.
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
		"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	t.Setenv("HOME", t.TempDir())

	cloud := newTestCloud(t, mockcloud.Timing{})
	ali := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "ali", 3)
	hw := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "hw", 2)
	provider := cloud.providerBlockWith(providerOptions{maxRetries: 3, noAlibabaKeys: true})
	reboots := fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "ali" {
  cloud       = "alibaba"
  desktop_ids = %s
}

resource "clouddesktop_desktop_reboot" "hw" {
  cloud       = "huawei"
  desktop_ids = %s
  wait        = false
}
`, hclStrings(ali), hclStrings(hw))
	listing := `
data "clouddesktop_desktops" "ali" {
  cloud = "alibaba"
}
`
	// Terraform wraps diagnostics: any space may be a line break.
	wrapped := func(p string) *regexp.Regexp {
		return regexp.MustCompile("(?s)" + strings.ReplaceAll(p, " ", `\s+`))
	}
	const help = `Set .alibaba\.access_key. and .alibaba\.secret_key.*ALICLOUD_ACCESS_KEY.*ALIBABA_CLOUD_ACCESS_KEY_ID.*~/\.aliyun/config\.json`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if calls := cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops"); len(calls) != 0 {
				return fmt.Errorf("%d RebootDesktops calls reached Alibaba without credentials", len(calls))
			}
			if calls := cloud.CallsTo(mockcloud.CloudAlibaba, "DescribeDesktops"); len(calls) != 0 {
				return fmt.Errorf("%d DescribeDesktops calls reached Alibaba without credentials", len(calls))
			}
			for _, id := range ali {
				if n := cloud.RebootCount(mockcloud.CloudAlibaba, id); n != 0 {
					return fmt.Errorf("Alibaba desktop %s rebooted %d times, want none", id, n)
				}
			}
			for _, id := range hw {
				if n := cloud.RebootCount(mockcloud.CloudHuawei, id); n != 1 {
					return fmt.Errorf("Huawei desktop %s rebooted %d times, want once: the other cloud must still work", id, n)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: provider + reboots,
				// One error for the fleet, not one line per desktop.
				ExpectError: wrapped(`No credentials for alibaba.*None of the 3 desktops on alibaba were rebooted: alibaba RebootDesktops failed: no Alibaba Cloud credentials.*` + help),
			},
			{
				Config:      provider + listing,
				ExpectError: wrapped(`Cannot list desktops.*no Alibaba Cloud credentials.*` + help),
			},
		},
	})
}
