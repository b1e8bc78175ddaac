package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// dsWant is one desktop the data source should report.
type dsWant struct {
	id, name, status, native string
}

// dsListOp is the list call each cloud's data source pages with.
var dsListOp = map[string]string{
	mockcloud.CloudAlibaba: "DescribeDesktops",
	mockcloud.CloudHuawei:  "ListDesktopsDetail",
}

// dsScope is where each cloud's desktops live in the mock (Huawei: the
// project ID) and the region the provider block names for that cloud.
var (
	dsScope = map[string]string{
		mockcloud.CloudAlibaba: mockcloud.DemoAlibabaRegion,
		mockcloud.CloudHuawei:  mockcloud.DemoHuaweiProject,
	}
	dsProviderRegion = map[string]string{
		mockcloud.CloudAlibaba: mockcloud.DemoAlibabaRegion,
		mockcloud.CloudHuawei:  mockcloud.DemoHuaweiRegion,
	}
)

// dsTestID makes a well-formed desktop ID for cloud whose sort order is
// set by n, so a test can choose an ID order that differs from name order.
func dsTestID(cloud string, n int) string {
	if cloud == mockcloud.CloudAlibaba {
		return fmt.Sprintf("ecd-%017d", n)
	}
	return fmt.Sprintf("%08d-0000-4000-8000-000000000000", n)
}

// dsConfig is the provider block and one clouddesktop_desktops data source
// named "test" with the given attribute lines.
func dsConfig(c *testCloud, cloud, attrs string) string {
	return c.providerBlock() + fmt.Sprintf(`
data "clouddesktop_desktops" "test" {
  cloud = %q
%s
}
`, cloud, attrs)
}

// checkDesktopsData checks everything the data source at addr reports: its
// id, the exact set of ids, and every desktop in the list, ordered by ID.
func checkDesktopsData(addr, wantID string, want []dsWant) resource.TestCheckFunc {
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b dsWant) int { return strings.Compare(a.id, b.id) })
	checks := []resource.TestCheckFunc{
		resource.TestCheckResourceAttr(addr, "id", wantID),
		resource.TestCheckResourceAttr(addr, "ids.#", strconv.Itoa(len(want))),
		resource.TestCheckResourceAttr(addr, "desktops.#", strconv.Itoa(len(want))),
	}
	for i, d := range want {
		p := fmt.Sprintf("desktops.%d.", i)
		checks = append(checks,
			resource.TestCheckTypeSetElemAttr(addr, "ids.*", d.id),
			resource.TestCheckResourceAttr(addr, p+"id", d.id),
			resource.TestCheckResourceAttr(addr, p+"name", d.name),
			resource.TestCheckResourceAttr(addr, p+"status", d.status),
			resource.TestCheckResourceAttr(addr, p+"native_status", d.native),
		)
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}

// dataIDs reads the ids attribute of the data source at addr, sorted.
func dataIDs(s *terraform.State, addr string) ([]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return nil, fmt.Errorf("%s not in state", addr)
	}
	var ids []string
	for k, v := range rs.Primary.Attributes {
		if strings.HasPrefix(k, "ids.") && k != "ids.#" {
			ids = append(ids, v)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// checkDataIDsExactly checks that the data source at addr reports exactly
// want (in any order) and lists as many desktops.
func checkDataIDsExactly(addr string, want []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		got, err := dataIDs(s, addr)
		if err != nil {
			return err
		}
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			return fmt.Errorf("%s ids: got %d desktops, want %d; missing %v, unexpected %v",
				addr, len(got), len(w), minus(w, got), minus(got, w))
		}
		if n := s.RootModule().Resources[addr].Primary.Attributes["desktops.#"]; n != strconv.Itoa(len(w)) {
			return fmt.Errorf("%s desktops.# = %s, want %d", addr, n, len(w))
		}
		return nil
	}
}

// minus is a without b, both sorted.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	if len(out) > 5 {
		return append(out[:5], fmt.Sprintf("... (%d in all)", len(out)))
	}
	return out
}

