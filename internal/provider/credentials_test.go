package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
	ali := cloud.seed(alibabaCloud, "ali", 3)
	hw := cloud.seed(huaweiCloud, "hw", 2)
	provider := cloud.providerBlockWith(providerOptions{maxRetries: 3, noAlibabaKeys: true})
	reboots := hclResource(rebootType, "ali", alibabaCloud.name, ali) + hclResource(rebootType, "hw", huaweiCloud.name, hw, waitLine(false))
	listing := hclDesktops("ali", alibabaCloud.name)
	// Terraform wraps diagnostics: any space may be a line break.
	wrapped := func(p string) *regexp.Regexp {
		return regexp.MustCompile("(?s)" + strings.ReplaceAll(p, " ", `\s+`))
	}
	const help = `Set .alibaba\.access_key. and .alibaba\.secret_key.*ALICLOUD_ACCESS_KEY.*ALIBABA_CLOUD_ACCESS_KEY_ID.*~/\.aliyun/config\.json`

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: onMockAfterDestroy(
			func() error {
				for _, op := range []string{alibabaCloud.rebootOp, alibabaCloud.listOp} {
					if calls := cloud.CallsTo(alibabaCloud.name, op); len(calls) != 0 {
						return fmt.Errorf("%d %s calls reached Alibaba without credentials", len(calls), op)
					}
				}
				return nil
			},
			func() error { return everyDesktopRebooted(cloud, ali, 0) },
			// The other cloud must still work.
			func() error { return everyDesktopRebooted(cloud, hw, 1) },
		),
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
