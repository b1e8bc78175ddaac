package mockcloud

import (
	"strings"
	"testing"
	"time"
)

// aliStatus reads a desktop's status through DescribeDesktops, as a client
// sees it; "" when it is absent.
func aliStatus(t *testing.T, e *env, id string) string {
	t.Helper()
	res, err := aliCall(e.ali(t), "DescribeDesktops", aliAdminVersion, false, adminQuery([]string{id}))
	mustOK(t, err)
	ds := aliBody(t, res)["Desktops"].([]any)
	if len(ds) == 0 {
		return ""
	}
	return ds[0].(map[string]any)["DesktopStatus"].(string)
}

func TestAlibabaRebootPhases(t *testing.T) {
	tests := []struct {
		name   string
		timing Timing
		stuck  bool
		// status after each cumulative advance
		steps []struct {
			advance time.Duration
			want    string
		}
	}{
		{name: "timed", timing: Timing{RebootStopping: time.Minute, RebootStarting: 2 * time.Minute}, steps: []struct {
			advance time.Duration
			want    string
		}{{0, "Stopping"}, {59 * time.Second, "Stopping"}, {time.Second, "Starting"}, {2*time.Minute - time.Second, "Starting"}, {time.Second, "Running"}}},
		{name: "lagging", timing: Timing{RebootLag: 30 * time.Second, RebootStopping: time.Minute, RebootStarting: time.Minute}, steps: []struct {
			advance time.Duration
			want    string
		}{{0, "Running"}, {29 * time.Second, "Running"}, {time.Second, "Stopping"}, {time.Minute, "Starting"}, {time.Minute, "Running"}}},
		{name: "instant", timing: Timing{}, steps: []struct {
			advance time.Duration
			want    string
		}{{0, "Running"}}},
		{name: "stuck", timing: Timing{RebootStopping: time.Minute, RebootStarting: time.Minute}, stuck: true, steps: []struct {
			advance time.Duration
			want    string
		}{{0, "Stopping"}, {time.Minute, "Starting"}, {1000 * time.Hour, "Starting"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.timing)
			e.srv.AddDesktops(Desktop{Cloud: CloudAlibaba, ID: "ecd-phase00000000001", Stuck: tt.stuck})
			_, err := aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery([]string{"ecd-phase00000000001"}))
			mustOK(t, err)
			var at time.Duration
			for _, s := range tt.steps {
				e.srv.Advance(s.advance)
				at += s.advance
				if got := aliStatus(t, e, "ecd-phase00000000001"); got != s.want {
					t.Fatalf("at +%v: %s, want %s", at, got, s.want)
				}
				if d, _ := e.srv.Desktop(CloudAlibaba, "ecd-phase00000000001"); d.Status != s.want {
					t.Fatalf("at +%v: Desktop() says %s, want %s", at, d.Status, s.want)
				}
			}
		})
	}
}

func TestAlibabaDeletePhases(t *testing.T) {
	e := newEnv(t, Timing{DeleteStopping: time.Minute, DeletedVisible: time.Minute})
	ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "dp", 1)
	_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery(ids))
	mustOK(t, err)
	for _, s := range []struct {
		advance time.Duration
		want    string
	}{{0, "Stopping"}, {time.Minute, "Deleted"}, {time.Minute, ""}} {
		e.srv.Advance(s.advance)
		if got := aliStatus(t, e, ids[0]); got != s.want {
			t.Fatalf("%s, want %q", got, s.want)
		}
	}
	if _, ok := e.srv.Desktop(CloudAlibaba, ids[0]); ok {
		t.Error("Desktop() still knows a gone desktop")
	}
	// Gone everywhere: a reboot now names an unknown desktop.
	_, err = aliCall(e.ali(t), "RebootDesktops", aliAdminVersion, false, adminQuery(ids))
	wantAliErr(t, err, "InvalidDesktopId.NotFound", 400)
	if n := e.srv.DeleteCount(CloudAlibaba, ids[0]); n != 1 {
		t.Errorf("delete count %d after the desktop is gone", n)
	}

	t.Run("instant", func(t *testing.T) {
		e := newEnv(t, Timing{})
		ids := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "di", 1)
		_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery(ids))
		mustOK(t, err)
		if got := aliStatus(t, e, ids[0]); got != "" {
			t.Errorf("%q right after an instant delete", got)
		}
	})
	t.Run("stuck", func(t *testing.T) {
		e := newEnv(t, Timing{})
		e.srv.AddDesktops(Desktop{Cloud: CloudAlibaba, ID: "ecd-stuck00000000001", Stuck: true})
		_, err := aliCall(e.ali(t), "DeleteDesktops", aliAdminVersion, false, adminQuery([]string{"ecd-stuck00000000001"}))
		mustOK(t, err)
		e.srv.Advance(1000 * time.Hour)
		if got := aliStatus(t, e, "ecd-stuck00000000001"); got != "Stopping" {
			t.Errorf("stuck delete shows %q", got)
		}
	})
}

