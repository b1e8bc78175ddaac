package provider

import (
	"fmt"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
)

// Plain http is for loopback: the mock cloud, a local proxy. To any other
// host a request crosses the network unencrypted, so a bearer credential in
// it (an IAM token, an STS security token, a client login token) could be
// read and replayed by anyone on the path, to a host that merely claims to
// be the cloud. Such a plan fails; AK/SK signing, which exposes no secret,
// is only warned about. allow_plain_http opts out of both. The clients
// refuse the same at call time, for credentials only known then (a
// security token from the Alibaba credential chain).

// transport is what a cloud's endpoint settings mean for plain http.
type transport struct {
	endpoint       string
	allowPlainHTTP bool
	// bearer names the bearer credential every call carries, "" if none.
	bearer string
}

// plainHTTPError fails a plan whose calls would carry bearer (the
// transport's own, or one the resource adds, such as a client-API login
// token) in clear text to a host that is not loopback; nil otherwise.
func (t transport) plainHTTPError(cloud, bearer string) error {
	if bearer == "" {
		bearer = t.bearer
	}
	if bearer == "" || t.allowPlainHTTP || !endpoint.PlainRemote(t.endpoint) {
		return nil
	}
	return fmt.Errorf("the %s endpoint %s is plain http to a host that is not loopback, so %s would cross the network "+
		"unencrypted, readable and replayable by anyone on the way. Use an https:// endpoint, or, if the network is "+
		"trusted, set allow_plain_http = true in the provider's %s block", cloud, hostOf(t.endpoint), bearer, cloud)
}

// warnPlainHTTP warns about AK/SK signing over plain http to a remote host:
// no secret is exposed, but every request and answer can be read. A bearer
// credential fails the plan instead (transport.plainHTTPError).
func warnPlainHTTP(d *providerData, diags *diag.Diagnostics) {
	for _, name := range cloudNames() {
		t := d.clouds[name].transport()
		if t.allowPlainHTTP || t.bearer != "" || !endpoint.PlainRemote(t.endpoint) {
			continue
		}
		diags.AddAttributeWarning(path.Root(name).AtName("endpoint"), "Unencrypted endpoint",
			fmt.Sprintf("The %s endpoint %s is plain http to a host that is not loopback. AK/SK signatures expose no secret, "+
				"but every request and answer (desktop IDs, names, states) can be read on the way. Use an https:// endpoint, "+
				"or set allow_plain_http = true in the provider's %s block if the network is trusted.", name, hostOf(t.endpoint), name))
	}
}

// hostOf is the endpoint's host, for messages (never user information).
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "(unparsable)"
}
