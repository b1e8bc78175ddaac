package provider

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The resilience suite: whole fleets rebooted and deleted through the real
// Terraform CLI while the mock cloud fails about 30% of all calls in every
// transient way it knows, before and after applying them, plus permanent
// failures that must fail the apply desktop by desktop and leave state
// true to the cloud.
//
// Each test runs against its own seeded mock. The seed fixes the fleet's
// IDs and the fault dice; which call meets which throw still depends on
// how concurrent calls interleave, so every fault kind is also injected
// once deterministically (injectNoise) and a bug tied to one kind
// fails every run, not one in ten. RESILIENCE_SEED shifts every seed.
//
// Nothing sleeps: the mock derives desktop status from its own clock, and
// the assertions compare the mock's record (counts, call log, state) with
// Terraform's state and diagnostics.
//
// Most of the run time is not the cloud's but Terraform's, whose commands
// on a 1,000-element desktop_ids take their time, so the tests keep them
// to a minimum on the big fleets.

const (
	// largeFleet is the size of the fleets rebooted and deleted.
	largeFleet = 1000
	// transientRate is the share of all calls that fail transiently.
	transientRate = 0.30
	// injectedLatency is added to latencyRate of the calls.
	injectedLatency = 20 * time.Millisecond
	latencyRate     = 0.10
	// permanentFleet is the size of the fleets with permanent failures.
	permanentFleet = 400
)

// noisyProvider has enough retries for a 30% fault rate (13 attempts all
// failing: about 1 in 6 million) and enough concurrency that a
// 1,000-desktop fleet is not waited for batch by batch.
var noisyProvider = providerOptions{maxRetries: 12, maxConcurrency: 32}

// secondReboot makes a reboot last one second on the mock's clock. That is
// far longer than the provider needs between a lost answer and its
// read-back (a few milliseconds of backoff, a few reads at most), so a
// desktop the read-back finds idle had really not been rebooted, and a
// second reboot can be told apart from a justified resend (see
// excusedReboot).
var secondReboot = mockcloud.Timing{RebootStopping: 500 * time.Millisecond, RebootStarting: 500 * time.Millisecond}

// phasedDelete keeps deletions short but visible in every phase: Alibaba
// Stopping then Deleted, Huawei job WAITING, RUNNING, then DELETED.
var phasedDelete = mockcloud.Timing{
	DeleteStopping: 200 * time.Millisecond, DeletedVisible: 300 * time.Millisecond,
	JobWaiting: 100 * time.Millisecond, JobRunning: 200 * time.Millisecond,
}

// seedFor is base, shifted by RESILIENCE_SEED when set.
func seedFor(t *testing.T, base int64) int64 {
	t.Helper()
	if s := os.Getenv("RESILIENCE_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("RESILIENCE_SEED=%q is not an integer", s)
		}
		base += n
	}
	t.Logf("mock cloud seed %d", base)
	return base
}

// noisyFleet is a mock seeded with seed, holding a fleet of size on f and,
// beside it, three bystanders that nothing may touch.
func noisyFleet(t *testing.T, f cloudFixture, seed int64, timing mockcloud.Timing, size int) (c *testCloud, fleet, bystanders []string) {
	t.Helper()
	c = newSeededCloud(t, seedFor(t, seed), timing)
	return c, c.seed(f, "noisy", size), c.seed(f, "bystander", 3)
}

// The fleets of the suite, each with its base seed: every reboot API and
// each cloud's delete. The permanent-failure tests add 1000 to the seed.
var (
	noisyReboots = []struct {
		api  rebootAPI
		seed int64
	}{{alibabaClientAPI, 4101}, {alibabaAdminAPI, 4102}, {huaweiHardReboot, 4103}}
	noisyDeletes = []struct {
		cloud cloudFixture
		seed  int64
	}{{alibabaCloud, 4201}, {huaweiCloud, 4202}}
)

// ---------------------------------------------------------------------------
// Fault injection

// transientFault is one transient failure and its share of all calls.
type transientFault struct {
	name  string
	fault mockcloud.Fault
	share float64
}

