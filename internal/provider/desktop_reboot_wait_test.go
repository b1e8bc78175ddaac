package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// These tests are about `wait` on clouddesktop_desktop_reboot: with it the
// apply returns only once every desktop is back up; without it, straight
// after the reboot calls. None of them sleeps or measures the wall clock:
// the mock derives each desktop's status from its own clock, so "was the
// desktop back up when the provider last looked" is a comparison of the
// mock's recorded call times with its Timing.

const (
	// rebootWaitStep is how long each phase of a reboot lasts in the
	// waiting tests: long enough that the first status read sees the
	// desktops still rebooting, short enough to keep the tests quick.
	rebootWaitStep = 100 * time.Millisecond
	// rebootWaitTotal is how long a whole reboot takes with rebootWaitTiming.
	rebootWaitTotal = 2 * rebootWaitStep
	// callSlack absorbs the time between the mock recording a call's
	// arrival and computing its answer (signature check, locking).
	callSlack = 10 * time.Millisecond
)

// rebootWaitTiming makes reboots take rebootWaitTotal.
var rebootWaitTiming = mockcloud.Timing{RebootStopping: rebootWaitStep, RebootStarting: rebootWaitStep}

// rebootStatusOps are the operations that read desktop or job status.
var rebootStatusOps = map[string][]string{
	mockcloud.CloudAlibaba: {"DescribeDesktops"},
	mockcloud.CloudHuawei:  {"ListDesktopsDetail", "ShowDesktopDetail", "ShowJob"},
}

// rebootOp is the mock's name for each cloud's reboot call.
var rebootOp = map[string]string{
	mockcloud.CloudAlibaba: "RebootDesktops",
	mockcloud.CloudHuawei:  "BatchRunDesktops",
}

// rebootAPI is one way of rebooting: a cloud, and for Alibaba which API.
type rebootAPI struct {
	name  string
	cloud string
	// region is where the fleet is seeded: the Alibaba region or the
	// Huawei project.
	region string
	// block is extra HCL inside the resource (the alibaba or huawei block).
	block string
	// maxBatch is the most desktops one reboot call may carry.
	maxBatch int
	// checkCall checks that a reboot call went through this API.
	checkCall func(mockcloud.Call) error
}

var (
	alibabaAdminReboot = rebootAPI{
		name: "alibaba_admin_api", cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion, maxBatch: 100,
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-09-30" || c.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
				return fmt.Errorf("reboot call used version %s authenticated as %q, want the AK-signed admin API 2020-09-30", c.Version, c.Auth)
			}
			return nil
		},
	}
	alibabaClientReboot = rebootAPI{
		name: "alibaba_client_api", cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion, maxBatch: 20,
		block: fmt.Sprintf(`
  alibaba {
    session_id     = %q
    login_token    = %q
    client_os      = "Linux"
    client_version = "7.5.0"
  }
`, mockcloud.DemoAlibabaSessionID, mockcloud.DemoAlibabaLoginToken),
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-10-02" || c.Auth != "anonymous" {
				return fmt.Errorf("reboot call used version %s authenticated as %q, want the anonymous client API 2020-10-02", c.Version, c.Auth)
			}
			return nil
		},
	}
	huaweiSoftReboot = rebootAPI{
		name: "huawei_soft", cloud: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject, maxBatch: 100,
		checkCall: huaweiRebootType("SOFT"),
	}
	huaweiHardReboot = rebootAPI{
		name: "huawei_hard", cloud: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject, maxBatch: 100,
		block: `
  huawei {
    type = "HARD"
  }
`,
		checkCall: huaweiRebootType("HARD"),
	}
)

func huaweiRebootType(typ string) func(mockcloud.Call) error {
	return func(c mockcloud.Call) error {
		body := string(c.Body)
		if !strings.Contains(body, `"op_type":"reboot"`) || !strings.Contains(body, `"type":"`+typ+`"`) {
			return fmt.Errorf("desktops/action body %s, want op_type reboot and type %s", body, typ)
		}
		return nil
	}
}

