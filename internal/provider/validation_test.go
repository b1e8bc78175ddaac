package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// validationProvider configures both clouds; nothing listens at the
// endpoint, so any case that reached the cloud would fail differently.
func validationProvider(extra string) string {
	return fmt.Sprintf(`
provider "clouddesktop" {
  alibaba {
    region     = "cn-hangzhou"
    access_key = "AK"
    secret_key = "SK"
    endpoint   = "http://127.0.0.1:9"
  }
  huawei {
    region     = "cn-north-4"
    project_id = %q
    access_key = "AK"
    secret_key = "SK"
    endpoint   = "http://127.0.0.1:9"
  }
%s
}
`, mockcloud.DemoHuaweiProject, extra)
}

// TestAccInvalidConfiguration checks that each kind of bad input fails at
// validate or plan, before any cloud call, with a message that says what
// is allowed.
func TestAccInvalidConfiguration(t *testing.T) {
	reboot := func(body string) string {
		return validationProvider("") + "resource \"clouddesktop_desktop_reboot\" \"r\" {\n" + body + "\n}\n"
	}
	del := func(body string) string {
		return validationProvider("") + "resource \"clouddesktop_desktop_batch_delete\" \"d\" {\n" + body + "\n}\n"
	}
	const alibabaIDs = `cloud = "alibaba"` + "\n" + `desktop_ids = ["ecd-0a1b2c3d4e5f6g7h8"]`
	const huaweiIDs = `cloud = "huawei"` + "\n" + `desktop_ids = ["3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01"]`
	tests := []struct {
		name   string
		config string
		want   string
	}{
		{"empty desktop_ids", reboot(`cloud = "alibaba"` + "\n" + `desktop_ids = []`), `desktop_ids.*list must contain at least 1`},
		{"empty desktop_ids on delete", del(`cloud = "huawei"` + "\n" + `desktop_ids = []`), `list must contain at least 1`},
		{"blank desktop ID", reboot(`cloud = "alibaba"` + "\n" + `desktop_ids = [""]`), `desktop_ids\[0\] is empty`},
		{"desktop ID with a line break", del(`cloud = "alibaba"` + "\n" + `desktop_ids = ["ecd-1\nfoo"]`), `contains the control character U\+000A at byte 5, which cannot travel`},
		{"unknown cloud", reboot(`cloud = "aws"` + "\n" + `desktop_ids = ["i-1"]`), `value must be one of:.*"alibaba".*"huawei"`},
		{"unknown cloud on delete", del(`cloud = "gcp"` + "\n" + `desktop_ids = ["i-1"]`), `value must be one of`},
		{"huawei block on alibaba reboot", reboot(alibabaIDs + "\nhuawei {\n type = \"HARD\"\n}"), `Block does not match cloud`},
		{"alibaba block on huawei reboot", reboot(huaweiIDs + "\nalibaba {\n client_os = \"Linux\"\n}"), `Block does not match cloud`},
		{"huawei block on alibaba delete", del(alibabaIDs + "\nhuawei {\n delete_users = true\n}"), `Block does not match cloud`},
		{"unknown reboot type", reboot(huaweiIDs + "\nhuawei {\n type = \"GENTLE\"\n}"), `value must be one of:.*"SOFT".*"HARD"`},
		{"empty client_id (ClientId is required)", reboot(alibabaIDs + "\nalibaba {\n client_id = \"\"\n login_token = \"t\"\n}"), `alibaba.client_id string length must be at least 1`},
		{"client_os with a control character", reboot(alibabaIDs + "\nalibaba {\n client_os = \"Windows\tNT\"\n login_token = \"t\"\n}"), `alibaba.client_os contains the control character U\+0009`},
		{"client parameters without login_token", reboot(alibabaIDs + "\nalibaba {\n client_os = \"Linux\"\n}"), `Client API parameter without login_token`},
		{"login_token and login_token_wo", reboot(alibabaIDs + "\nalibaba {\n session_id = \"s\"\n login_token = \"t\"\n login_token_wo = \"t\"\n}"), `Invalid Attribute Combination`},
		{"malformed region", reboot(alibabaIDs + "\nregion = \"Hang Zhou\""), `region must be a region ID such as cn-hangzhou or cn-north-4: it is part of the cloud's host name`},
		{"timeout not a duration", reboot(alibabaIDs + "\ntimeouts {\n create = \"soon\"\n}"), `"soon" must be a string containing a sequence of decimal numbers`},
		{"malformed endpoint", strings.Replace(reboot(alibabaIDs), `endpoint   = "http://127.0.0.1:9"`, `endpoint   = "ecd.cn-hangzhou.aliyuncs.com"`, 1), `must start with https:// or http://`},
		{"endpoint with a path", strings.Replace(reboot(alibabaIDs), `endpoint   = "http://127.0.0.1:9"`, `endpoint   = "https://ecd.example.com/api"`, 1), `must not have a path`},
		{"negative max_retries", validationProvider("max_retries = -1") + "resource \"clouddesktop_desktop_reboot\" \"r\" {\n" + alibabaIDs + "\n}\n", `max_retries.*(at least 0|between 0 and 50)`},
		{"zero max_concurrency", validationProvider("max_concurrency = 0") + "resource \"clouddesktop_desktop_reboot\" \"r\" {\n" + alibabaIDs + "\n}\n", `max_concurrency.*between 1 and 64`},
		{"bad name_regex", validationProvider("") + "data \"clouddesktop_desktops\" \"d\" {\n cloud = \"huawei\"\n name_regex = \"([\"\n}\n", `Invalid regular expression`},
		{"project_id with a slash", strings.Replace(reboot(huaweiIDs), mockcloud.DemoHuaweiProject, "a/b", 1), `huawei.project_id must not contain "/": the project ID is one segment of the request path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:   tt.config,
					PlanOnly: true,
					// Terraform wraps long messages: any space may be a line break.
					ExpectError: regexp.MustCompile(`(?s)` + strings.ReplaceAll(tt.want, " ", `\s+`)),
				}},
			})
		})
	}
}
