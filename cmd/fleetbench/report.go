package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

func printTable(w io.Writer, o *options, results []result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "row\tdesktops\tAPI calls\twall\tprovider CPU\tprovider peak RSS\tAPI floor\twall / floor\tTerraform CPU\t")
	for _, r := range results {
		cpu, rss := "-", "-"
		if r.wrapped {
			cpu, rss = seconds(r.cpu), fmt.Sprintf("%.0f MiB", float64(r.peakRSS)/(1<<20))
		}
		floor, ratio := "-", "-"
		if f := r.floor(o); f > 0 {
			floor, ratio = seconds(f), fmt.Sprintf("%.1f", float64(r.wall)/float64(f))
		}
		name := r.row.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, r.row.desktops, r.calls, seconds(r.wall), cpu, rss, floor, ratio, seconds(r.tfCPU))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
}

// printTargets checks the measured figures against the targets of the
// fleet-scale work (issue 10), one line each, saying which hold.
func printTargets(w io.Writer, o *options, results []result) {
	find := func(match func(result) bool) *result {
		for i := range results {
			if match(results[i]) {
				return &results[i]
			}
		}
		return nil
	}
	check := func(ok bool, format string, args ...any) {
		mark := "ok  "
		if !ok {
			mark = "MISS"
		}
		fmt.Fprintf(w, "%s %s\n", mark, fmt.Sprintf(format, args...))
	}
	largest, smallest := 0, 0
	for _, r := range results {
		if r.row.variant != "" {
			largest = max(largest, r.row.desktops)
			if smallest == 0 || r.row.desktops < smallest {
				smallest = r.row.desktops
			}
		}
	}
	td := find(func(r result) bool { return r.row.kind == "terraform_data" })
	for _, r := range results {
		if r.row.variant == "" || r.row.desktops != largest {
			continue
		}
		check(r.cpu <= 2*time.Second, "%s: provider CPU %s <= 2 s", r.row.name, seconds(r.cpu))
		check(r.peakRSS <= 64<<20, "%s: provider peak RSS %.0f MiB <= 64 MiB", r.row.name, float64(r.peakRSS)/(1<<20))
		waitingReboot := r.row.kind == "reboot" && strings.HasSuffix(r.row.name, "wait=true")
		if td != nil && !waitingReboot {
			// A reboot that waits adds the reboot itself, which no floor
			// counts; a delete that waits, one read per batch.
			limit := time.Duration(1.2 * float64(r.floor(o)+td.wall))
			floor := "API floor"
			if r.row.callsPerBatch > 1 {
				floor = fmt.Sprintf("API floor of %d calls per batch", r.row.callsPerBatch)
			}
			check(r.wall <= limit, "%s: wall %s <= 1.2 x (%s %s + terraform_data %s) = %s",
				r.row.name, seconds(r.wall), floor, seconds(r.floor(o)), seconds(td.wall), seconds(limit))
		}
		small := find(func(s result) bool { return s.row.variant == r.row.variant && s.row.desktops == smallest })
		if small != nil && largest > smallest {
			perLarge := float64(r.cpu) / float64(r.row.desktops)
			perSmall := float64(small.cpu) / float64(small.row.desktops)
			check(perLarge <= 1.5*perSmall, "%s: provider CPU per desktop %.0f µs <= 1.5 x %.0f µs at %d",
				r.row.name, perLarge/1e3, perSmall/1e3, smallest)
		}
	}
	if pd := find(func(r result) bool { return r.row.kind == "per-desktop" }); pd != nil {
		one := find(func(r result) bool {
			return r.row.variant == "reboot "+pd.row.cloud+" wait=false" && r.row.desktops == pd.row.desktops
		})
		if one != nil {
			check(pd.calls >= 50*one.calls, "per-desktop resources made %d calls, >= 50 x the %d of one resource", pd.calls, one.calls)
			check(pd.wall >= 10*one.wall, "per-desktop resources took %s, >= 10 x the %s of one resource", seconds(pd.wall), seconds(one.wall))
		}
	}
	plan := func(which string) *result {
		return find(func(r result) bool { return r.row.kind == "plan" && strings.HasSuffix(r.row.name, " "+which) })
	}
	if ours := plan(planOurs); ours != nil {
		for _, theirs := range []*result{plan(planTime), plan(planTimeQuiet)} {
			if theirs != nil {
				check(float64(ours.wall) <= 1.1*float64(theirs.wall), "plan of unchanged reboot resources %s <= 1.1 x that of %s, %s (%.2f x)",
					seconds(ours.wall), strings.TrimPrefix(theirs.row.name, fmt.Sprintf("plan of %d unchanged ", theirs.row.desktops)),
					seconds(theirs.wall), float64(ours.wall)/float64(theirs.wall))
			}
		}
	}
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}