// rebootWaitConfig is a provider pointed at c plus one reboot resource.
// extra goes inside the resource (blocks such as timeouts).
func rebootWaitConfig(c *testCloud, api rebootAPI, ids []string, wait bool, round, extra string) string {
	return c.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = %q
  desktop_ids = %s
  wait        = %t
  keepers     = { round = %q }
%s%s}
`, api.cloud, hclStrings(ids), wait, round, api.block, extra)
}

// rebootCallsFor returns the reboot calls since the last ResetCalls that
// name any of ids, so fleets rebooted side by side can be told apart.
func rebootCallsFor(c *testCloud, cloud string, ids []string) []mockcloud.Call {
	var out []mockcloud.Call
	for _, call := range c.CallsTo(cloud, rebootOp[cloud]) {
		if slices.ContainsFunc(call.DesktopIDs, func(id string) bool { return slices.Contains(ids, id) }) {
			out = append(out, call)
		}
	}
	return out
}

// checkRebootCalls checks that the reboot calls for ids since the last
// ResetCalls went through api, answered 200, carried at most api.maxBatch
// desktops each and named every desktop of ids exactly once, and nothing
// else.
func checkRebootCalls(c *testCloud, api rebootAPI, ids []string) error {
	calls := rebootCallsFor(c, api.cloud, ids)
	if want := (len(ids) + api.maxBatch - 1) / api.maxBatch; len(calls) != want {
		return fmt.Errorf("%s: %d %s calls for %d desktops, want %d (at most %d a call)", api.name, len(calls), rebootOp[api.cloud], len(ids), want, api.maxBatch)
	}
	named := map[string]int{}
	for _, call := range calls {
		if call.Status != 200 {
			return fmt.Errorf("%s: %s answered %d %s", api.name, call.Operation, call.Status, call.ErrorCode)
		}
		if len(call.DesktopIDs) > api.maxBatch {
			return fmt.Errorf("%s: a %s call named %d desktops, more than %d", api.name, call.Operation, len(call.DesktopIDs), api.maxBatch)
		}
		if err := api.checkCall(call); err != nil {
			return fmt.Errorf("%s: %w", api.name, err)
		}
		for _, id := range call.DesktopIDs {
			named[id]++
		}
	}
	for _, id := range ids {
		if named[id] != 1 {
			return fmt.Errorf("%s: desktop %s was named in %d reboot calls, want 1", api.name, id, named[id])
		}
	}
	if len(named) != len(ids) {
		return fmt.Errorf("%s: reboot calls named %d desktops, want %d", api.name, len(named), len(ids))
	}
	return nil
}

// backUp reports whether the mock shows the desktop running and idle.
func backUp(d mockcloud.Desktop) bool {
	if d.Cloud == mockcloud.CloudHuawei {
		return d.Status == "ACTIVE" && d.TaskStatus == ""
	}
	return d.Status == "Running"
}

// everyDesktopBackUp checks the mock's current view of each desktop.
func everyDesktopBackUp(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		d, ok := c.Desktop(cloud, id)
		if !ok {
			return fmt.Errorf("desktop %s is gone", id)
		}
		if !backUp(d) {
			return fmt.Errorf("desktop %s is %s/%q, want it running and idle", id, d.Status, d.TaskStatus)
		}
	}
	return nil
}

// noStatusReads checks that, since the last ResetCalls, no call but the
// reboots themselves reached either cloud.
func noStatusReads(c *testCloud) error {
	var others []string
	for _, call := range c.Calls() {
		if call.Operation != rebootOp[call.Cloud] {
			others = append(others, call.Cloud+" "+call.Operation)
		}
	}
	if len(others) > 0 {
		return fmt.Errorf("an apply without wait made calls besides the reboots: %v", others)
	}
	return nil
}

// waitedUntilBackUp checks, on the mock's clock, that for every desktop
// the provider read its status after its reboot had finished: the last
// status read covering it came no earlier than its reboot call plus the
// reboot's duration. A provider that returns early (no read at all, or
// taking a transitional status for done) fails this, however slowly the
// test itself runs afterwards.
func waitedUntilBackUp(c *testCloud, cloud string, ids []string, total time.Duration) error {
	rebootedAt := map[string]time.Time{}
	for _, call := range rebootCallsFor(c, cloud, ids) {
		for _, id := range call.DesktopIDs {
			rebootedAt[id] = call.Time
		}
	}
	lastRead := map[string]time.Time{}
	for _, op := range rebootStatusOps[cloud] {
		for _, call := range c.CallsTo(cloud, op) {
			covered := call.DesktopIDs
			if len(covered) == 0 {
				covered = ids // an unfiltered listing may cover any of them
			}
			for _, id := range covered {
				if !slices.Contains(ids, id) {
					continue
				}
				if call.Status != 200 {
					return fmt.Errorf("%s of desktop %s answered %d %s", op, id, call.Status, call.ErrorCode)
				}
				if call.Time.After(lastRead[id]) {
					lastRead[id] = call.Time
				}
			}
		}
	}
	for _, id := range ids {
		at, ok := rebootedAt[id]
		if !ok {
			return fmt.Errorf("desktop %s was never rebooted", id)
		}
		read, ok := lastRead[id]
		if !ok {
			return fmt.Errorf("an apply with wait never read the status of desktop %s (%v)", id, rebootStatusOps[cloud])
		}
		if done := at.Add(total - callSlack); read.Before(done) {
			return fmt.Errorf("the provider last read desktop %s %v after rebooting it, before its reboot of %v could have finished",
				id, read.Sub(at), total)
		}
	}
	return nil
}

// TestAccDesktopRebootWait_matrix reboots one fleet per cloud and API side
// by side, in one configuration: first with wait, then (a keepers change,
// so a new reboot) without.
func TestAccDesktopRebootWait_matrix(t *testing.T) {
	rows := []struct {
		api   rebootAPI
		fleet int
	}{
		{alibabaAdminReboot, 110}, // two admin calls: 100 + 10
		{alibabaClientReboot, 45}, // three client calls: 20 + 20 + 5
		{huaweiSoftReboot, 110},   // two desktops/action calls: 100 + 10
		{huaweiHardReboot, 30},    // one call
	}
	cloud := newTestCloud(t, rebootWaitTiming)
	fleets := make([][]string, len(rows))
	for i, row := range rows {
		fleets[i] = cloud.SeedFleet(row.api.cloud, row.api.region, row.api.name, row.fleet)
	}
	config := func(wait bool, round string) string {
		var b strings.Builder
		b.WriteString(cloud.providerBlock())
		for i, row := range rows {
			// A short timeout: a wait that never ends fails fast.
			fmt.Fprintf(&b, `
