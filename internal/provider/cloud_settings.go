package provider

import (
	"context"
	"fmt"

	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// What the resources read and check of their cloud settings (cloud,
// region, the clouds' blocks), without their desktop IDs.

// attributeReader is what tfsdk.Config, tfsdk.Plan and tfsdk.State share.
type attributeReader interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// withCloudBlocks adds every registered cloud's block on a resource of
// kind to blocks.
func withCloudBlocks(kind tfcloud.Kind, blocks map[string]schema.Block) map[string]schema.Block {
	for _, c := range registeredClouds {
		if o := c.Options(kind); o != nil {
			blocks[c.Name()] = o.Block
		}
	}
	return blocks
}

// withCloudActionBlocks adds every registered cloud's block on an action
// of kind to blocks.
func withCloudActionBlocks(kind tfcloud.Kind, blocks map[string]actschema.Block) map[string]actschema.Block {
	for _, c := range registeredClouds {
		if o := c.Options(kind); o != nil {
			blocks[c.Name()] = o.ActionBlock
		}
	}
	return blocks
}

// cloudSettings is what validation and plan checks read of a resource:
// everything but desktop_ids. Reading the whole model would convert the
// thousands of IDs on every validate and plan call, only to look at the
// cloud and its blocks.
type cloudSettings struct {
	Cloud, Region types.String
	// blocks holds each cloud's block on the resource, by cloud name.
	blocks map[string]types.Object
}

func readCloudSettings(ctx context.Context, r attributeReader, kind tfcloud.Kind) (cloudSettings, diag.Diagnostics) {
	s := cloudSettings{blocks: map[string]types.Object{}}
	var diags diag.Diagnostics
	diags.Append(r.GetAttribute(ctx, path.Root("cloud"), &s.Cloud)...)
	diags.Append(r.GetAttribute(ctx, path.Root("region"), &s.Region)...)
	for _, c := range registeredClouds {
		if c.Options(kind) != nil {
			var block types.Object
			diags.Append(r.GetAttribute(ctx, path.Root(c.Name()), &block)...)
			s.blocks[c.Name()] = block
		}
	}
	return s, diags
}

// options is the chosen cloud's block on the resource, null when it has
// none or the cloud is not yet known.
func (s cloudSettings) options() types.Object {
	if b, ok := s.blocks[s.Cloud.ValueString()]; ok {
		return b
	}
	return types.ObjectNull(map[string]attr.Type{})
}

// readCloudOptions reads the block of the named cloud on a resource of
// kind, and nothing else; null when the cloud has no block there.
func readCloudOptions(ctx context.Context, r attributeReader, kind tfcloud.Kind, cloudName string, diags *diag.Diagnostics) types.Object {
	c := cloudNamed(cloudName)
	if c == nil || c.Options(kind) == nil {
		return types.ObjectNull(map[string]attr.Type{})
	}
	var block types.Object
	diags.Append(r.GetAttribute(ctx, path.Root(cloudName), &block)...)
	return block
}

// settleCloudOptions fills what the named cloud's block computes at
// apply, from the prior state's block (null on create).
func settleCloudOptions(ctx context.Context, kind tfcloud.Kind, cloudName string, planned, prior types.Object, diags *diag.Diagnostics) types.Object {
	if c := cloudNamed(cloudName); c != nil {
		if o := c.Options(kind); o != nil && o.Settle != nil && !planned.IsNull() {
			return o.Settle(ctx, planned, prior, diags)
		}
	}
	return planned
}

// validateCloudBlocks checks each cloud's block that is written, whatever
// the cloud (it may not be known yet), and, once the cloud is known,
// rejects a block of another cloud, whose settings would silently do
// nothing.
func validateCloudBlocks(ctx context.Context, s cloudSettings, kind tfcloud.Kind, diags *diag.Diagnostics) {
	cloudKnown := !s.Cloud.IsUnknown() && !s.Cloud.IsNull()
	for _, c := range registeredClouds {
		block, ok := s.blocks[c.Name()]
		if !ok || block.IsNull() {
			continue
		}
		if cloudKnown && c.Name() != s.Cloud.ValueString() {
			diags.AddAttributeError(path.Root(c.Name()), "Block does not match cloud",
				fmt.Sprintf("%s %q block only applies to cloud = %q; here cloud = %q. Remove the block or change the cloud.",
					article(c.Name()), c.Name(), c.Name(), s.Cloud.ValueString()))
			continue
		}
		if validate := c.Options(kind).Validate; validate != nil {
			validate(ctx, block, diags)
		}
	}
}

// article is "An" before a vowel, else "A".
func article(word string) string {
	if word != "" && (word[0] == 'a' || word[0] == 'e' || word[0] == 'i' || word[0] == 'o' || word[0] == 'u') {
		return "An"
	}
	return "A"
}

// checkCloudConfigured fails a plan whose cloud lacks what it needs (region,
// project, credentials), or whose endpoint would carry a bearer credential
// in clear text, naming the attributes and environment variables that
// would fix it, instead of failing half-way through an apply. Settings not
// yet known at plan time are not judged.
func checkCloudConfigured(ctx context.Context, d *providerData, s cloudSettings, diags *diag.Diagnostics) {
	if s.Cloud.IsUnknown() || s.Region.IsUnknown() {
		return
	}
	c, ok := d.clouds[s.Cloud.ValueString()]
	if !ok {
		return
	}
	if summary, err := c.CheckPlan(ctx, s.Region.ValueString(), s.options()); err != nil {
		diags.AddAttributeError(path.Root("cloud"), summary, err.Error())
	}
}

// credentialsHelp reports whether err is a cloud's "no credentials", and if
// so what would supply them.
func credentialsHelp(err error) (string, bool) {
	for _, c := range registeredClouds {
		if help, ok := c.CredentialsHelp(err); ok {
			return help, true
		}
	}
	return "", false
}
