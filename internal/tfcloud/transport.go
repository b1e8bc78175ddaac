package tfcloud

import (
	"fmt"
	"net/url"

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

// Transport is what a cloud's endpoint settings mean for plain http.
type Transport struct {
	Endpoint       string
	AllowPlainHTTP bool
	// Bearer names the bearer credential every call carries, "" if none.
	Bearer string
}

// PlainHTTPError fails a plan whose calls would carry bearer (the
// transport's own, or one the resource adds, such as a client-API login
// token) in clear text to a host that is not loopback; nil otherwise.
func (t Transport) PlainHTTPError(cloud, bearer string) error {
	if bearer == "" {
		bearer = t.Bearer
	}
	if bearer == "" || t.AllowPlainHTTP || !endpoint.PlainRemote(t.Endpoint) {
		return nil
	}
	return fmt.Errorf("the %s endpoint %s is plain http to a host that is not loopback, so %s would cross the network "+
		"unencrypted, readable and replayable by anyone on the way. Use an https:// endpoint, or, if the network is "+
		"trusted, set allow_plain_http = true in the provider's %s block", cloud, HostOf(t.Endpoint), bearer, cloud)
}

// HostOf is the endpoint's host, for messages (never user information).
func HostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "(unparsable)"
}
