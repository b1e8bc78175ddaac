package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/secretfile"
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
	// Terraform Cloud's token is read by both clouds' keyless flows.
	os.Unsetenv("TFC_WORKLOAD_IDENTITY_TOKEN")
	// The mock's STS speaks TLS (credentials-go always calls STS over
	// https): trust the mock's certificate authority in this process,
	// where the provider runs.
	removeBundle, err := clienttest.TrustMockAuthority()
	if err != nil {
		fmt.Fprintln(os.Stderr, "trusting the mock cloud's certificate authority:", err)
		os.Exit(1)
	}
	code := m.Run()
	removeBundle()
	// What main.go does when Terraform stops the provider.
	if err := secretfile.RemoveAll(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
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
