package alibaba

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func TestDeleteParameters(t *testing.T) {
	f := newFake(t)
	ids := idRange("d", 100)
	f.seed(statusRunning, ids...)
	c := newTestClient(t, f.srv.URL)
	a := c.Deleter(DeleteOptions{})
	if a.MaxBatch() != 100 {
		t.Errorf("MaxBatch = %d", a.MaxBatch())
	}
	o := a.Act(context.Background(), batch("ignored", ids...))
	if len(o.Done) != 100 || len(o.Failed) != 0 || !slices.Equal(o.RequestIDs, []string{"req-DeleteDesktops-1"}) {
		t.Fatalf("outcome done %d failed %v requests %v", len(o.Done), o.Failed, o.RequestIDs)
	}
	call := f.callsTo(opDelete)[0]
	if call.Version != adminAPIVersion || call.Query.Get("RegionId") != "cn-hangzhou" || !slices.Equal(call.IDs, ids) {
		t.Errorf("call %s %v", call.Version, call.Query)
	}
	if len(call.Query) != 101 {
		t.Errorf("%d parameters, want RegionId and 100 DesktopId.N", len(call.Query))
	}
	if len(f.callsTo(opDescribe)) != 0 {
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
		requestIDs    []string
		failedBy      string // request ID in the failures
	}{
		{"ignore, absent", true, false, []string{"a", "b", "gone"}, nil,
			[][]string{{"a", "b", "gone"}, {"a", "b"}}, []string{"req-DeleteDesktops-1", "req-DeleteDesktops-2"}, ""},
		{"ignore, listed as Deleted", true, true, []string{"a", "b", "gone"}, nil,
			[][]string{{"a", "b", "gone"}, {"a", "b"}}, []string{"req-DeleteDesktops-1", "req-DeleteDesktops-2"}, ""},
		{"do not ignore, absent", false, false, []string{"a", "b"}, []string{"gone"},
			[][]string{{"a", "b"}}, []string{"req-DeleteDesktops-1"}, "req-DescribeDesktops-1"},
		{"do not ignore, listed as Deleted", false, true, []string{"a", "b"}, []string{"gone"},
			[][]string{{"a", "b"}}, []string{"req-DeleteDesktops-1"}, "req-DescribeDesktops-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.seed(statusRunning, "a", "b")
			if tt.seedDeleted {
				f.seed(statusDeleted, "gone")
			}
			c := newTestClient(t, f.srv.URL)
			o := c.Deleter(DeleteOptions{FailMissing: !tt.ignoreMissing}).Act(context.Background(), batch("", "a", "b", "gone"))
			if !slices.Equal(sorted(o.Done), tt.done) || !slices.Equal(failedIDs(o), tt.failed) {
				t.Fatalf("done %v failed %v, want %v %v", o.Done, o.Failed, tt.done, tt.failed)
			}
			calls := f.callsTo(opDelete)
			if len(calls) != len(tt.calls) {
				t.Fatalf("%d delete calls, want %d", len(calls), len(tt.calls))
			}
			for i, want := range tt.calls {
				if !slices.Equal(calls[i].IDs, want) {
					t.Errorf("delete call %d named %v, want %v", i+1, calls[i].IDs, want)
				}
			}
			if f.actedOn("a") != 1 || f.actedOn("b") != 1 {
				t.Errorf("a deleted %d times, b %d", f.actedOn("a"), f.actedOn("b"))
			}
			if !slices.Equal(o.RequestIDs, tt.requestIDs) {
				t.Errorf("request IDs %v, want %v", o.RequestIDs, tt.requestIDs)
			}
			for _, fl := range o.Failed {
				var ce *fleet.CloudError
				if !errors.As(fl.Err, &ce) || ce.Code != "InvalidDesktopId.NotFound" || ce.RequestID != tt.failedBy ||
					!strings.Contains(ce.Message, "does not exist") || !slices.Equal(ce.DesktopIDs, []string{fl.DesktopID}) {
					t.Errorf("failure %s: %#v", fl.DesktopID, fl.Err)
				}
			}
		})
	}
}

func TestDeleteAllMissing(t *testing.T) {
	for _, ignore := range []bool{true, false} {
		f := newFake(t)
		c := newTestClient(t, f.srv.URL)
		o := c.Deleter(DeleteOptions{FailMissing: !ignore, Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "x", "y"))
		if ignore && (len(o.Done) != 2 || len(o.Failed) != 0) || !ignore && (len(o.Done) != 0 || len(o.Failed) != 2) {
			t.Errorf("ignore=%v: %+v", ignore, o)
		}
		// Without ignore_missing the read finds nothing to send.
		want := 1
		if !ignore {
			want = 0
		}
		if n := len(f.callsTo(opDelete)); n != want {
			t.Errorf("ignore=%v: %d delete calls, want %d", ignore, n, want)
		}
	}
}

