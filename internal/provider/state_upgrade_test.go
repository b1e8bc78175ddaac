package provider

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccStateUpgradeSetToList starts from the state that the last release
// with desktop_ids as a set wrote (testdata/state-v0: schema version 0,
// written by Terraform from testdata/state-v0/main.tf, which lists IDs in no
// particular order), and plans and applies with the provider of today. The
// set becomes a sorted list: where the configuration lists the IDs in that
// order nothing changes; where it lists them otherwise, the reorder is an
// update in place that calls no cloud. Nothing is replaced or rebooted.
func TestAccStateUpgradeSetToList(t *testing.T) {
	config, err := os.ReadFile("testdata/state-v0/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile("testdata/state-v0/terraform.tfstate")
	if err != nil {
		t.Fatal(err)
	}
	// The release wrote it under Terraform; on OpenTofu the same provider
	// has the OpenTofu registry's address.
	state = []byte(strings.ReplaceAll(string(state), "registry.terraform.io/clouddesktop/clouddesktop", providerAddress()))
	for _, tt := range []struct {
		name      string
		config    string
		wantPlan  string // the plan's summary; "" for no changes
		wantCode  int    // of plan -detailed-exitcode
		sortedIDs bool
	}{
		{"configuration as written", string(config), "Plan: 0 to add, 3 to change, 0 to destroy.", 2, false},
		{"configuration in sorted order", sortIDLists(string(config)), "", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			cli := newTerraformCLI(t, map[string]string{
				"CLOUDDESKTOP_ALIBABA_ENDPOINT": cloud.URL, "ALICLOUD_REGION": mockcloud.DemoAlibabaRegion,
				"ALICLOUD_ACCESS_KEY": mockcloud.DemoAlibabaAccessKey, "ALICLOUD_SECRET_KEY": mockcloud.DemoAlibabaSecret,
				"CLOUDDESKTOP_HUAWEI_ENDPOINT": cloud.URL, "HW_REGION_NAME": mockcloud.DemoHuaweiRegion,
				"HW_PROJECT_ID": mockcloud.DemoHuaweiProject, "HW_ACCESS_KEY": mockcloud.DemoHuaweiAccessKey, "HW_SECRET_KEY": mockcloud.DemoHuaweiSecret,
			})
			cli.write("main.tf", []byte(tt.config))
			cli.write("terraform.tfstate", state)
			if out, code := cli.run("init", "-no-color"); code != 0 {
				t.Fatalf("init: %s", out)
			}
			out, code := cli.run("plan", "-no-color", "-detailed-exitcode")
			if code != tt.wantCode {
				t.Fatalf("plan exited %d, want %d:\n%s", code, tt.wantCode, out)
			}
			for _, never := range []string{"must be replaced", "will be created", "will be destroyed"} {
				if strings.Contains(out, never) {
					t.Errorf("after the upgrade a resource %s:\n%s", never, out)
				}
			}
			if tt.wantPlan != "" {
				if !strings.Contains(out, tt.wantPlan) {
					t.Errorf("plan does not say %q:\n%s", tt.wantPlan, out)
				}
				if out, code := cli.run("apply", "-no-color", "-auto-approve"); code != 0 {
					t.Fatalf("apply: %s", out)
				}
				if out, code := cli.run("plan", "-no-color", "-detailed-exitcode"); code != 0 {
					t.Fatalf("a second plan exited %d, want no changes:\n%s", code, out)
				}
				checkUpgradedState(t, cli.dir+"/terraform.tfstate", tt.sortedIDs)
			}
			if calls := cloud.Calls(); len(calls) != 0 {
				t.Errorf("%d cloud calls (first %s %s), want none: nothing may be rebooted or deleted", len(calls), calls[0].Cloud, calls[0].Operation)
			}
		})
	}
}

// checkUpgradedState checks that every resource is at schema version 1 and
// holds desktop_ids as a list.
func checkUpgradedState(t *testing.T, file string, sorted bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				SchemaVersion int `json:"schema_version"`
				Attributes    struct {
					DesktopIDs []string `json:"desktop_ids"`
				}
			}
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		for _, i := range r.Instances {
			if i.SchemaVersion != 1 || len(i.Attributes.DesktopIDs) == 0 || (sorted && !slices.IsSorted(i.Attributes.DesktopIDs)) {
				t.Errorf("%s.%s: schema version %d, desktop_ids %v", r.Type, r.Name, i.SchemaVersion, i.Attributes.DesktopIDs)
			}
		}
	}
}

// sortIDLists rewrites every desktop_ids = [...] of a configuration in
// sorted order.
func sortIDLists(config string) string {
	re := regexp.MustCompile(`desktop_ids = \[([^\]]*)\]`)
	return re.ReplaceAllStringFunc(config, func(m string) string {
		inner := re.FindStringSubmatch(m)[1]
		var ids []string
		for _, f := range strings.Split(inner, ",") {
			ids = append(ids, strings.TrimSpace(f))
		}
		slices.Sort(ids)
		return "desktop_ids = [" + strings.Join(ids, ", ") + "]"
	})
}
