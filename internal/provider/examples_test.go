package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccResourceExamplesPlan plans each published resource example, as
// written, against the mock cloud: the examples in the docs must be valid
// configurations that create what they show, without calling the cloud.
// The reboot example declares an ephemeral variable, which needs Terraform
// 1.10; older CLIs skip this test.
func TestAccResourceExamplesPlan(t *testing.T) {
	files, err := filepath.Glob("../../examples/resources/*/resource.tf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no resource examples found (%v)", err)
	}
	variables := config.Variables{
		"kiosk_release":      config.StringVariable("2026.11"),
		"wuying_session_id":  config.StringVariable(mockcloud.DemoAlibabaSessionID),
		"wuying_login_token": config.StringVariable(mockcloud.DemoAlibabaLoginToken),
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			example, creates := readExample(t, file)
			cloud := newTestCloud(t, mockcloud.Timing{})
			if len(creates) == 0 {
				t.Fatalf("%s declares no resource", file)
			}
			used := config.Variables{}
			for name, v := range variables {
				if strings.Contains(string(example), fmt.Sprintf("variable %q", name)) {
					used[name] = v
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
				Steps: []resource.TestStep{{
					Config:             cloud.providerBlock() + string(example),
					ConfigVariables:    used,
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
					// Planning it calls no cloud.
					ConfigPlanChecks: planCallsNothing(newCallMark(cloud), true, creates...),
				}},
			})
		})
	}
}

// TestAccActionExamplesPlan plans each published action example, as
// written, against the mock cloud, on a Terraform with actions: each is a
// valid configuration, and planning it reboots or deletes nothing (a data
// source in it may read).
func TestAccActionExamplesPlan(t *testing.T) {
	files, err := filepath.Glob("../../examples/actions/*/action.tf")
	if err != nil || len(files) != 2 {
		t.Fatalf("want an example for each of the two actions, found %v (%v)", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			example, creates := readExample(t, file)
			cloud := newTestCloud(t, mockcloud.Timing{})
			noAction := onPlanMock(func() error {
				for _, f := range bothClouds {
					if n := len(cloud.CallsTo(f.name, f.rebootOp)) + len(cloud.CallsTo(f.name, f.deleteOp)); n != 0 {
						return fmt.Errorf("planning made %d reboot or delete calls on %s", n, f.name)
					}
				}
				return nil
			})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				TerraformVersionChecks:   actionVersionChecks,
				Steps: []resource.TestStep{{
					Config:             cloud.providerBlock() + string(example),
					PlanOnly:           true,
					ExpectNonEmptyPlan: len(creates) > 0,
					ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: append(creates, noAction)},
				}},
			})
		})
	}
}

// readExample reads an example file and the plan checks that each
// resource it declares is created.
func readExample(t *testing.T, file string) ([]byte, []plancheck.PlanCheck) {
	t.Helper()
	example, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var creates []plancheck.PlanCheck
	for _, line := range strings.Split(string(example), "\n") {
		var kind, name string
		if n, _ := fmt.Sscanf(line, "resource %q %q {", &kind, &name); n == 2 {
			creates = append(creates, plancheck.ExpectResourceAction(kind+"."+name, plancheck.ResourceActionCreate))
		}
	}
	return example, creates
}
