// Package connpool builds the HTTP transport a cloud client shares across
// its calls.
package connpool

import "net/http"

// MaxCallsInFlight is the most API calls one resource operation has in
// flight: the upper bound of the provider's max_concurrency.
const MaxCallsInFlight = 64

// New returns a transport with http.DefaultTransport's settings (proxy from
// the environment, dial and TLS timeouts, HTTP/2) that keeps an idle
// connection to the cloud for every call an operation can have in flight.
// The default keeps two per host (http.DefaultMaxIdleConnsPerHost), so at
// max_concurrency 4 every round of calls closed two connections and opened
// two more: against a real endpoint a TCP and TLS handshake for half the
// calls.
func New() *http.Transport {
	tr, ok := http.DefaultTransport.(*http.Transport)
	if ok {
		tr = tr.Clone()
	} else { // a program replaced the default transport
		tr = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	tr.MaxIdleConnsPerHost = MaxCallsInFlight
	if tr.MaxIdleConns != 0 && tr.MaxIdleConns < MaxCallsInFlight {
		tr.MaxIdleConns = MaxCallsInFlight
	}
	return tr
}