// transientMix is the mix of transient failures for one cloud; the shares
// add up to transientRate. Every kind that can break a response after the
// cloud applied the request comes twice: before apply (the request was not
// applied) and AfterApply (it was, and the answer was lost).
func transientMix(f cloudFixture) []transientFault {
	var mix []transientFault
	if f.name == mockcloud.CloudAlibaba {
		mix = []transientFault{
			{"Throttling", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling"}, 0.02},
			{"Throttling.User+Retry-After", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling.User", RetryAfter: time.Second}, 0.03},
			{"Throttling.Api", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling.Api"}, 0.02},
			{"Rejected.Throttling", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Rejected.Throttling"}, 0.015},
			{"ServiceUnavailable", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "ServiceUnavailable"}, 0.015},
		}
	} else {
		mix = []transientFault{
			{"429", mockcloud.Fault{Kind: mockcloud.FaultThrottle}, 0.035},
			{"429-bare", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "-"}, 0.035},
			{"429+Retry-After", mockcloud.Fault{Kind: mockcloud.FaultThrottle, RetryAfter: time.Second}, 0.03},
		}
	}
	// 500 is Alibaba's InternalError and Huawei's WKS.0500: retried like
	// the gateway errors, after a read-back when it may have been applied.
	for _, status := range []int{500, 502, 503, 504} {
		for _, after := range []bool{false, true} {
			mix = append(mix, transientFault{beforeOrAfterApply(strconv.Itoa(status), after),
				mockcloud.Fault{Kind: mockcloud.FaultServerError, Status: status, AfterApply: after}, 0.0125})
		}
	}
	for _, k := range []struct {
		kind  mockcloud.FaultKind
		share float64
	}{
		{mockcloud.FaultReset, 0.02},
		{mockcloud.FaultHTML, 0.01},
		{mockcloud.FaultTruncatedJSON, 0.01},
		{mockcloud.FaultEmptyBody, 0.01},
	} {
		for _, after := range []bool{false, true} {
			mix = append(mix, transientFault{beforeOrAfterApply(string(k.kind), after), mockcloud.Fault{Kind: k.kind, AfterApply: after}, k.share})
		}
	}
	for i := range mix {
		mix[i].fault.Cloud = f.name
	}
	return mix
}

func beforeOrAfterApply(kind string, after bool) string {
	if after {
		return kind + "/after-apply"
	}
	return kind + "/before-apply"
}

// injectedFaults is what was injected into one mock, to check afterwards
// that it all fired.
type injectedFaults struct {
	guaranteed map[int]string // fault ID -> description
}

// injectNoise arms the mock: first, when certain, every transient kind
// once, for certain, on the action call (actionOp) and on each read the
// operation makes (readOps; before-apply kinds only, a read applies
// nothing); then the random mix on every call, each variant firing on its
// share of all calls; then latency on latencyRate of calls. Faults are
// tried in order, so the certain ones go first, and variant i of the mix
// gets the probability share_i / (1 - share_0 - ... - share_{i-1}) that
// makes its overall share right.
func injectNoise(t *testing.T, c *testCloud, f cloudFixture, actionOp string, readOps []string, certain bool) *injectedFaults {
	t.Helper()
	mix := transientMix(f)
	total := 0.0
	for _, v := range mix {
		total += v.share
	}
	if total < transientRate-1e-9 || total > transientRate+1e-9 {
		t.Fatalf("the transient mix adds up to %.3f of calls, want %.2f", total, transientRate)
	}
	injected := &injectedFaults{guaranteed: map[int]string{}}
	for _, op := range append([]string{actionOp}, readOps...) {
		if !certain {
			break
		}
		for _, v := range mix {
			if op != actionOp && v.fault.AfterApply {
				continue
			}
			fault := v.fault
			fault.Operation, fault.Count = op, 1
			injected.guaranteed[c.InjectFault(fault)] = op + " " + v.name
		}
	}
	cum := 0.0
	for _, v := range mix {
		fault := v.fault
		fault.Probability = v.share / (1 - cum)
		cum += v.share
		c.InjectFault(fault)
	}
	c.InjectFault(mockcloud.Fault{Cloud: f.name, Kind: mockcloud.FaultLatency, Latency: injectedLatency, Probability: latencyRate})
	return injected
}

// check says whether every certain fault fired, and whether the random
// mix failed about the intended share of the other calls.
func (injected *injectedFaults) check(c *testCloud) error {
	var missed []string
	certain := 0
	for _, info := range c.Faults() {
		if name, ok := injected.guaranteed[info.ID]; ok {
			certain += info.Fired
			if info.Fired != 1 {
				missed = append(missed, name)
			}
		}
	}
	if len(missed) > 0 {
		slices.Sort(missed)
		return fmt.Errorf("these faults never met a call, so the run did not test them: %s", strings.Join(missed, ", "))
	}
	calls := c.Calls()
	failed := 0
	for _, call := range calls {
		if call.Fault != "" && call.Fault != string(mockcloud.FaultLatency) {
			failed++
		}
	}
	// Wide bounds: a few hundred calls leave the share a few points
	// either side of 30%; the point is to catch a mix that is off.
	random, n := failed-certain, len(calls)-certain
	if rate := float64(random) / float64(n); n < 40 || rate < 0.1 || rate > 0.5 {
		return fmt.Errorf("the random mix failed %d of %d calls (%.0f%%), not about %.0f%%",
			random, n, 100*rate, 100*transientRate)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reboots under transient failures

// excusedReboot reports whether the second and later reboots of a Huawei
// desktop were forced on the provider: Huawei has no idempotence token, so
// after a lost answer the provider reads the desktop back and resends if
// it looks idle. That read can only have seen it idle if it arrived after
// the earlier reboot, whose answer was lost, had finished. With
// secondReboot that takes a read a whole second late, so in practice this
// never excuses anything; it is the log's word, not ours. (With instant
// reboots it excuses the resends that follow a read-back, and still
// catches a provider that resends without reading back.)
func excusedReboot(c *testCloud, op, id string) bool {
	total := secondReboot.RebootStopping + secondReboot.RebootStarting
	var last *mockcloud.Call
	excused := true
	calls := c.Calls()
	for i := range calls {
		call := &calls[i]
		if call.Operation != op || !call.Applied || !slices.Contains(call.DesktopIDs, id) {
			continue
		}
		if last != nil {
			lateRead := false
			for _, r := range calls {
				if (r.Operation == "ListDesktopsDetail" || r.Operation == "ShowDesktopDetail") && r.Status == 200 &&
					(r.Fault == "" || r.Fault == string(mockcloud.FaultLatency)) &&
					slices.Contains(r.DesktopIDs, id) && !r.Time.Before(last.Time.Add(total)) && r.Time.Before(call.Time) {
					lateRead = true
				}
			}
			lost := last.Fault != "" && last.Fault != string(mockcloud.FaultLatency)
			excused = excused && lost && lateRead
		}
		last = call
	}
	return excused
}

// requestIDsOfCalls are the request IDs the mock answered the calls of op
// with (a reset or an HTML page carries none), one per call, replays of a
// ClientToken included: what request_ids must hold.
func requestIDsOfCalls(c *testCloud, f cloudFixture, op string) func() []string {
	return func() []string {
		var ids []string
		for _, call := range c.CallsTo(f.name, op) {
			if call.RequestID != "" {
				ids = append(ids, call.RequestID)
			}
		}
		return ids
	}
}

// rebootedOnce checks that every desktop of ids was rebooted exactly once
// (Huawei: at least once, and more only where excusedReboot finds the log
// forced it) and that none of others was rebooted.
func rebootedOnce(t *testing.T, c *testCloud, api rebootAPI, ids, others []string) error {
	var never, twice []string
	for _, id := range ids {
		switch n := c.RebootCount(api.cloud.name, id); {
		case n == 0:
			never = append(never, id)
		case n > 1 && api.cloud.name == mockcloud.CloudHuawei && excusedReboot(c, api.cloud.rebootOp, id):
			t.Logf("desktop %s rebooted %d times: the call log shows the read-back after a lost answer came after that reboot had finished", id, n)
		case n > 1:
			twice = append(twice, id)
		}
	}
	if len(twice) > 0 {
		return evidence(c, "rebooted more than once", twice)
	}
	if len(never) > 0 {
		return evidence(c, "never rebooted", never)
	}
	var stray []string
	for _, id := range others {
		if c.RebootCount(api.cloud.name, id) != 0 {
			stray = append(stray, id)
		}
	}
	if len(stray) > 0 {
		return evidence(c, "rebooted that the configuration does not name", stray)
	}
	return nil
}

// backUpInTime checks that every desktop of ids is back up on the mock,
// and, from the call log, that the provider did not return before: for
// each desktop, some status read that the mock answered normally arrived
// no earlier than the desktop's last applied reboot plus the reboot's
// length (less the injected latency: a read's arrival is recorded before
// it). Checking the mock's state after the apply is not enough: Terraform
// takes longer than a reboot to get from the end of the apply to the
// check.
func backUpInTime(c *testCloud, api rebootAPI, ids []string) error {
	if err := everyDesktopBackUp(c, api.cloud.name, ids); err != nil {
		return fmt.Errorf("wait = true returned, but %w", err)
	}
	return waitedUntilBackUp(c, api.cloud, api.cloud.rebootWaitReads, ids,
		secondReboot.RebootStopping+secondReboot.RebootStarting, injectedLatency+10*time.Millisecond)
}

// rebootCallsUnderNoise checks the shape of every reboot call, and that
// the lost answers the suite is about really happened and were handled
// the safe way: the client API resent with the same ClientToken (and the
// mock answered from its token cache), the others read back first.
func rebootCallsUnderNoise(c *testCloud, api rebootAPI, ids []string) error {
	calls := c.CallsTo(api.cloud.name, api.cloud.rebootOp)
	lost := 0
	for _, call := range calls {
		if err := api.checkCall(call); err != nil {
			return err
		}
		if len(call.DesktopIDs) > api.maxBatch {
			return fmt.Errorf("a reboot call named %d desktops, more than the API's %d", len(call.DesktopIDs), api.maxBatch)
		}
		if call.Applied && call.Fault != "" {
			lost++
		}
	}
	if lost == 0 {
		return fmt.Errorf("no reboot call was applied and its answer lost: the run did not test ambiguous failures")
	}
	if !api.clientAPI {
		return nil
	}
	byToken := map[string][]mockcloud.Call{}
	for _, call := range calls {
		byToken[call.ClientToken] = append(byToken[call.ClientToken], call)
	}
	if batches := api.batches(len(ids)); len(byToken) != batches {
		return fmt.Errorf("%d distinct ClientTokens for %d batches: every retry of a batch must repeat its token", len(byToken), batches)
	}
	replays := 0
	for token, tc := range byToken {
		first := slices.Sorted(slices.Values(tc[0].DesktopIDs))
		applied := false
		for _, call := range tc {
			if !slices.Equal(slices.Sorted(slices.Values(call.DesktopIDs)), first) {
				return fmt.Errorf("ClientToken %s was sent with different desktops", token)
			}
			if applied && call.Status == 200 && !call.Applied {
				replays++
			}
			applied = applied || call.Applied
		}
	}
	if replays == 0 {
		return fmt.Errorf("no retry was answered from the ClientToken cache: idempotence was not exercised")
	}
	return nil
}

// TestAccResilience_reboot reboots 1,000 desktops on each cloud and API
// with 30% of calls failing transiently, before and after being applied,
// and checks that the apply completes, each desktop was rebooted exactly
// once, every desktop is back up, and request_ids match the mock's log.
func TestAccResilience_reboot(t *testing.T) {
	for _, tt := range noisyReboots {
		api := tt.api
		t.Run(api.name, func(t *testing.T) {
			c, ids, others := noisyFleet(t, api.cloud, tt.seed, secondReboot, largeFleet)
			var faults *injectedFaults

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				// Destroy only forgets: nothing is rebooted again.
				CheckDestroy: onMockAfterDestroy(func() error { return rebootedOnce(t, c, api, ids, others) }),
				Steps: []resource.TestStep{{
					PreConfig: func() { faults = injectNoise(t, c, api.cloud, api.cloud.rebootOp, api.cloud.rebootWaitReads, true) },
					Config:    c.providerBlockWith(noisyProvider) + api.resource(ids, waitLine(true)),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("desktop_ids"), knownvalue.ListSizeExact(largeFleet)),
						statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("rebooted_at"), rfc3339()),
						statecheck.ExpectKnownValue(rebootAddr, tfjsonpath.New("request_ids"),
							stringsInAnyOrderFrom(requestIDsOfCalls(c, api.cloud, api.cloud.rebootOp))),
						onMock(
							func() error { return rebootedOnce(t, c, api, ids, others) },
							func() error { return backUpInTime(c, api, ids) },
							func() error { return rebootCallsUnderNoise(c, api, ids) },
							func() error { return faults.check(c) },
						),
					},
				}},
			})
		})
	}
}