// dsFixture seeds, for the cloud under test, five desktops with chosen IDs
// (ID order differs from name order) and statuses, and around them
// desktops the data source must never report: the same names in another
// Alibaba region and another Huawei project, and the same names on the
// other cloud. It returns the five by name, as the data source should
// report them.
func dsFixture(t *testing.T, c *testCloud, cloud string) map[string]dsWant {
	t.Helper()
	type seed struct {
		name, status, task string
		n                  int // ID order
		shared, native     string
	}
	seeds := map[string][]seed{
		mockcloud.CloudAlibaba: {
			{name: "web-01", status: "Running", n: 5, shared: "running", native: "Running"},
			{name: "web-02", status: "Stopped", n: 1, shared: "stopped", native: "Stopped"},
			{name: "web-03", status: "Expired", n: 4, shared: "expired", native: "Expired"},
			{name: "db-01", status: "Running", n: 2, shared: "running", native: "Running"},
			{name: "db-02", status: "Stopped", n: 3, shared: "stopped", native: "Stopped"},
		},
		mockcloud.CloudHuawei: {
			{name: "web-01", status: "ACTIVE", n: 5, shared: "running", native: "ACTIVE"},
			{name: "web-02", status: "SHUTOFF", n: 1, shared: "stopped", native: "SHUTOFF"},
			{name: "web-03", status: "ACTIVE", task: "rebooting", n: 4, shared: "busy", native: "ACTIVE/rebooting"},
			{name: "db-01", status: "ACTIVE", n: 2, shared: "running", native: "ACTIVE"},
			{name: "db-02", status: "SHUTOFF", n: 3, shared: "stopped", native: "SHUTOFF"},
		},
	}
	elsewhere := map[string]string{
		mockcloud.CloudAlibaba: "cn-shanghai",
		mockcloud.CloudHuawei:  "fedcba9876543210fedcba9876543210",
	}
	want := map[string]dsWant{}
	for _, cl := range []string{mockcloud.CloudAlibaba, mockcloud.CloudHuawei} {
		base := 100
		if cl == cloud {
			base = 0
		}
		for _, s := range seeds[cl] {
			id := dsTestID(cl, base+s.n)
			c.AddDesktops(mockcloud.Desktop{Cloud: cl, Region: dsScope[cl], ID: id, Name: s.name, Status: s.status, TaskStatus: s.task})
			// The same name, stopped, where the data source does not look.
			c.AddDesktops(mockcloud.Desktop{Cloud: cl, Region: elsewhere[cl], ID: dsTestID(cl, base+50+s.n), Name: s.name,
				Status: map[string]string{mockcloud.CloudAlibaba: "Stopped", mockcloud.CloudHuawei: "SHUTOFF"}[cl]})
			if cl == cloud {
				want[s.name] = dsWant{id: id, name: s.name, status: s.shared, native: s.native}
			}
		}
	}
	// Make sure the mock holds what the expectations above say.
	for _, w := range want {
		d, ok := c.Desktop(cloud, w.id)
		if !ok || d.Name != w.name || d.Region != dsScope[cloud] {
			t.Fatalf("fixture: desktop %s is %+v", w.id, d)
		}
		native := d.Status
		if d.TaskStatus != "" {
			native += "/" + d.TaskStatus
		}
		if native != w.native {
			t.Fatalf("fixture: desktop %s has native status %q, want %q", w.id, native, w.native)
		}
	}
	return want
}

