// Package endpoint holds the rules both cloud clients and the provider apply
// to where requests go: what a region may be, and when a plain-http
// endpoint would expose a credential.
package endpoint

import (
	"net"
	"net/url"
	"regexp"
	"strings"
)

// RegionPattern is what a region may be. The region names the default host
// (ecd.{region}.aliyuncs.com, workspace.{region}.myhuaweicloud.com, as
// SPEC.md and both API documents give them), so it must be a DNS label
// (RFC 1123: letters, digits and inner hyphens, at most 63 characters).
// Nothing stricter is checked: the cloud says which regions exist.
var RegionPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// Loopback reports a host that never leaves this machine: "localhost" and
// the loopback addresses (127.0.0.0/8, ::1). A request to it cannot be read
// on the network, whatever its scheme.
func Loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// PlainRemote reports an endpoint URL whose requests cross the network
// unencrypted: plain http to a host that is not loopback. Such a request
// and its answer can be read, and a bearer credential in it (an IAM token,
// a security token, a client login token) replayed. An endpoint that does
// not parse is not judged here: the endpoint validators reject it.
func PlainRemote(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, "http") && u.Hostname() != "" && !Loopback(u.Hostname())
}
