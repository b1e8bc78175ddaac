package clienttest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// Cloud is a mock cloud served over HTTP for one test.
type Cloud struct {
	*mockcloud.Server
	// URL is the endpoint to give a client: http://127.0.0.1:port.
	URL string
	// connections counts the TCP connections clients opened to it.
	connections *atomic.Int64
}

// Connections is how many TCP connections clients have opened to the cloud.
func (c *Cloud) Connections() int { return int(c.connections.Load()) }

// Start serves a mock cloud that accepts the demo credentials
// (mockcloud.DemoConfig) and makes every transition instant; edit changes
// the configuration first. The server closes when the test ends.
func Start(t testing.TB, edit ...func(*mockcloud.Config)) *Cloud {
	t.Helper()
	cfg := mockcloud.DemoConfig()
	cfg.Timing = mockcloud.Timing{}
	for _, e := range edit {
		e(&cfg)
	}
	s := mockcloud.New(cfg)
	conns := &atomic.Int64{}
	hs := httptest.NewUnstartedServer(s)
	hs.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	hs.Start()
	t.Cleanup(hs.Close)
	return &Cloud{Server: s, URL: hs.URL, connections: conns}
}

// At runs fn as the n-th call (counting from 1) to one cloud operation
// arrives, before the mock answers it: the moment to end a context, or to
// change desktops the client is about to read.
func (c *Cloud) At(cloud, op string, n int, fn func()) {
	var seen atomic.Int32
	c.OnCall(func(call mockcloud.Call) {
		if call.Cloud == cloud && call.Operation == op && int(seen.Add(1)) == n {
			fn()
		}
	})
}

// StepClock moves the mock's clock by step as each call to the operation
// after the first arrives, so that successive reads see the successive
// phases of a transition: the first at the moment of the action, the next
// step later, and so on, however fast the client polls.
func (c *Cloud) StepClock(cloud, op string, step time.Duration) {
	var seen atomic.Int32
	c.OnCall(func(call mockcloud.Call) {
		if call.Cloud == cloud && call.Operation == op && seen.Add(1) > 1 {
			c.Advance(step)
		}
	})
}

// InTurn makes the faults answer successive calls, in order, one each; the
// last keeps answering every call after (give it a Count to stop it).
func (c *Cloud) InTurn(faults ...mockcloud.Fault) {
	for i, f := range faults {
		if i < len(faults)-1 {
			f.Count = 1
		}
		c.InjectFault(f)
	}
}

// RequestIDs are the request IDs the mock answered an operation's calls
// with, in order ("" for a call it gave no answer).
func (c *Cloud) RequestIDs(cloud, op string) []string {
	var out []string
	for _, call := range c.CallsTo(cloud, op) {
		out = append(out, call.RequestID)
	}
	return out
}