func TestAccDesktopsDataSource_filters(t *testing.T) {
	type tcase struct {
		name   string
		attrs  string   // HCL lines of the data block
		region string   // the region expected in id; "" means the provider's
		want   []string // desktop names; desktops in another scope are named in elsewhereIDs
		// elsewhere lists desktops outside the provider's scope expected
		// instead (by ID), for the region override.
		elsewhere []dsWant
		noList    bool // no list call may be made
	}
	// ids filter: two desktops, one ID that exists nowhere, and one that
	// exists only outside the listed scope.
	idsAttr := func(cloud string, want map[string]dsWant) string {
		return fmt.Sprintf("  ids = %s", hclStrings([]string{
			want["web-01"].id, want["db-02"].id, dsTestID(cloud, 999), dsTestID(cloud, 51),
		}))
	}
	casesFor := func(cloud string, want map[string]dsWant) []tcase {
		nativeStopped := map[string]string{mockcloud.CloudAlibaba: "Stopped", mockcloud.CloudHuawei: "SHUTOFF"}[cloud]
		common := []tcase{
			{name: "none", want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
			{name: "ids", attrs: idsAttr(cloud, want), want: []string{"web-01", "db-02"}},
			{name: "ids_unknown_only", attrs: fmt.Sprintf("  ids = [%q]", dsTestID(cloud, 999)), want: nil},
			{name: "ids_empty", attrs: "  ids = []", want: nil, noList: true},
			{name: "name_regex", attrs: `  name_regex = "^web-"`, want: []string{"web-01", "web-02", "web-03"}},
			{name: "name_regex_unanchored", attrs: `  name_regex = "0[12]"`, want: []string{"web-01", "web-02", "db-01", "db-02"}},
			{name: "name_regex_no_match", attrs: `  name_regex = "^app-"`, want: nil},
			{name: "status_shared", attrs: `  status = "stopped"`, want: []string{"web-02", "db-02"}},
			{name: "status_shared_running", attrs: `  status = "running"`, want: []string{"web-01", "db-01"}},
			{name: "status_shared_any_case", attrs: `  status = "STOPPED"`, want: []string{"web-02", "db-02"}},
			{name: "status_native", attrs: fmt.Sprintf("  status = %q", nativeStopped), want: []string{"web-02", "db-02"}},
			{name: "status_native_any_case", attrs: fmt.Sprintf("  status = %q", strings.ToLower(nativeStopped)), want: []string{"web-02", "db-02"}},
			{name: "status_no_match", attrs: `  status = "deleted"`, want: nil},
			{name: "name_regex_and_status", attrs: "  name_regex = \"^web-\"\n  status = \"stopped\"", want: []string{"web-02"}},
			{
				name:  "ids_and_status",
				attrs: fmt.Sprintf("  ids = %s\n  status = \"stopped\"", hclStrings([]string{want["web-01"].id, want["web-03"].id, want["db-02"].id})),
				want:  []string{"db-02"},
			},
			{
				name:  "ids_name_regex_and_status",
				attrs: fmt.Sprintf("  ids = %s\n  name_regex = \"^web-\"\n  status = %q", hclStrings([]string{want["web-01"].id, want["web-02"].id, want["db-02"].id}), nativeStopped),
				want:  []string{"web-02"},
			},
			{name: "region_explicit", attrs: fmt.Sprintf("  region = %q", dsProviderRegion[cloud]), want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
		}
		if cloud == mockcloud.CloudAlibaba {
			return append(common,
				tcase{name: "status_native_expired", attrs: `  status = "Expired"`, want: []string{"web-03"}},
				tcase{
					// Another region lists that region's desktops only.
					name: "region_override", attrs: `  region = "cn-shanghai"`, region: "cn-shanghai",
					elsewhere: []dsWant{
						{id: dsTestID(cloud, 51), name: "web-02", status: "stopped", native: "Stopped"},
						{id: dsTestID(cloud, 52), name: "db-01", status: "stopped", native: "Stopped"},
						{id: dsTestID(cloud, 53), name: "db-02", status: "stopped", native: "Stopped"},
						{id: dsTestID(cloud, 54), name: "web-03", status: "stopped", native: "Stopped"},
						{id: dsTestID(cloud, 55), name: "web-01", status: "stopped", native: "Stopped"},
					},
				},
			)
		}
		return append(common,
			// ACTIVE is Huawei's own status whatever task runs; running
			// (shared) is an idle ACTIVE desktop only.
			tcase{name: "status_native_active", attrs: `  status = "ACTIVE"`, want: []string{"web-01", "web-03", "db-01"}},
			tcase{name: "status_native_with_task", attrs: `  status = "active/rebooting"`, want: []string{"web-03"}},
			tcase{name: "status_shared_busy", attrs: `  status = "busy"`, want: []string{"web-03"}},
			// The region is the provider's project's; id names the one asked for.
			tcase{name: "region_override", attrs: `  region = "cn-south-1"`, region: "cn-south-1", want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
		)
	}

	for _, cloudName := range []string{mockcloud.CloudAlibaba, mockcloud.CloudHuawei} {
		t.Run(cloudName, func(t *testing.T) {
			probe := newTestCloud(t, mockcloud.Timing{})
			for _, tc := range casesFor(cloudName, dsFixture(t, probe, cloudName)) {
				t.Run(tc.name, func(t *testing.T) {
					cloud := newTestCloud(t, mockcloud.Timing{})
					byName := dsFixture(t, cloud, cloudName)
					want := slices.Clone(tc.elsewhere)
					for _, n := range tc.want {
						want = append(want, byName[n])
					}
					region := tc.region
					if region == "" {
						region = dsProviderRegion[cloudName]
					}
					const addr = "data.clouddesktop_desktops.test"
					resource.ParallelTest(t, resource.TestCase{
						ProtoV6ProviderFactories: protoV6ProviderFactories,
						Steps: []resource.TestStep{{
							Config: dsConfig(cloud, cloudName, tc.attrs),
							Check: resource.ComposeAggregateTestCheckFunc(
								checkDesktopsData(addr, cloudName+"/"+region, want),
								func(*terraform.State) error {
									n := len(cloud.CallsTo(cloudName, dsListOp[cloudName]))
									if tc.noList && n != 0 {
										return fmt.Errorf("%d %s calls, want none for an empty ids filter", n, dsListOp[cloudName])
									}
									if !tc.noList && n == 0 {
										return fmt.Errorf("no %s call: where did the desktops come from?", dsListOp[cloudName])
									}
									return nil
								},
							),
						}},
					})
				})
			}
		})
	}
}

// TestAccDesktopsDataSource_paging lists more desktops than one page holds
// (both clients ask for 100 a page) and more IDs than one call takes.
func TestAccDesktopsDataSource_paging(t *testing.T) {
	const total = 250
	for _, cloudName := range []string{mockcloud.CloudAlibaba, mockcloud.CloudHuawei} {
		t.Run(cloudName, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.SeedFleet(cloudName, dsScope[cloudName], "page", total)
			// Out of scope: the other cloud, and another region / project.
			other := map[string]string{mockcloud.CloudAlibaba: mockcloud.CloudHuawei, mockcloud.CloudHuawei: mockcloud.CloudAlibaba}[cloudName]
			cloud.SeedFleet(other, dsScope[other], "page", 120)
			cloud.SeedFleet(cloudName, map[string]string{
				mockcloud.CloudAlibaba: "cn-shanghai", mockcloud.CloudHuawei: "fedcba9876543210fedcba9876543210",
			}[cloudName], "page", 120)

			// SeedFleet names page-0001.. in the order it returns the IDs
			// (not ID order); every one is running.
			native := map[string]string{mockcloud.CloudAlibaba: "Running", mockcloud.CloudHuawei: "ACTIVE"}[cloudName]
			var all, endIn5, byIDs []dsWant
			asked := ids[20:170] // 150 IDs: two calls' worth
			for i, id := range ids {
				d := dsWant{id: id, name: fmt.Sprintf("page-%04d", i+1), status: "running", native: native}
				all = append(all, d)
				if (i+1)%10 == 5 {
					endIn5 = append(endIn5, d)
				}
				if i >= 20 && i < 170 {
					byIDs = append(byIDs, d)
				}
			}
			wantID := cloudName + "/" + dsProviderRegion[cloudName]
			config := cloud.providerBlock() + fmt.Sprintf(`
data "clouddesktop_desktops" "all" {
  cloud = %[1]q
}

data "clouddesktop_desktops" "end_in_5" {
  cloud      = %[1]q
  name_regex = "5$"
}

data "clouddesktop_desktops" "by_ids" {
  cloud = %[1]q
  ids   = %[2]s
}
`, cloudName, hclStrings(append(slices.Clone(asked), dsTestID(cloudName, 999))))

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: config,
					Check: resource.ComposeAggregateTestCheckFunc(
						// The exact sets first, for a readable difference.
						checkDataIDsExactly("data.clouddesktop_desktops.all", ids),
						checkDataIDsExactly("data.clouddesktop_desktops.by_ids", asked),
						resource.TestCheckResourceAttr("data.clouddesktop_desktops.all", "desktops.#", strconv.Itoa(total)),
						resource.TestCheckResourceAttr("data.clouddesktop_desktops.end_in_5", "desktops.#", "25"),
						checkDesktopsData("data.clouddesktop_desktops.all", wantID, all),
						checkDesktopsData("data.clouddesktop_desktops.end_in_5", wantID, endIn5),
						checkDesktopsData("data.clouddesktop_desktops.by_ids", wantID, byIDs),
						func(*terraform.State) error { return checkPaged(cloud, cloudName, total) },
					),
				}},
			})
		})
	}
}

