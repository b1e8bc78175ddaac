package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The one table of what the tests know about each cloud and each way of
// rebooting on it, the mock cloud that serves a test, and the HCL the tests
// write. Every test takes its cloud from here.

// cloudFixture is one cloud as the tests meet it on the mock.
type cloudFixture struct {
	// name is the cloud attribute's value and the mock's name for the cloud.
	name string
	// scope is where the mock keeps the desktops the provider sees: the
	// Alibaba region, or the Huawei project.
	scope string
	// providerRegion is the region the provider block names.
	providerRegion string
	// elsewhere is a scope the provider does not look in: another Alibaba
	// region, another Huawei project.
	elsewhere string
	// The mock's names for the reboot, delete and list calls.
	rebootOp, deleteOp, listOp string
	// statusReads are all the calls that read desktop or job status;
	// rebootWaitReads and deleteWaitReads those that waiting for a reboot
	// and for a deletion make.
	statusReads, rebootWaitReads, deleteWaitReads []string
	// running and stopped are the cloud's own words for those states.
	running, stopped string
	// idFormat makes a well-formed desktop ID from a number.
	idFormat string
	// neverExisted is a well-formed desktop ID the cloud never had.
	neverExisted string
	// notFoundCode is the error code a delete gives a desktop the cloud
	// does not know.
	notFoundCode string
	// unknownIDs are the ways the mock can treat an unknown ID in a delete,
	// as real answers differ (mockcloud.Behaviour).
	unknownIDs []string
	// stuckIDs are two well-formed IDs for desktops whose transitions never
	// finish.
	stuckIDs []string
}

var (
	alibabaCloud = cloudFixture{
		name: mockcloud.CloudAlibaba, scope: mockcloud.DemoAlibabaRegion, providerRegion: mockcloud.DemoAlibabaRegion,
		elsewhere: "cn-shanghai",
		rebootOp:  "RebootDesktops", deleteOp: "DeleteDesktops", listOp: "DescribeDesktops",
		statusReads: []string{"DescribeDesktops"}, rebootWaitReads: []string{"DescribeDesktops"}, deleteWaitReads: []string{"DescribeDesktops"},
		running: "Running", stopped: "Stopped",
		idFormat:     "ecd-%017d",
		neverExisted: "ecd-neverexisted00001", notFoundCode: "InvalidDesktopId.NotFound",
		unknownIDs: []string{mockcloud.UnknownReject, mockcloud.UnknownSkip},
		stuckIDs:   []string{"ecd-stuckdesktop00001", "ecd-stuckdesktop00002"},
	}
	huaweiCloud = cloudFixture{
		name: mockcloud.CloudHuawei, scope: mockcloud.DemoHuaweiProject, providerRegion: mockcloud.DemoHuaweiRegion,
		elsewhere: "fedcba9876543210fedcba9876543210",
		rebootOp:  "BatchRunDesktops", deleteOp: "BatchDeleteDesktops", listOp: "ListDesktopsDetail",
		statusReads:     []string{"ShowJob", "ListDesktopsDetail", "ShowDesktopDetail"},
		rebootWaitReads: []string{"ListDesktopsDetail"}, deleteWaitReads: []string{"ShowJob", "ListDesktopsDetail"},
		running: "ACTIVE", stopped: "SHUTOFF",
		idFormat:     "%08d-0000-4000-8000-000000000000",
		neverExisted: "00000000-0000-4000-8000-00000000dead", notFoundCode: "WKS.0004",
		unknownIDs: []string{mockcloud.UnknownFailedSubJob, mockcloud.UnknownReject, mockcloud.UnknownSkip},
		stuckIDs:   []string{"57c0c000-0000-4000-8000-000000000001", "57c0c000-0000-4000-8000-000000000002"},
	}
	bothClouds = []cloudFixture{alibabaCloud, huaweiCloud}
)

// fixtureOf is the fixture of the cloud the mock calls name.
func fixtureOf(name string) cloudFixture {
	if name == mockcloud.CloudHuawei {
		return huaweiCloud
	}
	return alibabaCloud
}

// other is the other cloud.
func (f cloudFixture) other() cloudFixture {
	if f.name == mockcloud.CloudHuawei {
		return alibabaCloud
	}
	return huaweiCloud
}

// desktopID is a well-formed desktop ID whose sort order is set by n.
func (f cloudFixture) desktopID(n int) string { return fmt.Sprintf(f.idFormat, n) }

// rebootAPI is one way of rebooting: a cloud, and for Alibaba which API.
type rebootAPI struct {
	name  string
	cloud cloudFixture
	// block is the HCL of the resource's cloud block ("" for none).
	block string
	// maxBatch is the most desktops one reboot call may carry.
	maxBatch int
	// clientAPI: the Alibaba client API, idempotent by ClientToken.
	clientAPI bool
	// checkCall checks that a reboot call went through this API.
	checkCall func(mockcloud.Call) error
}

