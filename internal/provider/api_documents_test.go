package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// TestAccAPIDocumentExamples applies the example values of both API
// documents the product started from, as a user copying them would: the
// Alibaba RebootDesktops parameters (client API, spaces in ClientOS and
// masked "****" values included) on a reboot, and the Huawei batch-delete
// desktop IDs on a fleet that is then destroyed. Every value is accepted,
// reaches the cloud exactly as written, and the cloud's example job ID is
// followed to the end.
func TestAccAPIDocumentExamples(t *testing.T) {
	ali, hw := mockcloud.AlibabaRebootExample, mockcloud.HuaweiBatchDeleteExample
	cloud := newTestCloudWith(t, func(cfg *mockcloud.Config) {
		cfg.AlibabaLoginTokens = map[string]string{ali.SessionID: ali.LoginToken}
		cfg.HuaweiJobIDs = []string{hw.JobID}
	})
	cloud.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: ali.RegionID, ID: ali.DesktopID})
	for _, id := range hw.DesktopIDs {
		cloud.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudHuawei, Region: mockcloud.DemoHuaweiProject, ID: id})
	}
	config := cloud.providerBlock() + fmt.Sprintf(`
resource "clouddesktop_desktop_reboot" "document" {
  cloud       = "alibaba"
  region      = %q
  desktop_ids = [%q]

  alibaba {
    client_id      = %q
    session_id     = %q
    login_token    = %q
    client_os      = %q
    client_version = %q
    session_token  = %q
    uuid           = %q
  }
}

resource "clouddesktop_desktop_batch_delete" "document" {
  cloud       = "huawei"
  desktop_ids = %s
}
`, ali.RegionID, ali.DesktopID, ali.ClientID, ali.SessionID, ali.LoginToken, ali.ClientOS, ali.ClientVersion,
		ali.SessionToken, ali.UUID, hclStrings(hw.DesktopIDs))

	const reboot = "clouddesktop_desktop_reboot.document"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(reboot, tfjsonpath.New("alibaba").AtMapKey("client_os"), knownvalue.StringExact(ali.ClientOS)),
				statecheck.ExpectKnownValue(reboot, tfjsonpath.New("alibaba").AtMapKey("client_id"), knownvalue.StringExact(ali.ClientID)),
				statecheck.ExpectKnownValue(reboot, tfjsonpath.New("request_ids"), knownvalue.ListSizeExact(1)),
				onMock(func() error { return alibabaDocumentRequestArrived(cloud) }),
			},
		}},
		CheckDestroy: onMockAfterDestroy(func() error { return huaweiDocumentDeleteArrived(cloud) }),
	})
}

// alibabaDocumentRequestArrived checks the one client-API reboot against
// the document's examples, parameter by parameter. ClientToken is the
// provider's own (derived from the reboot's id and the batch), and
// Timestamp and SignatureNonce are the RPC V2 request's own.
func alibabaDocumentRequestArrived(cloud *testCloud) error {
	ali := mockcloud.AlibabaRebootExample
	calls := cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops")
	if len(calls) != 1 {
		return fmt.Errorf("%d RebootDesktops calls, want 1", len(calls))
	}
	call := calls[0]
	if call.Status != 200 || call.Auth != "anonymous" || call.Version != "2020-10-02" {
		return fmt.Errorf("RebootDesktops answered %d %s, auth %q, version %s", call.Status, call.ErrorCode, call.Auth, call.Version)
	}
	got := maps.Clone(call.Params)
	if !regexp.MustCompile(`^[0-9a-f-]{36}-0$`).MatchString(got["ClientToken"]) {
		return fmt.Errorf("ClientToken %q is not the reboot's id and batch 0", got["ClientToken"])
	}
	for _, k := range []string{"ClientToken", "Timestamp", "SignatureNonce"} {
		delete(got, k)
	}
	want := map[string]string{
		"Action": "RebootDesktops", "Version": "2020-10-02", "Format": "json",
		"RegionId": ali.RegionID, "ClientId": ali.ClientID, "SessionId": ali.SessionID, "LoginToken": ali.LoginToken,
		"ClientOS": ali.ClientOS, "ClientVersion": ali.ClientVersion, "SessionToken": ali.SessionToken, "Uuid": ali.UUID,
		"DesktopId.1": ali.DesktopID,
	}
	if !maps.Equal(got, want) {
		return fmt.Errorf("RebootDesktops parameters\n got %v\nwant %v", got, want)
	}
	if n := cloud.RebootCount(mockcloud.CloudAlibaba, ali.DesktopID); n != 1 {
		return fmt.Errorf("%s rebooted %d times, want 1", ali.DesktopID, n)
	}
	return nil
}

// huaweiDocumentDeleteArrived checks the destroy's batch-delete call: the
// document's two desktops in one call, answered with the document's job ID,
// which was followed until both desktops were gone.
func huaweiDocumentDeleteArrived(cloud *testCloud) error {
	hw := mockcloud.HuaweiBatchDeleteExample
	calls := cloud.CallsTo(mockcloud.CloudHuawei, "BatchDeleteDesktops")
	if len(calls) != 1 || calls[0].Status != 202 || calls[0].JobID != hw.JobID {
		return fmt.Errorf("batch-delete calls %+v, want one answered 202 with job %s", calls, hw.JobID)
	}
	var body struct {
		DesktopIDs []string `json:"desktop_ids"`
	}
	if err := json.Unmarshal(calls[0].Body, &body); err != nil || !slices.Equal(body.DesktopIDs, hw.DesktopIDs) {
		return fmt.Errorf("batch-delete body %s, want desktop_ids %v", calls[0].Body, hw.DesktopIDs)
	}
	if jobs := cloud.CallsTo(mockcloud.CloudHuawei, "ShowJob"); len(jobs) == 0 || jobs[len(jobs)-1].JobID != hw.JobID {
		return fmt.Errorf("the job %s was not followed (%d ShowJob calls)", hw.JobID, len(jobs))
	}
	for _, id := range hw.DesktopIDs {
		if n := cloud.DeleteCount(mockcloud.CloudHuawei, id); n != 1 {
			return fmt.Errorf("desktop %s was deleted %d times, want 1", id, n)
		}
	}
	return nil
}
