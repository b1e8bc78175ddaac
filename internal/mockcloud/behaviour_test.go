package mockcloud

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// demo is the demo configuration with the given timing and behaviour.
func demo(timing Timing, b Behaviour) Config {
	cfg := DemoConfig()
	cfg.Timing, cfg.Behaviour = timing, b
	return cfg
}

// TestUnknownIDsOnDelete runs one delete of a known and an unknown desktop
// through each way a cloud treats the unknown one.
func TestUnknownIDsOnDelete(t *testing.T) {
	const unknownAli, unknownHw = "ecd-doesnotexist00000", "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name        string
		behaviour   Behaviour
		cloud       string
		wantStatus  int    // of the delete call
		wantSubJobs string // Huawei: sub-job statuses, desktop order, "-" for none
	}{
		{"alibaba reject", Behaviour{}, CloudAlibaba, 400, ""},
		{"alibaba skip", Behaviour{AlibabaUnknownIDs: UnknownSkip}, CloudAlibaba, 200, ""},
		{"huawei failed sub-job", Behaviour{}, CloudHuawei, 202, "SUCCESS FAILED"},
		{"huawei reject", Behaviour{HuaweiUnknownIDs: UnknownReject}, CloudHuawei, 404, ""},
		{"huawei skip: no sub-job", Behaviour{HuaweiUnknownIDs: UnknownSkip}, CloudHuawei, 202, "SUCCESS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvConfig(t, demo(Timing{}, tt.behaviour))
			var known string
			if tt.cloud == CloudAlibaba {
				known = e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "u", 1)[0]
				_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery([]string{known, unknownAli}))
				if tt.wantStatus == 200 {
					mustOK(t, err)
				} else {
					wantAliErr(t, err, "InvalidDesktopId.NotFound", tt.wantStatus)
				}
			} else {
				known = e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "u", 1)[0]
				c := e.hw(t)
				resp, err := hwDelete(c, []string{known, unknownHw})
				if tt.wantStatus != 202 {
					wantHwErr(t, err, "WKS.0004", tt.wantStatus)
				} else {
					mustOK(t, err)
					var got []string
					for _, sj := range deref(showJob(t, c, deref(resp.JobId)).SubJobs) {
						got = append(got, deref(sj.Status))
					}
					if strings.Join(got, " ") != tt.wantSubJobs {
						t.Errorf("sub-jobs %v, want %s", got, tt.wantSubJobs)
					}
				}
			}
			want := 0
			if tt.wantStatus < 300 {
				want = 1
			}
			if n := e.srv.DeleteCount(tt.cloud, known); n != want {
				t.Errorf("the known desktop was deleted %d times, want %d", n, want)
			}
		})
	}
}

// TestHuaweiJobWords walks a job through the words in force: the
// documented ones by default, the SDK's and the huaweicloud provider's
// (INIT ... COMPLETE / FAIL) when switched. Sub-jobs keep SUCCESS / FAILED.
func TestHuaweiJobWords(t *testing.T) {
	timing := Timing{JobWaiting: time.Minute, JobRunning: time.Minute}
	for _, tt := range []struct {
		words     JobWords
		fail      bool
		want      []string
		wantFinal string // of the sub-jobs
	}{
		{JobWords{}, false, []string{"WAITING", "RUNNING", "SUCCESS"}, "SUCCESS"},
		{JobWords{}, true, []string{"WAITING", "RUNNING", "FAILED"}, "FAILED"},
		{ProviderJobWords, false, []string{"INIT", "RUNNING", "COMPLETE"}, "SUCCESS"},
		{ProviderJobWords, true, []string{"INIT", "RUNNING", "FAIL"}, "FAILED"},
	} {
		e := newEnvConfig(t, demo(timing, Behaviour{HuaweiJobWords: tt.words}))
		ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "w", 2)
		if tt.fail {
			e.srv.InjectFault(Fault{Cloud: CloudHuawei, Kind: FaultJobFailed})
		}
		c := e.hw(t)
		resp, err := hwDelete(c, ids)
		mustOK(t, err)
		for i, want := range tt.want {
			if i > 0 {
				e.srv.Advance(time.Minute)
			}
			job := showJob(t, c, deref(resp.JobId))
			if got := deref(job.Status); got != want {
				t.Fatalf("%v: job %s, want %s", tt.want, got, want)
			}
		}
		for _, sj := range deref(showJob(t, c, deref(resp.JobId)).SubJobs) {
			if deref(sj.Status) != tt.wantFinal {
				t.Errorf("%v: sub-job %s, want %s", tt.want, deref(sj.Status), tt.wantFinal)
			}
		}
	}
}

