package provider

import (
	"context"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// The resources' and actions' models hold their own attributes, not the
// clouds' blocks, which come from the registered clouds (withCloudBlocks):
// no struct can name them all, so a model is read attribute by attribute,
// and state is written as the plan with what apply computed set into it.

// getModel reads into model, a pointer to a struct, every attribute its
// fields are tagged with.
func getModel(ctx context.Context, from attributeReader, model any) diag.Diagnostics {
	var diags diag.Diagnostics
	forEachField(model, func(name string, field any) {
		diags.Append(from.GetAttribute(ctx, path.Root(name), field)...)
	})
	return diags
}

func forEachField(model any, f func(name string, field any)) {
	v := reflect.ValueOf(model).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Anonymous {
			forEachField(v.Field(i).Addr().Interface(), f)
			continue
		}
		if name := v.Type().Field(i).Tag.Get("tfsdk"); name != "" && name != "-" {
			f(name, v.Field(i).Addr().Interface())
		}
	}
}
