package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// Checks of what an operation did to the mock cloud: its call log, and how
// often each desktop was rebooted or deleted. What Terraform holds in state
// is checked with state checks, never here.

// onMock is a state check that runs checks of the mock cloud after a
// step's apply: they see what the apply did to the cloud, not what
// Terraform holds. Every check runs; their errors are joined.
func onMock(checks ...func() error) statecheck.StateCheck { return mockChecks(checks) }

// onPlanMock is a plan check that runs checks of the mock cloud after a
// plan: what planning did to the cloud.
func onPlanMock(checks ...func() error) plancheck.PlanCheck { return mockChecks(checks) }

// onMockAfterDestroy runs checks of the mock cloud as a test case's
// CheckDestroy, once the test's own destroy is done.
func onMockAfterDestroy(checks ...func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return mockChecks(checks).run() }
}

type mockChecks []func() error

func (m mockChecks) run() error {
	var errs []error
	for _, check := range m {
		errs = append(errs, check())
	}
	return errors.Join(errs...)
}

func (m mockChecks) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = m.run()
}

func (m mockChecks) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = m.run()
}

// callMark remembers how many calls the mock cloud had received at a point
// of a test, so that later checks can assert that nothing called it since:
// a plan check after each plan (terraform-plugin-testing never runs a
// step's Check or state checks on a PlanOnly step, so what a plan must not
// do is asserted with plan checks), and a state check to move the mark past
// an apply.
type callMark struct {
	c  *testCloud
	at int
}

func newCallMark(c *testCloud) *callMark { return &callMark{c: c, at: len(c.Calls())} }

// now moves the mark to the calls received so far (a PreConfig).
func (m *callMark) now() { m.at = len(m.c.Calls()) }

// afterApply is a state check that moves the mark past the calls of the
// step's apply.
func (m *callMark) afterApply() statecheck.StateCheck {
	return onMock(func() error {
		m.now()
		return nil
	})
}

// noCallSince is a plan check that the cloud received no call since the
// mark: the plans of the step so far called no cloud.
func (m *callMark) noCallSince() plancheck.PlanCheck { return noCallSince{m} }

type noCallSince struct{ m *callMark }

func (k noCallSince) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	calls := k.m.c.Calls()
	if n := len(calls) - k.m.at; n != 0 {
		resp.Error = fmt.Errorf("%d cloud calls since the mark (%d before it), want none: plans must not call the cloud", n, k.m.at)
		if n > 0 && k.m.at >= 0 {
			resp.Error = fmt.Errorf("%w (first %s %s)", resp.Error, calls[k.m.at].Cloud, calls[k.m.at].Operation)
		}
	}
}

// planCallsNothing holds every plan of a step to mark: the plan before the
// apply (a PlanOnly step makes none) and the plans without and with refresh
// after it. The step's first plan must also pass checks.
func planCallsNothing(mark *callMark, planOnly bool, checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	first := append(checks, mark.noCallSince())
	after := []plancheck.PlanCheck{mark.noCallSince()}
	if planOnly {
		return resource.ConfigPlanChecks{PostApplyPreRefresh: first, PostApplyPostRefresh: after}
	}
	return resource.ConfigPlanChecks{PreApply: first, PostApplyPreRefresh: after, PostApplyPostRefresh: after}
}

// noCloudCalls checks that nothing reached either cloud since the last
// ResetCalls.
func noCloudCalls(c *testCloud, what string) func() error {
	return func() error {
		if calls := c.Calls(); len(calls) != 0 {
			return fmt.Errorf("%s made %d cloud calls (first %s %s), want none", what, len(calls), calls[0].Cloud, calls[0].Operation)
		}
		return nil
	}
}

// ---------------------------------------------------------------------------
// Reboots

