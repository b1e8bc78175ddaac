package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// terraformCLI runs the Terraform CLI in a directory of its own against
// this provider, served from the test process (TF_REATTACH_PROVIDERS, as
// terraform-plugin-testing does). It is for what terraform-plugin-testing
// cannot express, such as starting from a state file written by an
// earlier release of the provider.
type terraformCLI struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

// newTerraformCLI serves the provider (with env overriding the process
// environment, as providerFactoriesWithEnv does) until the test ends.
func newTerraformCLI(t *testing.T, env map[string]string) *terraformCLI {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	factory := providerFactoriesWithEnv(env)["clouddesktop"]
	go func() {
		err := tf6server.Serve(providerAddress(), func() tfprotov6.ProviderServer {
			s, err := factory()
			if err != nil {
				panic(err)
			}
			return s
		}, tf6server.WithDebug(ctx, reattach, closed), tf6server.WithLoggingSink(t),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-time.After(30 * time.Second):
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() {
		cancel()
		<-closed
	})
	type addr struct{ Network, String string }
	info, err := json.Marshal(map[string]any{
		providerAddress(): map[string]any{
			"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
			"Addr": addr{Network: rc.Addr.Network(), String: rc.Addr.String()},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rcFile := filepath.Join(dir, ".terraformrc")
	if err := os.WriteFile(rcFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return &terraformCLI{t: t, bin: bin, dir: dir, env: append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+string(info), "TF_CLI_CONFIG_FILE="+rcFile, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
}

// providerAddress is this provider's address on the CLI under test: its
// registry host is TF_ACC_PROVIDER_HOST, as terraform-plugin-testing reads
// it (registry.opentofu.org for OpenTofu).
func providerAddress() string {
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	return host + "/clouddesktop/clouddesktop"
}

// write puts a file into the working directory.
func (c *terraformCLI) write(name string, data []byte) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), data, 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs one Terraform command and returns its combined output and exit
// code (an error only when it could not run at all).
func (c *terraformCLI) run(args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"-chdir=" + c.dir}, args...)...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	case err != nil:
		c.t.Fatalf("terraform %v: %v", args, err)
	}
	return out.String(), 0
}
