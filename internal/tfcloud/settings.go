package tfcloud

import (
	"context"
	"errors"
	"fmt"
	"os"

	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	resschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// FromEnv resolves one setting: the attribute when set, else the first
// environment variable set among names. An unknown attribute sets
// *unknown, so plan-time checks hold back.
func FromEnv(env func(string) string, v types.String, unknown *bool, names ...string) string {
	if v.IsUnknown() {
		*unknown = true
		return ""
	}
	if s := v.ValueString(); s != "" {
		return s
	}
	for _, n := range names {
		if s := env(n); s != "" {
			return s
		}
	}
	return ""
}

// CheckEnvEndpoint checks an endpoint that may have come from the
// environment, which skips the schema's validator.
func CheckEnvEndpoint(cloud, envName, value string, diags *diag.Diagnostics) {
	if value == "" {
		return
	}
	if err := validators.CheckEndpoint(value); err != nil {
		diags.AddAttributeError(path.Root(cloud).AtName("endpoint"), "Invalid endpoint",
			fmt.Sprintf("The %s endpoint (from the provider block or %s) is not usable: %s", cloud, envName, err))
	}
}

// ActionBlockOf is a resource's cloud block as an action's: the same
// attributes, descriptions and validators; an action has no computed
// values or defaults, so the cloud applies the defaults the resource's
// schema states. It knows the kinds of attribute the clouds' blocks have
// (strings and bools); the provider's TestActionSchemas fails if a block
// gains another.
func ActionBlockOf(b resschema.SingleNestedBlock) actschema.SingleNestedBlock {
	attrs := make(map[string]actschema.Attribute, len(b.Attributes))
	for name, a := range b.Attributes {
		switch a := a.(type) {
		case resschema.StringAttribute:
			attrs[name] = actschema.StringAttribute{Optional: true, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		case resschema.BoolAttribute:
			attrs[name] = actschema.BoolAttribute{Optional: true, MarkdownDescription: a.MarkdownDescription, Validators: a.Validators}
		}
	}
	return actschema.SingleNestedBlock{MarkdownDescription: b.MarkdownDescription, Attributes: attrs}
}

// Readable says why a token file given by path cannot be read, nil when it
// can or when none was given: the keyless flows check it at plan rather
// than fail at the first call of an apply.
func Readable(file string) error {
	if file == "" {
		return nil
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	return f.Close()
}

// ReadBlock decodes a cloud's block into target, a pointer to its model;
// written is false, and target untouched, when the block is not written
// (null) or not yet known.
func ReadBlock(ctx context.Context, block types.Object, target any) (written bool, diags diag.Diagnostics) {
	if block.IsNull() || block.IsUnknown() {
		return false, nil
	}
	return true, block.As(ctx, target, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
}

// DiagsError turns diagnostics that should never occur (a block that does
// not match its own model) into an error for the caller to report.
func DiagsError(diags diag.Diagnostics) error {
	var errs []error
	for _, d := range diags.Errors() {
		errs = append(errs, fmt.Errorf("%s: %s", d.Summary(), d.Detail()))
	}
	return errors.Join(errs...)
}
