package fleet

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// reportingAction reports what a cloud client reports: each batch sent,
// then its desktops finished in two wait rounds.
type reportingAction struct{ recordingAction }

func (a *reportingAction) Operation() string { return "reboot" }

func (a *reportingAction) Act(ctx context.Context, b Batch) Outcome {
	NoteSent(ctx, len(b.DesktopIDs), "req-"+b.DesktopIDs[0])
	half := len(b.DesktopIDs) / 2
	NoteSettled(ctx, half)
	NoteSettled(ctx, len(b.DesktopIDs)-half)
	return a.recordingAction.Act(ctx, b)
}

// TestProgressIsBounded: 100 batches make 300 progress events; with the
// clock moving one second per event, a line goes out at most once per
// ProgressEvery (5 s), besides the first and the last batch's and the end
// of the wait, which always do, to the log and the sink alike, each saying
// where the operation stands.
func TestProgressIsBounded(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	progressClock = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	defer func() { progressClock = time.Now }()

	var logs bytes.Buffer
	var sunk []string
	ctx := WithProgressSink(tflogtest.RootLogger(context.Background(), &logs), func(line string) { sunk = append(sunk, line) })
	r := Run(ctx, ids(1000), &reportingAction{recordingAction{max: 10}}, 1, nil)
	if len(r.Done) != 1000 {
		t.Fatalf("done %d", len(r.Done))
	}
	// 300 events, one second apart: the first, then one per 5 s.
	if len(sunk) < 50 || len(sunk) > 62 {
		t.Errorf("%d progress lines for 300 events 1 s apart, want about 60", len(sunk))
	}
	if len(sunk) == 0 || sunk[0] != "reboot: batch 1/100 sent: 10 desktops (request req-d-000)" {
		t.Fatalf("first line %q", sunk)
	}
	if last := sunk[len(sunk)-1]; last != "reboot: 1000/1000 desktops finished, 0 in progress" {
		t.Errorf("last line %q, want the end of the wait", last)
	}
	if !slices.Contains(sunk, "reboot: batch 100/100 sent: 10 desktops (request req-d-990)") {
		t.Errorf("no line for the last batch sent in %q", sunk)
	}
	entries, err := tflogtest.MultilineJSONDecode(&logs)
	if err != nil {
		t.Fatal(err)
	}
	infos := 0
	for _, e := range entries {
		if e["@level"] == "info" {
			infos++
		}
	}
	if infos != len(sunk) {
		t.Errorf("%d INFO lines, %d sink lines: both get every progress line", infos, len(sunk))
	}
}

// TestProgressWithoutRun: a client used outside Run reports into nothing.
func TestProgressWithoutRun(t *testing.T) {
	NoteSent(context.Background(), 5, "r")
	NoteSettled(context.Background(), 5)
}

// resendingAction reports each batch twice, as a send that was ambiguous
// and then resent the rest does.
type resendingAction struct{ recordingAction }

func (a *resendingAction) Operation() string { return "delete" }

func (a *resendingAction) Act(ctx context.Context, b Batch) Outcome {
	half := len(b.DesktopIDs) / 2
	NoteSent(ctx, half, "first")
	NoteSent(ctx, len(b.DesktopIDs)-half, "resend")
	return a.recordingAction.Act(ctx, b)
}

// TestProgressCountsABatchOnce: a batch that reports two calls is one
// batch sent; "batch 4/4" is said once, for the last batch, not when the
// second batch resends.
func TestProgressCountsABatchOnce(t *testing.T) {
	var sunk []string
	ctx := WithProgressSink(context.Background(), func(line string) { sunk = append(sunk, line) })
	Run(ctx, ids(40), &resendingAction{recordingAction{max: 10}}, 1, nil)
	var last []string
	for _, line := range sunk {
		if strings.Contains(line, "batch 4/4 sent") {
			last = append(last, line)
		}
	}
	if len(last) != 1 || sunk[0] != "delete: batch 1/4 sent: 5 desktops (request first)" {
		t.Errorf("progress %q: want the first batch's first call, and one line for the last batch", sunk)
	}
}
