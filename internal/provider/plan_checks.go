package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// providerDataFrom unpacks what Configure handed over. It is nil before
// the provider is configured (validation), which callers must allow.
func providerDataFrom(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	d, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", v))
		return nil
	}
	return d
}

// attributeReader is what tfsdk.Config, tfsdk.Plan and tfsdk.State share.
type attributeReader interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// cloudSettings is what validation and plan checks read of a resource:
// everything but desktop_ids. Reading the whole model would convert the
// thousands of IDs on every validate and plan call, only to look at the
// cloud and its blocks.
type cloudSettings struct {
	Cloud, Region types.String
	Alibaba       *alibabaRebootModel
	HasAlibaba    bool
	HasHuawei     bool
}

// readCloudSettings reads cloud, region and which cloud blocks are set;
// the alibaba block itself only where the resource has one worth reading
// (withAlibaba: the reboot's client-API parameters).
func readCloudSettings(ctx context.Context, r attributeReader, withAlibaba bool) (cloudSettings, diag.Diagnostics) {
	var s cloudSettings
	var diags diag.Diagnostics
	diags.Append(r.GetAttribute(ctx, path.Root("cloud"), &s.Cloud)...)
	diags.Append(r.GetAttribute(ctx, path.Root("region"), &s.Region)...)
	var hw types.Object
	diags.Append(r.GetAttribute(ctx, path.Root("huawei"), &hw)...)
	s.HasHuawei = !hw.IsNull()
	if withAlibaba {
		diags.Append(r.GetAttribute(ctx, path.Root("alibaba"), &s.Alibaba)...)
		s.HasAlibaba = s.Alibaba != nil
	}
	return s, diags
}

// validateCloudBlocks rejects a cloud-specific block on a resource of the
// other cloud: its settings would silently do nothing.
func validateCloudBlocks(cloud types.String, hasAlibaba, hasHuawei bool, diags *diag.Diagnostics) {
	if cloud.IsUnknown() || cloud.IsNull() {
		return
	}
	switch c := cloud.ValueString(); {
	case c == cloudAlibaba && hasHuawei:
		diags.AddAttributeError(path.Root("huawei"), "Block does not match cloud",
			`A "huawei" block only applies to cloud = "huawei"; this resource has cloud = "alibaba". Remove the block or change the cloud.`)
	case c == cloudHuawei && hasAlibaba:
		diags.AddAttributeError(path.Root("alibaba"), "Block does not match cloud",
			`An "alibaba" block only applies to cloud = "alibaba"; this resource has cloud = "huawei". Remove the block or change the cloud.`)
	}
}

// validateAlibabaClientAPI checks the client-API parameters as a set. They
// mean nothing to the admin API, so setting them without login_token (which
// selects the client API) is a mistake. With it, every other parameter is
// optional, as the RebootDesktops document (2020-10-02) says: session_id
// included.
func validateAlibabaClientAPI(a *alibabaRebootModel, diags *diag.Diagnostics) {
	block := path.Root("alibaba")
	if a.usesClientAPI() {
		return
	}
	for name, v := range map[string]types.String{
		"session_id": a.SessionID, "session_token": a.SessionToken, "session_token_wo": a.SessionTokenWO, "client_os": a.ClientOS,
		"client_version": a.ClientVersion, "uuid": a.UUID,
	} {
		if !v.IsNull() {
			diags.AddAttributeError(block.AtName(name), "Client API parameter without login_token",
				fmt.Sprintf("%s is a parameter of the Alibaba client API, which is only used when login_token is set; "+
					"without login_token the admin API is called and %s would be ignored.", name, name))
		}
	}
}

// checkCloudConfigured fails a plan whose cloud lacks what it needs (region,
// project, credentials), or whose endpoint would carry a bearer credential
// in clear text, naming the attributes and environment variables that
// would fix it, instead of failing half-way through an apply. clientAPI
// says the resource reboots through the Alibaba client API, which sends a
// login token and needs no AccessKey. Settings not yet known at plan time
// are not judged.
func checkCloudConfigured(d *providerData, cloud, region types.String, clientAPI bool, diags *diag.Diagnostics) {
	if cloud.IsUnknown() || region.IsUnknown() {
		return
	}
	var err error
	summary := "Cloud not configured"
	switch cloud.ValueString() {
	case cloudAlibaba:
		if d.alibaba.unknown {
			return
		}
		if region.ValueString() == "" && d.alibaba.region == "" {
			err = fmt.Errorf("no Alibaba Cloud region: set `region` on the resource, `alibaba.region` in the provider block, " +
				"or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION")
		} else if bearer := d.plainHTTPBearer(cloudAlibaba, clientAPI); bearer != "" {
			summary, err = "Credential would cross the network unencrypted", plainHTTPError(cloudAlibaba, bearer, d.alibaba.endpoint)
		} else if !clientAPI {
			err = d.alibaba.requireAccessKey()
		}
	case cloudHuawei:
		if d.huawei.unknown {
			return
		}
		if err = d.huawei.check(region.ValueString()); err == nil {
			if bearer := d.plainHTTPBearer(cloudHuawei, false); bearer != "" {
				summary, err = "Credential would cross the network unencrypted", plainHTTPError(cloudHuawei, bearer, d.huawei.endpoint)
			}
		}
	}
	if err != nil {
		diags.AddAttributeError(path.Root("cloud"), summary, err.Error())
	}
}
