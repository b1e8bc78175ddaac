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

// plainHTTPBearer names the bearer credential a resource on cloud would
// send in clear text, or returns "" when none would be. loginToken says the
// resource sends the Alibaba client API's login token.
func (d *providerData) plainHTTPBearer(cloud string, loginToken bool) string {
	switch cloud {
	case cloudAlibaba:
		a := d.alibaba
		if a.allowPlainHTTP || !endpoint.PlainRemote(a.endpoint) {
			return ""
		}
		switch {
		case loginToken:
			return "the client API's LoginToken (alibaba.login_token)"
		case a.securityToken != "":
			return "the STS security token (alibaba.security_token)"
		}
	case cloudHuawei:
		h := d.huawei
		if h.allowPlainHTTP || !endpoint.PlainRemote(h.endpoint) {
			return ""
		}
		switch {
		case h.authToken != "":
			return "the IAM token (huawei.auth_token, sent as X-Auth-Token)"
		case h.securityToken != "":
			return "the security token (huawei.security_token)"
		}
	}
	return ""
}

// plainHTTPError is the plan error for a bearer credential over plain http.
func plainHTTPError(cloud, bearer, rawEndpoint string) error {
	return fmt.Errorf("the %s endpoint %s is plain http to a host that is not loopback, so %s would cross the network "+
		"unencrypted, readable and replayable by anyone on the way. Use an https:// endpoint, or, if the network is "+
		"trusted, set allow_plain_http = true in the provider's %s block", cloud, hostOf(rawEndpoint), bearer, cloud)
}

// warnPlainHTTP warns about AK/SK signing over plain http to a remote host:
// no secret is exposed, but every request and answer can be read. A bearer
// credential fails the plan instead (plainHTTPBearer).
func warnPlainHTTP(d *providerData, diags *diag.Diagnostics) {
	for _, c := range []struct {
		cloud, endpoint string
		allow, bearer   bool
	}{
		{cloudAlibaba, d.alibaba.endpoint, d.alibaba.allowPlainHTTP, d.alibaba.securityToken != ""},
		{cloudHuawei, d.huawei.endpoint, d.huawei.allowPlainHTTP, d.huawei.authToken != "" || d.huawei.securityToken != ""},
	} {
		if c.allow || c.bearer || !endpoint.PlainRemote(c.endpoint) {
			continue
		}
		diags.AddAttributeWarning(path.Root(c.cloud).AtName("endpoint"), "Unencrypted endpoint",
			fmt.Sprintf("The %s endpoint %s is plain http to a host that is not loopback. AK/SK signatures expose no secret, "+
				"but every request and answer (desktop IDs, names, states) can be read on the way. Use an https:// endpoint, "+
				"or set allow_plain_http = true in the provider's %s block if the network is trusted.", c.cloud, hostOf(c.endpoint), c.cloud))
	}
}

// hostOf is the endpoint's host, for messages (never user information).
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "(unparsable)"
}