// everyDesktopRebooted checks that each desktop was rebooted times times,
// on whichever cloud it is.
func everyDesktopRebooted(c *testCloud, ids []string, times int) error {
	var wrong []string
	for _, id := range ids {
		if n := c.RebootCount(mockcloud.CloudAlibaba, id) + c.RebootCount(mockcloud.CloudHuawei, id); n != times {
			wrong = append(wrong, id+" rebooted "+strconv.Itoa(n)+" times")
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("want each desktop rebooted %d times: %s", times, strings.Join(wrong, "; "))
	}
	return nil
}

// checkRebootCalls checks that the reboot calls naming any of ids since the
// last ResetCalls went through api, answered 200, carried at most
// api.maxBatch desktops each and named every desktop of ids exactly once,
// and nothing else.
func checkRebootCalls(c *testCloud, api rebootAPI, ids []string) error {
	var calls []mockcloud.Call
	for _, call := range c.CallsTo(api.cloud.name, api.cloud.rebootOp) {
		if slices.ContainsFunc(call.DesktopIDs, func(id string) bool { return slices.Contains(ids, id) }) {
			calls = append(calls, call)
		}
	}
	if want := api.batches(len(ids)); len(calls) != want {
		return fmt.Errorf("%s: %d %s calls for %d desktops, want %d (at most %d a call)", api.name, len(calls), api.cloud.rebootOp, len(ids), want, api.maxBatch)
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

// everyDesktopBackUp checks that the mock shows each desktop running and
// idle now.
func everyDesktopBackUp(c *testCloud, cloud string, ids []string) error {
	var down []string
	for _, id := range ids {
		d, ok := c.Desktop(cloud, id)
		if !ok || d.Status != fixtureOf(cloud).running || d.TaskStatus != "" {
			down = append(down, fmt.Sprintf("%s (%s/%q, exists %t)", id, d.Status, d.TaskStatus, ok))
		}
	}
	if len(down) > 0 {
		return fmt.Errorf("%d desktops are not back up, running and idle: %s", len(down), strings.Join(down[:min(5, len(down))], ", "))
	}
	return nil
}

// noStatusReads checks that, since the last ResetCalls, no call but the
// reboots themselves reached either cloud.
func noStatusReads(c *testCloud) error {
	var others []string
	for _, call := range c.Calls() {
		if call.Operation != fixtureOf(call.Cloud).rebootOp {
			others = append(others, call.Cloud+" "+call.Operation)
		}
	}
	if len(others) > 0 {
		return fmt.Errorf("an apply without wait made calls besides the reboots: %v", others)
	}
	return nil
}

// waitedUntilBackUp checks, on the mock's clock, that the provider did not
// return before every desktop of ids was back up: for each, a status read
// (one of reads) that covers it (names it, or lists everything) and that
// the mock answered arrived no earlier than its last applied reboot plus
// total, less slack (a call's arrival is recorded before any latency
// injected into it and before the mock works out its answer). A read an
// injected fault broke proves nothing; one that failed without is an error.
// A provider that returns early (no read at all, or taking a transitional
// status for done) fails this, however slowly the test itself runs
// afterwards: checking the mock's state after the apply is not enough.
func waitedUntilBackUp(c *testCloud, f cloudFixture, reads, ids []string, total, slack time.Duration) error {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	lastReboot, lastRead := map[string]time.Time{}, map[string]time.Time{}
	for _, call := range c.Calls() {
		if call.Cloud != f.name {
			continue
		}
		covered := call.DesktopIDs
		switch {
		case call.Operation == f.rebootOp && call.Applied:
			for _, id := range covered {
				lastReboot[id] = call.Time
			}
			continue
		case !slices.Contains(reads, call.Operation) || (call.Fault != "" && call.Fault != string(mockcloud.FaultLatency)):
			continue
		case len(covered) == 0:
			covered = ids // an unfiltered listing covers every desktop
		}
		for _, id := range covered {
			if !want[id] {
				continue
			}
			if call.Status != 200 {
				return fmt.Errorf("%s of desktop %s answered %d %s", call.Operation, id, call.Status, call.ErrorCode)
			}
			lastRead[id] = call.Time
		}
	}
	var early []string
	for _, id := range ids {
		at, ok := lastReboot[id]
		if !ok {
			return fmt.Errorf("desktop %s was never rebooted", id)
		}
		if lastRead[id].Before(at.Add(total - slack)) {
			early = append(early, id)
		}
	}
	if len(early) > 0 {
		return evidence(c, fmt.Sprintf("not read (%v) after their reboot of %v could have finished, before the apply returned with wait", reads, total), early)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Deletes

// desktopsGone checks that each desktop is gone from the mock and was
// deleted exactly once.
func desktopsGone(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		if d, ok := c.Desktop(cloud, id); ok {
			return fmt.Errorf("desktop %s still exists (status %s/%s)", id, d.Status, d.TaskStatus)
		}
	}
	return deletedOnce(c, cloud, ids)
}

// deletedOnce checks that each desktop was deleted exactly once, whatever
// the mock shows of it now.
func deletedOnce(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		if n := c.DeleteCount(cloud, id); n != 1 {
			return fmt.Errorf("desktop %s deleted %d times, want once", id, n)
		}
	}
	return nil
}

// untouched checks that desktops outside the fleet still exist, idle, and
// were never deleted.
func untouched(c *testCloud, cloud string, ids []string) error {
	for _, id := range ids {
		d, ok := c.Desktop(cloud, id)
		if !ok {
			return fmt.Errorf("desktop %s outside the fleet is gone", id)
		}
		if n := c.DeleteCount(cloud, id); n != 0 || d.TaskStatus != "" || d.Status != fixtureOf(cloud).running {
			return fmt.Errorf("desktop %s outside the fleet was touched: %d deletions, status %s/%s", id, n, d.Status, d.TaskStatus)
		}
	}
	return nil
}

// deleteCallsNamed checks that the delete calls since the last ResetCalls
// named exactly want (in any order), each desktop once, at most 100 a call.
func deleteCallsNamed(c *testCloud, f cloudFixture, want []string) error {
	var got []string
	for _, call := range c.CallsTo(f.name, f.deleteOp) {
		if len(call.DesktopIDs) > 100 {
			return fmt.Errorf("a %s call named %d desktops, at most 100 allowed", f.deleteOp, len(call.DesktopIDs))
		}
		got = append(got, call.DesktopIDs...)
	}
	if err := stringsInAnyOrder(want).CheckValue(anyList(got)); err != nil {
		return fmt.Errorf("%s calls: %w", f.deleteOp, err)
	}
	return nil
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// ---------------------------------------------------------------------------
// Evidence from the call log, for failure messages

// callHistory is every call that named the desktop, one line each.
func callHistory(c *testCloud, id string) string {
	var b strings.Builder
	for _, call := range c.Calls() {
		if !slices.Contains(call.DesktopIDs, id) {
			continue
		}
		fmt.Fprintf(&b, "    %s %s status=%d", call.Time.Format("15:04:05.000"), call.Operation, call.Status)
		if call.ErrorCode != "" {
			fmt.Fprintf(&b, " error=%s", call.ErrorCode)
		}
		if call.Fault != "" {
			fmt.Fprintf(&b, " fault=%s", call.Fault)
		}
		fmt.Fprintf(&b, " applied=%t desktops=%d", call.Applied, len(call.DesktopIDs))
		if call.ClientToken != "" {
			fmt.Fprintf(&b, " token=%s", call.ClientToken)
		}
		if call.RequestID != "" {
			fmt.Fprintf(&b, " request_id=%s", call.RequestID)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// evidence is an error naming up to 20 desktops and the call histories of
// up to five.
func evidence(c *testCloud, what string, ids []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d desktops %s: %s", len(ids), what, strings.Join(ids[:min(len(ids), 20)], ", "))
	if len(ids) > 20 {
		b.WriteString(", ...")
	}
	for _, id := range ids[:min(len(ids), 5)] {
		fmt.Fprintf(&b, "\n  calls naming %s:\n%s", id, callHistory(c, id))
	}
	return fmt.Errorf("%s", b.String())
}
