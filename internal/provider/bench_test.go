package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// BenchmarkRebootFleet measures one whole reboot of a fleet, as Terraform
// drives it (plan, then apply, through the protocol server) against the
// mock cloud on loopback, without waiting for the desktops to come back.
// It shows how the cost grows with the fleet (linearly, since desktop_ids
// became a list), and `go test -cpuprofile` on it shows where it goes.
func BenchmarkRebootFleet(b *testing.B) {
	for _, size := range []int{100, 1000, 10000} {
		for _, cloud := range []string{mockcloud.CloudAlibaba, mockcloud.CloudHuawei} {
			b.Run(fmt.Sprintf("%s/%d", cloud, size), func(b *testing.B) {
				cfg := mockcloud.DemoConfig()
				cfg.Timing = mockcloud.Timing{}
				mock := mockcloud.New(cfg)
				hs := httptest.NewServer(mock)
				defer hs.Close()
				region := mockcloud.DemoAlibabaRegion
				if cloud == mockcloud.CloudHuawei {
					region = mockcloud.DemoHuaweiProject
				}
				ids := mock.SeedFleet(cloud, region, "bench", size)
				p := newProtocolProvider(b, hs.URL)
				const resource = "clouddesktop_desktop_reboot"
				config := p.resourceValue(resource, map[string]tftypes.Value{
					"cloud":       tftypes.NewValue(tftypes.String, cloud),
					"desktop_ids": stringListValue(ids),
					"wait":        tftypes.NewValue(tftypes.Bool, false),
				})
				b.ResetTimer()
				for b.Loop() {
					p.validate(b, resource, config)
					planned := p.plan(b, resource, p.null(resource), config)
					resp := p.apply(context.Background(), b, resource, p.null(resource), planned, config)
					if diagsHaveError(resp.Diagnostics) {
						b.Fatal(protocolDiagsText(resp.Diagnostics))
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(size), "µs/desktop")
			})
		}
	}
}
