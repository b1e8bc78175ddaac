package provider

import (
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccDesktopBatchDeleteWait_huaweiStates destroys a Huawei fleet in
// which one desktop's delete fails, under each way the cloud and the
// huaweicloud provider name job and desktop states: the job words INIT,
// COMPLETE and FAIL; an answer lost after the delete was applied, so the
// fleet is followed through the listing, where the failed desktop shows
// task_status deleteFailed; and the same while a desktop being deleted
// shows an empty status. Each time the destroy ends as soon as the cloud
// has decided, well within its timeout: the failed desktop is named with
// the cloud's reason and stays in state, the others are gone, and nothing
// is deleted twice.
func TestAccDesktopBatchDeleteWait_huaweiStates(t *testing.T) {
	const jobStep = 150 * time.Millisecond
	lostAnswer := mockcloud.Fault{Cloud: huaweiCloud.name, Operation: huaweiCloud.deleteOp, Kind: mockcloud.FaultReset, AfterApply: true, Count: 1}
	tests := []struct {
		name      string
		behaviour mockcloud.Behaviour
		faults    []mockcloud.Fault
		line      string // what the failed desktop's line says
	}{
		{
			name:      "job words INIT, COMPLETE, FAIL",
			behaviour: mockcloud.Behaviour{HuaweiJobWords: mockcloud.ProviderJobWords},
			line:      `huawei BatchDeleteDesktops failed: WKS\.0500: [^\n]*\(job [0-9a-f-]{36}\); request ID [0-9A-F-]{36} \(last status FAIL\)`,
		},
		{
			name:   "lost answer, then deleteFailed in the listing",
			faults: []mockcloud.Fault{lostAnswer},
			line:   `huawei BatchDeleteDesktops failed: the cloud could not delete the desktop \(task_status deleteFailed\); request ID [0-9A-F-]{36} \(last status ACTIVE/deleteFailed\)`,
		},
		{
			name:      "lost answer, empty status while deleting",
			behaviour: mockcloud.Behaviour{HuaweiDeletingLooksEmpty: true},
			faults:    []mockcloud.Fault{lostAnswer},
			line:      `huawei BatchDeleteDesktops failed: the cloud could not delete the desktop \(task_status deleteFailed\); request ID [0-9A-F-]{36} \(last status ACTIVE/deleteFailed\)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := newTestCloudWith(t, func(cfg *mockcloud.Config) {
				cfg.Timing = mockcloud.Timing{JobWaiting: jobStep, JobRunning: jobStep}
				cfg.Behaviour = tt.behaviour
			})
			ids := cloud.seed(huaweiCloud, "states", 5)
			failing := slices.Sorted(slices.Values(ids))[2]
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: failedDestroy{
					c: cloud, provider: cloud.providerBlock(),
					fleet: func(ids []string) string {
						// A timeout far longer than the job: a destroy that
						// ends only when it runs out fails with another message.
						return hclResource(deleteType, "fleet", huaweiCloud.name, ids, timeoutsBlock("delete", "30s"))
					},
					all: ids, left: []string{failing},
					breakCloud: func() {
						for _, f := range tt.faults {
							cloud.InjectFault(f)
						}
						cloud.InjectFault(mockcloud.Fault{Cloud: huaweiCloud.name, Kind: mockcloud.FaultJobFailed, DesktopIDs: []string{failing}})
					},
					want: failurePattern("delete", huaweiCloud.name, len(ids), []string{failing}, sameLine(tt.line)),
				}.steps(destroyRest(cloud.providerBlock(), cloud.ClearFaults)), // the cloud recovers: the next destroy deletes it
				CheckDestroy: onMockAfterDestroy(func() error { return desktopsGone(cloud, huaweiCloud.name, ids) }),
			})
			deletes := cloud.CallsTo(huaweiCloud.name, huaweiCloud.deleteOp)
			if len(deletes) != 2 {
				t.Fatalf("%d batch-delete calls, want 2 (the fleet, then the failed desktop again)", len(deletes))
			}
			// The job ended 2*jobStep after it was created, on the mock's
			// clock. A provider that took its final word for "still
			// running" would poll on until the timeout, and at the
			// timeout settle the job exactly as if it had understood.
			end := deletes[0].Time.Add(2 * jobStep)
			late := 0
			for _, c := range cloud.CallsTo(huaweiCloud.name, "ShowJob") {
				if c.JobID == deletes[0].JobID && !c.Time.Before(end) {
					late++
				}
			}
			if late > 1 {
				t.Errorf("%d ShowJob calls after the job had ended, want at most 1: its final word was not understood", late)
			}
		})
	}
}
