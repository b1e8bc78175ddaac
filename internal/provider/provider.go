// Package provider is the Terraform-facing side of the clouddesktop
// provider: schemas, configuration, resources and data sources. It speaks in
// desktops and batches (internal/fleet) and leaves wire formats to the cloud
// packages.
package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/connpool"
)

var (
	_ provider.Provider            = (*CloudDesktopProvider)(nil)
	_ provider.ProviderWithActions = (*CloudDesktopProvider)(nil)
)

// CloudDesktopProvider reboots and deletes fleets of cloud desktops on
// Alibaba Cloud (WUYING / Elastic Desktop Service) and Huawei Cloud Workspace.
type CloudDesktopProvider struct {
	// version is "dev" for local builds and the release version otherwise.
	version string
	// env reads an environment variable; nil means the process
	// environment. Tests set their own, so that parallel tests can tune
	// the provider differently.
	env func(string) string
}

// New returns a constructor of the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &CloudDesktopProvider{version: version}
	}
}

func (p *CloudDesktopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "clouddesktop"
	resp.Version = p.version
}

func (p *CloudDesktopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reboots and deletes fleets of cloud desktops on Alibaba Cloud WUYING / Elastic Desktop Service " +
			"and Huawei Cloud Workspace. Both blocks are optional: with no block, the environment alone configures that cloud.",
		Attributes: map[string]schema.Attribute{
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a throttled, 502/503/504 or dropped API call is retried, with exponential backoff. " +
					"Defaults to `5`, or `CLOUDDESKTOP_MAX_RETRIES`. `0` turns retries off.",
				Validators: []validator.Int64{int64validator.AtLeast(0), int64validator.AtMost(50)},
			},
			"max_concurrency": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "API calls in flight per resource operation. Defaults to `4`.",
				Validators:          []validator.Int64{int64validator.Between(1, connpool.MaxCallsInFlight)},
			},
		},
		Blocks: cloudProviderBlocks(),
	}
}

// cloudProviderBlocks is every registered cloud's provider block.
func cloudProviderBlocks() map[string]schema.Block {
	blocks := make(map[string]schema.Block, len(registeredClouds))
	for _, c := range registeredClouds {
		blocks[c.Name()] = c.ProviderBlock()
	}
	return blocks
}

func (p *CloudDesktopProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_retries"), &cfg.MaxRetries)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_concurrency"), &cfg.MaxConcurrency)...)
	blocks := make(map[string]types.Object, len(registeredClouds))
	for _, c := range registeredClouds {
		var block types.Object
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(c.Name()), &block)...)
		blocks[c.Name()] = block
	}
	if resp.Diagnostics.HasError() {
		return
	}
	env := p.env
	if env == nil {
		env = envLookup
	}
	data, diags := newProviderData(ctx, cfg, blocks, p.version, env)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
}

func (p *CloudDesktopProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewDesktopRebootResource,
		NewDesktopBatchDeleteResource,
	}
}

// Actions are the native form of the resources' operations, for Terraform
// 1.14 and later; the resources stay for earlier versions and OpenTofu.
func (p *CloudDesktopProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		NewDesktopRebootAction,
		NewDesktopDeleteAction,
	}
}

func (p *CloudDesktopProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewDesktopsDataSource,
	}
}

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
