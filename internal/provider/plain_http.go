package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// warnPlainHTTP warns about AK/SK signing over plain http to a remote host:
// no secret is exposed, but every request and answer can be read. A bearer
// credential fails the plan instead (tfcloud.Transport.PlainHTTPError).
func warnPlainHTTP(d *providerData, diags *diag.Diagnostics) {
	for _, name := range cloudNames() {
		t := d.clouds[name].Transport()
		if t.AllowPlainHTTP || t.Bearer != "" || !endpoint.PlainRemote(t.Endpoint) {
			continue
		}
		diags.AddAttributeWarning(path.Root(name).AtName("endpoint"), "Unencrypted endpoint",
			fmt.Sprintf("The %s endpoint %s is plain http to a host that is not loopback. AK/SK signatures expose no secret, "+
				"but every request and answer (desktop IDs, names, states) can be read on the way. Use an https:// endpoint, "+
				"or set allow_plain_http = true in the provider's %s block if the network is trusted.", name, tfcloud.HostOf(t.Endpoint), name))
	}
}
