package huawei

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// The tests run the client against the mock cloud (internal/mockcloud),
// which checks every signature with code of its own and keeps the
// desktops' and jobs' state; clienttest starts it and holds what both
// clouds' tests share.

// Credentials and project of the test client: those the mock accepts.
const (
	testAK      = mockcloud.DemoHuaweiAccessKey
	testSK      = mockcloud.DemoHuaweiSecret
	testProject = mockcloud.DemoHuaweiProject
)

// hw is the cloud's name in the mock.
const hw = mockcloud.CloudHuawei

var (
	testPolicy = retry.Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	testPoll   = retry.Poller{Interval: time.Millisecond}
)

func newTestClient(t *testing.T, endpoint string, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		Region: mockcloud.DemoHuaweiRegion, ProjectID: testProject,
		AccessKey: testAK, SecretKey: testSK,
		Endpoint: endpoint, Retry: testPolicy, Timeout: 10 * time.Second,
		UserAgent: "clouddesktop-test",
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// add puts ACTIVE, idle desktops with these IDs into the mock.
func add(m *clienttest.Cloud, ids ...string) {
	for _, id := range ids {
		set(m, id, "", "")
	}
}

// set puts a desktop into the mock with a status and task_status ("" for
// ACTIVE and idle): what the listing shows until something acts on it.
func set(m *clienttest.Cloud, id, status, task string) {
	m.AddDesktops(mockcloud.Desktop{Cloud: hw, ID: id, Name: "pc-" + id, Status: status, TaskStatus: task})
}

// timing makes the mock's transitions last as long as given.
func timing(t mockcloud.Timing) func(*mockcloud.Config) {
	return func(cfg *mockcloud.Config) { cfg.Timing = t }
}

// reply is a Huawei answer of the test's making to op: a JSON body with
// the mock's X-Request-Id unless header says otherwise.
func reply(op string, status int, body string, header ...string) mockcloud.Fault {
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return mockcloud.Fault{Cloud: hw, Operation: op, Kind: mockcloud.FaultAnswer, Status: status, Body: body, Header: h}
}

// failure is the error the mock answers op with.
func failure(op string, status int, code, msg string) mockcloud.Fault {
	return mockcloud.Fault{Cloud: hw, Operation: op, Kind: mockcloud.FaultError, Status: status, Code: code, Message: msg}
}

func idsN(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

func sameIDs(a, b []string) bool { return slices.Equal(clienttest.Sorted(a), clienttest.Sorted(b)) }

func batch(ids ...string) fleet.Batch { return fleet.Batch{DesktopIDs: ids} }

func fleetFilter(ids ...string) fleet.ListFilter { return fleet.ListFilter{IDs: ids} }
