package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// providerModel is the provider block as written.
type providerModel struct {
	Alibaba        *alibabaProviderModel `tfsdk:"alibaba"`
	Huawei         *huaweiProviderModel  `tfsdk:"huawei"`
	MaxRetries     types.Int64           `tfsdk:"max_retries"`
	MaxConcurrency types.Int64           `tfsdk:"max_concurrency"`
}

type alibabaProviderModel struct {
	Region         types.String `tfsdk:"region"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
}

type huaweiProviderModel struct {
	Region         types.String `tfsdk:"region"`
	ProjectID      types.String `tfsdk:"project_id"`
	AccessKey      types.String `tfsdk:"access_key"`
	SecretKey      types.String `tfsdk:"secret_key"`
	SecurityToken  types.String `tfsdk:"security_token"`
	AuthToken      types.String `tfsdk:"auth_token"`
	Endpoint       types.String `tfsdk:"endpoint"`
	AllowPlainHTTP types.Bool   `tfsdk:"allow_plain_http"`
}

// Defaults of the provider-wide settings.
const (
	defaultMaxConcurrency  = 4
	defaultPollInterval    = 5 * time.Second
	defaultMaxPollInterval = 30 * time.Second
)

// providerData is the resolved configuration handed to resources and data
// sources: attributes first, then environment variables.
type providerData struct {
	alibaba alibabaSettings
	huawei  huaweiSettings
	retry   retry.Policy
	poll    retry.Poller
	// rebootSettle is how long a desktop never seen rebooting must keep
	// reading up before it counts as rebooted (fleet.RebootWatch).
	rebootSettle time.Duration
	concurrency  int
	userAgent    string
}

type alibabaSettings struct {
	region, accessKey, secretKey, securityToken, endpoint string
	// allowPlainHTTP is the user's opt-in to an http:// endpoint off
	// this machine (see plainHTTPBearer).
	allowPlainHTTP bool
	// unknown is set when part of the block was not yet known at plan time,
	// so plan-time checks must not judge it.
	unknown bool
}

type huaweiSettings struct {
	region, projectID, accessKey, secretKey, securityToken, authToken, endpoint string
	allowPlainHTTP                                                              bool
	unknown                                                                     bool
}

// envLookup reads the process environment; tests pass their own.
func envLookup(name string) string { return os.Getenv(name) }

func newProviderData(cfg providerModel, version string, env func(string) string) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	first := func(v types.String, unknown *bool, names ...string) string {
		if v.IsUnknown() {
			*unknown = true
			return ""
		}
		if s := v.ValueString(); s != "" {
			return s
		}
		for _, n := range names {
			if s := env(n); s != "" {
				return s
			}
		}
		return ""
	}

	d := &providerData{userAgent: "terraform-provider-clouddesktop/" + version}

	a := cfg.Alibaba
	if a == nil {
		a = &alibabaProviderModel{}
	}
	d.alibaba = alibabaSettings{}
	d.alibaba.region = first(a.Region, &d.alibaba.unknown, "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALIBABA_CLOUD_REGION")
	d.alibaba.accessKey = first(a.AccessKey, &d.alibaba.unknown, "ALICLOUD_ACCESS_KEY")
	d.alibaba.secretKey = first(a.SecretKey, &d.alibaba.unknown, "ALICLOUD_SECRET_KEY")
	d.alibaba.securityToken = first(a.SecurityToken, &d.alibaba.unknown, "ALICLOUD_SECURITY_TOKEN")
	d.alibaba.endpoint = first(a.Endpoint, &d.alibaba.unknown, "CLOUDDESKTOP_ALIBABA_ENDPOINT")
	d.alibaba.allowPlainHTTP = a.AllowPlainHTTP.ValueBool()

	h := cfg.Huawei
	if h == nil {
		h = &huaweiProviderModel{}
	}
	d.huawei.region = first(h.Region, &d.huawei.unknown, "HW_REGION_NAME")
	d.huawei.projectID = first(h.ProjectID, &d.huawei.unknown, "HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")
	d.huawei.accessKey = first(h.AccessKey, &d.huawei.unknown, "HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK")
	d.huawei.secretKey = first(h.SecretKey, &d.huawei.unknown, "HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK")
	d.huawei.securityToken = first(h.SecurityToken, &d.huawei.unknown, "HW_SECURITY_TOKEN")
	d.huawei.authToken = first(h.AuthToken, &d.huawei.unknown, "HW_AUTH_TOKEN")
	d.huawei.endpoint = first(h.Endpoint, &d.huawei.unknown, "CLOUDDESKTOP_HUAWEI_ENDPOINT")
	d.huawei.allowPlainHTTP = h.AllowPlainHTTP.ValueBool()

	// Endpoints from the environment skip the schema validator: check them here.
	for _, ep := range []struct{ attr, env, value string }{
		{"alibaba", "CLOUDDESKTOP_ALIBABA_ENDPOINT", d.alibaba.endpoint},
		{"huawei", "CLOUDDESKTOP_HUAWEI_ENDPOINT", d.huawei.endpoint},
	} {
		if ep.value == "" {
			continue
		}
		if err := checkEndpoint(ep.value); err != nil {
			diags.AddAttributeError(path.Root(ep.attr).AtName("endpoint"), "Invalid endpoint",
				fmt.Sprintf("The %s endpoint (from the provider block or %s) is not usable: %s", ep.attr, ep.env, err))
		}
	}

	warnPlainHTTP(d, &diags)

	d.retry = retry.Policy{MaxRetries: retry.DefaultMaxRetries, BaseDelay: retry.DefaultBaseDelay, MaxDelay: retry.DefaultMaxDelay}
	switch {
	case !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown():
		d.retry.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	case env("CLOUDDESKTOP_MAX_RETRIES") != "":
		n, err := strconv.Atoi(env("CLOUDDESKTOP_MAX_RETRIES"))
		if err != nil || n < 0 || n > 50 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid CLOUDDESKTOP_MAX_RETRIES",
				fmt.Sprintf("CLOUDDESKTOP_MAX_RETRIES must be a whole number from 0 to 50, got %q.", env("CLOUDDESKTOP_MAX_RETRIES")))
		} else {
			d.retry.MaxRetries = n
		}
	}
	d.concurrency = defaultMaxConcurrency
	if !cfg.MaxConcurrency.IsNull() && !cfg.MaxConcurrency.IsUnknown() {
		d.concurrency = int(cfg.MaxConcurrency.ValueInt64())
	}

	// Three tuning knobs, mainly so tests against the mock cloud stay fast.
	d.poll = retry.Poller{Interval: defaultPollInterval, MaxInterval: defaultMaxPollInterval}
	if v, ok := durationEnv(env, "CLOUDDESKTOP_POLL_INTERVAL", &diags); ok {
		d.poll = retry.Poller{Interval: v, MaxInterval: max(v, min(defaultMaxPollInterval, 8*v))}
	}
	d.rebootSettle = fleet.DefaultRebootSettle
	if v, ok := durationEnv(env, "CLOUDDESKTOP_REBOOT_SETTLE", &diags); ok {
		d.rebootSettle = v
	}
	if v, ok := durationEnv(env, "CLOUDDESKTOP_RETRY_BASE_DELAY", &diags); ok {
		d.retry.BaseDelay = v
		d.retry.MaxDelay = max(v, min(retry.DefaultMaxDelay, 32*v))
	}
	warnSDKDebugOutput(env, &diags)
	return d, diags
}

// warnSDKDebugOutput warns when DEBUG turns on the Alibaba SDK's own debug
// printing. darabonba reads DEBUG once, when the process starts, and then
// prints every request's URL and headers (signature, security token and
// client-API login token included) to standard output, which Terraform
// copies into its log. The provider cannot switch that off once running, so
// the user is told to unset it.
func warnSDKDebugOutput(env func(string) string, diags *diag.Diagnostics) {
	for _, flag := range strings.Split(env("DEBUG"), ",") {
		if flag = strings.TrimSpace(flag); flag == "dara" || flag == "tea" {
			diags.AddWarning("DEBUG="+flag+" exposes credentials",
				"The environment variable DEBUG includes \""+flag+"\", which makes the Alibaba Cloud SDK print every request, "+
					"with its signature and tokens, to the provider's output and so into Terraform's log. Unset DEBUG (or remove \""+
					flag+"\" from it); TF_LOG=TRACE shows the same requests with credentials masked.")
			return
		}
	}
}

func durationEnv(env func(string) string, name string, diags *diag.Diagnostics) (time.Duration, bool) {
	s := env(name)
	if s == "" {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		diags.AddError("Invalid "+name, fmt.Sprintf("%s must be a positive duration such as 500ms or 5s, got %q.", name, s))
		return 0, false
	}
	return v, true
}
