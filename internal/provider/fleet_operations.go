package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// The two operations every Terraform type runs, written once: build the
// cloud's action, run it over the fleet within the timeout, and report
// per desktop. Batching, retries, exactly-once sends and waiting are the
// cloud's and fleet.Run's.

// rebootFleet reboots ids on cloud as one reboot: every batch's
// ClientToken derives from rebootID, so a retried call repeats its token
// and a new reboot never does. It reports whether every desktop rebooted.
func (d *providerData) rebootFleet(ctx context.Context, cloud string, r tfcloud.RebootRequest, ids []string, rebootID string,
	timeout time.Duration, diags *diag.Diagnostics) (fleet.Report, bool) {
	var action fleet.BatchAction
	c, err := d.cloud(cloud)
	if err == nil {
		action, err = c.Reboot(ctx, r)
	}
	if err != nil {
		diags.AddError("Cannot reboot desktops", err.Error())
		return fleet.Report{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "rebooting desktops", map[string]any{"cloud": cloud, "desktops": len(ids), "reboot_id": rebootID})
	report := fleet.Run(ctx, ids, action, d.concurrency, func(seq int) string { return clientToken(rebootID, seq) })
	return report, reportDiagnostics(ctx, "reboot", cloud, len(ids), report, diags)
}

// deleteFleet deletes ids on cloud. It reports whether every desktop is
// gone.
func (d *providerData) deleteFleet(ctx context.Context, cloud string, r tfcloud.DeleteRequest, ids []string,
	timeout time.Duration, diags *diag.Diagnostics) (fleet.Report, bool) {
	var action fleet.BatchAction
	c, err := d.cloud(cloud)
	if err == nil {
		action, err = c.Delete(ctx, r)
	}
	if err != nil {
		diags.AddError("Cannot delete desktops", err.Error())
		return fleet.Report{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "deleting desktops", map[string]any{"cloud": cloud, "desktops": len(ids)})
	report := fleet.Run(ctx, ids, action, d.concurrency, nil)
	return report, reportDiagnostics(ctx, "delete", cloud, len(ids), report, diags)
}

// clientToken is batch seq's Alibaba ClientToken for reboot id: ASCII and
// at most 64 characters (a 36-character UUID, a dash, the batch number).
func clientToken(rebootID string, seq int) string {
	return rebootID + "-" + strconv.Itoa(seq)
}