// TestHuaweiDeletingLooksEmpty: switched on, a desktop being deleted shows
// an empty status and no task until its job ends; then DELETED, or
// deleteFailed when its sub-job failed.
func TestHuaweiDeletingLooksEmpty(t *testing.T) {
	e := newEnvConfig(t, demo(Timing{JobRunning: time.Minute, DeletedVisible: time.Hour}, Behaviour{HuaweiDeletingLooksEmpty: true}))
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "e", 2)
	e.srv.InjectFault(Fault{Cloud: CloudHuawei, Kind: FaultJobFailed, DesktopIDs: ids[1:]})
	c := e.hw(t)
	_, err := hwDelete(c, ids)
	mustOK(t, err)
	for _, id := range ids {
		if status, task := hwDesktopOf(t, c, id); status != "" || task != "" {
			t.Errorf("while deleting: %q/%q, want both empty", status, task)
		}
	}
	e.srv.Advance(time.Minute)
	if status, task := hwDesktopOf(t, c, ids[0]); status != "DELETED" || task != "" {
		t.Errorf("deleted: %q/%q, want DELETED", status, task)
	}
	if status, task := hwDesktopOf(t, c, ids[1]); status != "ACTIVE" || task != "deleteFailed" {
		t.Errorf("failed: %q/%q, want ACTIVE/deleteFailed", status, task)
	}
	// A failed delete may be tried again.
	e.srv.ClearFaults()
	_, err = hwDelete(c, ids[1:])
	mustOK(t, err)
}

func TestBehaviourControl(t *testing.T) {
	e := newEnv(t, Timing{})
	post := func(body string) int {
		resp, err := http.Post(e.hs.URL+"/_mock/behaviour", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"huaweiUnknownIds":"skip","huaweiJobWords":{"waiting":"INIT","running":"RUNNING","success":"COMPLETE","failed":"FAIL"}}`); code != 200 {
		t.Fatalf("HTTP %d", code)
	}
	if b := e.srv.CurrentBehaviour(); b.HuaweiUnknownIDs != UnknownSkip || b.HuaweiJobWords != ProviderJobWords {
		t.Errorf("behaviour %+v", b)
	}
	for _, bad := range []string{`{"alibabaUnknownIds":"ignore"}`, `{"huaweiJobWords":{"success":"DONE"}}`, `{"nonsense":true}`} {
		if code := post(bad); code != 400 {
			t.Errorf("%s: HTTP %d, want 400", bad, code)
		}
	}
}

// TestAlibabaPageLimit: pages hold at most the limit, whatever MaxResults
// asks for, and the NextTokens still walk the whole region.
func TestAlibabaPageLimit(t *testing.T) {
	e := newEnvConfig(t, demo(Timing{}, Behaviour{AlibabaPageLimit: 10}))
	e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "p", 25)
	var sizes []int
	for _, body := range describePages(t, e.ali(t), 100) {
		desktops, _ := body["Desktops"].([]any)
		sizes = append(sizes, len(desktops))
	}
	if fmt.Sprint(sizes) != "[10 10 5]" {
		t.Errorf("page sizes %v, want [10 10 5]", sizes)
	}
	if err := (Behaviour{AlibabaPageLimit: -1}).Validate(); err == nil {
		t.Error("a negative page limit was accepted")
	}
}
