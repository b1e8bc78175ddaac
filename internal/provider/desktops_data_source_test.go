package provider

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// listed is one desktop the data source should report.
type listed struct {
	id, name, status, native string
}

// desktopsListed checks everything the data source at addr reports: its
// id, the IDs (sorted), and every desktop, ordered by ID.
func desktopsListed(addr, wantID string, want []listed) []statecheck.StateCheck {
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b listed) int { return strings.Compare(a.id, b.id) })
	ids := make([]string, len(want))
	desktops := make([]knownvalue.Check, len(want))
	for i, d := range want {
		ids[i] = d.id
		desktops[i] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":            knownvalue.StringExact(d.id),
			"name":          knownvalue.StringExact(d.name),
			"status":        knownvalue.StringExact(d.status),
			"native_status": knownvalue.StringExact(d.native),
		})
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(wantID)),
		// The IDs first, for a readable difference.
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("ids"), sortedStrings(ids)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("desktops"), knownvalue.ListExact(desktops)),
	}
}

// seedListing seeds, for the cloud under test, five desktops with chosen
// IDs (ID order differs from name order) and statuses, and around them
// desktops the data source must never report: the same names in another
// Alibaba region and another Huawei project, and the same names on the
// other cloud. It returns the five by name, as the data source should
// report them.
func seedListing(t *testing.T, c *testCloud, f cloudFixture) map[string]listed {
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
	want := map[string]listed{}
	for _, cl := range bothClouds {
		base := 100
		if cl.name == f.name {
			base = 0
		}
		for _, s := range seeds[cl.name] {
			id := cl.desktopID(base + s.n)
			c.AddDesktops(mockcloud.Desktop{Cloud: cl.name, Region: cl.scope, ID: id, Name: s.name, Status: s.status, TaskStatus: s.task})
			// The same name, stopped, where the data source does not look.
			c.AddDesktops(mockcloud.Desktop{Cloud: cl.name, Region: cl.elsewhere, ID: cl.desktopID(base + 50 + s.n), Name: s.name, Status: cl.stopped})
			if cl.name == f.name {
				want[s.name] = listed{id: id, name: s.name, status: s.shared, native: s.native}
			}
		}
	}
	// Make sure the mock holds what the expectations above say.
	for _, w := range want {
		d, ok := c.Desktop(f.name, w.id)
		if !ok || d.Name != w.name || d.Region != f.scope {
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

// listCalls checks that the data source listed the cloud's desktops, or,
// with listed false, did not.
func listCalls(c *testCloud, f cloudFixture, listed bool) func() error {
	return func() error {
		switch n := len(c.CallsTo(f.name, f.listOp)); {
		case !listed && n != 0:
			return fmt.Errorf("%d %s calls, want none for an empty ids filter", n, f.listOp)
		case listed && n == 0:
			return fmt.Errorf("no %s call: where did the desktops come from?", f.listOp)
		}
		return nil
	}
}

func TestAccDesktopsDataSource_filters(t *testing.T) {
	type tcase struct {
		name   string
		attrs  string   // HCL lines of the data block
		region string   // the region expected in id; "" means the provider's
		want   []string // desktop names
		// elsewhere lists desktops outside the provider's scope expected
		// instead (by ID), for the region override.
		elsewhere []listed
		noList    bool // no list call may be made
	}
	// ids filter: two desktops, one ID that exists nowhere, and one that
	// exists only outside the listed scope.
	idsAttr := func(f cloudFixture, want map[string]listed) string {
		return "ids = " + hclStrings([]string{want["web-01"].id, want["db-02"].id, f.desktopID(999), f.desktopID(51)})
	}
	casesFor := func(f cloudFixture, want map[string]listed) []tcase {
		common := []tcase{
			{name: "none", want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
			{name: "ids", attrs: idsAttr(f, want), want: []string{"web-01", "db-02"}},
			{name: "ids_unknown_only", attrs: fmt.Sprintf("ids = [%q]", f.desktopID(999)), want: nil},
			{name: "ids_empty", attrs: "ids = []", want: nil, noList: true},
			{name: "name_regex", attrs: `name_regex = "^web-"`, want: []string{"web-01", "web-02", "web-03"}},
			{name: "name_regex_unanchored", attrs: `name_regex = "0[12]"`, want: []string{"web-01", "web-02", "db-01", "db-02"}},
			{name: "name_regex_no_match", attrs: `name_regex = "^app-"`, want: nil},
			{name: "status_shared", attrs: `status = "stopped"`, want: []string{"web-02", "db-02"}},
			{name: "status_shared_running", attrs: `status = "running"`, want: []string{"web-01", "db-01"}},
			{name: "status_shared_any_case", attrs: `status = "STOPPED"`, want: []string{"web-02", "db-02"}},
			{name: "status_native", attrs: fmt.Sprintf("status = %q", f.stopped), want: []string{"web-02", "db-02"}},
			{name: "status_native_any_case", attrs: fmt.Sprintf("status = %q", strings.ToLower(f.stopped)), want: []string{"web-02", "db-02"}},
			{name: "status_no_match", attrs: `status = "deleted"`, want: nil},
			{name: "name_regex_and_status", attrs: "name_regex = \"^web-\"\nstatus = \"stopped\"", want: []string{"web-02"}},
			{
				name:  "ids_and_status",
				attrs: fmt.Sprintf("ids = %s\nstatus = \"stopped\"", hclStrings([]string{want["web-01"].id, want["web-03"].id, want["db-02"].id})),
				want:  []string{"db-02"},
			},
			{
				name:  "ids_name_regex_and_status",
				attrs: fmt.Sprintf("ids = %s\nname_regex = \"^web-\"\nstatus = %q", hclStrings([]string{want["web-01"].id, want["web-02"].id, want["db-02"].id}), f.stopped),
				want:  []string{"web-02"},
			},
			{name: "region_explicit", attrs: fmt.Sprintf("region = %q", f.providerRegion), want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
		}
		if f.name == mockcloud.CloudAlibaba {
			return append(common,
				tcase{name: "status_native_expired", attrs: `status = "Expired"`, want: []string{"web-03"}},
				tcase{
					// Another region lists that region's desktops only.
					name: "region_override", attrs: `region = "cn-shanghai"`, region: "cn-shanghai",
					elsewhere: []listed{
						{id: f.desktopID(51), name: "web-02", status: "stopped", native: "Stopped"},
						{id: f.desktopID(52), name: "db-01", status: "stopped", native: "Stopped"},
						{id: f.desktopID(53), name: "db-02", status: "stopped", native: "Stopped"},
						{id: f.desktopID(54), name: "web-03", status: "stopped", native: "Stopped"},
						{id: f.desktopID(55), name: "web-01", status: "stopped", native: "Stopped"},
					},
				},
			)
		}
		return append(common,
			// ACTIVE is Huawei's own status whatever task runs; running
			// (shared) is an idle ACTIVE desktop only.
			tcase{name: "status_native_active", attrs: `status = "ACTIVE"`, want: []string{"web-01", "web-03", "db-01"}},
			tcase{name: "status_native_with_task", attrs: `status = "active/rebooting"`, want: []string{"web-03"}},
			tcase{name: "status_shared_busy", attrs: `status = "busy"`, want: []string{"web-03"}},
			// The region is the provider's project's; id names the one asked for.
			tcase{name: "region_override", attrs: `region = "cn-south-1"`, region: "cn-south-1", want: []string{"web-01", "web-02", "web-03", "db-01", "db-02"}},
		)
	}

	for _, f := range bothClouds {
		t.Run(f.name, func(t *testing.T) {
			probe := newTestCloud(t, mockcloud.Timing{})
			for _, tc := range casesFor(f, seedListing(t, probe, f)) {
				t.Run(tc.name, func(t *testing.T) {
					cloud := newTestCloud(t, mockcloud.Timing{})
					byName := seedListing(t, cloud, f)
					want := slices.Clone(tc.elsewhere)
					for _, n := range tc.want {
						want = append(want, byName[n])
					}
					region := tc.region
					if region == "" {
						region = f.providerRegion
					}
					const addr = "data.clouddesktop_desktops.test"
					resource.ParallelTest(t, resource.TestCase{
						ProtoV6ProviderFactories: protoV6ProviderFactories,
						Steps: []resource.TestStep{{
							Config: cloud.providerBlock() + hclDesktops("test", f.name, tc.attrs),
							ConfigStateChecks: append(desktopsListed(addr, f.name+"/"+region, want),
								onMock(listCalls(cloud, f, !tc.noList))),
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
	for _, f := range bothClouds {
		t.Run(f.name, func(t *testing.T) {
			cloud := newTestCloud(t, mockcloud.Timing{})
			ids := cloud.seed(f, "page", total)
			// Out of scope: the other cloud, and another region / project.
			cloud.seed(f.other(), "page", 120)
			cloud.SeedFleet(f.name, f.elsewhere, "page", 120)

			// SeedFleet names page-0001.. in the order it returns the IDs
			// (not ID order); every one is running.
			var all, endIn5, byIDs []listed
			asked := ids[20:170] // 150 IDs: two calls' worth
			for i, id := range ids {
				d := listed{id: id, name: fmt.Sprintf("page-%04d", i+1), status: "running", native: f.running}
				all = append(all, d)
				if (i+1)%10 == 5 {
					endIn5 = append(endIn5, d)
				}
				if i >= 20 && i < 170 {
					byIDs = append(byIDs, d)
				}
			}
			wantID := f.name + "/" + f.providerRegion
			config := cloud.providerBlock() + hclDesktops("all", f.name) +
				hclDesktops("end_in_5", f.name, `name_regex = "5$"`) +
				hclDesktops("by_ids", f.name, "ids = "+hclStrings(append(slices.Clone(asked), f.desktopID(999))))

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: slices.Concat(
						desktopsListed("data.clouddesktop_desktops.all", wantID, all),
						desktopsListed("data.clouddesktop_desktops.end_in_5", wantID, endIn5),
						desktopsListed("data.clouddesktop_desktops.by_ids", wantID, byIDs),
						[]statecheck.StateCheck{
							statecheck.ExpectKnownValue("data.clouddesktop_desktops.all", tfjsonpath.New("desktops"), knownvalue.ListSizeExact(total)),
							statecheck.ExpectKnownValue("data.clouddesktop_desktops.end_in_5", tfjsonpath.New("desktops"), knownvalue.ListSizeExact(25)),
							onMock(func() error { return checkPaged(cloud, f, total) }),
						},
					),
				}},
			})
		})
	}
}

// checkPaged checks that listing the whole scope took more than one list
// call, each asking for a page of 100, and that a later page was asked for.
func checkPaged(cloud *testCloud, f cloudFixture, total int) error {
	calls := cloud.CallsTo(f.name, f.listOp)
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
		switch f.name {
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
		return fmt.Errorf("%d unfiltered %s calls, want %d per read of %d desktops", unfiltered, f.listOp, pages, total)
	case later == 0:
		return fmt.Errorf("no %s call asked for the third page", f.listOp)
	case filtered < 2:
		return fmt.Errorf("%d %s calls named desktops, want at least 2 for 150 IDs", filtered, f.listOp)
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
		var lines []knownvalue.Check // of the example's output, in ID order
		add := func(region, name, status string, match bool) {
			id := alibabaCloud.desktopID(len(matched) + len(kept) + 1)
			cloud.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: region, ID: id, Name: name, Status: status})
			if match {
				matched = append(matched, id)
				lines = append(lines, knownvalue.StringExact(id+" "+name+" "+status))
			} else {
				kept = append(kept, id)
			}
		}
		// 108 stopped training desktops (more than a page and a delete
		// call hold), and around them what must survive.
		for i := 1; i <= 120; i++ {
			status := alibabaCloud.stopped
			if i%10 == 0 {
				status = alibabaCloud.running
			}
			add(alibabaCloud.scope, fmt.Sprintf("training-%03d", i), status, i%10 != 0)
		}
		for i := 1; i <= 5; i++ {
			add(alibabaCloud.scope, fmt.Sprintf("prod-%03d", i), alibabaCloud.stopped, false)
			add(alibabaCloud.scope, fmt.Sprintf("old-training-%03d", i), alibabaCloud.stopped, false)
			add(alibabaCloud.elsewhere, fmt.Sprintf("training-%03d", i), alibabaCloud.stopped, false)
		}
		otherKept := cloud.seed(huaweiCloud, "training", 5)
		testFeedsBatchDelete(t, cloud, alibabaCloud, cloud.providerBlock()+string(example), "stopped_training",
			matched, kept, otherKept,
			statecheck.ExpectKnownOutputValue("stopped_training_desktops", knownvalue.ListExact(lines)))
	})

	t.Run("huawei", func(t *testing.T) {
		cloud := newTestCloud(t, mockcloud.Timing{})
		// 130 desktops named training-* (more than a page and a delete
		// call hold), some running and some shut off: by name only.
		var matched []string
		for i := 1; i <= 130; i++ {
			status := huaweiCloud.running
			if i%3 == 0 {
				status = huaweiCloud.stopped
			}
			id := huaweiCloud.desktopID(i)
			cloud.AddDesktops(mockcloud.Desktop{Cloud: huaweiCloud.name, Region: huaweiCloud.scope, ID: id,
				Name: fmt.Sprintf("training-%03d", i), Status: status})
			matched = append(matched, id)
		}
		kept := slices.Concat(cloud.seed(huaweiCloud, "prod", 4), cloud.seed(huaweiCloud, "old-training", 3),
			cloud.SeedFleet(huaweiCloud.name, huaweiCloud.elsewhere, "training", 3))
		otherKept := cloud.seed(alibabaCloud, "training", 5)
		config := cloud.providerBlock() + hclDesktops("training", huaweiCloud.name, `name_regex = "^training-"`) +
			hclBlock("\nresource \"clouddesktop_desktop_batch_delete\" \"training\"", `cloud       = "huawei"`,
				`desktop_ids = data.clouddesktop_desktops.training.ids`)
		testFeedsBatchDelete(t, cloud, huaweiCloud, config, "training", matched, kept, otherKept)
	})
}

// testFeedsBatchDelete applies config, in which the data source
// data.clouddesktop_desktops.<name> feeds the batch delete resource of the
// same name, and checks that the fleet held is exactly matched, that
// taking it on deleted nothing, and that destroy deleted exactly matched:
// kept (same cloud) and otherKept (the other cloud) survive.
func testFeedsBatchDelete(t *testing.T, cloud *testCloud, f cloudFixture, config, name string,
	matched, kept, otherKept []string, more ...statecheck.StateCheck) {
	t.Helper()
	dataAddr, resAddr := "data.clouddesktop_desktops."+name, deleteType+"."+name
	survived := func() error {
		for _, k := range []struct {
			cloud cloudFixture
			ids   []string
		}{{f, kept}, {f.other(), otherKept}} {
			for _, id := range k.ids {
				if _, ok := cloud.Desktop(k.cloud.name, id); !ok {
					return fmt.Errorf("%s desktop %s was not matched but is gone", k.cloud.name, id)
				}
				if n := cloud.DeleteCount(k.cloud.name, id); n != 0 {
					return fmt.Errorf("%s desktop %s was not matched but was deleted %d times", k.cloud.name, id, n)
				}
			}
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy: onMockAfterDestroy(
			func() error { return desktopsGone(cloud, f.name, matched) },
			survived,
		),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: append([]statecheck.StateCheck{
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("ids"), sortedStrings(matched)),
				statecheck.ExpectKnownValue(dataAddr, tfjsonpath.New("desktops"), knownvalue.ListSizeExact(len(matched))),
				statecheck.CompareValuePairs(dataAddr, tfjsonpath.New("ids"), resAddr, tfjsonpath.New("desktop_ids"), compare.ValuesSame()),
				onMock(func() error {
					if n := len(cloud.CallsTo(f.name, f.deleteOp)); n != 0 {
						return fmt.Errorf("%d %s calls before destroy, want none", n, f.deleteOp)
					}
					return nil
				}, survived),
			}, more...),
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
			for _, f := range bothClouds {
				cloud.seed(f, "web", 2)
			}
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