// checkPaged checks that listing the whole scope took more than one list
// call, each asking for a page of 100, and that a later page was asked for.
func checkPaged(cloud *testCloud, cloudName string, total int) error {
	calls := cloud.CallsTo(cloudName, dsListOp[cloudName])
	var unfiltered, later, filtered int
	for _, c := range calls {
		if c.Status != 200 {
			return fmt.Errorf("%s answered %d %s", c.Operation, c.Status, c.ErrorCode)
		}
		if len(c.DesktopIDs) > 100 {
			return fmt.Errorf("%s named %d desktops, more than 100", c.Operation, len(c.DesktopIDs))
		}
		if len(c.DesktopIDs) > 0 {
			filtered++
			continue
		}
		unfiltered++
		switch cloudName {
		case mockcloud.CloudAlibaba:
			if c.Params["MaxResults"] != "100" {
				return fmt.Errorf("DescribeDesktops MaxResults=%q, want 100", c.Params["MaxResults"])
			}
			if c.Params["NextToken"] != "" {
				later++
			}
		case mockcloud.CloudHuawei:
			if c.Params["limit"] != "100" {
				return fmt.Errorf("ListDesktopsDetail limit=%q, want 100", c.Params["limit"])
			}
			if off, _ := strconv.Atoi(c.Params["offset"]); off >= 200 && off < total {
				later++
			}
		}
	}
	pages := (total + 99) / 100
	switch {
	case unfiltered < pages || unfiltered%pages != 0:
		return fmt.Errorf("%d unfiltered %s calls, want %d per read of %d desktops", unfiltered, dsListOp[cloudName], pages, total)
	case later == 0:
		return fmt.Errorf("no %s call asked for the third page", dsListOp[cloudName])
	case filtered < 2:
		return fmt.Errorf("%d %s calls named desktops, want at least 2 for 150 IDs", filtered, dsListOp[cloudName])
	}
	return nil
}

