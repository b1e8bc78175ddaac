package mockcloud

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

// The authority's certificate is good for the loopback names and nothing
// else, and only to a client that trusts this authority.
func TestAuthority(t *testing.T) {
	a, err := NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	trusting := x509.NewCertPool()
	if !trusting.AppendCertsFromPEM(a.CertPEM()) {
		t.Fatal("CertPEM holds no certificate")
	}
	leaf, err := x509.ParseCertificate(a.ServerTLSConfig().Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("leaf key %T, want ECDSA P-256", leaf.PublicKey)
	}
	tests := []struct {
		name   string
		roots  *x509.CertPool
		wantOK bool
	}{
		{"127.0.0.1", trusting, true},
		{"::1", trusting, true},
		{"localhost", trusting, true},
		{"sts.aliyuncs.com", trusting, false},
		{"127.0.0.1", other.ClientTLSConfig().RootCAs, false},
		{"127.0.0.1", a.ClientTLSConfig().RootCAs, true},
	}
	for _, tt := range tests {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: tt.name, Roots: tt.roots})
		if (err == nil) != tt.wantOK {
			t.Errorf("%s: verify error %v, want ok %t", tt.name, err, tt.wantOK)
		}
	}
}

// The bundle keeps what the process trusted before, then adds the CA.
func TestWriteBundle(t *testing.T) {
	a, err := NewAuthority()
	if err != nil {
		t.Fatal(err)
	}
	ca := string(a.CertPEM())
	for _, tt := range []struct {
		name, existing, want string
	}{
		{"nothing trusted before", "", ca},
		{"a bundle", "EXISTING\n", "EXISTING\n" + ca},
		{"a bundle without its last newline", "EXISTING", "EXISTING\n" + ca},
	} {
		path := filepath.Join(t.TempDir(), "bundle.pem")
		if err := a.WriteBundle(path, []byte(tt.existing)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s: wrote %q, want %q", tt.name, got, tt.want)
		}
	}
}