// TestDeleteNotFoundAboutSomethingElse: every desktop exists, yet the call
// says not found; nothing may be reported deleted.
func TestDeleteNotFoundAboutSomethingElse(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "a", "b")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		if s.Action == opDelete {
			writeError(w, 404, "InvalidRegionId.NotFound", "The region is not found.", "req-404")
			return true
		}
		return false
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b"))
	if len(o.Done) != 0 || !slices.Equal(failedIDs(o), []string{"a", "b"}) {
		t.Fatalf("outcome %+v", o)
	}
	if n := len(f.callsTo(opDelete)); n != 1 {
		t.Errorf("%d delete calls", n)
	}
}

// TestDeleteMissingButReadFails: when the batch cannot be read, no desktop
// is counted deleted.
func TestDeleteMissingButReadFails(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "a")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		if s.Action == opDescribe {
			writeError(w, 403, "Forbidden.RAM", "no describe", "req-403")
			return true
		}
		return false
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "gone"))
	if len(o.Done) != 0 || !slices.Equal(failedIDs(o), []string{"a", "gone"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Code != "InvalidDesktopId.NotFound" {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
}

// TestDeleteAfterAmbiguousFailure: desktops the lost call took (absent,
// Deleted, Stopping) are not sent again.
func TestDeleteAfterAmbiguousFailure(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "a", "b", "c")
	f.seed(statusDeleted, "d")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		if s.Action == opDelete && s.N == 1 {
			f.apply(seen{Action: opDelete, IDs: []string{"a"}, N: 99}) // a: Stopping
			f.mu.Lock()
			delete(f.desktops, "b") // b: already gone
			f.mu.Unlock()
			resetConn(w)
			return true
		}
		return false
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b", "c", "d"))
	if !slices.Equal(sorted(o.Done), []string{"a", "b", "c", "d"}) || len(o.Failed) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	calls := f.callsTo(opDelete)
	if len(calls) != 2 || !slices.Equal(calls[1].IDs, []string{"c"}) {
		t.Fatalf("calls %v", calls)
	}
	if f.actedOn("a") != 1 || f.actedOn("c") != 1 {
		t.Errorf("a deleted %d times, c %d", f.actedOn("a"), f.actedOn("c"))
	}
}

// TestDeleteAmbiguousToTheEnd: when every attempt is lost, the batch is
// read once more, so that what the cloud did take is not reported failed.
func TestDeleteAmbiguousToTheEnd(t *testing.T) {
	f := newFake(t)
	f.seed(statusRunning, "a", "b")
	f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
		if s.Action != opDelete {
			return false
		}
		if s.N == 4 { // the last attempt lands, its answer does not
			f.apply(seen{Action: opDelete, IDs: []string{"a"}, N: 99})
		}
		writeRaw(w, 502, "text/html", "<html>Bad Gateway</html>")
		return true
	})
	c := newTestClient(t, f.srv.URL)
	o := c.Deleter(DeleteOptions{}).Act(context.Background(), batch("", "a", "b"))
	if !slices.Equal(o.Done, []string{"a"}) || !slices.Equal(failedIDs(o), []string{"b"}) {
		t.Fatalf("outcome %+v", o)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.HTTPStatus != 502 || ce.Operation != opDelete {
		t.Errorf("failure %v", o.Failed[0].Err)
	}
	if n := len(f.callsTo(opDelete)); n != 4 {
		t.Errorf("%d delete calls, want 4", n)
	}
}

func TestDeleteWait(t *testing.T) {
	t.Run("until gone", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "a", "b")
		c := newTestClient(t, f.srv.URL)
		o := c.Deleter(DeleteOptions{Wait: true, Poll: quickPoll}).Act(context.Background(), batch("", "a", "b"))
		if !slices.Equal(sorted(o.Done), []string{"a", "b"}) || len(o.Failed) != 0 {
			t.Fatalf("outcome %+v", o)
		}
		// Stopping, then Deleted: two reads (Deleted counts as gone).
		if n := len(f.callsTo(opDescribe)); n != 2 {
			t.Errorf("%d reads, want 2", n)
		}
	})
	t.Run("context ends first", func(t *testing.T) {
		f := newFake(t)
		f.seed(statusRunning, "a", "b")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f.setHook(func(w http.ResponseWriter, r *http.Request, s seen) bool {
			switch {
			case s.Action == opDelete:
				status, body := f.apply(s)
				f.setScript("b", statusStopping, statusStopping) // stuck
				writeJSON(w, status, body)
				return true
			case s.Action == opDescribe && s.N == 3:
				cancel()
			}
			return false
		})
		c := newTestClient(t, f.srv.URL)
		o := c.Deleter(DeleteOptions{Wait: true, Poll: quickPoll}).Act(ctx, batch("", "a", "b"))
		if !slices.Equal(o.Done, []string{"a"}) || !slices.Equal(failedIDs(o), []string{"b"}) {
			t.Fatalf("outcome %+v", o)
		}
		if fl := o.Failed[0]; !errors.Is(fl.Err, context.Canceled) || fl.LastStatus != statusStopping {
			t.Errorf("failure %v (last status %q)", fl.Err, fl.LastStatus)
		}
	})
}
