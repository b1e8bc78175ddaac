package retry

// Sent collects what the exchanges of one batch got to the cloud, for an
// action that follows the desktops afterwards.
type Sent struct {
	// Accepted are the desktops the cloud took: its answer said so, or a
	// read-back found them acted on.
	Accepted []string
	// FoundActedOn are those of Accepted a read-back found already acted
	// on (a reboot already under way, say): they were seen acting.
	FoundActedOn []string
}

// Accept records desktops the cloud's answer accepted.
func (s *Sent) Accept(ids []string) { s.Accepted = append(s.Accepted, ids...) }

// Take records desktops a read-back found acted on; it is an Exchange's
// Taken.
func (s *Sent) Take(ids []string) {
	s.Accepted = append(s.Accepted, ids...)
	s.FoundActedOn = append(s.FoundActedOn, ids...)
}