var (
	alibabaAdminAPI = rebootAPI{
		name: "alibaba_admin_api", cloud: alibabaCloud, maxBatch: 100,
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-09-30" || c.Auth != "ak:"+mockcloud.DemoAlibabaAccessKey {
				return fmt.Errorf("reboot call used version %s authenticated as %q, want the AK-signed admin API 2020-09-30", c.Version, c.Auth)
			}
			if _, ok := c.Params["LoginToken"]; ok {
				return fmt.Errorf("admin API call carries a LoginToken")
			}
			return nil
		},
	}
	alibabaClientAPI = rebootAPI{
		name: "alibaba_client_api", cloud: alibabaCloud, maxBatch: 20, clientAPI: true,
		block: hclBlock("alibaba", clientAPILogin, `client_os = "Linux"`, `client_version = "7.5.0"`),
		checkCall: func(c mockcloud.Call) error {
			if c.Version != "2020-10-02" || c.Auth != "anonymous" {
				return fmt.Errorf("reboot call used version %s authenticated as %q, want the anonymous client API 2020-10-02", c.Version, c.Auth)
			}
			return nil
		},
	}
	huaweiSoftReboot = rebootAPI{name: "huawei_soft", cloud: huaweiCloud, maxBatch: 100, checkCall: huaweiRebootType("SOFT")}
	huaweiHardReboot = rebootAPI{
		name: "huawei_hard", cloud: huaweiCloud, maxBatch: 100, checkCall: huaweiRebootType("HARD"),
		block: hclBlock("huawei", `type = "HARD"`),
	}
)

// clientAPILogin is the demo session of the Alibaba client API, as HCL
// lines of the alibaba block.
var clientAPILogin = fmt.Sprintf("session_id  = %q\nlogin_token = %q", mockcloud.DemoAlibabaSessionID, mockcloud.DemoAlibabaLoginToken)

func huaweiRebootType(typ string) func(mockcloud.Call) error {
	return func(c mockcloud.Call) error {
		body := string(c.Body)
		if !strings.Contains(body, `"op_type":"reboot"`) || !strings.Contains(body, `"type":"`+typ+`"`) {
			return fmt.Errorf("desktops/action body %s, want op_type reboot and type %s", body, typ)
		}
		return nil
	}
}

// batches is how many calls of at most maxBatch desktops n desktops take.
func (api rebootAPI) batches(n int) int { return (n + api.maxBatch - 1) / api.maxBatch }

// resource renders the reboot resource "fleet" of ids through api; body
// goes inside it.
func (api rebootAPI) resource(ids []string, body ...string) string {
	return api.named("fleet", ids, body...)
}

// named is resource with another name than "fleet".
func (api rebootAPI) named(name string, ids []string, body ...string) string {
	return hclResource(rebootType, name, api.cloud.name, ids, append(body, api.block)...)
}

// ---------------------------------------------------------------------------
// The mock cloud serving one test

// testCloud is a mock cloud serving one test.
type testCloud struct {
	*mockcloud.Server
	URL string
}

func newTestCloud(t testing.TB, timing mockcloud.Timing) *testCloud {
	t.Helper()
	return newTestCloudWith(t, func(cfg *mockcloud.Config) { cfg.Timing = timing })
}

// newTestCloudWith is newTestCloud with the demo configuration edited.
func newTestCloudWith(t testing.TB, edit func(*mockcloud.Config)) *testCloud {
	t.Helper()
	cfg := mockcloud.DemoConfig()
	cfg.Timing = mockcloud.Timing{}
	edit(&cfg)
	c := &testCloud{Server: mockcloud.New(cfg)}
	c.serveThrough(t, c.Server)
	return c
}

// newSeededCloud is newTestCloud whose fleets and fault dice follow seed.
func newSeededCloud(t testing.TB, seed int64, timing mockcloud.Timing) *testCloud {
	t.Helper()
	return newTestCloudWith(t, func(cfg *mockcloud.Config) {
		cfg.Seed = seed
		cfg.Timing = timing
	})
}

// newSteppedCloud is a mock cloud whose clock moves forward by step just
// before it answers each status read (Alibaba DescribeDesktops, any Huawei
// GET), and at no other time that matters: with transitions measured in
// hours, a transition is over after a known number of reads, and is never
// over when nobody reads.
func newSteppedCloud(t testing.TB, timing mockcloud.Timing, step time.Duration) *testCloud {
	t.Helper()
	c := newTestCloud(t, timing)
	c.serveThrough(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStatusRead(r) {
			c.Advance(step)
		}
		c.ServeHTTP(w, r)
	}))
	return c
}

// isStatusRead recognises a status read on either cloud's wire.
func isStatusRead(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		return r.Method == http.MethodGet
	}
	return r.Header.Get("x-acs-action") == "DescribeDesktops" || r.URL.Query().Get("Action") == "DescribeDesktops"
}

// treatingUnknownIDs sets how the mock's delete on f treats an ID the
// cloud does not know (one of f.unknownIDs).
func (f cloudFixture) treatingUnknownIDs(mode string) func(*mockcloud.Config) {
	return func(cfg *mockcloud.Config) {
		if f.name == mockcloud.CloudAlibaba {
			cfg.Behaviour.AlibabaUnknownIDs = mode
		} else {
			cfg.Behaviour.HuaweiUnknownIDs = mode
		}
	}
}

