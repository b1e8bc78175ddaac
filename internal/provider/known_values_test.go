package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// The custom knownvalue.Checks and state checks the tests share, in the
// manner of terraform-provider-random's internal/randomtest.

var (
	_ knownvalue.Check      = rfc3339Check{}
	_ knownvalue.Check      = stringsCheck{}
	_ knownvalue.Check      = listSizeCheck{}
	_ statecheck.StateCheck = noResourceCheck{}
)

// rfc3339 checks a string that is an RFC 3339 timestamp in UTC to the
// second ("2026-11-30T12:00:00Z").
func rfc3339() knownvalue.Check { return rfc3339Check{} }

type rfc3339Check struct{}

func (rfc3339Check) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("expected a string timestamp, got %T", v)
	}
	if ts, err := time.Parse(time.RFC3339, s); err != nil || ts.Format(time.RFC3339) != s || ts.Location() != time.UTC {
		return fmt.Errorf("%q is not an RFC 3339 UTC timestamp to the second", s)
	}
	return nil
}

func (rfc3339Check) String() string { return "an RFC 3339 UTC timestamp" }

// stringsInAnyOrder checks a list of strings that holds exactly want, each
// as many times, in any order.
func stringsInAnyOrder(want []string) knownvalue.Check {
	return stringsCheck{want: func() []string { return want }}
}

// sortedStrings checks a list of strings that is want, sorted.
func sortedStrings(want []string) knownvalue.Check {
	return stringsCheck{want: func() []string { return want }, sorted: true}
}

// stringsExactly checks a list of strings that is want, in its order.
func stringsExactly(want []string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(want))
	for i, s := range want {
		checks[i] = knownvalue.StringExact(s)
	}
	return knownvalue.ListExact(checks)
}

// stringsInAnyOrderFrom is stringsInAnyOrder of what want returns when the
// check runs: for what only the mock cloud's record of the apply knows.
func stringsInAnyOrderFrom(want func() []string) knownvalue.Check {
	return stringsCheck{want: want}
}

type stringsCheck struct {
	want   func() []string
	sorted bool
}

func (c stringsCheck) CheckValue(v any) error {
	elems, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list of strings, got %T", v)
	}
	got := make([]string, len(elems))
	for i, e := range elems {
		if got[i], ok = e.(string); !ok {
			return fmt.Errorf("element %d is %T, not a string", i, e)
		}
	}
	if c.sorted && !slices.IsSorted(got) {
		return fmt.Errorf("the list of %d is not sorted", len(got))
	}
	want := slices.Sorted(slices.Values(c.want()))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Errorf("%d strings, want %d; missing %v, unexpected %v", len(got), len(want), minus(want, got), minus(got, want))
	}
	return nil
}

func (c stringsCheck) String() string {
	if c.sorted {
		return fmt.Sprintf("exactly %d strings, sorted", len(c.want()))
	}
	return fmt.Sprintf("exactly %d strings, in any order", len(c.want()))
}

// minus is a without b, both sorted, abbreviated for a message.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	if len(out) > 5 {
		return append(out[:5], fmt.Sprintf("... (%d in all)", len(out)))
	}
	return out
}

// listSizeBetween checks a list of lo to hi elements.
func listSizeBetween(lo, hi int) knownvalue.Check { return listSizeCheck{lo, hi} }

type listSizeCheck struct{ lo, hi int }

func (c listSizeCheck) CheckValue(v any) error {
	elems, ok := v.([]any)
	if !ok {
		return fmt.Errorf("expected a list, got %T", v)
	}
	if len(elems) < c.lo || len(elems) > c.hi {
		return fmt.Errorf("a list of %d elements, want %d to %d", len(elems), c.lo, c.hi)
	}
	return nil
}

func (c listSizeCheck) String() string { return fmt.Sprintf("a list of %d to %d elements", c.lo, c.hi) }

// expectNoResource checks that the resource at addr is not in state.
func expectNoResource(addr string) statecheck.StateCheck { return noResourceCheck{addr} }

type noResourceCheck struct{ addr string }

func (c noResourceCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		if r.Address == c.addr {
			resp.Error = fmt.Errorf("%s is still in state", c.addr)
			return
		}
	}
}
