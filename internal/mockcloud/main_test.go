package mockcloud

import (
	"fmt"
	"os"
	"testing"
)

// testAuthority is the CA of this package's TLS servers. TestMain makes the
// process trust it through SSL_CERT_FILE, as clienttest.TrustMockAuthority
// does for other packages (which this package cannot import: clienttest
// imports it): credentials-go builds its transport from
// http.DefaultTransport, so only the process's roots reach it, and Go reads
// SSL_CERT_FILE once, at the first TLS verification.
var testAuthority *Authority

func TestMain(m *testing.M) {
	code, err := runTrusting(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mockcloud tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runTrusting(m *testing.M) (int, error) {
	a, err := NewAuthority()
	if err != nil {
		return 0, err
	}
	var existing []byte
	if prev := os.Getenv("SSL_CERT_FILE"); prev != "" {
		if existing, err = os.ReadFile(prev); err != nil {
			return 0, err
		}
	}
	f, err := os.CreateTemp("", "mockcloud-test-ca-*.pem")
	if err != nil {
		return 0, err
	}
	_ = f.Close()
	defer os.Remove(f.Name())
	if err := a.WriteBundle(f.Name(), existing); err != nil {
		return 0, err
	}
	if err := os.Setenv("SSL_CERT_FILE", f.Name()); err != nil {
		return 0, err
	}
	testAuthority = a
	return m.Run(), nil
}
