package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccDuplicateDesktopIDs: an ID listed twice in desktop_ids is one
// desktop. State holds the list as written; the provider deduplicates
// before it acts, so such a desktop is rebooted and deleted once, on both
// clouds. (The plan warning naming it: TestDuplicatesWarning.)
func TestAccDuplicateDesktopIDs(t *testing.T) {
	for _, f := range bothClouds {
		t.Run(f.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.seed(f, "dup", 2)
			listed := []string{ids[0], ids[1], ids[0]}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy:             onMockAfterDestroy(func() error { return deletedOnce(cloud, f.name, ids) }),
				Steps: []resource.TestStep{{
					Config: cloud.providerBlock() + hclResource(rebootType, "fleet", f.name, listed, waitLine(false)) +
						hclResource(deleteType, "fleet", f.name, listed, "depends_on  = ["+rebootAddr+"]"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("desktop_ids"), stringsExactly(listed)),
						statecheck.ExpectKnownValue(deleteAddr, tfjsonpath.New("desktop_ids"), stringsExactly(listed)),
						onMock(func() error { return everyDesktopRebooted(cloud, ids, 1) }),
					},
				}},
			})
		})
	}
}

// TestDuplicatesWarning: repeats in desktop_ids draw one warning naming
// each repeated ID once, never an error.
func TestDuplicatesWarning(t *testing.T) {
	tests := []struct {
		ids  []string
		want string // "" for no warning
	}{
		{[]string{"a", "b"}, ""},
		{[]string{"a", "b", "a", "a", "c", "b"}, "2 desktop IDs appear more than once in desktop_ids: a, b."},
		{append(slices.Repeat([]string{"x"}, 2), ids(30)...), "1 desktop IDs appear more than once in desktop_ids: x."},
	}
	for _, tt := range tests {
		var resp validator.ListResponse
		config := stringList(context.Background(), tt.ids, &resp.Diagnostics)
		desktopIDsEach{warnDuplicates: true}.ValidateList(context.Background(), validator.ListRequest{
			Path: path.Root("desktop_ids"), ConfigValue: config,
		}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%v: an error: %s", tt.ids, diagsText(resp.Diagnostics))
		}
		got := ""
		if resp.Diagnostics.WarningsCount() == 1 {
			got = resp.Diagnostics[0].Detail()
		}
		if !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("%v: warning %q, want %q", tt.ids, got, tt.want)
		}
	}
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d-%03d", i)
	}
	return out
}
