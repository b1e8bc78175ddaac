package provider

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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
// once deterministically (resilInject) and a bug tied to one kind
// fails every run, not one in ten. RESILIENCE_SEED shifts every seed.
//
// Nothing sleeps: the mock derives desktop status from its own clock, and
// the assertions compare the mock's record (counts, call log, state) with
// Terraform's state and diagnostics.
//
// Most of the run time is not the cloud's: a 1,000-element desktop_ids set
// costs the framework seconds of CPU per plan, apply and refresh (its set
// semantic-equality check compares every element with every other), so
// the tests keep Terraform commands on the big fleets to a minimum.

const (
	resilFleetSize   = 1000
	resilFaultRate   = 0.30
	resilMaxRetries  = 12
	resilConcurrency = 32
	resilLatency     = 20 * time.Millisecond
	resilLatencyRate = 0.10

	resilRebootAddr = "clouddesktop_desktop_reboot.fleet"
	resilDeleteAddr = "clouddesktop_desktop_batch_delete.fleet"
)

// resilRebootTiming makes a reboot last one second on the mock's clock.
// That is far longer than the provider needs between a lost answer and
// its read-back (a few milliseconds of backoff, a few reads at most), so
// a desktop the read-back finds idle had really not been rebooted, and a
// second reboot can be told apart from a justified resend (see
// resilExcusedReboot).
var resilRebootTiming = mockcloud.Timing{RebootStopping: 500 * time.Millisecond, RebootStarting: 500 * time.Millisecond}

// resilDeleteTiming keeps deletions short but visible in every phase:
// Alibaba Stopping then Deleted, Huawei job WAITING, RUNNING, then DELETED.
var resilDeleteTiming = mockcloud.Timing{
	DeleteStopping: 200 * time.Millisecond, DeletedVisible: 300 * time.Millisecond,
	JobWaiting: 100 * time.Millisecond, JobRunning: 200 * time.Millisecond,
}

// resilSeed is base, shifted by RESILIENCE_SEED when set.
func resilSeed(t *testing.T, base int64) int64 {
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

// newResilCloud is newTestCloud with a seed of the test's choosing.
func newResilCloud(t *testing.T, seed int64, timing mockcloud.Timing) *testCloud {
	t.Helper()
	cfg := mockcloud.DemoConfig()
	cfg.Seed = seed
	cfg.Timing = timing
	srv := mockcloud.New(cfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testCloud{Server: srv, URL: hs.URL}
}

// resilProviderBlock is providerBlock with enough retries for a 30% fault
// rate (13 attempts all failing: about 1 in 6 million) and enough
// concurrency that a 1,000-desktop fleet is not waited for batch by batch.
func resilProviderBlock(c *testCloud) string {
	return c.providerBlockWith(providerOptions{maxRetries: resilMaxRetries, maxConcurrency: resilConcurrency})
}

// ---------------------------------------------------------------------------
// Fault injection

// resilVariant is one transient failure and its share of all calls.
type resilVariant struct {
	name  string
	fault mockcloud.Fault
	share float64
}

// resilTransientMix is the mix of transient failures for one cloud; the
// shares add up to resilFaultRate. Every kind that can break a response
// after the cloud applied the request comes twice: before apply (the
// request was not applied) and AfterApply (it was, and the answer was
// lost).
func resilTransientMix(cloud string) []resilVariant {
	var mix []resilVariant
	if cloud == mockcloud.CloudAlibaba {
		mix = []resilVariant{
			{"Throttling", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling"}, 0.02},
			{"Throttling.User+Retry-After", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling.User", RetryAfter: time.Second}, 0.03},
			{"Throttling.Api", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Throttling.Api"}, 0.02},
			{"Rejected.Throttling", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "Rejected.Throttling"}, 0.015},
			{"ServiceUnavailable", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "ServiceUnavailable"}, 0.015},
		}
	} else {
		mix = []resilVariant{
			{"429", mockcloud.Fault{Kind: mockcloud.FaultThrottle}, 0.035},
			{"429-bare", mockcloud.Fault{Kind: mockcloud.FaultThrottle, Code: "-"}, 0.035},
			{"429+Retry-After", mockcloud.Fault{Kind: mockcloud.FaultThrottle, RetryAfter: time.Second}, 0.03},
		}
	}
	// 500 is Alibaba's InternalError and Huawei's WKS.0500: retried like
	// the gateway errors, after a read-back when it may have been applied.
	for _, status := range []int{500, 502, 503, 504} {
		for _, after := range []bool{false, true} {
			mix = append(mix, resilVariant{resilName(strconv.Itoa(status), after),
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
			mix = append(mix, resilVariant{resilName(string(k.kind), after), mockcloud.Fault{Kind: k.kind, AfterApply: after}, k.share})
		}
	}
	for i := range mix {
		mix[i].fault.Cloud = cloud
	}
	return mix
}

func resilName(kind string, after bool) string {
	if after {
		return kind + "/after-apply"
	}
	return kind + "/before-apply"
}

// resilFaults is what was injected into one mock, to check afterwards that
// it all fired.
type resilFaults struct {
	guaranteed map[int]string // fault ID -> description
}

// resilInject arms the mock: first, when certain, every transient kind
// once, for certain, on the action call (actionOp) and on each read the
// operation makes (readOps; before-apply kinds only, a read applies
// nothing); then the
// random mix on every call, each variant firing on its share of all
// calls; then latency on resilLatencyRate of calls. Faults are tried in
// order, so the certain ones go first, and variant i of the mix gets the
// probability share_i / (1 - share_0 - ... - share_{i-1}) that makes its
// overall share right.
func resilInject(t *testing.T, c *testCloud, cloud, actionOp string, readOps []string, certain bool) *resilFaults {
	t.Helper()
	mix := resilTransientMix(cloud)
	total := 0.0
	for _, v := range mix {
		total += v.share
	}
	if total < resilFaultRate-1e-9 || total > resilFaultRate+1e-9 {
		t.Fatalf("the transient mix adds up to %.3f of calls, want %.2f", total, resilFaultRate)
	}
	rf := &resilFaults{guaranteed: map[int]string{}}
	for _, op := range append([]string{actionOp}, readOps...) {
		if !certain {
			break
		}
		for _, v := range mix {
			if op != actionOp && v.fault.AfterApply {
				continue
			}
			f := v.fault
			f.Operation, f.Count = op, 1
			rf.guaranteed[c.InjectFault(f)] = op + " " + v.name
		}
	}
	cum := 0.0
	for _, v := range mix {
		f := v.fault
		f.Probability = v.share / (1 - cum)
		cum += v.share
		c.InjectFault(f)
	}
	c.InjectFault(mockcloud.Fault{Cloud: cloud, Kind: mockcloud.FaultLatency, Latency: resilLatency, Probability: resilLatencyRate})
	return rf
}

// check says whether every certain fault fired, and whether the random
// mix failed about the intended share of the other calls.
func (rf *resilFaults) check(c *testCloud) error {
	var missed []string
	certain := 0
	for _, info := range c.Faults() {
		if name, ok := rf.guaranteed[info.ID]; ok {
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
			random, n, 100*rate, 100*resilFaultRate)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Diagnostics as the provider returned them

// resilDiags records the error diagnostics of every apply, so that a test
// can check each per-desktop line rather than match a regular expression
// over hundreds of them.
type resilDiags struct {
	mu     sync.Mutex
	errors []string // summary + "\n" + detail
}

func (d *resilDiags) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"clouddesktop": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return &resilRecordingServer{ProviderServer: s, diags: d}, nil
		},
	}
}

func (d *resilDiags) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.errors
	d.errors = nil
	return out
}

type resilRecordingServer struct {
	tfprotov6.ProviderServer
	diags *resilDiags
}

func (s *resilRecordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.diags.mu.Lock()
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				s.diags.errors = append(s.diags.errors, d.Summary+"\n"+d.Detail)
			}
		}
		s.diags.mu.Unlock()
	}
	return resp, err
}

