package fleet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// recordingAction remembers every batch it was handed and fails the
// desktops listed in fail.
type recordingAction struct {
	max  int
	fail map[string]bool

	mu      sync.Mutex
	batches []Batch
	acted   map[string]int
}

func (a *recordingAction) MaxBatch() int { return a.max }

func (a *recordingAction) Act(_ context.Context, b Batch) Outcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.batches = append(a.batches, b)
	if a.acted == nil {
		a.acted = map[string]int{}
	}
	var o Outcome
	o.RequestIDs = []string{fmt.Sprintf("req-%d", b.Seq)}
	for _, id := range b.DesktopIDs {
		a.acted[id]++
		if a.fail[id] {
			o.Failed = append(o.Failed, DesktopFailure{DesktopID: id, Err: &CloudError{Cloud: "test", Operation: "Act", Code: "Boom"}})
			continue
		}
		o.Done = append(o.Done, id)
	}
	return o
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("d-%03d", i)
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		ids   []string
		size  int
		sizes []int
	}{
		{"empty", nil, 20, nil},
		{"one", ids(1), 20, []int{1}},
		{"exact", ids(40), 20, []int{20, 20}},
		{"45 by 20", ids(45), 20, []int{20, 20, 5}},
		{"250 by 100", ids(250), 100, []int{100, 100, 50}},
		{"duplicates collapse", []string{"b", "a", "b", "a"}, 20, []int{2}},
		{"size below one acts as one", ids(3), 0, []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			batches := Split(tt.ids, tt.size, func(seq int) string { return fmt.Sprintf("tok-%d", seq) })
			var sizes []int
			var all []string
			for i, b := range batches {
				if b.Seq != i || b.Token != fmt.Sprintf("tok-%d", i) {
					t.Errorf("batch %d has seq %d token %q", i, b.Seq, b.Token)
				}
				sizes = append(sizes, len(b.DesktopIDs))
				all = append(all, b.DesktopIDs...)
			}
			if !slices.Equal(sizes, tt.sizes) {
				t.Errorf("sizes = %v, want %v", sizes, tt.sizes)
			}
			if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
				t.Errorf("batches not sorted and unique: %v", all)
			}
		})
	}
}

func TestSplitIsOrderIndependent(t *testing.T) {
	a := Split([]string{"c", "a", "b"}, 2, nil)
	b := Split([]string{"b", "c", "a"}, 2, nil)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("batches depend on input order: %v vs %v", a, b)
	}
}

func TestRunActsOnEveryDesktopOnce(t *testing.T) {
	for _, concurrency := range []int{0, 1, 4, 64} {
		t.Run(fmt.Sprint(concurrency), func(t *testing.T) {
			action := &recordingAction{max: 20, fail: map[string]bool{"d-007": true, "d-044": true}}
			r := Run(context.Background(), ids(45), action, concurrency, nil)
			if len(action.batches) != 3 {
				t.Errorf("%d batches, want 3", len(action.batches))
			}
			for id, n := range action.acted {
				if n != 1 {
					t.Errorf("%s acted on %d times", id, n)
				}
			}
			if len(r.Done) != 43 || len(r.Failed) != 2 || len(r.NotProcessed) != 0 {
				t.Errorf("done %d failed %d not processed %d", len(r.Done), len(r.Failed), len(r.NotProcessed))
			}
			if !slices.Equal(r.RequestIDs, []string{"req-0", "req-1", "req-2"}) {
				t.Errorf("request IDs %v not in batch order", r.RequestIDs)
			}
			if !slices.Equal(r.Remaining(), []string{"d-007", "d-044"}) {
				t.Errorf("remaining = %v", r.Remaining())
			}
		})
	}
}

// cancellingAction cancels the operation while acting on its first batch
// and leaves part of that batch unaccounted for.
type cancellingAction struct {
	cancel context.CancelFunc
	calls  atomic.Int32
}

func (a *cancellingAction) MaxBatch() int { return 10 }

func (a *cancellingAction) Act(ctx context.Context, b Batch) Outcome {
	a.calls.Add(1)
	a.cancel()
	return Outcome{
		Done:   b.DesktopIDs[:3],
		Failed: []DesktopFailure{{DesktopID: b.DesktopIDs[3], Err: ctx.Err()}},
	}
}

func TestRunStopsStartingBatchesOnceCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	action := &cancellingAction{cancel: cancel}
	r := Run(ctx, ids(50), action, 1, nil)
	if got := action.calls.Load(); got != 1 {
		t.Fatalf("%d batches started after cancellation, want 1", got)
	}
	if len(r.Done) != 3 || len(r.Failed) != 1 || len(r.NotProcessed) != 46 {
		t.Fatalf("done %d failed %d not processed %d", len(r.Done), len(r.Failed), len(r.NotProcessed))
	}
	if !errors.Is(r.Failed[0].Err, context.Canceled) {
		t.Errorf("failure %v is not the cancellation", r.Failed[0].Err)
	}
}

func TestRunAlreadyCancelledStartsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	action := &recordingAction{max: 5}
	r := Run(ctx, ids(12), action, 4, nil)
	if len(action.batches) != 0 || len(r.NotProcessed) != 12 {
		t.Fatalf("started %d batches, %d not processed", len(action.batches), len(r.NotProcessed))
	}
}

func TestCloudErrorMessage(t *testing.T) {
	tests := []struct {
		err  *CloudError
		want string
		full string
	}{
		{
			&CloudError{Cloud: "huawei", Operation: "BatchDeleteDesktops", HTTPStatus: 409, Code: "WKS.0409", Message: "desktop busy", Detail: "task deleting", RequestID: "r-1", DesktopIDs: []string{"a", "b"}},
			"huawei BatchDeleteDesktops failed (HTTP 409): WKS.0409: desktop busy (task deleting); request ID r-1",
			"; desktops a, b",
		},
		{
			&CloudError{Cloud: "alibaba", Operation: "RebootDesktops", Cause: errors.New("connection reset")},
			"alibaba RebootDesktops failed: connection reset",
			"",
		},
	}
	for _, tt := range tests {
		if got := tt.err.Brief(); got != tt.want {
			t.Errorf("Brief() = %q, want %q", got, tt.want)
		}
		if got := tt.err.Error(); got != tt.want+tt.full {
			t.Errorf("Error() = %q, want %q", got, tt.want+tt.full)
		}
	}
	f := DesktopFailure{DesktopID: "a", Err: tt0(), LastStatus: "Stopping"}
	if got := f.String(); got != "a: alibaba DescribeDesktops failed: Timeout (last status Stopping)" {
		t.Errorf("failure string = %q", got)
	}
}

func tt0() error {
	return fmt.Errorf("wrapped: %w", &CloudError{Cloud: "alibaba", Operation: "DescribeDesktops", Code: "Timeout", DesktopIDs: []string{"a", "b"}})
}
