package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestSecretFilesRemovedWhenTerraformStopsTheProvider runs the provider
// binary the way Terraform does (a development override) for a Huawei
// federated login whose id token is given as a value: while the provider
// exchanges it, the token sits in a private file (0600, in a 0700
// directory), and once Terraform has stopped the provider no such file is
// left. The in-process acceptance tests cannot show this: their provider
// never exits.
func TestSecretFilesRemovedWhenTerraformStopsTheProvider(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		var err error
		if terraform, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no Terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
		}
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-clouddesktop"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}

	cfg := mockcloud.DemoConfig()
	cfg.Timing = mockcloud.Timing{}
	mock := mockcloud.New(cfg)
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	ids := mock.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "exit", 2)

	// The provider's temporary files go to a directory of the test's, so
	// whatever it leaves behind is found.
	tmp := filepath.Join(work, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen []string // what the token files looked like during the exchange
	)
	mock.OnCall(func(c mockcloud.Call) {
		if c.Operation != "CreateTokenWithIdToken" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, describeSecretFiles(tmp)...)
	})

	// OpenTofu looks providers up on its own registry
	// (TF_ACC_PROVIDER_HOST, as terraform-plugin-testing reads it).
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = "registry.terraform.io"
	}
	dir := filepath.Join(work, "tf")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
terraform {
  required_providers {
    clouddesktop = { source = "%s/clouddesktop/clouddesktop" }
  }
}

provider "clouddesktop" {
  huawei {
    region       = %q
    project_id   = %q
    endpoint     = %q
    iam_endpoint = %q
    idp_id       = %q
    id_token     = %q
  }
}

resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = "huawei"
  desktop_ids = ["%s"]
  wait        = false
}
`, host, mockcloud.DemoHuaweiRegion, mockcloud.DemoHuaweiProject, srv.URL, srv.URL, mockcloud.DemoHuaweiIdpID, mockcloud.DemoHuaweiIDToken,
		strings.Join(ids, `", "`))
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	overrides := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"%s/clouddesktop/clouddesktop\" = %q\n  }\n  direct {}\n}\n", host, bin)
	if err := os.WriteFile(rc, []byte(overrides), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := exec.Command(terraform, "-chdir="+dir, "apply", "-auto-approve", "-no-color", "-input=false")
	apply.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TMPDIR="+tmp, "TF_IN_AUTOMATION=1")
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no id-token file existed while the provider exchanged the token")
	}
	for _, s := range seen {
		if s != "dir 0700, file 0600" {
			t.Errorf("during the exchange: %s, want dir 0700, file 0600", s)
		}
	}
	if left := describeSecretFiles(tmp); len(left) > 0 {
		t.Errorf("after Terraform stopped the provider, its secret files are still there: %v", left)
	}
	if n := mock.RebootCount(mockcloud.CloudHuawei, ids[0]); n != 1 {
		t.Errorf("desktop rebooted %d times, want 1", n)
	}
}

// describeSecretFiles describes each private file the provider made under
// tmp as "dir <perm>, file <perm>" (an empty directory too).
func describeSecretFiles(tmp string) []string {
	dirs, _ := filepath.Glob(filepath.Join(tmp, "terraform-provider-clouddesktop-*"))
	var out []string
	for _, d := range dirs {
		di, err := os.Stat(d)
		if err != nil {
			continue
		}
		entries, _ := os.ReadDir(d)
		if len(entries) == 0 {
			out = append(out, "an empty directory "+filepath.Base(d))
		}
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				out = append(out, fmt.Sprintf("dir %#o, file %#o", di.Mode().Perm(), fi.Mode().Perm()))
			}
		}
	}
	return out
}
