package provider

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// protoV6ProviderFactories runs the provider in the test process, so the
// mock cloud's records and the provider's behaviour can be checked together.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"clouddesktop": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	// Nothing from the developer's own shell may reach the tests: no real
	// credentials, no real endpoints.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		for _, prefix := range []string{"ALIBABA_CLOUD_", "ALICLOUD_", "HW_", "HUAWEICLOUD_", "CLOUDDESKTOP_"} {
			if strings.HasPrefix(name, prefix) {
				os.Unsetenv(name)
			}
		}
	}
	// Keep polling and retry waits short against the mock cloud, and keep
	// the Alibaba credential chain off the ECS metadata service.
	os.Setenv("CLOUDDESKTOP_POLL_INTERVAL", "20ms")
	os.Setenv("CLOUDDESKTOP_RETRY_BASE_DELAY", "5ms")
	// A reboot the mock shows no trace of (instant transitions) counts as
	// done once its desktops stayed up this long.
	os.Setenv("CLOUDDESKTOP_REBOOT_SETTLE", "50ms")
	os.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// providerFactoriesWithEnv runs the provider with some environment
// variables of its own, for a test that tunes it differently from the
// others running in parallel (the process environment is shared).
func providerFactoriesWithEnv(overrides map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	env := func(name string) string {
		if v, ok := overrides[name]; ok {
			return v
		}
		return os.Getenv(name)
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"clouddesktop": providerserver.NewProtocol6WithError(&CloudDesktopProvider{version: "test", env: env}),
	}
}

// testCloud is a mock cloud serving one test.
type testCloud struct {
	*mockcloud.Server
	URL string
}

func newTestCloud(t *testing.T, timing mockcloud.Timing) *testCloud {
	t.Helper()
	return newTestCloudWith(t, func(cfg *mockcloud.Config) { cfg.Timing = timing })
}

// newTestCloudWith is newTestCloud with the demo configuration edited.
func newTestCloudWith(t *testing.T, edit func(*mockcloud.Config)) *testCloud {
	t.Helper()
	cfg := mockcloud.DemoConfig()
	cfg.Timing = mockcloud.Timing{}
	edit(&cfg)
	srv := mockcloud.New(cfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testCloud{Server: srv, URL: hs.URL}
}

// providerBlock configures both clouds against the mock with its demo
// credentials, the way a user points the provider at another endpoint.
func (c *testCloud) providerBlock() string {
	return c.providerBlockWith(providerOptions{maxRetries: 3})
}

// providerOptions are the ways tests vary the provider block.
type providerOptions struct {
	maxRetries     int
	maxConcurrency int  // 0: the provider's default
	noAlibabaKeys  bool // leave Alibaba to its credential chain
}

func (c *testCloud) providerBlockWith(o providerOptions) string {
	alibabaKeys := fmt.Sprintf("\n    access_key = %q\n    secret_key = %q", mockcloud.DemoAlibabaAccessKey, mockcloud.DemoAlibabaSecret)
	if o.noAlibabaKeys {
		alibabaKeys = ""
	}
	concurrency := ""
	if o.maxConcurrency > 0 {
		concurrency = fmt.Sprintf("\n  max_concurrency = %d", o.maxConcurrency)
	}
	return fmt.Sprintf(`
provider "clouddesktop" {
  alibaba {
    region     = %q%s
    endpoint   = %q
  }
  huawei {
    region     = %q
    project_id = %q
    access_key = %q
    secret_key = %q
    endpoint   = %q
  }
  max_retries = %d%s
}
`, mockcloud.DemoAlibabaRegion, alibabaKeys, c.URL,
		mockcloud.DemoHuaweiRegion, mockcloud.DemoHuaweiProject, mockcloud.DemoHuaweiAccessKey, mockcloud.DemoHuaweiSecret, c.URL,
		o.maxRetries, concurrency)
}

// hclStrings renders ids as an HCL list literal.
func hclStrings(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