// serveThrough points the mock's URL at a server of h, which stands in
// front of the mock, until the test ends (or the caller closes it).
func (c *testCloud) serveThrough(t testing.TB, h http.Handler) *httptest.Server {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	c.URL = hs.URL
	return hs
}

// seed adds n running desktops named prefix-0001... on f in its scope.
func (c *testCloud) seed(f cloudFixture, prefix string, n int) []string {
	return c.SeedFleet(f.name, f.scope, prefix, n)
}

// setStuck adds f's stuck desktops (f.stuckIDs), running: while stuck, a
// transition they start never finishes; unstuck, they are ordinary ones.
func (c *testCloud) setStuck(f cloudFixture, stuck bool) []string {
	for _, id := range f.stuckIDs {
		c.AddDesktops(mockcloud.Desktop{Cloud: f.name, Region: f.scope, ID: id, Stuck: stuck})
	}
	return f.stuckIDs
}

// providerBlock configures both clouds against the mock with its demo
// credentials, the way a user points the provider at another endpoint.
func (c *testCloud) providerBlock() string {
	return c.providerBlockWith(providerOptions{maxRetries: 3})
}

// providerOptions are the ways tests vary the provider block.
type providerOptions struct {
	maxRetries     int
	maxConcurrency int  // 0: the provider's default
	noAlibabaKeys  bool // leave Alibaba to its credential chain
}

func (c *testCloud) providerBlockWith(o providerOptions) string {
	alibabaKeys := fmt.Sprintf("\n    access_key = %q\n    secret_key = %q", mockcloud.DemoAlibabaAccessKey, mockcloud.DemoAlibabaSecret)
	if o.noAlibabaKeys {
		alibabaKeys = ""
	}
	concurrency := ""
	if o.maxConcurrency > 0 {
		concurrency = fmt.Sprintf("\n  max_concurrency = %d", o.maxConcurrency)
	}
	return fmt.Sprintf(`
provider "clouddesktop" {
  alibaba {
    region     = %q%s
    endpoint   = %q
  }
  huawei {
    region     = %q
    project_id = %q
    access_key = %q
    secret_key = %q
    endpoint   = %q
  }
  max_retries = %d%s
}
`, mockcloud.DemoAlibabaRegion, alibabaKeys, c.URL,
		mockcloud.DemoHuaweiRegion, mockcloud.DemoHuaweiProject, mockcloud.DemoHuaweiAccessKey, mockcloud.DemoHuaweiSecret, c.URL,
		o.maxRetries, concurrency)
}

// ---------------------------------------------------------------------------
// HCL

const (
	rebootType = "clouddesktop_desktop_reboot"
	deleteType = "clouddesktop_desktop_batch_delete"
	rebootAddr = rebootType + ".fleet"
	deleteAddr = deleteType + ".fleet"
)

// hclResource renders resource typ "name" holding ids on cloud, with the
// further attribute lines and blocks of body inside.
func hclResource(typ, name, cloud string, ids []string, body ...string) string {
	return hclBlock(fmt.Sprintf("\nresource %q %q", typ, name),
		append([]string{fmt.Sprintf("cloud       = %q\ndesktop_ids = %s", cloud, hclStrings(ids))}, body...)...) + "\n"
}

// rebootConfig is the mock's provider block and the reboot resource "fleet".
func (c *testCloud) rebootConfig(cloud string, ids []string, body ...string) string {
	return c.providerBlock() + hclResource(rebootType, "fleet", cloud, ids, body...)
}

// deleteConfig is the mock's provider block and the batch delete resource
// "fleet".
func (c *testCloud) deleteConfig(cloud string, ids []string, body ...string) string {
	return c.providerBlock() + hclResource(deleteType, "fleet", cloud, ids, body...)
}

// hclDesktops renders data "clouddesktop_desktops" "name" on cloud.
func hclDesktops(name, cloud string, body ...string) string {
	return hclBlock(fmt.Sprintf("\ndata \"clouddesktop_desktops\" %q", name),
		append([]string{fmt.Sprintf("cloud = %q", cloud)}, body...)...) + "\n"
}

// hclBlock renders `head { ... }` with each of lines (each may span
// several) indented inside; empty ones are left out.
func hclBlock(head string, lines ...string) string {
	var b strings.Builder
	b.WriteString(head + " {\n")
	for _, l := range lines {
		for _, line := range strings.Split(l, "\n") {
			if line != "" {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	b.WriteString("}")
	return b.String()
}

// keepers is a keepers line that a new round changes.
func keepers(round string) string { return fmt.Sprintf("keepers = { round = %q }", round) }

// waitLine sets wait.
func waitLine(wait bool) string { return fmt.Sprintf("wait = %t", wait) }

// timeoutsBlock is a timeouts block setting op (create or delete) to d.
func timeoutsBlock(op, d string) string { return hclBlock("timeouts", fmt.Sprintf("%s = %q", op, d)) }

// hclStrings renders ids as an HCL list literal.
func hclStrings(ids []string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
