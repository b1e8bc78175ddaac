package provider

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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

// waitedForReboot checks on the mock that an apply with wait returned only
// once every desktop of ids was back up after a reboot of total: read
// after it could have finished, and running and idle now.
func waitedForReboot(c *testCloud, api rebootAPI, ids []string, total time.Duration) func() error {
	return func() error {
		if err := waitedUntilBackUp(c, api.cloud, api.cloud.statusReads, ids, total, callSlack); err != nil {
			return fmt.Errorf("%s: %w", api.name, err)
		}
		if err := everyDesktopBackUp(c, api.cloud.name, ids); err != nil {
			return fmt.Errorf("%s: %w", api.name, err)
		}
		return nil
	}
}

// TestAccDesktopRebootWait_matrix reboots one fleet per cloud and API side
// by side, in one configuration: first with wait, then (a keepers change,
// so a new reboot) without.
func TestAccDesktopRebootWait_matrix(t *testing.T) {
	rows := []struct {
		api   rebootAPI
		fleet int
	}{
		{alibabaAdminAPI, 110},  // two admin calls: 100 + 10
		{alibabaClientAPI, 45},  // three client calls: 20 + 20 + 5
		{huaweiSoftReboot, 110}, // two desktops/action calls: 100 + 10
		{huaweiHardReboot, 30},  // one call
	}
	cloud := newTestCloud(t, rebootWaitTiming)
	fleets := make([][]string, len(rows))
	for i, row := range rows {
		fleets[i] = cloud.seed(row.api.cloud, row.api.name, row.fleet)
	}
	config := func(wait bool, round string) string {
		b := cloud.providerBlock()
		for i, row := range rows {
			// A short timeout: a wait that never ends fails fast.
			b += row.api.named(row.api.name, fleets[i], waitLine(wait), keepers(round), timeoutsBlock("create", "10s"))
		}
		return b
	}
	checks := func(wait bool, round int) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		if !wait {
			checks = append(checks, onMock(func() error { return noStatusReads(cloud) }))
		}
		for i, row := range rows {
			addr := rebootType + "." + row.api.name
			ids := fleets[i]
			checks = append(checks,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("wait"), knownvalue.Bool(wait)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(row.api.batches(row.fleet))),
				onMock(
					func() error { return checkRebootCalls(cloud, row.api, ids) },
					func() error {
						if err := everyDesktopRebooted(cloud, ids, round); err != nil {
							return fmt.Errorf("%s: %w", row.api.name, err)
						}
						return nil
					},
				),
			)
			if wait {
				checks = append(checks, onMock(waitedForReboot(cloud, row.api, ids, rebootWaitTotal)))
			}
		}
		return checks
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config(true, "1"),
				ConfigStateChecks: checks(true, 1),
			},
			{
				// A new round reboots again, this time without waiting.
				PreConfig:         cloud.ResetCalls,
				Config:            config(false, "2"),
				ConfigStateChecks: checks(false, 2),
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
	ids := cloud.seed(huaweiCloud, "page", n)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cloud.providerBlock() + huaweiSoftReboot.resource(ids, waitLine(true), keepers("1")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(2)),
				onMock(
					func() error {
						var sizes []int
						for _, call := range cloud.CallsTo(huaweiCloud.name, huaweiCloud.rebootOp) {
							sizes = append(sizes, len(call.DesktopIDs))
						}
						slices.Sort(sizes)
						if !slices.Equal(sizes, []int{50, 100}) {
							return fmt.Errorf("desktops/action calls of %v desktops, want 100 and 50", sizes)
						}
						return checkRebootCalls(cloud, huaweiSoftReboot, ids)
					},
					waitedForReboot(cloud, huaweiSoftReboot, ids, rebootWaitTotal),
					func() error {
						if calls := cloud.CallsTo(huaweiCloud.name, "ShowDesktopDetail"); len(calls) > 0 {
							return fmt.Errorf("%d ShowDesktopDetail calls: waiting must read the listing, not each desktop", len(calls))
						}
						if calls := cloud.CallsTo(huaweiCloud.name, "ShowJob"); len(calls) > 0 {
							return fmt.Errorf("%d ShowJob calls: a reboot has no job to follow", len(calls))
						}
						lists := cloud.CallsTo(huaweiCloud.name, huaweiCloud.listOp)
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
					func() error { return everyDesktopRebooted(cloud, ids, 1) },
				),
			},
		}},
	})
}

