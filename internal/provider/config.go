package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// providerModel is the provider block's own attributes; each cloud reads
// its block itself (tfcloud.Cloud.Configure).
type providerModel struct {
	MaxRetries     types.Int64 `tfsdk:"max_retries"`
	MaxConcurrency types.Int64 `tfsdk:"max_concurrency"`
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
	tfcloud.Tuning
	clouds      map[string]tfcloud.Configured
	concurrency int
}

// envLookup reads the process environment; tests pass their own.
func envLookup(name string) string { return os.Getenv(name) }

// newProviderData resolves the provider's attributes and each registered
// cloud's block (by name; absent or null when not written) with env.
func newProviderData(ctx context.Context, cfg providerModel, blocks map[string]types.Object, version string,
	env func(string) string) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	d := &providerData{Tuning: tfcloud.Tuning{UserAgent: "terraform-provider-clouddesktop/" + version}}

	d.Retry = retry.Policy{MaxRetries: retry.DefaultMaxRetries, BaseDelay: retry.DefaultBaseDelay, MaxDelay: retry.DefaultMaxDelay}
	switch {
	case !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown():
		d.Retry.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	case env("CLOUDDESKTOP_MAX_RETRIES") != "":
		n, err := strconv.Atoi(env("CLOUDDESKTOP_MAX_RETRIES"))
		if err != nil || n < 0 || n > 50 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid CLOUDDESKTOP_MAX_RETRIES",
				fmt.Sprintf("CLOUDDESKTOP_MAX_RETRIES must be a whole number from 0 to 50, got %q.", env("CLOUDDESKTOP_MAX_RETRIES")))
		} else {
			d.Retry.MaxRetries = n
		}
	}
	d.concurrency = defaultMaxConcurrency
	if !cfg.MaxConcurrency.IsNull() && !cfg.MaxConcurrency.IsUnknown() {
		d.concurrency = int(cfg.MaxConcurrency.ValueInt64())
	}

	// Three tuning knobs, mainly so tests against the mock cloud stay fast.
	d.Poll = retry.Poller{Interval: defaultPollInterval, MaxInterval: defaultMaxPollInterval}
	if v, ok := durationEnv(env, "CLOUDDESKTOP_POLL_INTERVAL", &diags); ok {
		d.Poll = retry.Poller{Interval: v, MaxInterval: max(v, min(defaultMaxPollInterval, 8*v))}
	}
	d.RebootSettle = fleet.DefaultRebootSettle
	if v, ok := durationEnv(env, "CLOUDDESKTOP_REBOOT_SETTLE", &diags); ok {
		d.RebootSettle = v
	}
	if v, ok := durationEnv(env, "CLOUDDESKTOP_RETRY_BASE_DELAY", &diags); ok {
		d.Retry.BaseDelay = v
		d.Retry.MaxDelay = max(v, min(retry.DefaultMaxDelay, 32*v))
	}

	d.clouds = make(map[string]tfcloud.Configured, len(registeredClouds))
	for _, c := range registeredClouds {
		block, ok := blocks[c.Name()]
		if !ok {
			block = types.ObjectNull(map[string]attr.Type{}) // not written: configure reads the environment alone
		}
		d.clouds[c.Name()] = c.Configure(ctx, block, env, d.Tuning, &diags)
	}
	warnPlainHTTP(d, &diags)
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