// resilSummary is the summary of the provider's error for a fleet operation.
var resilSummary = regexp.MustCompile(`^Could not (\w+) (\d+) of (\d+) desktops$`)

// resilFailureLines parses the one error an apply returned into its
// per-desktop lines ("  <id>: <message>", or a reason shared by many,
// "  <n> desktops: <message>", then "    <id>, <id>, ..."), by desktop ID,
// and checks that
// the summary names the operation, the fleet's size and as many desktops
// as there are lines. A desktop listed twice, or a "not processed"
// section, is an error.
func resilFailureLines(errs []string, operation string, total int) (map[string]string, error) {
	if len(errs) != 1 {
		return nil, fmt.Errorf("the apply returned %d errors, want 1: %q", len(errs), errs)
	}
	summary, detail, _ := strings.Cut(errs[0], "\n")
	m := resilSummary.FindStringSubmatch(summary)
	if m == nil || m[1] != operation || m[3] != strconv.Itoa(total) {
		return nil, fmt.Errorf("error summary %q, want \"Could not %s N of %d desktops\"", summary, operation, total)
	}
	if strings.Contains(detail, "Not processed") {
		return nil, fmt.Errorf("some desktops were never processed:\n%s", detail)
	}
	lines := map[string]string{}
	add := func(id, msg string) error {
		if _, dup := lines[id]; dup {
			return fmt.Errorf("desktop %s is listed twice", id)
		}
		lines[id] = msg
		return nil
	}
	group := "" // the reason of the group whose IDs follow
	for _, line := range strings.Split(detail, "\n") {
		if ids, ok := strings.CutPrefix(line, "    "); ok && group != "" {
			// IDs of a reason shared by many: "    id, id, ..."
			for _, id := range strings.Split(ids, ", ") {
				if err := add(id, group); err != nil {
					return nil, err
				}
			}
			continue
		}
		rest, ok := strings.CutPrefix(line, "  ")
		if !ok {
			group = ""
			continue
		}
		id, msg, ok := strings.Cut(rest, ": ")
		if !ok {
			return nil, fmt.Errorf("failure line %q does not start with a desktop ID", line)
		}
		if n, isGroup := strings.CutSuffix(id, " desktops"); isGroup && n != "" && strings.Trim(n, "0123456789") == "" {
			group = msg
			continue
		}
		group = ""
		if err := add(id, msg); err != nil {
			return nil, err
		}
	}
	if m[2] != strconv.Itoa(len(lines)) {
		return nil, fmt.Errorf("error summary %q, but %d desktops are listed", summary, len(lines))
	}
	return lines, nil
}

