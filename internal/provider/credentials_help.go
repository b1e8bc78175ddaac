package provider

import (
	"errors"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
)

// alibabaCredentialsHelp says what would supply Alibaba Cloud credentials.
// Unlike Huawei's, their absence shows only at the first signed call: the
// credential chain may find them in places the provider cannot see at plan
// time (a profile file, OIDC, the ECS RAM role).
const alibabaCredentialsHelp = "Set `alibaba.access_key` and `alibaba.secret_key` in the provider block " +
	"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or make credentials available to the Alibaba Cloud " +
	"credential chain: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, the ~/.aliyun/config.json " +
	"profile, ~/.alibabacloud/credentials, OIDC (RRSA) or the ECS RAM role. A reboot through the client API needs " +
	"none: set `login_token` and `session_id` in the resource's `alibaba` block (and `wait = false`)."

// credentialsHelp reports whether err is a cloud's "no credentials", and if
// so what would supply them.
func credentialsHelp(err error) (string, bool) {
	if errors.Is(err, alibaba.ErrMissingCredentials) {
		return alibabaCredentialsHelp, true
	}
	return "", false
}
