// Package tfcloud is the contract between the Terraform-facing layer
// (internal/provider) and each cloud's package: what a cloud gives
// Terraform (its provider block, its blocks on each resource and action,
// its plan-time checks) and what it builds from them (fleet actions and a
// lister). A cloud's package implements Cloud; the provider lists it in one
// table (provider/clouds.go), and nothing else in the provider names it.
package tfcloud

import (
	"context"
	"time"

	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	resschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// Cloud is one cloud as the Terraform-facing layer sees it: its block in
// the provider configuration, its own options on each resource and action,
// and how it turns its settings into a configured client.
type Cloud interface {
	// Name is the value of `cloud`, and the name of the cloud's blocks.
	Name() string
	// ProviderBlock is the cloud's block in the provider configuration.
	ProviderBlock() provschema.SingleNestedBlock
	// Options is the cloud's block on a resource or action of kind, nil if
	// it has none.
	Options(kind Kind) *Options
	// Configure resolves the provider block (null when not written) and
	// the environment into the cloud's settings.
	Configure(ctx context.Context, block types.Object, env func(string) string, t Tuning, diags *diag.Diagnostics) Configured
	// CredentialsHelp says what would supply the cloud's credentials, when
	// err says they are missing.
	CredentialsHelp(err error) (string, bool)
}

// Kind tells the resources and actions apart for the clouds' blocks.
type Kind int

// The kinds of Terraform type a cloud may have a block on.
const (
	RebootResource Kind = iota
	DeleteResource
	RebootAction
	DeleteAction
)

// Options is a cloud's own block on one kind of resource or action.
type Options struct {
	// Block is the block of a resource kind, ActionBlock of an action kind.
	Block       resschema.SingleNestedBlock
	ActionBlock actschema.SingleNestedBlock
	// Validate checks the block as configured (never null); may be nil.
	Validate func(ctx context.Context, block types.Object, diags *diag.Diagnostics)
	// Settle fills what the block computes at apply from the prior state's
	// block (null on create); may be nil.
	Settle func(ctx context.Context, planned, prior types.Object, diags *diag.Diagnostics) types.Object
}

// Configured is a cloud with its provider settings resolved.
type Configured interface {
	// Region is the provider's default region for the cloud.
	Region() string
	// CheckPlan says what would fail an apply in region (a resource's
	// override, or "") with the resource's options block, at plan time:
	// missing settings, or a bearer credential over plain http. It says
	// nothing when settings were not yet known.
	CheckPlan(ctx context.Context, region string, options types.Object) (summary string, err error)
	// Transport is the cloud's endpoint, for the plain-http warning.
	Transport() Transport
	Reboot(ctx context.Context, r RebootRequest) (fleet.BatchAction, error)
	Delete(ctx context.Context, r DeleteRequest) (fleet.BatchAction, error)
	Lister(region string) (fleet.DesktopLister, error)
}

// Tuning is what every cloud's client shares.
type Tuning struct {
	Retry retry.Policy
	Poll  retry.Poller
	// RebootSettle is how long a desktop never seen rebooting must keep
	// reading up before it counts as rebooted (fleet.RebootWatch).
	RebootSettle time.Duration
	UserAgent    string
}

// RebootRequest is one reboot in the provider's terms. Options is the
// cloud's block from the plan, ConfigOptions the same block from the
// configuration, the only place write-only values can be read.
type RebootRequest struct {
	Region                 string
	Wait                   bool
	Options, ConfigOptions types.Object
}

// DeleteRequest is one deletion in the provider's terms.
type DeleteRequest struct {
	Region        string
	Wait          bool
	IgnoreMissing bool
	Options       types.Object
}
