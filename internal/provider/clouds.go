package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	actschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	resschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/retry"
)

// registeredClouds is every cloud the provider speaks to, and the only
// place that lists them: the `cloud` attribute's values, the provider's
// blocks and the resources' cloud blocks all come from here. A new cloud
// is a client package under internal/, its adapter file here, and a line.
var registeredClouds = []cloud{
	alibabaAdapter{},
	huaweiAdapter{},
}

// cloud is one cloud as the Terraform-facing layer sees it: its block in
// the provider configuration, its own options on each resource, and how it
// turns its settings into a configured client.
type cloud interface {
	// name is the value of `cloud`, and the name of the cloud's blocks.
	name() string
	// providerBlock is the cloud's block in the provider configuration.
	providerBlock() provschema.SingleNestedBlock
	// options is the cloud's block on a resource or action of kind, nil if
	// it has none.
	options(kind resourceKind) *cloudOptions
	// configure resolves the provider block (null when not written) and
	// the environment into the cloud's settings.
	configure(ctx context.Context, block types.Object, env func(string) string, t tuning, diags *diag.Diagnostics) configuredCloud
	// credentialsHelp says what would supply the cloud's credentials,
	// when err says they are missing.
	credentialsHelp(err error) (string, bool)
}

// resourceKind tells the resources and actions apart for the clouds'
// option blocks.
type resourceKind int

const (
	rebootResource resourceKind = iota
	deleteResource
	rebootAction
	deleteAction
)

// cloudOptions is a cloud's own block on one kind of resource or action.
type cloudOptions struct {
	// block is the block of a resource kind, actionBlock of an action kind.
	block       resschema.SingleNestedBlock
	actionBlock actschema.SingleNestedBlock
	// validate checks the block as configured (never null); may be nil.
	validate func(ctx context.Context, block types.Object, diags *diag.Diagnostics)
	// settle fills what the block computes at apply from the prior
	// state's block (null on create); may be nil.
	settle func(ctx context.Context, planned, prior types.Object, diags *diag.Diagnostics) types.Object
}

// configuredCloud is a cloud with its provider settings resolved.
type configuredCloud interface {
	// region is the provider's default region for the cloud.
	region() string
	// checkPlan says what would fail an apply in region (a resource's
	// override, or "") with the resource's options block, at plan time:
	// missing settings, or a bearer credential over plain http. It says
	// nothing when settings were not yet known.
	checkPlan(ctx context.Context, region string, options types.Object) (summary string, err error)
	// transport is the cloud's endpoint, for the plain-http warning.
	transport() transport
	reboot(ctx context.Context, r rebootRequest) (fleet.BatchAction, error)
	delete(ctx context.Context, r deleteRequest) (fleet.BatchAction, error)
	lister(region string) (fleet.DesktopLister, error)
}

// tuning is what every cloud's client shares.
type tuning struct {
	retry retry.Policy
	poll  retry.Poller
	// rebootSettle is how long a desktop never seen rebooting must keep
	// reading up before it counts as rebooted (fleet.RebootWatch).
	rebootSettle time.Duration
	userAgent    string
}

// rebootRequest is one reboot in the provider's terms. options is the
// cloud's block from the plan, configOptions the same block from the
// configuration, the only place write-only values can be read.
type rebootRequest struct {
	region                 string
	wait                   bool
	options, configOptions types.Object
}

type deleteRequest struct {
	region        string
	wait          bool
	ignoreMissing bool
	options       types.Object
}

// cloudNames are the values `cloud` may take.
func cloudNames() []string {
	names := make([]string, len(registeredClouds))
	for i, c := range registeredClouds {
		names[i] = c.name()
	}
	return names
}

func cloudNamed(name string) cloud {
	for _, c := range registeredClouds {
		if c.name() == name {
			return c
		}
	}
	return nil
}

// cloudNamesMarkdown is "`alibaba` or `huawei`", for descriptions.
func cloudNamesMarkdown() string {
	names := cloudNames()
	for i, n := range names {
		names[i] = "`" + n + "`"
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func unknownCloud(name string) error {
	return fmt.Errorf("unknown cloud %q: use one of %s", name, strings.Join(cloudNames(), ", "))
}

// cloud is the configured cloud name names.
func (d *providerData) cloud(name string) (configuredCloud, error) {
	if c, ok := d.clouds[name]; ok {
		return c, nil
	}
	return nil, unknownCloud(name)
}

// region is the region a resource or data source on cloud acts in: its
// own override, else the provider's region for that cloud.
func (d *providerData) region(cloud, override string) string {
	if override != "" {
		return override
	}
	if c, ok := d.clouds[cloud]; ok {
		return c.region()
	}
	return ""
}
