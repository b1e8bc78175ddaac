package mockcloud

import (
	"slices"
	"strings"
)

// counts are what was applied to one desktop. startReboot and startDelete
// are the only places they move, so they mean "actually applied", however
// often a call was sent.
type counts struct{ reboots, deletes int }

// countsFor is the desktop's counts, made at first use. Called with s.mu
// held.
func (s *Server) countsFor(cloud, id string) *counts {
	k := dkey{cloud, id}
	c := s.counts[k]
	if c == nil {
		c = &counts{}
		s.counts[k] = c
	}
	return c
}

// RebootCount is how many reboots were actually applied to the desktop.
func (s *Server) RebootCount(cloud, id string) int { return s.applied(cloud, id).reboots }

// DeleteCount is how many deletions were actually applied to the desktop
// (Huawei: sub-jobs that were not made to fail).
func (s *Server) DeleteCount(cloud, id string) int { return s.applied(cloud, id).deletes }

// applied is what was applied to a desktop; zero for one never acted on.
func (s *Server) applied(cloud, id string) counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counts[dkey{cloud, id}]; c != nil {
		return *c
	}
	return counts{}
}

// DesktopCounts is what GET /_mock/counts lists.
type DesktopCounts struct {
	Cloud   string `json:"cloud"`
	ID      string `json:"id"`
	Reboots int    `json:"reboots"`
	Deletes int    `json:"deletes"`
}

// Counts lists the reboots and deletions applied per desktop, gone
// desktops included, by cloud and ID.
func (s *Server) Counts() []DesktopCounts {
	s.mu.Lock()
	out := make([]DesktopCounts, 0, len(s.counts))
	for k, c := range s.counts {
		out = append(out, DesktopCounts{Cloud: k.cloud, ID: k.id, Reboots: c.reboots, Deletes: c.deletes})
	}
	s.mu.Unlock() // sorting needs no lock
	slices.SortFunc(out, func(a, b DesktopCounts) int {
		return strings.Compare(a.Cloud+"\x00"+a.ID, b.Cloud+"\x00"+b.ID)
	})
	return out
}
