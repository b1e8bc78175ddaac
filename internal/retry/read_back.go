package retry

import "github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"

// ReadBack is a batch sorted after a call whose answer was lost.
type ReadBack struct {
	Taken  []string               // the lost call acted on them
	Resend []string               // it did not: send them again
	Failed []fleet.DesktopFailure // in a state the action has failed in for good
}

// Disposition is where a desktop stands after a call whose answer was lost,
// as a cloud reads it from the desktop's state.
type Disposition int

const (
	// NotActedOn: the lost call did not act on the desktop; send it again.
	NotActedOn Disposition = iota
	// ActedOn: the lost call acted on the desktop; never send it again.
	ActedOn
	// FailedForGood: the desktop is in a state the action has failed in,
	// and resending would not help.
	FailedForGood
)

// SortReadBack sorts a batch read back after a lost answer. states holds
// what the read found, by desktop ID (a desktop missing from it was not
// listed); where says how the action reads one desktop's state, and failure
// what a desktop that stands FailedForGood failed with.
func SortReadBack[S any](ids []string, states map[string]S, where func(s S, listed bool) Disposition, failure func(id string, s S) fleet.DesktopFailure) ReadBack {
	var rb ReadBack
	for _, id := range ids {
		s, listed := states[id]
		switch where(s, listed) {
		case ActedOn:
			rb.Taken = append(rb.Taken, id)
		case FailedForGood:
			rb.Failed = append(rb.Failed, failure(id, s))
		default:
			rb.Resend = append(rb.Resend, id)
		}
	}
	return rb
}
