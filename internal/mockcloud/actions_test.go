package mockcloud

import (
	"testing"
	"time"
)

// TestActionsOutsideTheAPI: what ApplyReboot, ApplyDelete and
// RemoveDesktops leave behind is what an accepted call would, counts
// included, on both clouds.
func TestActionsOutsideTheAPI(t *testing.T) {
	timing := Timing{RebootStopping: time.Hour, DeleteStopping: time.Hour, JobRunning: time.Hour}
	for _, tt := range []struct {
		cloud, region       string
		rebooting, deleting string // status[/task] read after each
	}{
		{CloudAlibaba, DemoAlibabaRegion, aliStopping, aliStopping},
		{CloudHuawei, DemoHuaweiProject, hwActive + "/" + hwRebooting, hwActive + "/" + hwDeleting},
	} {
		t.Run(tt.cloud, func(t *testing.T) {
			e := newEnv(t, timing)
			ids := e.srv.SeedFleet(tt.cloud, tt.region, "oob", 3)
			e.srv.ApplyReboot(tt.cloud, ids[0])
			e.srv.ApplyDelete(tt.cloud, ids[1])
			e.srv.RemoveDesktops(tt.cloud, ids[2], "never-there")
			for i, want := range []string{tt.rebooting, tt.deleting} {
				d, ok := e.srv.Desktop(tt.cloud, ids[i])
				got := d.Status
				if d.TaskStatus != "" {
					got += "/" + d.TaskStatus
				}
				if !ok || got != want {
					t.Errorf("desktop %d reads %q (known %v), want %q", i, got, ok, want)
				}
			}
			if _, ok := e.srv.Desktop(tt.cloud, ids[2]); ok {
				t.Error("a removed desktop is still known")
			}
			if r, d := e.srv.RebootCount(tt.cloud, ids[0]), e.srv.DeleteCount(tt.cloud, ids[1]); r != 1 || d != 1 {
				t.Errorf("counts: %d reboots, %d deletes; want 1 and 1", r, d)
			}
			if len(e.srv.Calls()) != 0 {
				t.Errorf("acting outside the API recorded calls: %v", e.srv.Calls())
			}
			defer func() {
				if recover() == nil {
					t.Error("acting on an unknown desktop did not panic")
				}
			}()
			e.srv.ApplyReboot(tt.cloud, ids[2])
		})
	}
}