// ---------------------------------------------------------------------------
// Batch deletes under transient failures

// deletedExactlyOnce checks that every desktop of ids is gone as users see
// it (absent, or Deleted/DELETED for a while) and was deleted exactly once,
// and that each of kept still exists and was never deleted.
func deletedExactlyOnce(c *testCloud, f cloudFixture, ids, kept []string) error {
	var left, twice, never []string
	for _, id := range ids {
		if d, ok := c.Desktop(f.name, id); ok && !strings.EqualFold(d.Status, "deleted") {
			left = append(left, id)
		}
		switch n := c.DeleteCount(f.name, id); {
		case n == 0:
			never = append(never, id)
		case n > 1:
			twice = append(twice, id)
		}
	}
	switch {
	case len(twice) > 0:
		return evidence(c, "deleted more than once", twice)
	case len(never) > 0:
		return evidence(c, "never deleted", never)
	case len(left) > 0:
		return evidence(c, "still there", left)
	}
	for _, id := range kept {
		if _, ok := c.Desktop(f.name, id); !ok || c.DeleteCount(f.name, id) != 0 {
			return evidence(c, "deleted that the resource does not hold", []string{id})
		}
	}
	return nil
}

// TestAccResilience_batchDelete deletes 1,000 desktops on each cloud with
// 30% of calls failing transiently, and checks that destroy completes,
// each desktop was deleted exactly once, nothing else was touched, and
// state and cloud agree that the fleet is gone.
func TestAccResilience_batchDelete(t *testing.T) {
	for _, tt := range noisyDeletes {
		f := tt.cloud
		t.Run(f.name, func(t *testing.T) {
			c, ids, kept := noisyFleet(t, f, tt.seed, phasedDelete, largeFleet)
			var faults *injectedFaults

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				// The test's own destroy deletes the fleet (a step that
				// removes the block would refresh 1,000 desktops first, which
				// costs seconds of CPU and tests nothing more).
				CheckDestroy: onMockAfterDestroy(
					func() error { return deletedExactlyOnce(c, f, ids, kept) },
					func() error { return faults.check(c) },
				),
				Steps: []resource.TestStep{{
					// Taking the fleet on calls nothing, faults or not.
					PreConfig:         func() { faults = injectNoise(t, c, f, f.deleteOp, f.deleteWaitReads, true) },
					Config:            c.providerBlockWith(noisyProvider) + hclResource(deleteType, "fleet", f.name, ids),
					ConfigStateChecks: []statecheck.StateCheck{onMock(noCloudCalls(c, "create"))},
				}},
			})
		})
	}
}

