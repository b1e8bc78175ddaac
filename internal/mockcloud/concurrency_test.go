package mockcloud

import (
	"sync"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
)

// Many clients at once, while a test reads the records: run with -race.
// Each desktop is rebooted by exactly one client, so the counts must come
// out exact however the calls interleave.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Timing{})
	ali := e.srv.SeedFleet(CloudAlibaba, DemoAlibabaRegion, "c", 8)
	hw := e.srv.SeedFleet(CloudHuawei, DemoHuaweiProject, "c", 8)
	e.srv.InjectFault(Fault{Kind: FaultLatency, Latency: 1, Probability: 0.5})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(2)
		aliClient, hwClient := e.ali(t), e.hw(t)
		go func() {
			defer wg.Done()
			c := aliClient
			for range 3 {
				if _, err := aliCall(c, "RebootDesktops", aliAdminVersion, false, adminQuery(ali[i:i+1])); err != nil {
					errs <- err
				}
				if _, err := aliCall(c, "DescribeDesktops", aliAdminVersion, false, adminQuery(nil)); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			c := hwClient
			for range 3 {
				if _, err := hwReboot(c, hw[i:i+1]); err != nil {
					errs <- err
				}
				if _, err := c.ListDesktopsDetail(&model.ListDesktopsDetailRequest{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
			_ = e.srv.Calls()
			_ = e.srv.Desktops()
			_ = e.srv.Counts()
		}
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range 8 {
		if a, h := e.srv.RebootCount(CloudAlibaba, ali[i]), e.srv.RebootCount(CloudHuawei, hw[i]); a != 3 || h != 3 {
			t.Errorf("desktop %d rebooted %d/%d times, want 3/3", i, a, h)
		}
	}
	if n := len(e.srv.Calls()); n != 8*2*6 {
		t.Errorf("%d calls recorded, want %d", n, 8*2*6)
	}
}
