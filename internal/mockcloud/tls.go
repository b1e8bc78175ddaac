package mockcloud

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// Authority is a throwaway certificate authority, in memory only, and the
// certificate it signed for the loopback addresses: what the mock needs to
// be served over TLS. credentials-go calls the STS over https and nothing
// else, so a test (or a person) must trust the authority, typically by
// pointing SSL_CERT_FILE at a bundle that holds CertPEM.
type Authority struct {
	caPEM []byte
	pool  *x509.CertPool
	leaf  tls.Certificate
}

// authorityValidity is how long the certificates are good for: long enough
// for any test or demo session, short enough that a leaked key soon stops
// mattering.
const authorityValidity = 30 * 24 * time.Hour

// NewAuthority makes a self-signed CA (ECDSA P-256) and a certificate it
// signed for 127.0.0.1, ::1 and localhost.
func NewAuthority() (*Authority, error) {
	// Backdated, so a client whose clock is a little behind still accepts
	// them.
	notBefore := time.Now().Add(-time.Hour)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               pkix.Name{Organization: []string{"mockcloud"}, CommonName: "mockcloud test CA"},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(authorityValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("mockcloud: creating the CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafTemplate := &x509.Certificate{
		SerialNumber: serialNumber(),
		Subject:      pkix.Name{Organization: []string{"mockcloud"}, CommonName: "localhost"},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(authorityValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("mockcloud: creating the server certificate: %w", err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &Authority{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:  pool,
		// The chain holds the CA too, so a client that trusts the CA
		// needs nothing else from the server.
		leaf: tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey},
	}, nil
}

func serialNumber() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127)) // crypto/rand never fails
	return n
}

// ServerTLSConfig serves the loopback certificate.
func (a *Authority) ServerTLSConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{a.leaf}, MinVersion: tls.VersionTLS12}
}

// ClientTLSConfig trusts the authority and nothing else, for a client the
// test builds itself.
func (a *Authority) ClientTLSConfig() *tls.Config {
	return &tls.Config{RootCAs: a.pool, MinVersion: tls.VersionTLS12}
}

// CertPEM is the CA certificate in PEM, for SSL_CERT_FILE.
func (a *Authority) CertPEM() []byte { return bytes.Clone(a.caPEM) }

// WriteBundle writes existing (the PEM bundle a process trusted so far,
// perhaps empty) followed by the CA certificate to path. Go reads
// SSL_CERT_FILE instead of, not as well as, the system's bundle, so
// pointing it at this file keeps trusting what existing held.
func (a *Authority) WriteBundle(path string, existing []byte) error {
	var b bytes.Buffer
	b.Write(existing)
	if len(existing) > 0 && !bytes.HasSuffix(existing, []byte("\n")) {
		b.WriteByte('\n')
	}
	b.Write(a.caPEM)
	return os.WriteFile(path, b.Bytes(), 0o600)
}