// ---------------------------------------------------------------------------
// Permanent failures, under the same transient noise

// batchOf returns the sorted batch of size that holds id, the way
// fleet.Run cuts a fleet.
func batchOf(ids []string, size int, id string) []string {
	sorted := slices.Sorted(slices.Values(ids))
	i := slices.Index(sorted, id)
	start := i / size * size
	return sorted[start:min(start+size, len(sorted))]
}

// linePattern is a pattern of failure lines.
func linePattern(format string, args ...any) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(format, args...))
}

// expectAll expects re of the failure line of each of ids.
func expectAll(ids []string, re *regexp.Regexp, into map[string]*regexp.Regexp) {
	for _, id := range ids {
		into[id] = re
	}
}

// refuseCallsNaming fails every call of op that names id with status and
// code: the whole call fails, and with it every desktop of that batch.
func refuseCallsNaming(f cloudFixture, op, id string, status int, code string) mockcloud.Fault {
	return mockcloud.Fault{
		Cloud: f.name, Operation: op, Kind: mockcloud.FaultError, Status: status, Code: code,
		Message: fmt.Sprintf("Injected permanent failure %d.", status), DesktopIDs: []string{id},
	}
}

// plantFailures arms a mock with permanent failures (faults, desktops in
// the wrong state) for a fleet and returns which desktops must fail and
// which may, with the pattern of their failure lines.
type plantFailures func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp)