func TestHuaweiRebootPhases(t *testing.T) {
	e := newEnv(t, Timing{RebootLag: 10 * time.Second, RebootStopping: time.Minute, RebootStarting: time.Minute})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "hp", 1)
	e.srv.AddDesktops(Desktop{Cloud: CloudHuawei, ID: "stuck-1", Stuck: true})
	c := e.hw(t)
	resp, err := hwReboot(c, []string{ids[0], "stuck-1"})
	mustOK(t, err)
	if len(*resp.FailedOperationList) != 0 {
		t.Fatalf("failed %v", *resp.FailedOperationList)
	}
	for _, s := range []struct {
		advance         time.Duration
		task, stuckTask string
	}{
		{0, "", ""}, // the lag: task state still empty
		{10 * time.Second, "rebooting", "rebooting"},
		{2*time.Minute - time.Second, "rebooting", "rebooting"},
		{time.Second, "", "rebooting"},
		{1000 * time.Hour, "", "rebooting"},
	} {
		e.srv.Advance(s.advance)
		if status, task := hwDesktopOf(t, c, ids[0]); status != "ACTIVE" || task != s.task {
			t.Fatalf("desktop %s/%q, want ACTIVE/%q", status, task, s.task)
		}
		if _, task := hwDesktopOf(t, c, "stuck-1"); task != s.stuckTask {
			t.Fatalf("stuck desktop task %q", task)
		}
	}
}

func TestHuaweiStuckDeleteJobNeverFinishes(t *testing.T) {
	e := newEnv(t, Timing{})
	ids := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "ok", 1)
	e.srv.AddDesktops(Desktop{Cloud: CloudHuawei, ID: "stuck-1", Stuck: true})
	c := e.hw(t)
	resp, err := hwDelete(c, []string{ids[0], "stuck-1"})
	mustOK(t, err)
	e.srv.Advance(1000 * time.Hour)
	job := showJob(t, c, deref(resp.JobId))
	if deref(job.Status) != "RUNNING" || deref((*job.SubJobs)[0].Status) != "SUCCESS" || deref((*job.SubJobs)[1].Status) != "RUNNING" {
		t.Fatalf("job %s", job)
	}
	if _, task := hwDesktopOf(t, c, "stuck-1"); task != "deleting" {
		t.Errorf("stuck desktop task %q", task)
	}
}

func TestSeedFleetAndDefaults(t *testing.T) {
	s := New(DemoConfig())
	ali := s.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "a", 3)
	hw := s.SeedFleet(CloudHuawei, DemoHuaweiProject, "h", 2)
	for i, id := range ali {
		if len(id) != 21 || !strings.HasPrefix(id, "ecd-") || strings.Trim(id[4:], idAlphabet) != "" {
			t.Errorf("Alibaba ID %q", id)
		}
		d, ok := s.Desktop(CloudAlibaba, id)
		if !ok || d.Status != "Running" || d.ChargeType != "PostPaid" || d.Region != DemoAlibabaRegion || d.Name != []string{"a-0001", "a-0002", "a-0003"}[i] {
			t.Errorf("desktop %+v", d)
		}
	}
	for _, id := range hw {
		if len(id) != 36 || id[14] != '4' {
			t.Errorf("Huawei ID %q is not a v4 UUID", id)
		}
		if d, ok := s.Desktop(CloudHuawei, id); !ok || d.Status != "ACTIVE" || d.TaskStatus != "" {
			t.Errorf("desktop %+v", d)
		}
	}
	// The same seed gives the same fleet.
	again := New(DemoConfig()).SeedFleet(CloudAlibaba, DemoAlibabaRegion, "a", 3)
	if strings.Join(again, ",") != strings.Join(ali, ",") {
		t.Errorf("seeded IDs differ: %v vs %v", again, ali)
	}
	if len(s.Desktops()) != 5 {
		t.Errorf("Desktops() lists %d", len(s.Desktops()))
	}
	defer func() {
		if recover() == nil {
			t.Error("AddDesktops accepted an unknown cloud")
		}
	}()
	s.AddDesktops(Desktop{Cloud: "aws"})
}

// A desktop added busy stays busy: the way to test 409s.
func TestStaticTaskStatus(t *testing.T) {
	e := newEnv(t, Timing{})
	e.srv.AddDesktops(Desktop{Cloud: CloudHuawei, ID: "busy-1", TaskStatus: "rebuilding"})
	_, err := hwDelete(e.hw(t), []string{"busy-1"})
	wantHwErr(t, err, "WKS.0409", 409)
	e.srv.Advance(1000 * time.Hour)
	if d, _ := e.srv.Desktop(CloudHuawei, "busy-1"); d.TaskStatus != "rebuilding" {
		t.Errorf("task %q", d.TaskStatus)
	}
}
