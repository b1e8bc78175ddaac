package clienttest

import (
	"errors"
	"slices"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// FailedIDs lists the desktops of an outcome's failures, sorted.
func FailedIDs(o fleet.Outcome) []string {
	var out []string
	for _, f := range o.Failed {
		out = append(out, f.DesktopID)
	}
	slices.Sort(out)
	return out
}

// Sorted is a sorted copy of ids.
func Sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// CloudError is the *fleet.CloudError in err's chain; it fails the test when
// there is none.
func CloudError(t testing.TB, err error) *fleet.CloudError {
	t.Helper()
	var ce *fleet.CloudError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T (%v) is not a *fleet.CloudError", err, err)
	}
	return ce
}