// TestAccResilience_deletePermanentFailures plants 403s, 409s and cloud
// refusals (Huawei FAILED sub-jobs, Alibaba subscription desktops) in a
// fleet, under the same transient noise, and checks that destroy fails
// with one line per undeleted desktop, that state keeps exactly those
// (a configuration naming them plans no change), and that once the cloud
// recovers the next destroy deletes only them, each exactly once.
func TestAccResilience_deletePermanentFailures(t *testing.T) {
	tests := []struct {
		plant plantFailures
		// cure undoes what plant did to the desktops, so that the next
		// attempt can succeed.
		cure func(c *testCloud, sorted []string)
	}{
		{
			plant: func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp) {
				must = map[string]*regexp.Regexp{}
				c.InjectFault(refuseCallsNaming(alibabaCloud, "DeleteDesktops", sorted[150], 403, "Forbidden.RAM"))
				c.InjectFault(refuseCallsNaming(alibabaCloud, "DeleteDesktops", sorted[250], 409, "OperationConflict"))
				expectAll(batchOf(sorted, 100, sorted[150]), linePattern(`^alibaba DeleteDesktops failed \(HTTP 403\): Forbidden\.RAM: .*; request ID \S+$`), must)
				expectAll(batchOf(sorted, 100, sorted[250]), linePattern(`^alibaba DeleteDesktops failed \(HTTP 409\): OperationConflict: .*; request ID \S+$`), must)
				// A subscription desktop makes the API refuse its whole call.
				c.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: alibabaCloud.scope, ID: sorted[333], ChargeType: "PrePaid"})
				expectAll(batchOf(sorted, 100, sorted[333]), linePattern(`^alibaba DeleteDesktops failed \(HTTP 400\): InvalidChargeType\.Unsupported: .*; request ID \S+$`), must)
				return must, nil
			},
			cure: func(c *testCloud, sorted []string) {
				c.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: alibabaCloud.scope, ID: sorted[333], ChargeType: "PostPaid"})
			},
		},
		{
			plant: func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp) {
				must = map[string]*regexp.Regexp{}
				c.InjectFault(refuseCallsNaming(huaweiCloud, "BatchDeleteDesktops", sorted[150], 403, "WKS.0403"))
				c.InjectFault(refuseCallsNaming(huaweiCloud, "BatchDeleteDesktops", sorted[250], 409, "WKS.0409"))
				expectAll(batchOf(sorted, 100, sorted[150]), linePattern(`^huawei BatchDeleteDesktops failed \(HTTP 403\): WKS\.0403: .*; request ID \S+$`), must)
				expectAll(batchOf(sorted, 100, sorted[250]), linePattern(`^huawei BatchDeleteDesktops failed \(HTTP 409\): WKS\.0409: .*; request ID \S+$`), must)
				// FAILED sub-jobs in two other batches. Followed through
				// the job they fail with its code; a desktop whose job ID
				// was lost with the answer is followed through the
				// listing, which shows task_status deleteFailed.
				failing := []string{sorted[5], sorted[77], sorted[320], sorted[399]}
				c.InjectFault(mockcloud.Fault{Cloud: huaweiCloud.name, Kind: mockcloud.FaultJobFailed, DesktopIDs: failing})
				expectAll(failing, linePattern(`^huawei BatchDeleteDesktops failed: (WKS\.0500: .*\(job \S+\)|the cloud could not delete the desktop \(task_status deleteFailed\)); request ID \S+`), must)
				return must, nil
			},
			cure: func(*testCloud, []string) {},
		},
	}
	for i, tt := range tests {
		f, seed := noisyDeletes[i].cloud, noisyDeletes[i].seed
		t.Run(f.name, func(t *testing.T) {
			c, ids, kept := noisyFleet(t, f, seed+1000, phasedDelete, permanentFleet)
			sorted := slices.Sorted(slices.Values(ids))
			// Arm everything now: taking the fleet on calls nothing, and
			// the follow-up configuration needs to know what will be left.
			must, may := tt.plant(c, sorted)
			var permanent []int
			for _, fault := range c.Faults() {
				permanent = append(permanent, fault.ID)
			}
			// No certain faults here: with two of four batches refused,
			// two dozen of them in a row could use up a batch's retries.
			injectNoise(t, c, f, f.deleteOp, nil, false)
			// In the order the configuration lists them, as state keeps it.
			undeleted := without(ids, without(ids, slices.Collect(maps.Keys(must))))
			if len(may) != 0 {
				t.Fatal("a delete test cannot have desktops that may or may not fail: the follow-up configuration names the undeleted ones")
			}
			diags := &diagRecorder{}
			fleet := func(ids []string) string { return hclResource(deleteType, "fleet", f.name, ids) }

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: diags.factories(),
				CheckDestroy:             onMockAfterDestroy(func() error { return deletedExactlyOnce(c, f, ids, kept) }),
				Steps: failedDestroy{
					c: c, provider: c.providerBlockWith(noisyProvider), fleet: fleet, all: ids, left: undeleted,
					want: regexp.MustCompile(fmt.Sprintf(`Could not delete %d of %d desktops`, len(undeleted), len(ids))),
					checks: []func() error{func() error {
						lines, err := failureLines(diags.take(), "delete", len(ids))
						if err != nil {
							return err
						}
						return expectLines(lines, must, may)
					},
						func() error {
							var deleted []string
							for _, id := range ids {
								if _, failed := must[id]; !failed {
									deleted = append(deleted, id)
								} else if _, ok := c.Desktop(f.name, id); !ok || c.DeleteCount(f.name, id) != 0 {
									return evidence(c, "reported undeleted but deleted on the cloud", []string{id})
								}
							}
							return deletedExactlyOnce(c, f, deleted, kept)
						}},
				}.steps(destroyRest(c.providerBlockWith(noisyProvider),
					// Once the cloud recovers (the transient noise stays),
					// destroy deletes the rest, each exactly once.
					func() {
						for _, id := range permanent {
							c.RemoveFault(id)
						}
						tt.cure(c, sorted)
					},
					func() error { return deletedExactlyOnce(c, f, ids, kept) },
				)),
			})
		})
	}
}

