package clienttest

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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
			t.Fatalf("%s: the provider block has no attribute %s", c.Name(), name)
		}
	}
	block, diags := types.ObjectValue(typ.AttrTypes, values)
	if diags.HasError() {
		t.Fatalf("%s block: %v", c.Name(), diags)
	}
	return block
}
