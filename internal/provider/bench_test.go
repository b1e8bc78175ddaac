package provider

import (
	"fmt"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// BenchmarkRebootFleet measures one whole reboot of a fleet, as Terraform
// drives it (plan, then apply, through the protocol server) against the
// mock cloud on loopback, without waiting for the desktops to come back.
// It shows how the cost grows with the fleet (linearly, since desktop_ids
// became a list), and `go test -cpuprofile` on it shows where it goes.
func BenchmarkRebootFleet(b *testing.B) {
	for _, size := range []int{100, 1000, 10000} {
		for _, cloud := range bothClouds {
			b.Run(fmt.Sprintf("%s/%d", cloud.name, size), func(b *testing.B) {
				mock := newTestCloud(b, mockcloud.Timing{})
				ids := mock.seed(cloud, "bench", size)
				p := newProtocolProvider(b, mock.URL)
				config := p.fleet(rebootType, cloud.name, ids)
				b.ResetTimer()
				for b.Loop() {
					p.validate(b, rebootType, config)
					planned := p.plan(b, rebootType, p.null(rebootType), config)
					p.mustApply(b, "reboot", rebootType, p.null(rebootType), planned, config)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(size), "µs/desktop")
			})
		}
	}
}