// TestAccResilience_rebootPermanentFailures plants 403s and desktops in
// the wrong state (Huawei SHUTOFF, listed one by one in
// failed_operation_list; Alibaba Stopped, which makes the API refuse the
// whole call) in a fleet, under the same transient noise, and checks that
// the apply fails with exactly one line per desktop not rebooted, that
// every other desktop was rebooted exactly once and is back up, and that
// nothing is left in state (the reboot as a whole did not happen).
func TestAccResilience_rebootPermanentFailures(t *testing.T) {
	// A Stopped desktop fails either with the API's refusal of its whole
	// call, or, when the read-back after a lost answer found it Stopped
	// (neither Running nor rebooting), with that lost answer's error (a
	// reset has no request ID) and the status seen.
	stoppedOrLost := `(IncorrectDesktopStatus: .*; request ID \S+| \(last status Stopped\))$`
	plants := []plantFailures{
		func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp) {
			must = map[string]*regexp.Regexp{}
			c.InjectFault(refuseCallsNaming(alibabaCloud, "RebootDesktops", sorted[150], 403, "Forbidden"))
			expectAll(batchOf(sorted, 20, sorted[150]), linePattern(`^alibaba RebootDesktops failed \(HTTP 403\): Forbidden: .*; request ID \S+$`), must)
			// The client API cannot read back, so a Stopped desktop
			// fails its whole call, retries and all.
			c.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: alibabaCloud.scope, ID: sorted[260], Status: alibabaCloud.stopped})
			expectAll(batchOf(sorted, 20, sorted[260]), linePattern(`^alibaba RebootDesktops failed \(HTTP 400\): IncorrectDesktopStatus: .*; request ID \S+$`), must)
			return must, nil
		},
		func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp) {
			must, may = map[string]*regexp.Regexp{}, map[string]*regexp.Regexp{}
			c.InjectFault(refuseCallsNaming(alibabaCloud, "RebootDesktops", sorted[150], 403, "Forbidden"))
			expectAll(batchOf(sorted, 100, sorted[150]), linePattern(`^alibaba RebootDesktops failed \(HTTP 403\): Forbidden: .*; request ID \S+$`), must)
			// A Stopped desktop fails its whole call; but after a lost
			// answer the admin API reads the batch back and resends
			// only the Running ones, which then reboot.
			c.AddDesktops(mockcloud.Desktop{Cloud: alibabaCloud.name, Region: alibabaCloud.scope, ID: sorted[260], Status: alibabaCloud.stopped})
			expectAll(batchOf(sorted, 100, sorted[260]), linePattern(`^alibaba RebootDesktops failed \(HTTP 400\): IncorrectDesktopStatus: .*; request ID \S+$`), may)
			delete(may, sorted[260])
			must[sorted[260]] = linePattern(`^alibaba RebootDesktops failed.*%s`, stoppedOrLost)
			return must, may
		},
		func(c *testCloud, sorted []string) (must, may map[string]*regexp.Regexp) {
			must = map[string]*regexp.Regexp{}
			c.InjectFault(refuseCallsNaming(huaweiCloud, "BatchRunDesktops", sorted[150], 403, "WKS.0403"))
			expectAll(batchOf(sorted, 100, sorted[150]), linePattern(`^huawei BatchRunDesktops failed \(HTTP 403\): WKS\.0403: .*; request ID \S+$`), must)
			// SHUTOFF desktops come back in failed_operation_list; the
			// rest of their call goes ahead.
			for _, id := range []string{sorted[10], sorted[260], sorted[399]} {
				c.AddDesktops(mockcloud.Desktop{Cloud: huaweiCloud.name, Region: huaweiCloud.scope, ID: id, Status: huaweiCloud.stopped})
				must[id] = linePattern(`^huawei BatchRunDesktops failed \(HTTP 200\): WKS\.0409: desktop is SHUTOFF.*; request ID \S+$`)
			}
			return must, nil
		},
	}
	for i, plant := range plants {
		api, seed := noisyReboots[i].api, noisyReboots[i].seed
		t.Run(api.name, func(t *testing.T) {
			c, ids, others := noisyFleet(t, api.cloud, seed+1000, secondReboot, permanentFleet)
			must, may := plant(c, slices.Sorted(slices.Values(ids)))
			injectNoise(t, c, api.cloud, api.cloud.rebootOp, nil, false)
			diags := &diagRecorder{}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: diags.factories(),
				Steps: []resource.TestStep{
					{
						Config:      c.providerBlockWith(noisyProvider) + api.resource(ids, waitLine(true)),
						ExpectError: regexp.MustCompile(fmt.Sprintf(`Could not reboot \d+ of %d desktops`, len(ids))),
					},
					{
						// Nothing in state: a plan with the block removed is
						// empty, and the next apply of it would reboot again.
						Config: c.providerBlockWith(noisyProvider),
						ConfigStateChecks: []statecheck.StateCheck{
							expectNoResource(rebootAddr),
							onMock(func() error {
								lines, err := failureLines(diags.take(), "reboot", len(ids))
								if err != nil {
									return err
								}
								if err := expectLines(lines, must, may); err != nil {
									return err
								}
								// The lines are the truth: a desktop listed
								// was not rebooted, every other one was,
								// once, and is back up.
								var rebooted, listed []string
								for _, id := range ids {
									if _, failed := lines[id]; failed {
										listed = append(listed, id)
									} else {
										rebooted = append(rebooted, id)
									}
								}
								for _, id := range listed {
									if n := c.RebootCount(api.cloud.name, id); n != 0 {
										return evidence(c, fmt.Sprintf("reported not rebooted but rebooted %d times", n), []string{id})
									}
								}
								if err := rebootedOnce(t, c, api, rebooted, others); err != nil {
									return err
								}
								return backUpInTime(c, api, rebooted)
							}),
						},
					},
				},
			})
		})
	}
}
