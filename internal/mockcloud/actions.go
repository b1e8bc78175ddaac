package mockcloud

import (
	"fmt"
	"time"
)

// What happens to desktops outside the API under test: a call whose answer
// was lost acted on some of its desktops only, or another client of the
// cloud acted on them. Tests use these from an OnCall hook, at the moment
// the client must not know about.

// ApplyReboot reboots the desktops as an accepted reboot call would, counts
// included. It panics on a desktop the cloud does not know: that is a bug
// in the test.
func (s *Server) ApplyReboot(cloud string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	for _, d := range s.known(cloud, ids, now) {
		s.startReboot(d, now)
	}
}

// ApplyDelete deletes the desktops as an accepted delete call would: on
// Huawei through a job of its own, with a sub-job per desktop. It panics on
// a desktop the cloud does not know.
func (s *Server) ApplyDelete(cloud string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	ds := s.known(cloud, ids, now)
	if len(ds) == 0 {
		return
	}
	if cloud == CloudAlibaba {
		for _, d := range ds {
			s.startDelete(d, now, nil, 0)
		}
		return
	}
	job := &hwJob{id: s.newJobID(), project: ds[0].Region, created: now, emailNotification: true}
	for i, d := range ds {
		job.subs = append(job.subs, hwSubJob{id: s.newUUID(), desktopID: d.ID, desktopName: d.Name, stuck: d.Stuck})
		s.startDelete(d, now, job, i)
	}
	s.jobs[job.id] = job
}

// RemoveDesktops makes the cloud forget the desktops at once, as if another
// client had deleted them long ago. Counts are kept. Unknown IDs are
// ignored.
func (s *Server) RemoveDesktops(cloud string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		delete(s.desktops, dkey{cloud, id})
	}
}

// known returns the desktops the cloud still knows, in the order of ids.
// Called with s.mu held.
func (s *Server) known(cloud string, ids []string, now time.Time) []*desktop {
	ds := make([]*desktop, 0, len(ids))
	for _, id := range ids {
		d, ok := s.desktops[dkey{cloud, id}]
		if ok {
			_, _, gone := s.view(d, now)
			ok = !gone
		}
		if !ok {
			panic(fmt.Sprintf("mockcloud: %s desktop %q is not known", cloud, id))
		}
		ds = append(ds, d)
	}
	return ds
}