// TestAccDesktopRebootWait_huaweiFailedOperations checks that desktops the
// API refuses in failed_operation_list fail the apply with one line each
// (ID, error code, message, request ID), while the others are rebooted and
// waited for.
func TestAccDesktopRebootWait_huaweiFailedOperations(t *testing.T) {
	cloud := newTestCloud(t, rebootWaitTiming)
	good := cloud.seed(huaweiCloud, "ok", 5)
	const (
		shutoff1 = "5a0e0f6a-0000-4000-8000-000000000001"
		shutoff2 = "5a0e0f6a-0000-4000-8000-000000000002"
		busy     = "5a0e0f6a-0000-4000-8000-000000000003"
		missing  = "5a0e0f6a-0000-4000-8000-000000000004" // the cloud does not know it
	)
	cloud.AddDesktops(
		mockcloud.Desktop{Cloud: huaweiCloud.name, Region: huaweiCloud.scope, ID: shutoff1, Status: huaweiCloud.stopped},
		mockcloud.Desktop{Cloud: huaweiCloud.name, Region: huaweiCloud.scope, ID: shutoff2, Status: huaweiCloud.stopped},
		mockcloud.Desktop{Cloud: huaweiCloud.name, Region: huaweiCloud.scope, ID: busy, Status: huaweiCloud.running, TaskStatus: "deleting"},
	)
	// What the mock answers for each refused desktop.
	refused := map[string]struct{ code, msg string }{
		shutoff1: {"WKS.0409", `desktop is SHUTOFF with task ""; reboot needs ACTIVE and no task`},
		shutoff2: {"WKS.0409", `desktop is SHUTOFF with task ""; reboot needs ACTIVE and no task`},
		busy:     {"WKS.0409", `desktop is ACTIVE with task "deleting"; reboot needs ACTIVE and no task`},
		missing:  {"WKS.0004", "desktop not found"},
	}
	notRebooted := slices.Sorted(maps.Keys(refused))
	all := slices.Concat(good, notRebooted)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A short timeout: a provider that waited for the refused
			// desktops would otherwise hang until the 20m default.
			Config: cloud.providerBlock() + huaweiSoftReboot.resource(all, waitLine(true), keepers("1"), timeoutsBlock("create", "10s")),
			ExpectError: failurePattern("reboot", huaweiCloud.name, len(all), notRebooted, func(id string) string {
				return fmt.Sprintf(`huawei BatchRunDesktops failed[^\n]*: %s: %s; request ID [0-9A-F-]{36}`,
					regexp.QuoteMeta(refused[id].code), regexp.QuoteMeta(refused[id].msg))
			}),
		}},
	})

	if err := everyDesktopRebooted(cloud, good, 1); err != nil {
		t.Error(err)
	}
	if err := everyDesktopRebooted(cloud, notRebooted, 0); err != nil {
		t.Error(err)
	}
	if err := waitedUntilBackUp(cloud, huaweiCloud, huaweiCloud.statusReads, good, rebootWaitTotal, callSlack); err != nil {
		t.Errorf("the desktops the API accepted were not waited for: %v", err)
	}
	if n := len(cloud.CallsTo(huaweiCloud.name, huaweiCloud.rebootOp)); n != 1 {
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
		lastStatus string
	}{
		{alibabaAdminAPI, "Starting"},
		{alibabaClientAPI, "Starting"},
		{huaweiSoftReboot, "ACTIVE/rebooting"},
	} {
		t.Run(tc.api.name, func(t *testing.T) {
			cloud := newTestCloud(t, rebootWaitTiming)
			good := cloud.seed(tc.api.cloud, "fine", 3)
			stuck := cloud.setStuck(tc.api.cloud, true)
			all := slices.Concat(good, stuck)

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: cloud.providerBlock() + tc.api.resource(all, waitLine(true), keepers("1"), timeoutsBlock("create", "1s")),
					ExpectError: failurePattern("reboot", tc.api.cloud.name, len(all), stuck,
						sameLine(`timed out waiting for the cloud \(last status `+regexp.QuoteMeta(tc.lastStatus)+`\)`)),
				}},
			})

			if err := everyDesktopRebooted(cloud, all, 1); err != nil {
				t.Error(err)
			}
			if err := everyDesktopBackUp(cloud, tc.api.cloud.name, good); err != nil {
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
		for _, api := range []rebootAPI{alibabaAdminAPI, alibabaClientAPI, huaweiSoftReboot} {
			t.Run(tc.name+"/"+api.name, func(t *testing.T) {
				cloud := newTestCloud(t, tc.timing)
				ids := cloud.seed(api.cloud, "settle", 3)
				resource.ParallelTest(t, resource.TestCase{
					ProtoV6ProviderFactories: providerFactoriesWithEnv(map[string]string{"CLOUDDESKTOP_REBOOT_SETTLE": tc.settle.String()}),
					Steps: []resource.TestStep{{
						Config: cloud.providerBlock() + api.resource(ids, waitLine(true), keepers("1"), timeoutsBlock("create", "20s")),
						ConfigStateChecks: []statecheck.StateCheck{onMock(
							func() error {
								if err := waitedForReboot(cloud, api, ids, tc.backUp)(); err != nil {
									return fmt.Errorf("%s (%s): %w", tc.name, tc.because, err)
								}
								return nil
							},
							func() error { return everyDesktopRebooted(cloud, ids, 1) },
						)},
					}},
				})
			})
		}
	}
}
