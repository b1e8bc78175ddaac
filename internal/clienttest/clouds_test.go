package clienttest_test

import (
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// The tests in this package run the same behaviour against both cloud
// clients, each against the mock cloud; this file is what they need to
// drive either client the same way.

// fast is the retry policy of every test: a few quick retries.
var fast = retry.Policy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// quickPoll reads as fast as a test can go.
var quickPoll = retry.Poller{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// settings are what a test changes in a client.
type settings struct {
	retry   retry.Policy
	timeout time.Duration
}

// defaults are the settings of a test that changes none.
var defaults = settings{retry: fast, timeout: 5 * time.Second}

// wait is how an action of these tests follows the desktops: whether it
// waits, and for a reboot the settle window.
type wait struct {
	wait   bool
	settle time.Duration
}

// client is one cloud's client behind the calls these tests make: its
// listing, and each action it has by name ("reboot", "delete", and for
// Alibaba "client reboot", through the anonymous client API).
type client struct {
	fleet.DesktopLister
	act map[string]func(wait) fleet.BatchAction
}

func (c client) reboot(w wait) fleet.BatchAction { return c.act["reboot"](w) }
func (c client) delete(w wait) fleet.BatchAction { return c.act["delete"](w) }

// actions are every action of the client, waiting or not.
func (c client) actions(w wait) map[string]fleet.BatchAction {
	out := make(map[string]fleet.BatchAction, len(c.act))
	for name, build := range c.act {
		out[name] = build(w)
	}
	return out
}

// cloud is one cloud under test: its names in the mock and its client.
type cloud struct {
	name   string // as the mock names it
	region string // where the mock puts its desktops (Huawei: the project)
	// The operations: reboot, delete, the listing a wait reads, and what
	// a delete's wait polls (Alibaba the listing, Huawei the job).
	reboot, delete, read, deleteWait string
	// rebooting is how a desktop stuck in its reboot reads; deleting is
	// the last status a delete's wait sees of one stuck in its delete
	// (Alibaba the desktop's, Huawei the job's).
	rebooting, deleting string
	// unknownWord is a desktop status no source of the cloud names.
	unknownWord string
	connect     func(t *testing.T, endpoint string, s settings) client
}

var clouds = []cloud{
	{
		name: mockcloud.CloudAlibaba, region: mockcloud.DemoAlibabaRegion,
		reboot: "RebootDesktops", delete: "DeleteDesktops", read: "DescribeDesktops", deleteWait: "DescribeDesktops",
		rebooting: "Starting", deleting: "Stopping", unknownWord: "Hibernating", connect: connectAlibaba,
	},
	{
		name: mockcloud.CloudHuawei, region: mockcloud.DemoHuaweiProject,
		reboot: "BatchRunDesktops", delete: "BatchDeleteDesktops", read: "ListDesktopsDetail", deleteWait: "ShowJob",
		rebooting: "ACTIVE/rebooting", deleting: "RUNNING", unknownWord: "MAINTENANCE", connect: connectHuawei,
	},
}

// seed adds n running desktops to the mock and returns their IDs.
func (c cloud) seed(m *clienttest.Cloud, n int) []string {
	return m.SeedFleet(c.name, c.region, "test", n)
}

// start serves a mock cloud for the test, with n running desktops of this
// cloud, and a client of it with settings s.
func (c cloud) start(t *testing.T, n int, s settings, edit ...func(*mockcloud.Config)) (*clienttest.Cloud, []string, client) {
	t.Helper()
	m := clienttest.Start(t, edit...)
	return m, c.seed(m, n), c.connect(t, m.URL, s)
}

func connectAlibaba(t *testing.T, endpoint string, s settings) client {
	t.Helper()
	c, err := alibaba.NewClient(alibaba.Config{
		Region: mockcloud.DemoAlibabaRegion, AccessKey: mockcloud.DemoAlibabaAccessKey, SecretKey: mockcloud.DemoAlibabaSecret,
		Endpoint: endpoint, Retry: s.retry, Timeout: s.timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return alibabaClient(c)
}

func alibabaClient(c *alibaba.Client) client {
	api := &alibaba.ClientAPI{ClientID: "client-1", SessionID: mockcloud.DemoAlibabaSessionID, LoginToken: mockcloud.DemoAlibabaLoginToken}
	return client{DesktopLister: c, act: map[string]func(wait) fleet.BatchAction{
		"reboot": func(w wait) fleet.BatchAction {
			return c.Rebooter(alibaba.RebootOptions{Wait: w.wait, Poll: quickPoll, Settle: w.settle})
		},
		"client reboot": func(w wait) fleet.BatchAction {
			return c.Rebooter(alibaba.RebootOptions{Wait: w.wait, Poll: quickPoll, Settle: w.settle, ClientAPI: api})
		},
		"delete": func(w wait) fleet.BatchAction { return c.Deleter(alibaba.DeleteOptions{Wait: w.wait, Poll: quickPoll}) },
	}}
}

func connectHuawei(t *testing.T, endpoint string, s settings) client {
	t.Helper()
	c, err := huawei.NewClient(huawei.Config{
		Region: mockcloud.DemoHuaweiRegion, ProjectID: mockcloud.DemoHuaweiProject,
		AccessKey: mockcloud.DemoHuaweiAccessKey, SecretKey: mockcloud.DemoHuaweiSecret,
		Endpoint: endpoint, Retry: s.retry, Timeout: s.timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return huaweiClient(c)
}

func huaweiClient(c *huawei.Client) client {
	return client{DesktopLister: c, act: map[string]func(wait) fleet.BatchAction{
		"reboot": func(w wait) fleet.BatchAction {
			return c.Rebooter(huawei.RebootOptions{Wait: w.wait, Poll: quickPoll, Settle: w.settle})
		},
		"delete": func(w wait) fleet.BatchAction {
			return c.Deleter(huawei.DeleteOptions{Deletion: retry.Deletion{Wait: w.wait, Poll: quickPoll}})
		},
	}}
}

func batch(ids ...string) fleet.Batch { return fleet.Batch{DesktopIDs: ids} }