// TestAccDesktopsDataSource_feedsBatchDelete is the typical use: the data
// source picks a fleet by name (and status), clouddesktop_desktop_batch_delete
// holds it, and destroy deletes exactly those desktops.
func TestAccDesktopsDataSource_feedsBatchDelete(t *testing.T) {
	t.Run("alibaba_example", func(t *testing.T) {
		// The published example, as is: stopped desktops named training-*.
		example, err := os.ReadFile("../../examples/data-sources/clouddesktop_desktops/data-source.tf")
		if err != nil {
			t.Fatal(err)
		}
		cloud := newTestCloud(t, mockcloud.Timing{})
		var matched, kept []string
		add := func(region, name, status string, match bool) {
			id := dsTestID(mockcloud.CloudAlibaba, len(matched)+len(kept)+1)
			cloud.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: region, ID: id, Name: name, Status: status})
			if match {
				matched = append(matched, id)
			} else {
				kept = append(kept, id)
			}
		}
		// 108 stopped training desktops (more than a page and a delete
		// call hold), and around them what must survive.
		for i := 1; i <= 120; i++ {
			if i%10 == 0 {
				add(mockcloud.DemoAlibabaRegion, fmt.Sprintf("training-%03d", i), "Running", false)
			} else {
				add(mockcloud.DemoAlibabaRegion, fmt.Sprintf("training-%03d", i), "Stopped", true)
			}
		}
		for i := 1; i <= 5; i++ {
			add(mockcloud.DemoAlibabaRegion, fmt.Sprintf("prod-%03d", i), "Stopped", false)
			add(mockcloud.DemoAlibabaRegion, fmt.Sprintf("old-training-%03d", i), "Stopped", false)
			add("cn-shanghai", fmt.Sprintf("training-%03d", i), "Stopped", false)
		}
		hwKept := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "training", 5)
		testFeedsBatchDelete(t, cloud, mockcloud.CloudAlibaba, cloud.providerBlock()+string(example),
			"data.clouddesktop_desktops.stopped_training", "clouddesktop_desktop_batch_delete.stopped_training",
			matched, kept, hwKept,
			func(s *terraform.State) error {
				out, ok := s.RootModule().Outputs["stopped_training_desktops"]
				if !ok {
					return fmt.Errorf("output stopped_training_desktops missing")
				}
				lines, ok := out.Value.([]any)
				if !ok || len(lines) != len(matched) {
					return fmt.Errorf("output stopped_training_desktops = %v, want %d lines", out.Value, len(matched))
				}
				if want := matched[0] + " training-001 Stopped"; lines[0] != want {
					return fmt.Errorf("output line %q, want %q", lines[0], want)
				}
				return nil
			})
	})

	t.Run("huawei", func(t *testing.T) {
		cloud := newTestCloud(t, mockcloud.Timing{})
		// 130 desktops named training-* (more than a page and a delete
		// call hold), some running and some shut off: by name only.
		var matched []string
		for i := 1; i <= 130; i++ {
			status := "ACTIVE"
			if i%3 == 0 {
				status = "SHUTOFF"
			}
			id := dsTestID(mockcloud.CloudHuawei, i)
			cloud.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: id,
				Name: fmt.Sprintf("training-%03d", i), Status: status})
			matched = append(matched, id)
		}
		kept := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "prod", 4)
		kept = append(kept, cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "old-training", 3)...)
		kept = append(kept, cloud.SeedFleet(mockcloud.CloudHuawei, "fedcba9876543210fedcba9876543210", "training", 3)...)
		aliKept := cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "training", 5)
		config := cloud.providerBlock() + `
data "clouddesktop_desktops" "training" {
  cloud      = "huawei"
  name_regex = "^training-"
}

resource "clouddesktop_desktop_batch_delete" "training" {
  cloud       = "huawei"
  desktop_ids = data.clouddesktop_desktops.training.ids
}
`
		testFeedsBatchDelete(t, cloud, mockcloud.CloudHuawei, config,
			"data.clouddesktop_desktops.training", "clouddesktop_desktop_batch_delete.training",
			matched, kept, aliKept, nil)
	})
}

