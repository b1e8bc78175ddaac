package retry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestSendOnce drives every path of the exactly-once send with a scripted
// cloud: what each call answers, what each read-back finds.
func TestSendOnce(t *testing.T) {
	transient := &fleet.CloudError{Operation: "Act", Code: "Throttling", Retryable: true}
	lost := &fleet.CloudError{Operation: "Act", Message: "connection reset", Retryable: true, Ambiguous: true}
	lostLast := &fleet.CloudError{Operation: "Act", Message: "connection reset (last)", Retryable: true, Ambiguous: true}
	denied := &fleet.CloudError{Operation: "Act", HTTPStatus: 403, Code: "Forbidden"}
	readDown := &fleet.CloudError{Operation: "Read", HTTPStatus: 503, Code: "ServiceUnavailable", Retryable: true}
	stuck := fleet.DesktopFailure{DesktopID: "c", Err: errors.New("stuck")}
	abc := []string{"a", "b", "c"}

	type read struct {
		rb  ReadBack
		err error
	}
	tests := []struct {
		name        string
		calls       []error // answers of successive calls
		reads       []read  // answers of successive read-backs; nil: the API has a token, no read-back
		cancelAfter int     // cancel the operation after this many calls (0: never)
		wantCalls   [][]string
		wantReads   [][]string
		wantTaken   []string
		wantFailed  []string
		wantUnsent  []string
		wantErr     error // of the unsent
	}{
		{name: "success", calls: []error{nil}, wantCalls: [][]string{abc}},
		{name: "refused: not retried, nothing read", calls: []error{denied}, reads: []read{},
			wantCalls: [][]string{abc}, wantUnsent: abc, wantErr: denied},
		{name: "throttled, then accepted: repeated as it was, nothing read", calls: []error{transient, nil}, reads: []read{},
			wantCalls: [][]string{abc, abc}},
		{name: "lost, some taken: only the rest resent", calls: []error{lost, nil},
			reads:     []read{{rb: ReadBack{Taken: []string{"a"}, Resend: []string{"b", "c"}}}},
			wantCalls: [][]string{abc, {"b", "c"}}, wantReads: [][]string{abc}, wantTaken: []string{"a"}},
		{name: "lost, all taken: nothing resent", calls: []error{lost},
			reads:     []read{{rb: ReadBack{Taken: abc}}},
			wantCalls: [][]string{abc}, wantReads: [][]string{abc}, wantTaken: abc},
		{name: "lost, none taken: all resent", calls: []error{lost, nil},
			reads:     []read{{rb: ReadBack{Resend: abc}}},
			wantCalls: [][]string{abc, abc}, wantReads: [][]string{abc}},
		{name: "lost, one failed for good: reported, not resent", calls: []error{lost, nil},
			reads:     []read{{rb: ReadBack{Taken: []string{"a"}, Resend: []string{"b"}, Failed: []fleet.DesktopFailure{stuck}}}},
			wantCalls: [][]string{abc, {"b"}}, wantReads: [][]string{abc}, wantTaken: []string{"a"}, wantFailed: []string{"c"}},
		{name: "lost, read-back fails for good: no resend, no second read, the call's error", calls: []error{lost},
			reads:     []read{{err: denied}},
			wantCalls: [][]string{abc}, wantReads: [][]string{abc}, wantUnsent: abc, wantErr: lost},
		{name: "lost, read-back out of retries: its retries do not multiply the call's", calls: []error{lost},
			reads:     []read{{err: readDown}},
			wantCalls: [][]string{abc}, wantReads: [][]string{abc}, wantUnsent: abc, wantErr: lost},
		{name: "lost until retries run out: one last read settles what the last call did", calls: []error{lost, lost, lostLast},
			reads:     []read{{rb: ReadBack{Resend: abc}}, {rb: ReadBack{Resend: abc}}, {rb: ReadBack{Taken: []string{"a"}, Resend: []string{"b", "c"}}}},
			wantCalls: [][]string{abc, abc, abc}, wantReads: [][]string{abc, abc, abc},
			wantTaken: []string{"a"}, wantUnsent: []string{"b", "c"}, wantErr: lostLast},
		{name: "lost until retries run out, and the last read finds all taken", calls: []error{lost, lost, lost},
			reads:     []read{{rb: ReadBack{Resend: abc}}, {rb: ReadBack{Resend: abc}}, {rb: ReadBack{Taken: abc}}},
			wantCalls: [][]string{abc, abc, abc}, wantReads: [][]string{abc, abc, abc}, wantTaken: abc},
		{name: "token API, lost: the same call repeated, nothing read", calls: []error{lost, nil},
			wantCalls: [][]string{abc, abc}},
		{name: "token API, lost until retries run out: failed", calls: []error{lost, lost, lostLast},
			wantCalls: [][]string{abc, abc, abc}, wantUnsent: abc, wantErr: lostLast},
		{name: "stopped while waiting to retry, nothing in doubt: not processed", calls: []error{transient}, reads: []read{},
			cancelAfter: 1, wantCalls: [][]string{abc}, wantUnsent: abc, wantErr: nil},
		{name: "stopped while waiting to retry, the call in doubt: failed, and not read again", calls: []error{lost},
			reads: []read{}, cancelAfter: 1, wantCalls: [][]string{abc}, wantUnsent: abc, wantErr: lost},
	}
	policy := Policy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls, reads [][]string
			var taken []string
			ex := Exchange{
				Operation: "Act",
				Call: func(_ context.Context, ids []string) error {
					calls = append(calls, slices.Clone(ids))
					if len(calls) == tt.cancelAfter {
						cancel()
					}
					if len(calls) > len(tt.calls) {
						t.Fatalf("call %d not scripted", len(calls))
					}
					return tt.calls[len(calls)-1]
				},
				Taken: func(ids []string) { taken = append(taken, ids...) },
			}
			if tt.reads != nil {
				ex.ReadBack = func(ctx context.Context, ids []string, lastErr error) (ReadBack, error) {
					reads = append(reads, slices.Clone(ids))
					if !fleet.IsUrgent(ctx) {
						t.Error("a read-back not marked urgent: it could queue behind the operation's routine calls")
					}
					if lastErr == nil || !ambiguous(lastErr) {
						t.Errorf("read-back after %v, which is not in doubt", lastErr)
					}
					if len(reads) > len(tt.reads) {
						t.Fatalf("read %d not scripted", len(reads))
					}
					r := tt.reads[len(reads)-1]
					return r.rb, r.err
				}
			}
			var out fleet.Outcome
			got := policy.SendOnce(ctx, ex, abc, &out)

			var failed []string
			for _, f := range out.Failed {
				failed = append(failed, f.DesktopID)
			}
			for _, c := range []struct {
				what      string
				got, want any
			}{
				{"calls", calls, tt.wantCalls},
				{"reads", reads, tt.wantReads},
				{"taken", taken, tt.wantTaken},
				{"failed by a read", failed, tt.wantFailed},
				{"unsent", got.IDs, tt.wantUnsent},
			} {
				if !equalStrings(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
			if got.Err != tt.wantErr {
				t.Errorf("unsent error = %v, want %v", got.Err, tt.wantErr)
			}
		})
	}
}

// equalStrings compares []string or [][]string, nil and empty alike.
func equalStrings(a, b any) bool {
	switch a := a.(type) {
	case []string:
		b, _ := b.([]string)
		return slices.Equal(a, b)
	case [][]string:
		b, _ := b.([][]string)
		return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
	}
	return false
}

// TestUnsentFailInto: unsent desktops fail with their error; without one
// (the operation was stopped) they are left out, not processed.
func TestUnsentFailInto(t *testing.T) {
	var out fleet.Outcome
	Unsent{IDs: []string{"a"}}.FailInto(&out)
	if len(out.Failed) != 0 {
		t.Errorf("not processed desktops reported failed: %v", out.Failed)
	}
	boom := errors.New("boom")
	Unsent{IDs: []string{"a", "b"}, Err: boom}.FailInto(&out)
	if len(out.Failed) != 2 || out.Failed[1].DesktopID != "b" || out.Failed[1].Err != boom {
		t.Errorf("failed = %v", out.Failed)
	}
}
