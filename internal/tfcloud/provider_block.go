package tfcloud

import (
	provschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// The attributes every cloud's provider block has, described for one
// cloud: the same meaning and checks on each.

// RegionAttribute is a cloud's default region; description says its form
// and environment variables.
func RegionAttribute(description string) provschema.StringAttribute {
	return provschema.StringAttribute{
		Optional:            true,
		MarkdownDescription: description,
		Validators:          []validator.String{validators.Region()},
	}
}

// SecretAttribute is a credential: Terraform never shows it.
func SecretAttribute(description string) provschema.StringAttribute {
	return provschema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: description}
}

// AllowPlainHTTPAttribute is the opt-in to a plain-http endpoint off this
// machine; bearers names the bearer credentials the cloud may send.
func AllowPlainHTTPAttribute(bearers string) provschema.BoolAttribute {
	return provschema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Allow an `http://` `endpoint` on a host that is not loopback (`127.0.0.1`, `::1`, `localhost`). " +
			"Without it, plan fails when a bearer credential would cross the network in clear text (" + bearers + "), and warns " +
			"for AK/SK signing, which exposes no secret but leaves requests and answers readable. Loopback endpoints, " +
			"such as the bundled mock cloud or a local proxy, never need it.",
	}
}

// EndpointAttribute is the URL of the cloud's API: service names it,
// defaultURL is the one used without it, env the variable that sets it.
func EndpointAttribute(service, defaultURL, env string) provschema.StringAttribute {
	return provschema.StringAttribute{
		Optional: true,
		MarkdownDescription: "Full URL of the " + service + " endpoint, `https://host` or `http://host:port`. " +
			"Defaults to `" + defaultURL + "`. Or `" + env + "`.",
		Validators: []validator.String{validators.Endpoint()},
	}
}
