package main

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// row is one line of the table: a Terraform command over a fleet.
type row struct {
	name      string
	variant   string // the name without the size: rows of one variant compare across sizes
	kind      string // "reboot", "delete", "per-desktop", "terraform_data", "plan"
	cloud     string
	desktops  int
	batch     int // desktops per API call, for the floor
	run       func() (result, error)
	floorCall bool // the API floor applies
	// callsPerBatch is how many calls the operation must make per batch
	// at the least (0 means 1): a delete that waits reads each batch back
	// once, to see its desktops gone, even from a cloud that deletes at
	// once.
	callsPerBatch int
	repeat        bool // measured -runs times, the median counting
}

// result is what a row measured.
type result struct {
	row *row
	measure
	note string
}

// floor is the least time the API itself allows the row's calls:
// ceil(N/batch) calls (times callsPerBatch), max_concurrency at a time,
// each taking the latency.
func (r result) floor(o *options) time.Duration {
	if !r.row.floorCall {
		return 0
	}
	calls := math.Ceil(float64(r.row.desktops)/float64(r.row.batch)) * float64(max(r.row.callsPerBatch, 1))
	return time.Duration(math.Ceil(calls/float64(o.concurrency)) * float64(o.latency))
}

func (b *bench) rows() []*row {
	var rows []*row
	add := func(r *row) { rows = append(rows, r) }
	for _, n := range b.o.sizes {
		for _, cloud := range []string{mockcloud.CloudAlibaba, mockcloud.CloudHuawei} {
			for _, wait := range []bool{false, true} {
				r := &row{name: fmt.Sprintf("reboot %s %d wait=%t", cloud, n, wait), variant: fmt.Sprintf("reboot %s wait=%t", cloud, wait),
					kind: "reboot", cloud: cloud, desktops: n, batch: 100, floorCall: true, repeat: true}
				r.run = func() (result, error) { return b.reboot(r, wait) }
				add(r)
			}
			for _, wait := range []bool{false, true} {
				r := &row{name: fmt.Sprintf("batch delete %s %d wait=%t", cloud, n, wait), variant: fmt.Sprintf("batch delete %s wait=%t", cloud, wait),
					kind: "delete", cloud: cloud, desktops: n, batch: 100, floorCall: true, repeat: true}
				if wait {
					r.callsPerBatch = 2 // DeleteDesktops + DescribeDesktops; Huawei batch-delete + its job
				}
				r.run = func() (result, error) { return b.batchDelete(r, wait) }
				add(r)
			}
		}
	}
	smallest, largest := slices.Min(b.o.sizes), slices.Max(b.o.sizes)
	pd := &row{name: fmt.Sprintf("per-desktop reboot alibaba %d resources", smallest), kind: "per-desktop", cloud: mockcloud.CloudAlibaba,
		desktops: smallest, batch: 1, floorCall: true}
	pd.run = func() (result, error) { return b.perDesktop(pd) }
	add(pd)
	td := &row{name: fmt.Sprintf("terraform_data %d-element list", largest), kind: "terraform_data", desktops: largest, repeat: true}
	td.run = func() (result, error) { return b.terraformData(td) }
	add(td)
	if b.timeBin != "" {
		// Both rows come from one alternating series (planComparison).
		var pair map[string]result
		var pairErr error
		for _, which := range []string{planOurs, planTime, planTimeQuiet} {
			p := &row{name: fmt.Sprintf("plan of %d unchanged %s", b.o.planCount, which), kind: "plan", desktops: b.o.planCount}
			p.run = func() (result, error) {
				if pair == nil && pairErr == nil {
					pair, pairErr = b.planComparison(b.o.planCount)
				}
				return pair[which], pairErr
			}
			add(p)
		}
	}
	return rows
}

// idsVar is the tfvars JSON that sets var.ids.
func idsVar(ids []string) string {
	data, _ := json.Marshal(map[string][]string{"ids": ids})
	return string(data)
}

const idsDecl = "variable \"ids\" {\n  type = list(string)\n}\n"

const header = idsDecl + `terraform {
  required_providers {
    clouddesktop = {
      source = "clouddesktop/clouddesktop"
    }
  }
}
`

func (b *bench) providerBlock() string {
	return fmt.Sprintf("provider \"clouddesktop\" {\n  max_concurrency = %d\n}\n", b.o.concurrency)
}

// fleet seeds n desktops on cloud and returns the terraform.tfvars.json
// that feeds desktop_ids. Every row takes its IDs through a variable of
// type list(string), the terraform_data floor included, so that they all
// pay Terraform's own conversion of the value alike: a literal list or a
// jsondecode() is a tuple, and converting a tuple of 10,000 strings to
// list(string) costs Terraform seconds by itself.
func (b *bench) fleet(cloud string, n int, prefix string) (idsJSON string) {
	region := mockcloud.DemoAlibabaRegion
	if cloud == mockcloud.CloudHuawei {
		region = mockcloud.DemoHuaweiProject
	}
	return idsVar(b.mock.SeedFleet(cloud, region, prefix, n))
}

// fleetDir seeds the row's fleet and writes a working directory whose
// configuration is the provider block and resource, which takes the IDs
// as var.ids.
func (b *bench) fleetDir(r *row, resource string) (string, error) {
	ids := b.fleet(r.cloud, r.desktops, strings.ReplaceAll(r.name, " ", "-"))
	return b.workdir(strings.ReplaceAll(r.name, " ", "_"), map[string]string{
		"terraform.tfvars.json": ids,
		"main.tf":               header + b.providerBlock() + resource,
	})
}