// testFeedsBatchDelete applies config, in which the data source dataAddr
// feeds the batch delete resource resAddr, and checks that the fleet held is
// exactly matched, that taking it on deleted nothing, and that destroy
// deleted exactly matched: kept (same cloud) and otherKept (the other
// cloud) survive.
func testFeedsBatchDelete(t *testing.T, cloud *testCloud, cloudName, config, dataAddr, resAddr string,
	matched, kept, otherKept []string, extra resource.TestCheckFunc) {
	t.Helper()
	other := mockcloud.CloudHuawei
	if cloudName == mockcloud.CloudHuawei {
		other = mockcloud.CloudAlibaba
	}
	survived := func() error {
		for _, k := range []struct {
			cloud string
			ids   []string
		}{{cloudName, kept}, {other, otherKept}} {
			for _, id := range k.ids {
				if _, ok := cloud.Desktop(k.cloud, id); !ok {
					return fmt.Errorf("%s desktop %s was not matched but is gone", k.cloud, id)
				}
				if n := cloud.DeleteCount(k.cloud, id); n != 0 {
					return fmt.Errorf("%s desktop %s was not matched but was deleted %d times", k.cloud, id, n)
				}
			}
		}
		return nil
	}
	deleteOp := map[string]string{mockcloud.CloudAlibaba: "DeleteDesktops", mockcloud.CloudHuawei: "BatchDeleteDesktops"}[cloudName]
	checks := []resource.TestCheckFunc{
		checkDataIDsExactly(dataAddr, matched),
		func(s *terraform.State) error {
			held, err := stateDesktopIDs(s, resAddr)
			if err != nil {
				return err
			}
			if want := slices.Sorted(slices.Values(matched)); !slices.Equal(held, want) {
				return fmt.Errorf("%s holds %d desktops, want the %d matched; missing %v, unexpected %v",
					resAddr, len(held), len(want), minus(want, held), minus(held, want))
			}
			if n := len(cloud.CallsTo(cloudName, deleteOp)); n != 0 {
				return fmt.Errorf("%d %s calls before destroy, want none", n, deleteOp)
			}
			return survived()
		},
	}
	if extra != nil {
		checks = append(checks, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if err := desktopsGone(cloud, cloudName, matched); err != nil {
				return err
			}
			return survived()
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check:  resource.ComposeAggregateTestCheckFunc(checks...),
		}},
	})
}

