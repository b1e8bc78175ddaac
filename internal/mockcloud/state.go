package mockcloud

import (
	"fmt"
	"sort"
	"time"
)

// Desktop is the public view of one desktop.
type Desktop struct {
	Cloud  string `json:"cloud"`
	Region string `json:"region"` // the Alibaba RegionId, or the Huawei project ID
	ID     string `json:"id"`
	Name   string `json:"name"`
	// Status is native: Alibaba DesktopStatus (Running, Stopped, ...),
	// Huawei status (ACTIVE, SHUTOFF, DELETED).
	Status     string `json:"status"`
	TaskStatus string `json:"taskStatus"` // Huawei only ("" idle, "rebooting", "deleting", "deleteFailed")
	ChargeType string `json:"chargeType"` // Alibaba: "PostPaid" (default) or "PrePaid" (DeleteDesktops refuses PrePaid)
	Stuck      bool   `json:"stuck"`      // transitions never finish, for timeout tests
}

// Native statuses the mock derives.
const (
	aliRunning  = "Running"
	aliStopping = "Stopping"
	aliStarting = "Starting"
	aliDeleted  = "Deleted"
	hwActive    = "ACTIVE"
	hwShutoff   = "SHUTOFF"
	hwDeleted   = "DELETED"
	hwRebooting = "rebooting"
	hwDeleting  = "deleting"
	// hwDeleteFailed is the task_status of a desktop whose delete failed
	// (model_desktop_detail_info.go: "deleteFailed：删除失败").
	hwDeleteFailed = "deleteFailed"
)

type dkey struct{ cloud, id string }

type opKind int

const (
	opNone opKind = iota
	opReboot
	opDelete
)

// desktop is the stored state: the idle status plus the one transition in
// progress, if any, with its start time. The current status is derived
// from these on every read, so nothing ever needs a timer.
type desktop struct {
	Desktop           // Status and TaskStatus hold the idle (static) values
	created time.Time //
	op      opKind
	opStart time.Time
	job     *hwJob // Huawei delete: the job and this desktop's sub-job
	sub     int
}

// view derives the desktop's status at now. gone means the cloud no longer
// knows it.
func (s *Server) view(d *desktop, now time.Time) (status, task string, gone bool) {
	t := s.cfg.Timing
	elapsed := now.Sub(d.opStart)
	if d.op == opReboot {
		if elapsed < t.RebootLag {
			// Accepted, but not showing yet.
			return d.Status, d.TaskStatus, false
		}
		elapsed -= t.RebootLag
	}
	if d.Cloud == CloudAlibaba {
		switch d.op {
		case opReboot:
			switch {
			case elapsed < t.RebootStopping:
				return aliStopping, "", false
			case d.Stuck || elapsed < t.RebootStopping+t.RebootStarting:
				return aliStarting, "", false
			}
			return aliRunning, "", false
		case opDelete:
			switch {
			case d.Stuck || elapsed < t.DeleteStopping:
				return aliStopping, "", false
			case elapsed < t.DeleteStopping+t.DeletedVisible:
				return aliDeleted, "", false
			}
			return "", "", true
		}
		return d.Status, "", false
	}
	switch d.op {
	case opReboot:
		if d.Stuck || elapsed < t.RebootStopping+t.RebootStarting {
			return d.Status, hwRebooting, false
		}
		return d.Status, "", false
	case opDelete:
		sub := d.job.subs[d.sub]
		end := d.job.end(t)
		switch {
		case sub.stuck || now.Before(end):
			return d.Status, hwDeleting, false
		case sub.failed:
			// The SDK's task_status for a delete that failed for good.
			return d.Status, hwDeleteFailed, false
		case now.Before(end.Add(t.DeletedVisible)):
			return hwDeleted, "", false
		}
		return "", "", true
	}
	return d.Status, d.TaskStatus, false
}

// lookup returns a desktop the cloud still knows in that region, with its
// current status.
func (s *Server) lookup(cloud, region, id string, now time.Time) (*desktop, string, string, bool) {
	d, ok := s.desktops[dkey{cloud, id}]
	if !ok || d.Region != region {
		return nil, "", "", false
	}
	status, task, gone := s.view(d, now)
	if gone {
		return nil, "", "", false
	}
	return d, status, task, true
}

