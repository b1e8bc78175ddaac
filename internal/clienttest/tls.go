package clienttest

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

// The process's mock authority: one for all tests, because Go reads
// SSL_CERT_FILE once, at the first TLS verification, and never again.
var (
	authorityMu sync.Mutex
	authority   *mockcloud.Authority
)

// TrustMockAuthority makes this process trust a mock certificate authority,
// for a package's TestMain, before any test makes a TLS connection:
//
//	func TestMain(m *testing.M) {
//		cleanup, err := clienttest.TrustMockAuthority()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		code := m.Run()
//		cleanup()
//		os.Exit(code)
//	}
//
// It writes a bundle (what an SSL_CERT_FILE already set held, then the
// mock's CA) to a temporary file and points SSL_CERT_FILE at it, so that
// every client of the process trusts ServeTLS, credentials-go's own
// included: it builds its transport from http.DefaultTransport, so a test
// cannot hand it a CertPool. cleanup removes the file. Go consults
// SSL_CERT_FILE on Linux and the BSDs; macOS and Windows verify with the
// system and ignore it.
func TrustMockAuthority() (cleanup func(), err error) {
	authorityMu.Lock()
	defer authorityMu.Unlock()
	if authority != nil {
		return nil, errors.New("clienttest: TrustMockAuthority was already called in this process; call it once, in TestMain")
	}
	a, err := mockcloud.NewAuthority()
	if err != nil {
		return nil, err
	}
	var existing []byte
	if prev := os.Getenv("SSL_CERT_FILE"); prev != "" {
		if existing, err = os.ReadFile(prev); err != nil {
			return nil, fmt.Errorf("clienttest: reading the SSL_CERT_FILE already set: %w", err)
		}
	}
	f, err := os.CreateTemp("", "mockcloud-ca-*.pem")
	if err != nil {
		return nil, err
	}
	path := f.Name()
	_ = f.Close()
	if err := a.WriteBundle(path, existing); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	if err := os.Setenv("SSL_CERT_FILE", path); err != nil {
		_ = os.Remove(path)
		return nil, err
	}
	authority = a
	return func() { _ = os.Remove(path) }, nil
}

// MockAuthority is the authority TrustMockAuthority made, or nil before it.
func MockAuthority() *mockcloud.Authority {
	authorityMu.Lock()
	defer authorityMu.Unlock()
	return authority
}

// ServeTLS serves the same mock over TLS, with the process's mock authority,
// until the test ends, and returns its host:port ("127.0.0.1:port"), the
// form credentials-go's STS endpoint takes.
func (c *Cloud) ServeTLS(t testing.TB) (host string) {
	t.Helper()
	a := MockAuthority()
	if a == nil {
		t.Fatal("clienttest: ServeTLS needs the mock authority trusted first: call clienttest.TrustMockAuthority in the package's TestMain")
	}
	hs := httptest.NewUnstartedServer(c.Server)
	hs.TLS = a.ServerTLSConfig()
	hs.StartTLS()
	t.Cleanup(hs.Close)
	return hs.Listener.Addr().String()
}
