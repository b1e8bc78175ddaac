package alibaba

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

func TestDeleteParameters(t *testing.T) {
	m := clienttest.Start(t)
	ids := idRange(100)
	add(m, "", ids...)
	c := newTestClient(t, m.URL)
	a := c.Deleter(DeleteOptions{})
	if a.MaxBatch() != 100 {
		t.Errorf("MaxBatch = %d", a.MaxBatch())
	}
	o := a.Act(context.Background(), batch("ignored", ids...))
	if len(o.Done) != 100 || len(o.Failed) != 0 || !slices.Equal(o.RequestIDs, m.RequestIDs(ali, opDelete)) || len(o.RequestIDs) != 1 {
		t.Fatalf("outcome done %d failed %v requests %v", len(o.Done), o.Failed, o.RequestIDs)
	}
	call := m.CallsTo(ali, opDelete)[0]
	if call.Version != adminAPIVersion || call.Params["RegionId"] != "cn-hangzhou" || !slices.Equal(call.DesktopIDs, ids) || !call.Applied {
		t.Errorf("call %s %v, applied %v", call.Version, call.Params, call.Applied)
	}
	if len(call.Params) != 101 {
		t.Errorf("%d parameters, want RegionId and 100 DesktopId.N", len(call.Params))
	}
	if len(m.CallsTo(ali, opDescribe)) != 0 {
		t.Errorf("read the desktops without being asked to wait")
	}
}

// TestDeleteMissing: a batch with a desktop that does not exist. By default
// (ignore_missing) the call is sent as is; rejected whole, the batch is
// read, the missing desktop is Done and the rest are sent again. With
// FailMissing the batch is read first: the missing desktop fails, named,
// and is never sent.
func TestDeleteMissing(t *testing.T) {
	tests := []struct {
		name          string
		ignoreMissing bool
		seedDeleted   bool // "gone" is listed as Deleted rather than absent
		done, failed  []string
		calls         [][]string // DesktopId.N of each delete call
	}{
		{"ignore, absent", true, false, []string{"a", "b", "gone"}, nil, [][]string{{"a", "b", "gone"}, {"a", "b"}}},
		{"ignore, listed as Deleted", true, true, []string{"a", "b", "gone"}, nil, [][]string{{"a", "b", "gone"}, {"a", "b"}}},
		{"do not ignore, absent", false, false, []string{"a", "b"}, []string{"gone"}, [][]string{{"a", "b"}}},
		{"do not ignore, listed as Deleted", false, true, []string{"a", "b"}, []string{"gone"}, [][]string{{"a", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clienttest.Start(t)
			add(m, "", "a", "b")
			if tt.seedDeleted {
				add(m, "Deleted", "gone")
				// What the cloud answers a delete naming a desktop it
				// has deleted already.
				m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDelete, Kind: mockcloud.FaultError, DesktopIDs: []string{"gone"},
					Code: "InvalidDesktopId.NotFound", Message: "The specified desktops do not exist: gone."})
			}
			c := newTestClient(t, m.URL)
			o := c.Deleter(DeleteOptions{FailMissing: !tt.ignoreMissing}).Act(context.Background(), batch("", "a", "b", "gone"))
			if !slices.Equal(clienttest.Sorted(o.Done), tt.done) || !slices.Equal(clienttest.FailedIDs(o), tt.failed) {
				t.Fatalf("done %v failed %v, want %v %v", o.Done, o.Failed, tt.done, tt.failed)
			}
			calls := m.CallsTo(ali, opDelete)
			if len(calls) != len(tt.calls) {
				t.Fatalf("%d delete calls, want %d", len(calls), len(tt.calls))
			}
			for i, want := range tt.calls {
				if !slices.Equal(calls[i].DesktopIDs, want) {
					t.Errorf("delete call %d named %v, want %v", i+1, calls[i].DesktopIDs, want)
				}
			}
			if m.DeleteCount(ali, "a") != 1 || m.DeleteCount(ali, "b") != 1 || m.DeleteCount(ali, "gone") != 0 {
				t.Errorf("a deleted %d times, b %d, gone %d", m.DeleteCount(ali, "a"), m.DeleteCount(ali, "b"), m.DeleteCount(ali, "gone"))
			}
			if want := m.RequestIDs(ali, opDelete); !slices.Equal(o.RequestIDs, want) {
				t.Errorf("request IDs %v, want those of the delete calls %v", o.RequestIDs, want)
			}
			for _, fl := range o.Failed {
				var ce *fleet.CloudError
				if !errors.As(fl.Err, &ce) || ce.Code != "InvalidDesktopId.NotFound" || ce.RequestID != m.RequestIDs(ali, opDescribe)[0] ||
					!strings.Contains(ce.Message, "does not exist") || !slices.Equal(ce.DesktopIDs, []string{fl.DesktopID}) {
					t.Errorf("failure %s: %#v", fl.DesktopID, fl.Err)
				}
			}
		})
	}
}