// visible lists the desktops of one cloud and region the cloud still knows,
// ordered by ID so pages are stable: those named in ids, or all when ids is
// empty. A call that names its desktops looks up only those, so a fleet
// read back 100 at a time costs the mock linear time, not a sort of the
// whole fleet per call.
func (s *Server) visible(cloud, region string, now time.Time, ids []string) []*desktop {
	var out []*desktop
	keep := func(d *desktop) {
		if d.Region != region {
			return
		}
		if _, _, gone := s.view(d, now); gone {
			return
		}
		out = append(out, d)
	}
	if len(ids) > 0 {
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if d := s.desktops[dkey{cloud, id}]; d != nil && !seen[id] {
				seen[id] = true
				keep(d)
			}
		}
	} else {
		for k, d := range s.desktops {
			if k.cloud == cloud {
				keep(d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// startReboot and startDelete are the only ways a desktop changes, and the
// only places counts move, so "counts" means "actually applied".
func (s *Server) startReboot(d *desktop, now time.Time) {
	d.op, d.opStart, d.job = opReboot, now, nil
	s.countsFor(d.Cloud, d.ID).reboots++
}

func (s *Server) startDelete(d *desktop, now time.Time, job *hwJob, sub int) {
	d.op, d.opStart, d.job, d.sub = opDelete, now, job, sub
	if job == nil || !job.subs[sub].failed {
		s.countsFor(d.Cloud, d.ID).deletes++
	}
}

// AddDesktops adds or replaces desktops. Defaults: Alibaba Running/PostPaid
// in DemoAlibabaRegion, Huawei ACTIVE in the first configured project (or
// DemoHuaweiProject); an empty ID is generated, an empty Name is the ID.
// It panics on an unknown cloud: that is a bug in the test.
func (s *Server) AddDesktops(ds ...Desktop) {
	if _, err := s.addDesktops(ds); err != nil {
		panic(err)
	}
}

func (s *Server) addDesktops(ds []Desktop) ([]string, error) {
	for _, d := range ds {
		if d.Cloud != CloudAlibaba && d.Cloud != CloudHuawei {
			return nil, fmt.Errorf("mockcloud: unknown cloud %q (want %q or %q)", d.Cloud, CloudAlibaba, CloudHuawei)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	ids := make([]string, 0, len(ds))
	for _, d := range ds {
		if d.Region == "" {
			d.Region = s.defaultRegion(d.Cloud)
		}
		if d.ID == "" {
			d.ID = s.newDesktopID(d.Cloud)
		}
		if d.Name == "" {
			d.Name = d.ID
		}
		if d.Status == "" {
			d.Status = aliRunning
			if d.Cloud == CloudHuawei {
				d.Status = hwActive
			}
		}
		if d.Cloud == CloudAlibaba {
			d.TaskStatus = ""
			if d.ChargeType == "" {
				d.ChargeType = "PostPaid"
			}
		}
		s.desktops[dkey{d.Cloud, d.ID}] = &desktop{Desktop: d, created: now}
		ids = append(ids, d.ID)
	}
	return ids, nil
}

func (s *Server) defaultRegion(cloud string) string {
	if cloud == CloudHuawei {
		if len(s.cfg.HuaweiProjects) > 0 {
			return s.cfg.HuaweiProjects[0]
		}
		return DemoHuaweiProject
	}
	return DemoAlibabaRegion
}

// SeedFleet adds n idle running desktops named prefix-0001.. and returns
// their IDs in name order (Alibaba "ecd-" + 17 lowercase alphanumerics,
// Huawei UUIDs). IDs come from the seeded generator, so a fixed Seed gives
// a fixed fleet.
func (s *Server) SeedFleet(cloud, region, namePrefix string, n int) []string {
	ds := make([]Desktop, n)
	for i := range ds {
		ds[i] = Desktop{Cloud: cloud, Region: region, Name: fmt.Sprintf("%s-%04d", namePrefix, i+1)}
	}
	ids, err := s.addDesktops(ds)
	if err != nil {
		panic(err)
	}
	return ids
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func (s *Server) newDesktopID(cloud string) string {
	for {
		var id string
		if cloud == CloudAlibaba {
			b := make([]byte, 17)
			for i := range b {
				b[i] = idAlphabet[s.idRNG.Intn(len(idAlphabet))]
			}
			id = "ecd-" + string(b)
		} else {
			id = s.newUUID()
		}
		if _, taken := s.desktops[dkey{cloud, id}]; !taken {
			return id
		}
	}
}

// newUUID is a version-4 UUID from the seeded generator.
func (s *Server) newUUID() string {
	var b [16]byte
	_, _ = s.idRNG.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Desktop returns the current view of a desktop, its status derived from
// the time; false once the cloud no longer knows it.
func (s *Server) Desktop(cloud, id string) (Desktop, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.desktops[dkey{cloud, id}]
	if !ok {
		return Desktop{}, false
	}
	return s.publicView(d, s.nowLocked())
}

func (s *Server) publicView(d *desktop, now time.Time) (Desktop, bool) {
	status, task, gone := s.view(d, now)
	if gone {
		return Desktop{}, false
	}
	out := d.Desktop
	out.Status, out.TaskStatus = status, task
	return out, true
}

// Desktops lists every desktop the clouds still know, by cloud, region and ID.
func (s *Server) Desktops() []Desktop {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	var out []Desktop
	for _, d := range s.desktops {
		if v, ok := s.publicView(d, now); ok {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Cloud != b.Cloud {
			return a.Cloud < b.Cloud
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.ID < b.ID
	})
	return out
}