resource "clouddesktop_desktop_reboot" %q {
  cloud       = %q
  desktop_ids = %s
  wait        = %t
  keepers     = { round = %q }
%s
  timeouts {
    create = "10s"
  }
}
`, row.api.name, row.api.cloud, hclStrings(fleets[i]), wait, round, row.api.block)
		}
		return b.String()
	}
	check := func(wait bool, round int) resource.TestCheckFunc {
		var checks []resource.TestCheckFunc
		if !wait {
			checks = append(checks, func(*terraform.State) error { return noStatusReads(cloud) })
		}
		for i, row := range rows {
			addr := "clouddesktop_desktop_reboot." + row.api.name
			ids := fleets[i]
			checks = append(checks,
				resource.TestCheckResourceAttr(addr, "wait", fmt.Sprint(wait)),
				resource.TestCheckResourceAttr(addr, "request_ids.#", fmt.Sprint((row.fleet+row.api.maxBatch-1)/row.api.maxBatch)),
				func(*terraform.State) error { return checkRebootCalls(cloud, row.api, ids) },
				func(*terraform.State) error {
					if err := everyDesktopRebooted(cloud, ids, round); err != nil {
						return fmt.Errorf("%s: %w", row.api.name, err)
					}
					return nil
				},
			)
			if wait {
				checks = append(checks, func(*terraform.State) error {
					if err := waitedUntilBackUp(cloud, row.api.cloud, ids, rebootWaitTotal); err != nil {
						return fmt.Errorf("%s: %w", row.api.name, err)
					}
					if err := everyDesktopBackUp(cloud, row.api.cloud, ids); err != nil {
						return fmt.Errorf("%s: %w", row.api.name, err)
					}
					return nil
				})
			}
		}
		return resource.ComposeAggregateTestCheckFunc(checks...)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(true, "1"),
				Check:  check(true, 1),
			},
			{
				// A new round reboots again, this time without waiting.
				PreConfig: cloud.ResetCalls,
				Config:    config(false, "2"),
				Check:     check(false, 2),
			},
		},
	})
}

// TestAccDesktopRebootWait_huaweiOver100 reboots 150 Huawei desktops: the
// reboot goes in calls of at most 100, and the wait reads the listing a
// page of up to 100 desktops a call, never one call per desktop.
func TestAccDesktopRebootWait_huaweiOver100(t *testing.T) {
	const n = 150
	cloud := newTestCloud(t, rebootWaitTiming)
	ids := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "page", n)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: rebootWaitConfig(cloud, huaweiSoftReboot, ids, true, "1", ""),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(rebootAddr, "request_ids.#", "2"),
				func(*terraform.State) error {
					var sizes []int
					for _, call := range cloud.CallsTo(mockcloud.CloudHuawei, "BatchRunDesktops") {
						sizes = append(sizes, len(call.DesktopIDs))
					}
					slices.Sort(sizes)
					if !slices.Equal(sizes, []int{50, 100}) {
						return fmt.Errorf("desktops/action calls of %v desktops, want 100 and 50", sizes)
					}
					return checkRebootCalls(cloud, huaweiSoftReboot, ids)
				},
				func(*terraform.State) error {
					if err := waitedUntilBackUp(cloud, mockcloud.CloudHuawei, ids, rebootWaitTotal); err != nil {
						return err
					}
					if calls := cloud.CallsTo(mockcloud.CloudHuawei, "ShowDesktopDetail"); len(calls) > 0 {
						return fmt.Errorf("%d ShowDesktopDetail calls: waiting must read the listing, not each desktop", len(calls))
					}
					if calls := cloud.CallsTo(mockcloud.CloudHuawei, "ShowJob"); len(calls) > 0 {
						return fmt.Errorf("%d ShowJob calls: a reboot has no job to follow", len(calls))
					}
					lists := cloud.CallsTo(mockcloud.CloudHuawei, "ListDesktopsDetail")
					for _, call := range lists {
						if len(call.DesktopIDs) > 100 {
							return fmt.Errorf("a ListDesktopsDetail call named %d desktops, more than a page of 100", len(call.DesktopIDs))
						}
					}
					// Two batches (100 and 50), each polled some five
					// times while its 200ms reboot runs: about 10 calls.
					// One call per desktop would be at least 150.
					if len(lists) > n/5 {
						return fmt.Errorf("%d ListDesktopsDetail calls to wait for %d desktops, want at most %d (one per page per poll)", len(lists), n, n/5)
					}
					return nil
				},
				func(*terraform.State) error { return everyDesktopRebooted(cloud, ids, 1) },
				func(*terraform.State) error { return everyDesktopBackUp(cloud, mockcloud.CloudHuawei, ids) },
			),
		}},
	})
}

// TestAccDesktopRebootWait_huaweiFailedOperations checks that desktops the
// API refuses in failed_operation_list fail the apply with one line each
// (ID, error code, message, request ID), while the others are rebooted and
// waited for.
func TestAccDesktopRebootWait_huaweiFailedOperations(t *testing.T) {
	cloud := newTestCloud(t, rebootWaitTiming)
	good := cloud.SeedFleet(mockcloud.CloudHuawei, mockcloud.DemoHuaweiProject, "ok", 5)
	const (
		shutoff1 = "5a0e0f6a-0000-4000-8000-000000000001"
		shutoff2 = "5a0e0f6a-0000-4000-8000-000000000002"
		busy     = "5a0e0f6a-0000-4000-8000-000000000003"
		missing  = "5a0e0f6a-0000-4000-8000-000000000004" // the cloud does not know it
	)
	cloud.AddDesktops(
		mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: shutoff1, Status: "SHUTOFF"},
		mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: shutoff2, Status: "SHUTOFF"},
		mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: busy, Status: "ACTIVE", TaskStatus: "deleting"},
	)
	// What the mock answers for each refused desktop, in the order the
	// error lists them (by desktop ID).
	refused := []struct{ id, code, msg string }{
		{shutoff1, "WKS.0409", `desktop is SHUTOFF with task ""; reboot needs ACTIVE and no task`},
		{shutoff2, "WKS.0409", `desktop is SHUTOFF with task ""; reboot needs ACTIVE and no task`},
		{busy, "WKS.0409", `desktop is ACTIVE with task "deleting"; reboot needs ACTIVE and no task`},
		{missing, "WKS.0004", "desktop not found"},
	}
	all := append(slices.Clone(good), shutoff1, shutoff2, busy, missing)

	pattern := fmt.Sprintf(`(?s)Could not reboot 4 of %d desktops.*%d of %d desktops on huawei were rebooted; 4 were not\.\s+Failed:`,
		len(all), len(good), len(all))
	for _, r := range refused {
		pattern += fmt.Sprintf(`\s+%s: huawei BatchRunDesktops failed[^\n]*: %s: %s; request ID [0-9A-F-]{36}\n`,
			regexp.QuoteMeta(r.id), regexp.QuoteMeta(r.code), regexp.QuoteMeta(r.msg))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A short timeout: a provider that waited for the refused
			// desktops would otherwise hang until the 20m default.
			Config:      rebootWaitConfig(cloud, huaweiSoftReboot, all, true, "1", "\n  timeouts {\n    create = \"10s\"\n  }\n"),
			ExpectError: regexp.MustCompile(pattern),
		}},
	})

	if err := everyDesktopRebooted(cloud, good, 1); err != nil {
		t.Error(err)
	}
	if err := everyDesktopRebooted(cloud, []string{shutoff1, shutoff2, busy, missing}, 0); err != nil {
		t.Error(err)
	}
	if err := waitedUntilBackUp(cloud, mockcloud.CloudHuawei, good, rebootWaitTotal); err != nil {
		t.Errorf("the desktops the API accepted were not waited for: %v", err)
	}
	if n := len(cloud.CallsTo(mockcloud.CloudHuawei, "BatchRunDesktops")); n != 1 {
		t.Errorf("%d desktops/action calls, want 1: a refusal in failed_operation_list is final", n)
	}
}

// TestAccDesktopRebootWait_timeout checks that a create timeout that
// expires while some desktops never come back fails the apply, naming each
// of those desktops and the status it was last seen in, while the others
// count as rebooted.
func TestAccDesktopRebootWait_timeout(t *testing.T) {
	for _, tc := range []struct {
		api        rebootAPI
		stuck      []string
		lastStatus string
	}{
		{alibabaAdminReboot, []string{"ecd-stuckdesktop00001", "ecd-stuckdesktop00002"}, "Starting"},
		{alibabaClientReboot, []string{"ecd-stuckdesktop00003", "ecd-stuckdesktop00004"}, "Starting"},
		{huaweiSoftReboot, []string{"57c0c000-0000-4000-8000-000000000001", "57c0c000-0000-4000-8000-000000000002"}, "ACTIVE/rebooting"},
	} {
		t.Run(tc.api.name, func(t *testing.T) {
			cloud := newTestCloud(t, rebootWaitTiming)
			good := cloud.SeedFleet(tc.api.cloud, tc.api.region, "fine", 3)
			for _, id := range tc.stuck {
				cloud.AddDesktops(mockcloud.Desktop{Cloud: tc.api.cloud, Region: tc.api.region, ID: id, Stuck: true})
			}
			all := append(slices.Clone(good), tc.stuck...)

			pattern := fmt.Sprintf(`(?s)Could not reboot 2 of %d desktops.*%d of %d desktops on %s were rebooted; 2 were not\.\s+Failed:`,
				len(all), len(good), len(all), tc.api.cloud)
			for _, id := range tc.stuck { // sorted, like the error
				pattern += fmt.Sprintf(`\s+%s: timed out waiting for the cloud \(last status %s\)\n`, regexp.QuoteMeta(id), regexp.QuoteMeta(tc.lastStatus))
			}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      rebootWaitConfig(cloud, tc.api, all, true, "1", "\n  timeouts {\n    create = \"1s\"\n  }\n"),
					ExpectError: regexp.MustCompile(pattern),
				}},
			})

			if err := everyDesktopRebooted(cloud, all, 1); err != nil {
				t.Error(err)
			}
			if err := everyDesktopBackUp(cloud, tc.api.cloud, good); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestAccDesktopRebootWait_settle checks when a desktop counts as
// rebooted, on every API: only once it was seen rebooting and is back up,
// or, never seen rebooting, once it stayed up across the settle window
// since the call. A cloud whose status lags the call (the desktop reads
// Running / ACTIVE and idle for a while after it) is waited for until its
// reboot has really happened; one that never shows the reboot is read up
// to the end of the window, not trusted on its second idle read.
func TestAccDesktopRebootWait_settle(t *testing.T) {
	const (
		lag    = 300 * time.Millisecond
		settle = 600 * time.Millisecond
	)
	cases := []struct {
		name    string
		timing  mockcloud.Timing
		settle  time.Duration
		backUp  time.Duration // after the reboot call, when every desktop is back on the mock's clock
		because string
	}{
		{"lagging cloud", mockcloud.Timing{RebootLag: lag, RebootStopping: rebootWaitStep, RebootStarting: rebootWaitStep}, 5 * time.Second,
			lag + rebootWaitTotal, "seen rebooting, then back up"},
		{"reboot never shows", mockcloud.Timing{}, settle, settle, "up across the settle window"},
	}
	for _, tc := range cases {
		for _, api := range []rebootAPI{alibabaAdminReboot, alibabaClientReboot, huaweiSoftReboot} {
			t.Run(tc.name+"/"+api.name, func(t *testing.T) {
				cloud := newTestCloud(t, tc.timing)
				ids := cloud.SeedFleet(api.cloud, api.region, "settle", 3)
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: providerFactoriesWithEnv(map[string]string{"CLOUDDESKTOP_REBOOT_SETTLE": tc.settle.String()}),
					Steps: []resource.TestStep{{
						Config: rebootWaitConfig(cloud, api, ids, true, "1", "\n  timeouts {\n    create = \"20s\"\n  }\n"),
						Check: func(*terraform.State) error {
							if err := waitedUntilBackUp(cloud, api.cloud, ids, tc.backUp); err != nil {
								return fmt.Errorf("%s (%s): %w", tc.name, tc.because, err)
							}
							if err := everyDesktopBackUp(cloud, api.cloud, ids); err != nil {
								return err
							}
							return everyDesktopRebooted(cloud, ids, 1)
						},
					}},
				})
			})
		}
	}
}
