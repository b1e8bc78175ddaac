package clienttest

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// ProviderBlock is c's provider block as Terraform hands it over: the
// attributes in set, every other one null.
func ProviderBlock(t testing.TB, c tfcloud.Cloud, set map[string]attr.Value) types.Object {
	t.Helper()
	typ, ok := c.ProviderBlock().Type().(types.ObjectType)
	if !ok {
		t.Fatalf("%s: the provider block is a %T, not an object", c.Name(), c.ProviderBlock().Type())
	}
	return objectOf(t, c.Name(), typ, set)
}

// NestedBlock is the block name inside c's provider block, written, with
// the attributes in set and every other one null.
func NestedBlock(t testing.TB, c tfcloud.Cloud, name string, set map[string]attr.Value) types.Object {
	t.Helper()
	b, ok := c.ProviderBlock().Blocks[name]
	if !ok {
		t.Fatalf("%s: the provider block has no block %s", c.Name(), name)
	}
	typ, ok := b.Type().(types.ObjectType)
	if !ok {
		t.Fatalf("%s.%s is a %T, not an object", c.Name(), name, b.Type())
	}
	return objectOf(t, c.Name()+"."+name, typ, set)
}

// objectOf is an object of typ with the attributes in set, every other one
// null.
func objectOf(t testing.TB, what string, typ types.ObjectType, set map[string]attr.Value) types.Object {
	t.Helper()
	values := make(map[string]attr.Value, len(typ.AttrTypes))
	for name, at := range typ.AttrTypes {
		if v, ok := set[name]; ok {
			values[name] = v
			continue
		}
		ctx := context.Background()
		null, err := at.ValueFromTerraform(ctx, tftypes.NewValue(at.TerraformType(ctx), nil))
		if err != nil {
			t.Fatal(err)
		}
		values[name] = null
	}
	for name := range set {
		if _, ok := typ.AttrTypes[name]; !ok {
			t.Fatalf("%s: no attribute %s", what, name)
		}
	}
	block, diags := types.ObjectValue(typ.AttrTypes, values)
	if diags.HasError() {
		t.Fatalf("%s: %v", what, diags)
	}
	return block
}

// Configure configures c as the provider would, from a provider block with
// the attributes in set (nil: no block written) and env; an error
// diagnostic fails the test.
func Configure(t testing.TB, c tfcloud.Cloud, set map[string]attr.Value, env map[string]string) tfcloud.Configured {
	t.Helper()
	block := types.ObjectNull(map[string]attr.Type{})
	if set != nil {
		block = ProviderBlock(t, c, set)
	}
	var diags diag.Diagnostics
	configured := c.Configure(context.Background(), block, func(k string) string { return env[k] }, tfcloud.Tuning{}, &diags)
	if diags.HasError() {
		t.Fatalf("%s: %v", c.Name(), diags)
	}
	return configured
}