// ---------------------------------------------------------------------------
// The call log as evidence

// resilHistory is every call that named the desktop, one line each, for
// a failure message.
func resilHistory(c *testCloud, id string) string {
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

// resilEvidence formats the histories of up to five desktops.
func resilEvidence(c *testCloud, what string, ids []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d desktops %s: %s", len(ids), what, strings.Join(ids[:min(len(ids), 20)], ", "))
	if len(ids) > 20 {
		b.WriteString(", ...")
	}
	for _, id := range ids[:min(len(ids), 5)] {
		fmt.Fprintf(&b, "\n  calls naming %s:\n%s", id, resilHistory(c, id))
	}
	return fmt.Errorf("%s", b.String())
}

// resilExcusedReboot reports whether the second and later reboots of a
// Huawei desktop were forced on the provider: Huawei has no idempotence
// token, so after a lost answer the provider reads the desktop back and
// resends if it looks idle. That read can only have seen it idle if it
// arrived after the earlier reboot, whose answer was lost, had finished.
// With resilRebootTiming that takes a read a whole second late, so in
// practice this never excuses anything; it is the log's word, not ours.
// (With instant reboots it excuses the resends that follow a read-back,
// and still catches a provider that resends without reading back.)
func resilExcusedReboot(c *testCloud, op, id string) bool {
	total := resilRebootTiming.RebootStopping + resilRebootTiming.RebootStarting
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

// resilRequestIDs checks that request_ids in state are exactly the request
// IDs the mock answered the action calls with (a reset or an HTML page
// carries none), one per call, replays of a ClientToken included.
func resilRequestIDs(s *terraform.State, c *testCloud, cloud, op string) error {
	rs, ok := s.RootModule().Resources[resilRebootAddr]
	if !ok {
		return fmt.Errorf("%s not in state", resilRebootAddr)
	}
	n, _ := strconv.Atoi(rs.Primary.Attributes["request_ids.#"])
	got := make([]string, 0, n)
	for i := range n {
		got = append(got, rs.Primary.Attributes[fmt.Sprintf("request_ids.%d", i)])
	}
	var want []string
	for _, call := range c.CallsTo(cloud, op) {
		if call.RequestID != "" {
			want = append(want, call.RequestID)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("state has %d request_ids, the mock answered %d %s calls with a request ID; they differ (state %v..., mock %v...)",
			len(got), len(want), op, got[:min(3, len(got))], want[:min(3, len(want))])
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reboots under transient failures

// resilRebootAPI is one way of rebooting a fleet.
type resilRebootAPI struct {
	name     string
	seed     int64
	cloud    string
	region   string
	block    string // inside the resource
	op       string // the mock's name for the reboot call
	readOps  []string
	maxBatch int
	// clientAPI: the Alibaba client API, idempotent by ClientToken.
	clientAPI bool
	checkCall func(mockcloud.Call) error
}

var resilRebootAPIs = []resilRebootAPI{
	{
		name: "alibaba_client_api", seed: 4101, cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion,
		block: fmt.Sprintf(`
  alibaba {
    session_id     = %q
    login_token    = %q
    client_os      = "Linux"
    client_version = "7.5.0"
  }
`, mockcloud.DemoAlibabaSessionID, mockcloud.DemoAlibabaLoginToken),
		op: "RebootDesktops", readOps: []string{"DescribeDesktops"}, maxBatch: 20, clientAPI: true,
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-10-02" || c.Auth != "anonymous" {
				return fmt.Errorf("reboot call used version %s as %q, want the anonymous client API 2020-10-02", c.Version, c.Auth)
			}
			return nil
		},
	},
	{
		name: "alibaba_admin_api", seed: 4102, cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion,
		op: "RebootDesktops", readOps: []string{"DescribeDesktops"}, maxBatch: 100,
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-09-30" || c.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
				return fmt.Errorf("reboot call used version %s as %q, want the AK-signed admin API 2020-09-30", c.Version, c.Auth)
			}
			return nil
		},
	},
	{
		name: "huawei", seed: 4103, cloud: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject,
		block: `
  huawei {
    type = "HARD"
  }
`,
		op: "BatchRunDesktops", readOps: []string{"ListDesktopsDetail"}, maxBatch: 100,
		checkCall: func(c mockcloud.Call) error {
			if !strings.Contains(string(c.Body), `"op_type":"reboot"`) || !strings.Contains(string(c.Body), `"type":"HARD"`) {
				return fmt.Errorf("desktops/action body %s, want a HARD reboot", c.Body)
			}
			return nil
		},
	},
}

func resilRebootConfig(c *testCloud, api resilRebootAPI, ids []string) string {
	return resilProviderBlock(c) + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = %q
  desktop_ids = %s
  wait        = true
%s}
`, api.cloud, hclStrings(ids), api.block)
}

// resilRebootedOnce checks that every desktop of ids was rebooted exactly
// once (Huawei: at least once, and more only where resilExcusedReboot
// finds the log forced it) and that none of others was rebooted.
func resilRebootedOnce(t *testing.T, c *testCloud, api resilRebootAPI, ids, others []string) error {
	var never, twice []string
	for _, id := range ids {
		switch n := c.RebootCount(api.cloud, id); {
		case n == 0:
			never = append(never, id)
		case n > 1 && api.cloud == mockcloud.CloudHuawei && resilExcusedReboot(c, api.op, id):
			t.Logf("desktop %s rebooted %d times: the call log shows the read-back after a lost answer came after that reboot had finished", id, n)
		case n > 1:
			twice = append(twice, id)
		}
	}
	if len(twice) > 0 {
		return resilEvidence(c, "rebooted more than once", twice)
	}
	if len(never) > 0 {
		return resilEvidence(c, "never rebooted", never)
	}
	var stray []string
	for _, id := range others {
		if c.RebootCount(api.cloud, id) != 0 {
			stray = append(stray, id)
		}
	}
	if len(stray) > 0 {
		return resilEvidence(c, "rebooted that the configuration does not name", stray)
	}
	return nil
}

// resilBackUp checks that every desktop of ids is Running (Alibaba) or
// ACTIVE with no task (Huawei) on the mock now.
func resilBackUp(c *testCloud, cloud string, ids []string) error {
	var down []string
	for _, id := range ids {
		d, ok := c.Desktop(cloud, id)
		if !ok || (cloud == mockcloud.CloudAlibaba && d.Status != "Running") ||
			(cloud == mockcloud.CloudHuawei && (d.Status != "ACTIVE" || d.TaskStatus != "")) {
			down = append(down, fmt.Sprintf("%s (%s/%s)", id, d.Status, d.TaskStatus))
		}
	}
	if len(down) > 0 {
		return fmt.Errorf("wait = true returned, but %d desktops are not back up: %s", len(down), strings.Join(down[:min(5, len(down))], ", "))
	}
	return nil
}

// resilWaitedUntilBackUp checks, from the call log, that the provider did
// not return before every desktop was back up: for each desktop, some
// status read that the mock answered normally arrived no earlier than the
// desktop's last applied reboot plus the reboot's length. (A read's
// arrival is recorded before an injected latency, hence the slack.)
// Checking the mock's state after the apply is not enough: Terraform takes
// longer than a reboot to get from the end of the apply to the check.
func resilWaitedUntilBackUp(c *testCloud, api resilRebootAPI, ids []string) error {
	total := resilRebootTiming.RebootStopping + resilRebootTiming.RebootStarting
	slack := resilLatency + 10*time.Millisecond
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	lastReboot := map[string]time.Time{}
	reads := map[string][]time.Time{}
	for _, call := range c.Calls() {
		isRead := slices.Contains(api.readOps, call.Operation) && call.Status == 200 &&
			(call.Fault == "" || call.Fault == string(mockcloud.FaultLatency))
		for _, id := range call.DesktopIDs {
			switch {
			case !want[id]:
			case call.Operation == api.op && call.Applied:
				lastReboot[id] = call.Time
			case isRead:
				reads[id] = append(reads[id], call.Time)
			}
		}
	}
	var early []string
	for _, id := range ids {
		backUp := lastReboot[id].Add(total - slack)
		if !slices.ContainsFunc(reads[id], func(t time.Time) bool { return !t.Before(backUp) }) {
			early = append(early, id)
		}
	}
	if len(early) > 0 {
		return resilEvidence(c, "not read back up after their reboot before the apply returned (wait = true)", early)
	}
	return nil
}

// resilRebootCalls checks the shape of every reboot call, and that the
// lost answers the suite is about really happened and were handled the
// safe way: the client API resent with the same ClientToken (and the
// mock answered from its token cache), the others read back first.
func resilRebootCalls(c *testCloud, api resilRebootAPI, ids []string) error {
	calls := c.CallsTo(api.cloud, api.op)
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
	batches := (len(ids) + api.maxBatch - 1) / api.maxBatch
	byToken := map[string][]mockcloud.Call{}
	for _, call := range calls {
		byToken[call.ClientToken] = append(byToken[call.ClientToken], call)
	}
	if len(byToken) != batches {
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
	for _, api := range resilRebootAPIs {
		t.Run(api.name, func(t *testing.T) {
			c := newResilCloud(t, resilSeed(t, api.seed), resilRebootTiming)
			ids := c.SeedFleet(api.cloud, api.region, "resil", resilFleetSize)
			others := c.SeedFleet(api.cloud, api.region, "bystander", 3)
			var faults *resilFaults

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					// Destroy only forgets: nothing is rebooted again.
					return resilRebootedOnce(t, c, api, ids, others)
				},
				Steps: []resource.TestStep{{
					PreConfig: func() { faults = resilInject(t, c, api.cloud, api.op, api.readOps, true) },
					Config:    resilRebootConfig(c, api, ids),
					Check: resource.ComposeAggregateTestCheckFunc(
						resource.TestCheckResourceAttr(resilRebootAddr, "desktop_ids.#", strconv.Itoa(resilFleetSize)),
						resource.TestCheckResourceAttrSet(resilRebootAddr, "rebooted_at"),
						func(*terraform.State) error { return resilRebootedOnce(t, c, api, ids, others) },
						func(*terraform.State) error { return resilBackUp(c, api.cloud, ids) },
						func(*terraform.State) error { return resilWaitedUntilBackUp(c, api, ids) },
						func(s *terraform.State) error { return resilRequestIDs(s, c, api.cloud, api.op) },
						func(*terraform.State) error { return resilRebootCalls(c, api, ids) },
						func(*terraform.State) error { return faults.check(c) },
					),
				}},
			})
		})
	}
}

// ---------------------------------------------------------------------------
// Batch deletes under transient failures

// resilDeleteAPI is one cloud's batch delete.
type resilDeleteAPI struct {
	name    string
	seed    int64
	cloud   string
	region  string
	op      string
	readOps []string
}

var resilDeleteAPIs = []resilDeleteAPI{
	{name: "alibaba", seed: 4201, cloud: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion,
		op: "DeleteDesktops", readOps: []string{"DescribeDesktops"}},
	{name: "huawei", seed: 4202, cloud: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject,
		op: "BatchDeleteDesktops", readOps: []string{"ShowJob", "ListDesktopsDetail"}},
}

func resilDeleteConfig(c *testCloud, cloud string, ids []string) string {
	return resilProviderBlock(c) + fmt.Sprintf(`
resource "clouddesktop_desktop_batch_delete" "fleet" {
  cloud       = %q
  desktop_ids = %s
}
`, cloud, hclStrings(ids))
}

// resilDeletedOnce checks that every desktop of ids is gone as users see
// it (absent, or Deleted/DELETED for a while) and was deleted exactly
// once, and that each of kept still exists and was never deleted.
func resilDeletedOnce(c *testCloud, cloud string, ids, kept []string) error {
	var left, twice, never []string
	for _, id := range ids {
		if d, ok := c.Desktop(cloud, id); ok && !strings.EqualFold(d.Status, "deleted") {
			left = append(left, id)
		}
		switch n := c.DeleteCount(cloud, id); {
		case n == 0:
			never = append(never, id)
		case n > 1:
			twice = append(twice, id)
		}
	}
	switch {
	case len(twice) > 0:
		return resilEvidence(c, "deleted more than once", twice)
	case len(never) > 0:
		return resilEvidence(c, "never deleted", never)
	case len(left) > 0:
		return resilEvidence(c, "still there", left)
	}
	for _, id := range kept {
		if _, ok := c.Desktop(cloud, id); !ok || c.DeleteCount(cloud, id) != 0 {
			return resilEvidence(c, "deleted that the resource does not hold", []string{id})
		}
	}
	return nil
}

// resilNotInState checks that addr is gone from state.
func resilNotInState(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if _, ok := s.RootModule().Resources[addr]; ok {
			return fmt.Errorf("%s is still in state", addr)
		}
		return nil
	}
}

// TestAccResilience_batchDelete deletes 1,000 desktops on each cloud with
// 30% of calls failing transiently, and checks that destroy completes,
// each desktop was deleted exactly once, nothing else was touched, and
// state and cloud agree that the fleet is gone.
func TestAccResilience_batchDelete(t *testing.T) {
	for _, api := range resilDeleteAPIs {
		t.Run(api.name, func(t *testing.T) {
			c := newResilCloud(t, resilSeed(t, api.seed), resilDeleteTiming)
			ids := c.SeedFleet(api.cloud, api.region, "resil", resilFleetSize)
			kept := c.SeedFleet(api.cloud, api.region, "bystander", 3)
			var faults *resilFaults

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				// The test's own destroy deletes the fleet (a step that
				// removes the block would refresh 1,000 desktops first, which
				// costs seconds of CPU and tests nothing more).
				CheckDestroy: func(*terraform.State) error {
					if err := resilDeletedOnce(c, api.cloud, ids, kept); err != nil {
						return err
					}
					return faults.check(c)
				},
				Steps: []resource.TestStep{{
					// Taking the fleet on calls nothing, faults or not.
					PreConfig: func() { faults = resilInject(t, c, api.cloud, api.op, api.readOps, true) },
					Config:    resilDeleteConfig(c, api.cloud, ids),
					Check: func(*terraform.State) error {
						if n := len(c.Calls()); n != 0 {
							return fmt.Errorf("create made %d cloud calls, want none", n)
						}
						return nil
					},
				}},
			})
		})
	}
}

// ---------------------------------------------------------------------------
// Permanent failures, under the same transient noise

// resilBatchOf returns the sorted batch of size that holds id, the way
// fleet.Run cuts a fleet.
func resilBatchOf(ids []string, size int, id string) []string {
	sorted := slices.Sorted(slices.Values(ids))
	i := slices.Index(sorted, id)
	start := i / size * size
	return sorted[start:min(start+size, len(sorted))]
}

// resilExpectLines checks per-desktop failure lines against what is known
// of each desktop: must maps a desktop that has to fail to a pattern its
// line must match; may lists desktops that may fail or not, depending on
// which transient faults they met, with the pattern for when they do.
// Every other line is an error.
func resilExpectLines(lines map[string]string, must, may map[string]*regexp.Regexp) error {
	for id, re := range must {
		msg, ok := lines[id]
		if !ok {
			return fmt.Errorf("desktop %s has no failure line", id)
		}
		if !re.MatchString(msg) {
			return fmt.Errorf("desktop %s: failure line %q does not match %s", id, msg, re)
		}
	}
	for id, msg := range lines {
		if _, ok := must[id]; ok {
			continue
		}
		re, ok := may[id]
		if !ok {
			return fmt.Errorf("desktop %s is reported failed but should have succeeded: %s", id, msg)
		}
		if !re.MatchString(msg) {
			return fmt.Errorf("desktop %s: failure line %q does not match %s", id, msg, re)
		}
	}
	return nil
}

// resilPermanent is a set of permanent failures planted in a fleet.
type resilPermanent struct {
	// plant arms the mock (faults, desktops in the wrong state) and
	// returns which desktops must fail and which may, with the pattern
	// of their failure lines.
	plant func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp)
	// cure undoes what plant did to the desktops, so that the next
	// attempt can succeed.
	cure func(c *testCloud, ids []string)
}

func resilPattern(format string, args ...any) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(format, args...))
}

func resilAll(ids []string, re *regexp.Regexp, into map[string]*regexp.Regexp) {
	for _, id := range ids {
		into[id] = re
	}
}

// resilErrorFault fails every call of op that names id with status and
// code: the whole call fails, and with it every desktop of that batch.
func resilErrorFault(cloud, op, id string, status int, code string) mockcloud.Fault {
	return mockcloud.Fault{
		Cloud: cloud, Operation: op, Kind: mockcloud.FaultError, Status: status, Code: code,
		Message: fmt.Sprintf("Injected permanent failure %d.", status), DesktopIDs: []string{id},
	}
}

const resilPermanentFleet = 400

// TestAccResilience_deletePermanentFailures plants 403s, 409s and cloud
// refusals (Huawei FAILED sub-jobs, Alibaba subscription desktops) in a
// fleet, under the same transient noise, and checks that destroy fails
// with one line per undeleted desktop, that state keeps exactly those
// (a configuration naming them plans no change), and that once the cloud
// recovers the next destroy deletes only them, each exactly once.
func TestAccResilience_deletePermanentFailures(t *testing.T) {
	type tcase struct {
		api resilDeleteAPI
		resilPermanent
	}
	tests := []tcase{
		{
			api: resilDeleteAPIs[0],
			resilPermanent: resilPermanent{
				plant: func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp) {
					sorted := slices.Sorted(slices.Values(ids))
					must = map[string]*regexp.Regexp{}
					c.InjectFault(resilErrorFault(mockcloud.CloudAlibaba, "DeleteDesktops", sorted[150], 403, "Forbidden.RAM"))
					c.InjectFault(resilErrorFault(mockcloud.CloudAlibaba, "DeleteDesktops", sorted[250], 409, "OperationConflict"))
					resilAll(resilBatchOf(ids, 100, sorted[150]), resilPattern(`^alibaba DeleteDesktops failed \(HTTP 403\): Forbidden\.RAM: .*; request ID \S+$`), must)
					resilAll(resilBatchOf(ids, 100, sorted[250]), resilPattern(`^alibaba DeleteDesktops failed \(HTTP 409\): OperationConflict: .*; request ID \S+$`), must)
					// A subscription desktop makes the API refuse its whole call.
					c.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: mockcloud.DemoAlibabaRegion, ID: sorted[333], ChargeType: "PrePaid"})
					resilAll(resilBatchOf(ids, 100, sorted[333]), resilPattern(`^alibaba DeleteDesktops failed \(HTTP 400\): InvalidChargeType\.Unsupported: .*; request ID \S+$`), must)
					return must, nil
				},
				cure: func(c *testCloud, ids []string) {
					sorted := slices.Sorted(slices.Values(ids))
					c.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: mockcloud.DemoAlibabaRegion, ID: sorted[333], ChargeType: "PostPaid"})
				},
			},
		},
		{
			api: resilDeleteAPIs[1],
			resilPermanent: resilPermanent{
				plant: func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp) {
					sorted := slices.Sorted(slices.Values(ids))
					must = map[string]*regexp.Regexp{}
					c.InjectFault(resilErrorFault(mockcloud.CloudHuawei, "BatchDeleteDesktops", sorted[150], 403, "WKS.0403"))
					c.InjectFault(resilErrorFault(mockcloud.CloudHuawei, "BatchDeleteDesktops", sorted[250], 409, "WKS.0409"))
					resilAll(resilBatchOf(ids, 100, sorted[150]), resilPattern(`^huawei BatchDeleteDesktops failed \(HTTP 403\): WKS\.0403: .*; request ID \S+$`), must)
					resilAll(resilBatchOf(ids, 100, sorted[250]), resilPattern(`^huawei BatchDeleteDesktops failed \(HTTP 409\): WKS\.0409: .*; request ID \S+$`), must)
					// FAILED sub-jobs in two other batches. Followed through
					// the job they fail with its code; a desktop whose job ID
					// was lost with the answer is followed through the
					// listing, which shows task_status deleteFailed.
					failing := []string{sorted[5], sorted[77], sorted[320], sorted[399]}
					c.InjectFault(mockcloud.Fault{Cloud: mockcloud.CloudHuawei, Kind: mockcloud.FaultJobFailed, DesktopIDs: failing})
					resilAll(failing, resilPattern(`^huawei BatchDeleteDesktops failed: (WKS\.0500: .*\(job \S+\)|the cloud could not delete the desktop \(task_status deleteFailed\)); request ID \S+`), must)
					return must, nil
				},
				cure: func(*testCloud, []string) {},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.api.name, func(t *testing.T) {
			c := newResilCloud(t, resilSeed(t, tt.api.seed+1000), resilDeleteTiming)
			ids := c.SeedFleet(tt.api.cloud, tt.api.region, "perm", resilPermanentFleet)
			kept := c.SeedFleet(tt.api.cloud, tt.api.region, "bystander", 3)
			// Arm everything now: taking the fleet on calls nothing, and
			// the follow-up configuration needs to know what will be left.
			must, may := tt.plant(c, ids)
			var permanent []int
			for _, f := range c.Faults() {
				permanent = append(permanent, f.ID)
			}
			// No certain faults here: with two of four batches refused,
			// two dozen of them in a row could use up a batch's retries.
			resilInject(t, c, tt.api.cloud, tt.api.op, nil, false)
			// In the order the configuration lists them, as state keeps it.
			undeleted := without(ids, without(ids, slices.Collect(maps.Keys(must))))
			if len(may) != 0 {
				t.Fatal("a delete test cannot have desktops that may or may not fail: the follow-up configuration names the undeleted ones")
			}
			diags := &resilDiags{}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: diags.factories(),
				CheckDestroy: func(*terraform.State) error {
					return resilDeletedOnce(c, tt.api.cloud, ids, kept)
				},
				Steps: []resource.TestStep{
					{Config: resilDeleteConfig(c, tt.api.cloud, ids)},
					{
						Config:      resilProviderBlock(c),
						ExpectError: regexp.MustCompile(fmt.Sprintf(`Could not delete %d of %d desktops`, len(undeleted), len(ids))),
					},
					{
						// State holds exactly the desktops the cloud did not
						// delete: a configuration naming just those plans no
						// change at all, and the cloud agrees.
						Config: resilDeleteConfig(c, tt.api.cloud, undeleted),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							func(s *terraform.State) error {
								got, err := stateDesktopIDs(s, resilDeleteAddr)
								if err != nil {
									return err
								}
								if !slices.Equal(got, slices.Sorted(slices.Values(undeleted))) {
									return fmt.Errorf("state holds %d desktops, want exactly the %d undeleted", len(got), len(undeleted))
								}
								return nil
							},
							func(*terraform.State) error {
								lines, err := resilFailureLines(diags.take(), "delete", len(ids))
								if err != nil {
									return err
								}
								return resilExpectLines(lines, must, may)
							},
							func(*terraform.State) error {
								var deleted []string
								for _, id := range ids {
									if _, failed := must[id]; !failed {
										deleted = append(deleted, id)
									} else if _, ok := c.Desktop(tt.api.cloud, id); !ok || c.DeleteCount(tt.api.cloud, id) != 0 {
										return resilEvidence(c, "reported undeleted but deleted on the cloud", []string{id})
									}
								}
								return resilDeletedOnce(c, tt.api.cloud, deleted, kept)
							},
						),
					},
					{
						// Once the cloud recovers (the transient noise stays),
						// destroy deletes the rest, each exactly once.
						PreConfig: func() {
							for _, id := range permanent {
								c.RemoveFault(id)
							}
							tt.cure(c, ids)
						},
						Config: resilProviderBlock(c),
						Check: resource.ComposeAggregateTestCheckFunc(
							resilNotInState(resilDeleteAddr),
							func(*terraform.State) error { return resilDeletedOnce(c, tt.api.cloud, ids, kept) },
						),
					},
				},
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
	tests := []struct {
		api   resilRebootAPI
		plant func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp)
	}{
		{
			api: resilRebootAPIs[0],
			plant: func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp) {
				sorted := slices.Sorted(slices.Values(ids))
				must = map[string]*regexp.Regexp{}
				c.InjectFault(resilErrorFault(mockcloud.CloudAlibaba, "RebootDesktops", sorted[150], 403, "Forbidden"))
				resilAll(resilBatchOf(ids, 20, sorted[150]), resilPattern(`^alibaba RebootDesktops failed \(HTTP 403\): Forbidden: .*; request ID \S+$`), must)
				// The client API cannot read back, so a Stopped desktop
				// fails its whole call, retries and all.
				c.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: mockcloud.DemoAlibabaRegion, ID: sorted[260], Status: "Stopped"})
				resilAll(resilBatchOf(ids, 20, sorted[260]), resilPattern(`^alibaba RebootDesktops failed \(HTTP 400\): IncorrectDesktopStatus: .*; request ID \S+$`), must)
				return must, nil
			},
		},
		{
			api: resilRebootAPIs[1],
			plant: func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp) {
				sorted := slices.Sorted(slices.Values(ids))
				must, may = map[string]*regexp.Regexp{}, map[string]*regexp.Regexp{}
				c.InjectFault(resilErrorFault(mockcloud.CloudAlibaba, "RebootDesktops", sorted[150], 403, "Forbidden"))
				resilAll(resilBatchOf(ids, 100, sorted[150]), resilPattern(`^alibaba RebootDesktops failed \(HTTP 403\): Forbidden: .*; request ID \S+$`), must)
				// A Stopped desktop fails its whole call; but after a lost
				// answer the admin API reads the batch back and resends
				// only the Running ones, which then reboot.
				c.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: mockcloud.DemoAlibabaRegion, ID: sorted[260], Status: "Stopped"})
				resilAll(resilBatchOf(ids, 100, sorted[260]), resilPattern(`^alibaba RebootDesktops failed \(HTTP 400\): IncorrectDesktopStatus: .*; request ID \S+$`), may)
				delete(may, sorted[260])
				must[sorted[260]] = resilPattern(`^alibaba RebootDesktops failed.*%s`, stoppedOrLost)
				return must, may
			},
		},
		{
			api: resilRebootAPIs[2],
			plant: func(c *testCloud, ids []string) (must, may map[string]*regexp.Regexp) {
				sorted := slices.Sorted(slices.Values(ids))
				must = map[string]*regexp.Regexp{}
				c.InjectFault(resilErrorFault(mockcloud.CloudHuawei, "BatchRunDesktops", sorted[150], 403, "WKS.0403"))
				resilAll(resilBatchOf(ids, 100, sorted[150]), resilPattern(`^huawei BatchRunDesktops failed \(HTTP 403\): WKS\.0403: .*; request ID \S+$`), must)
				// SHUTOFF desktops come back in failed_operation_list; the
				// rest of their call goes ahead.
				for _, id := range []string{sorted[10], sorted[260], sorted[399]} {
					c.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: id, Status: "SHUTOFF"})
					must[id] = resilPattern(`^huawei BatchRunDesktops failed \(HTTP 200\): WKS\.0409: desktop is SHUTOFF.*; request ID \S+$`)
				}
				return must, nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.api.name, func(t *testing.T) {
			api := tt.api
			c := newResilCloud(t, resilSeed(t, api.seed+1000), resilRebootTiming)
			ids := c.SeedFleet(api.cloud, api.region, "perm", resilPermanentFleet)
			must, may := tt.plant(c, ids)
			resilInject(t, c, api.cloud, api.op, nil, false)
			diags := &resilDiags{}

			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: diags.factories(),
				Steps: []resource.TestStep{
					{
						Config:      resilRebootConfig(c, api, ids),
						ExpectError: regexp.MustCompile(fmt.Sprintf(`Could not reboot \d+ of %d desktops`, len(ids))),
					},
					{
						// Nothing in state: a plan with the block removed is
						// empty, and the next apply of it would reboot again.
						Config: resilProviderBlock(c),
						Check: resource.ComposeAggregateTestCheckFunc(
							resilNotInState(resilRebootAddr),
							func(*terraform.State) error {
								lines, err := resilFailureLines(diags.take(), "reboot", len(ids))
								if err != nil {
									return err
								}
								if err := resilExpectLines(lines, must, may); err != nil {
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
									if n := c.RebootCount(api.cloud, id); n != 0 {
										return resilEvidence(c, fmt.Sprintf("reported not rebooted but rebooted %d times", n), []string{id})
									}
								}
								if err := resilRebootedOnce(t, c, api, rebooted, nil); err != nil {
									return err
								}
								if err := resilBackUp(c, api.cloud, rebooted); err != nil {
									return err
								}
								return resilWaitedUntilBackUp(c, api, rebooted)
							},
						),
					},
				},
			})
		})
	}
}