func TestDeleteAllMissing(t *testing.T) {
	for _, ignore := range []bool{true, false} {
		m := clienttest.Start(t)
		c := newTestClient(t, m.URL)
		o := c.Deleter(DeleteOptions{FailMissing: !ignore, Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "x", "y"))
		if ignore && (len(o.Done) != 2 || len(o.Failed) != 0) || !ignore && (len(o.Done) != 0 || len(o.Failed) != 2) {
			t.Errorf("ignore=%v: %+v", ignore, o)
		}
		// Without ignore_missing the read finds nothing to send.
		want := 1
		if !ignore {
			want = 0
		}
		if n := len(m.CallsTo(ali, opDelete)); n != want {
			t.Errorf("ignore=%v: %d delete calls, want %d", ignore, n, want)
		}
	}
}

// TestDeleteNotFoundAboutSomethingElse: every desktop exists, yet the call
// says not found; nothing may be reported deleted.
func TestDeleteNotFoundAboutSomethingElse(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "", "a", "b")
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDelete, Kind: mockcloud.FaultError, Status: 404, Code: "InvalidRegionId.NotFound", Message: "The region is not found."})
	c := newTestClient(t, m.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b"))
	if len(o.Done) != 0 || !slices.Equal(clienttest.FailedIDs(o), []string{"a", "b"}) {
		t.Fatalf("outcome %+v", o)
	}
	if n := len(m.CallsTo(ali, opDelete)); n != 1 {
		t.Errorf("%d delete calls", n)
	}
}

// TestDeleteMissingButReadFails: when the batch cannot be read, no desktop
// is counted deleted.
func TestDeleteMissingButReadFails(t *testing.T) {
	m := clienttest.Start(t)
	add(m, "", "a")
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDescribe, Kind: mockcloud.FaultError, Status: 403, Code: "Forbidden.RAM", Message: "no describe"})
	c := newTestClient(t, m.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "gone"))
	if len(o.Done) != 0 || !slices.Equal(clienttest.FailedIDs(o), []string{"a", "gone"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Code != "InvalidDesktopId.NotFound" {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if n := m.DeleteCount(ali, "a"); n != 0 {
		t.Errorf("a deleted %d times", n)
	}
}

// TestDeleteAfterAmbiguousFailure: desktops the lost call took (absent,
// Deleted, Stopping) are not sent again.
func TestDeleteAfterAmbiguousFailure(t *testing.T) {
	m := clienttest.Start(t, timing(mockcloud.Timing{DeleteStopping: time.Hour}))
	add(m, "", "a", "b", "c")
	add(m, "Deleted", "d")
	m.At(ali, opDelete, 1, func() {
		// The lost call reached a (Stopping) before the connection
		// dropped; b has gone already.
		m.ApplyDelete(ali, "a")
		m.RemoveDesktops(ali, "b")
	})
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDelete, Kind: mockcloud.FaultReset, Count: 1})
	c := newTestClient(t, m.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b", "c", "d"))
	if !slices.Equal(clienttest.Sorted(o.Done), []string{"a", "b", "c", "d"}) || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	calls := m.CallsTo(ali, opDelete)
	if len(calls) != 2 || !slices.Equal(calls[1].DesktopIDs, []string{"c"}) {
		t.Fatalf("calls %v", calls)
	}
	if m.DeleteCount(ali, "a") != 1 || m.DeleteCount(ali, "c") != 1 || m.DeleteCount(ali, "d") != 0 {
		t.Errorf("a deleted %d times, c %d, d %d", m.DeleteCount(ali, "a"), m.DeleteCount(ali, "c"), m.DeleteCount(ali, "d"))
	}
}

// TestDeleteAmbiguousToTheEnd: when every attempt is lost, the batch is
// read once more, so that what the cloud did take is not reported failed.
func TestDeleteAmbiguousToTheEnd(t *testing.T) {
	m := clienttest.Start(t, timing(mockcloud.Timing{DeleteStopping: time.Hour}))
	add(m, "", "a", "b")
	// The last attempt lands on a, its answer does not.
	m.At(ali, opDelete, 4, func() { m.ApplyDelete(ali, "a") })
	m.InjectFault(mockcloud.Fault{Cloud: ali, Operation: opDelete, Kind: mockcloud.FaultHTML})
	c := newTestClient(t, m.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b"))
	if !slices.Equal(o.Done, []string{"a"}) || !slices.Equal(clienttest.FailedIDs(o), []string{"b"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.HTTPStatus != 502 || ce.Operation != opDelete {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if n := len(m.CallsTo(ali, opDelete)); n != 4 {
		t.Errorf("%d delete calls, want 4", n)
	}
	if m.DeleteCount(ali, "a") != 1 || m.DeleteCount(ali, "b") != 0 {
		t.Errorf("a deleted %d times, b %d", m.DeleteCount(ali, "a"), m.DeleteCount(ali, "b"))
	}
}

// TestDeleteWait: the wait ends once each desktop reads Deleted or is no
// longer listed (the desktop reads Stopping, then Deleted).
func TestDeleteWait(t *testing.T) {
	m := clienttest.Start(t, timing(mockcloud.Timing{DeleteStopping: time.Hour, DeletedVisible: time.Hour}))
	m.StepClock(ali, opDescribe, time.Hour)
	add(m, "", "a", "b")
	c := newTestClient(t, m.URL)
	o := c.Deleter(DeleteOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "a", "b"))
	if !slices.Equal(clienttest.Sorted(o.Done), []string{"a", "b"}) || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	// Stopping, then Deleted: two reads (Deleted counts as gone).
	if n := len(m.CallsTo(ali, opDescribe)); n != 2 {
		t.Errorf("%d reads, want 2", n)
	}
}
