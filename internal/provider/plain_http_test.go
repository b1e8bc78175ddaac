package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccPlainHTTP plans against endpoints of each kind: plain http to a
// remote host fails the plan when a bearer credential (Huawei IAM or
// security token, Alibaba security token or client-API login token) would
// cross it, and passes once allow_plain_http opts in; AK/SK signing over it,
// loopback http and https pass. Nothing listens at these addresses (TEST-NET
// 192.0.2.0/24): every case is decided before any call.
func TestAccPlainHTTP(t *testing.T) {
	const remote, loopback, secure = "http://192.0.2.10:8080", "http://127.0.0.1:9", "https://192.0.2.10"
	provider := func(cloud, endpoint, creds string, allow bool) string {
		other := map[string]string{
			"alibaba": fmt.Sprintf("  huawei {\n    region = \"cn-north-4\"\n    project_id = %q\n    access_key = \"AK\"\n    secret_key = \"SK\"\n  }\n", mockcloud.DemoHuaweiProject),
			"huawei":  "  alibaba {\n    region = \"cn-hangzhou\"\n    access_key = \"AK\"\n    secret_key = \"SK\"\n  }\n",
		}[cloud]
		region := map[string]string{"alibaba": `region = "cn-hangzhou"`, "huawei": fmt.Sprintf("region = \"cn-north-4\"\n    project_id = %q", mockcloud.DemoHuaweiProject)}[cloud]
		optIn := ""
		if allow {
			optIn = "\n    allow_plain_http = true"
		}
		return fmt.Sprintf("provider \"clouddesktop\" {\n  %s {\n    %s\n    endpoint = %q\n    %s%s\n  }\n%s}\n", cloud, region, endpoint, creds, optIn, other)
	}
	const (
		hwToken    = `auth_token = "iam-token"`
		hwSTS      = "access_key = \"AK\"\n    secret_key = \"SK\"\n    security_token = \"sts\""
		hwKeys     = "access_key = \"AK\"\n    secret_key = \"SK\""
		aliSTS     = "access_key = \"AK\"\n    secret_key = \"SK\"\n    security_token = \"sts\""
		aliKeys    = "access_key = \"AK\"\n    secret_key = \"SK\""
		hwReboot   = "resource \"clouddesktop_desktop_reboot\" \"r\" {\n  cloud = \"huawei\"\n  desktop_ids = [\"3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01\"]\n}\n"
		hwDelete   = "resource \"clouddesktop_desktop_batch_delete\" \"d\" {\n  cloud = \"huawei\"\n  desktop_ids = [\"3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01\"]\n}\n"
		aliAdmin   = "resource \"clouddesktop_desktop_reboot\" \"r\" {\n  cloud = \"alibaba\"\n  desktop_ids = [\"ecd-0a1b2c3d4e5f6g7h8\"]\n}\n"
		aliClient  = "resource \"clouddesktop_desktop_reboot\" \"r\" {\n  cloud = \"alibaba\"\n  desktop_ids = [\"ecd-0a1b2c3d4e5f6g7h8\"]\n  alibaba {\n    login_token = \"lt\"\n  }\n}\n"
		hwListing  = "data \"clouddesktop_desktops\" \"all\" {\n  cloud = \"huawei\"\n}\n"
		refused    = `Credential would cross the network unencrypted`
		sdkRefused = `refusing to send the IAM or security token over plain http`
	)
	tests := []struct {
		name   string
		config string
		want   string // "" when the plan must pass
	}{
		{"huawei IAM token, remote http", provider("huawei", remote, hwToken, false) + hwReboot, refused + `.*192\.0\.2\.10:8080.*IAM token \(huawei\.auth_token`},
		{"huawei security token, remote http, delete", provider("huawei", remote, hwSTS, false) + hwDelete, refused + `.*security token \(huawei\.security_token\)`},
		{"huawei IAM token, remote http, data source", provider("huawei", remote, hwToken, false) + hwListing, sdkRefused},
		{"alibaba login token, remote http", provider("alibaba", remote, aliKeys, false) + aliClient, refused + `.*LoginToken \(alibaba\.login_token\)`},
		{"alibaba security token, remote http", provider("alibaba", remote, aliSTS, false) + aliAdmin, refused + `.*STS security token`},
		{"huawei IAM token, remote http, opted in", provider("huawei", remote, hwToken, true) + hwReboot, ""},
		{"alibaba login token, remote http, opted in", provider("alibaba", remote, aliKeys, true) + aliClient, ""},
		{"huawei AK/SK, remote http (a warning only)", provider("huawei", remote, hwKeys, false) + hwReboot, ""},
		{"alibaba AK/SK, remote http (a warning only)", provider("alibaba", remote, aliKeys, false) + aliAdmin, ""},
		{"huawei IAM token, loopback http", provider("huawei", loopback, hwToken, false) + hwReboot, ""},
		{"alibaba login token, loopback http", provider("alibaba", loopback, aliKeys, false) + aliClient, ""},
		{"huawei IAM token, https", provider("huawei", secure, hwToken, false) + hwReboot, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := resource.TestStep{Config: tt.config, PlanOnly: true}
			if tt.want != "" {
				step.ExpectError = regexp.MustCompile(`(?s)` + strings.ReplaceAll(tt.want, " ", `\s+`))
			} else {
				step.ExpectNonEmptyPlan = true
				step.ConfigPlanChecks = resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("clouddesktop_desktop_reboot.r", plancheck.ResourceActionCreate),
				}}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps:                    []resource.TestStep{step},
			})
		})
	}
}