func (b *bench) reboot(r *row, wait bool) (result, error) {
	dir, err := b.fleetDir(r, fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "fleet" {
  cloud       = %q
  desktop_ids = var.ids
  wait        = %t
  keepers     = { round = "1" }
}
`, r.cloud, wait))
	if err != nil {
		return result{}, err
	}
	m, err := b.terraform(dir, "", "apply", "-auto-approve", "-input=false", "-no-color")
	return result{measure: m}, err
}

func (b *bench) batchDelete(r *row, wait bool) (result, error) {
	dir, err := b.fleetDir(r, fmt.Sprintf(`
resource "clouddesktop_desktop_batch_delete" "fleet" {
  cloud       = %q
  desktop_ids = var.ids
  wait        = %t
}
`, r.cloud, wait))
	if err != nil {
		return result{}, err
	}
	// dev_overrides: no terraform init.
	if _, err := b.terraform(dir, "", "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return result{}, err
	}
	m, err := b.terraform(dir, "", "destroy", "-auto-approve", "-input=false", "-no-color")
	return result{measure: m, note: "destroy"}, err
}

// perDesktop is the way users reboot a fleet without this provider's
// batching: one resource per desktop.
func (b *bench) perDesktop(r *row) (result, error) {
	ids := b.fleet(r.cloud, r.desktops, "per-desktop")
	dir, err := b.workdir("per_desktop", map[string]string{
		"terraform.tfvars.json": ids,
		"main.tf": header + b.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "one" {
  for_each    = toset(var.ids)
  cloud       = %q
  desktop_ids = [each.value]
  wait        = false
}
`, r.cloud),
	})
	if err != nil {
		return result{}, err
	}
	m, err := b.terraform(dir, "", "apply", "-auto-approve", "-input=false", "-no-color")
	return result{measure: m}, err
}

// terraformData is the floor Terraform itself imposes on a list this long:
// its built-in terraform_data resource holding the same IDs, no provider.
func (b *bench) terraformData(r *row) (result, error) {
	ids := make([]string, r.desktops)
	for i := range ids {
		ids[i] = fmt.Sprintf("ecd-%017d", i)
	}
	dir, err := b.workdir("terraform_data", map[string]string{
		"terraform.tfvars.json": idsVar(ids),
		"main.tf":               idsDecl + "resource \"terraform_data\" \"ids\" {\n  input = var.ids\n}\n",
	})
	if err != nil {
		return result{}, err
	}
	m, err := b.terraform(dir, "", "apply", "-auto-approve", "-input=false", "-no-color")
	return result{measure: m}, err
}

// The sides of the plan comparison.
const (
	planOurs      = "clouddesktop_desktop_reboot"
	planTime      = "time_static"
	planTimeQuiet = "time_static, SDK logs off"
)

// planComparison measures `terraform plan` of n unchanged resources: n
// one-desktop clouddesktop_desktop_reboot resources with keepers, and n
// time_static resources with triggers (the closest stand-in for random_id
// with keepers that builds here, see buildTimeProvider), twice: as it
// ships, where terraform-plugin-go and the framework log at TRACE to a pipe
// Terraform mostly discards, and with those logs off, as this provider
// runs them unless asked (main.go), which compares the two providers' own
// work. The plans alternate, planRuns rounds of the three, so that a slow
// spell of this shared machine weighs on all; each side's median counts.
func (b *bench) planComparison(n int) (map[string]result, error) {
	type side struct {
		which, dir, provider string
		env                  []string
		runs                 []measure
	}
	ours := &side{which: planOurs}
	theirs := &side{which: planTime, provider: b.timeBin}
	quiet := &side{which: planTimeQuiet, provider: b.timeBin,
		env: []string{"TF_LOG_SDK=off", "TF_LOG_SDK_PROTO=off", "TF_LOG_SDK_FRAMEWORK=off", "TF_LOG_PROVIDER_TIME=off"}}
	for _, s := range []*side{ours, theirs} {
		tfvars, body := idsVar([]string{}), fmt.Sprintf(`
resource "time_static" "r" {
  count    = %d
  triggers = { round = "1" }
}
`, n)
		if s == ours {
			tfvars = b.fleet(mockcloud.CloudAlibaba, n, "plan")
			body = b.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "r" {
  count       = %d
  cloud       = "alibaba"
  desktop_ids = [var.ids[count.index]]
  wait        = false
  keepers     = { round = "1" }
}
`, n)
		}
		dir, err := b.workdir("plan_"+s.which, map[string]string{"main.tf": header + body, "terraform.tfvars.json": tfvars})
		if err != nil {
			return nil, err
		}
		if _, err := b.terraform(dir, s.provider, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
			return nil, err
		}
		s.dir = dir
	}
	quiet.dir = theirs.dir
	sides := []*side{ours, theirs, quiet}
	for range b.o.planRuns {
		for _, s := range sides {
			m, err := b.terraformWith(s.env, s.dir, s.provider, "plan", "-input=false", "-no-color", "-detailed-exitcode")
			if err != nil {
				return nil, fmt.Errorf("an unchanged plan must show no changes: %w", err)
			}
			s.runs = append(s.runs, m)
		}
	}
	out := map[string]result{}
	for _, s := range sides {
		sort.Slice(s.runs, func(i, j int) bool { return s.runs[i].wall < s.runs[j].wall })
		out[s.which] = result{measure: s.runs[len(s.runs)/2], note: fmt.Sprintf("median of %d, alternating", len(s.runs))}
	}
	return out, nil
}