// TestAccDesktopsDataSource_invalidInput checks that bad configuration fails
// before any cloud call, with a message that says what is allowed.
func TestAccDesktopsDataSource_invalidInput(t *testing.T) {
	tests := []struct {
		name  string
		block string
		want  string
	}{
		{
			name:  "name_regex_unclosed",
			block: "  cloud      = \"alibaba\"\n  name_regex = \"^web-[0-9\"",
			want:  `(?s)Invalid regular expression.*name_regex.*missing closing \]`,
		},
		{
			name:  "name_regex_bad_repeat",
			block: "  cloud      = \"huawei\"\n  name_regex = \"web**\"",
			want:  `(?s)Invalid regular expression.*name_regex.*invalid nested repetition operator`,
		},
		{
			name:  "unknown_cloud",
			block: `  cloud = "aws"`,
			want:  `(?s)cloud.*must be one of.*"alibaba".*"huawei".*got: "aws"`,
		},
		{
			name:  "cloud_wrong_case",
			block: `  cloud = "Huawei"`,
			want:  `(?s)cloud.*must be one of.*"alibaba".*"huawei".*got: "Huawei"`,
		},
		{
			name:  "empty_id",
			block: "  cloud = \"alibaba\"\n  ids   = [\"ecd-ok\", \"\"]",
			want:  `(?s)Empty desktop ID.*ids\[1\] is empty`,
		},
		{
			name:  "empty_status",
			block: "  cloud  = \"huawei\"\n  status = \"\"",
			want:  `(?s)status.*length must be at least 1`,
		},
		{
			name:  "bad_region",
			block: "  cloud  = \"alibaba\"\n  region = \"CN_Hangzhou\"",
			want:  `(?s)region.*must be a region ID such as cn-hangzhou.*part of the cloud.s host name`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			cloud.SeedFleet(mockcloud.CloudAlibaba, mockcloud.DemoAlibabaRegion, "web", 2)
			cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "web", 2)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: cloud.providerBlock() + "\ndata \"clouddesktop_desktops\" \"test\" {\n" + tt.block + "\n}\n",
					// Terraform may wrap a long message anywhere a space is.
					ExpectError: regexp.MustCompile(strings.ReplaceAll(tt.want, " ", `\s+`)),
				}},
			})
			if calls := cloud.Calls(); len(calls) != 0 {
				t.Errorf("invalid configuration reached the cloud: %d calls, first %s %s", len(calls), calls[0].Cloud, calls[0].Operation)
			}
		})
	}
}
