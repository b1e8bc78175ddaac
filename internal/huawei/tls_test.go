package huawei

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

// TestHTTPSVerifiesCertificates: an https endpoint whose certificate no
// trusted authority signed is refused before any request is made; nothing
// in the client turns verification off.
func TestHTTPSVerifiesCertificates(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		writeJSON(w, 500, map[string]string{"error_code": "ShouldNotBeReached", "error_msg": "the request got through"})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("test server %s is not https", srv.URL)
	}
	c := newTestClient(t, srv.URL)
	o := c.Deleter(DeleteOptions{Poll: testPoll}).Act(context.Background(), batch("d1"))
	if len(o.Done) != 0 || len(o.Failed) != 1 {
		t.Fatalf("outcome %+v, want d1 failed", o)
	}
	if msg := o.Failed[0].Err.Error(); !strings.Contains(msg, "TLS certificate is not trusted") || !strings.Contains(msg, "x509: certificate signed by unknown authority") {
		t.Errorf("error %q does not say the certificate was refused", msg)
	}
	var ce *fleet.CloudError
	if !errors.As(o.Failed[0].Err, &ce) || ce.Retryable || ce.Ambiguous {
		t.Errorf("failure %#v: want a final, unambiguous CloudError (retrying cannot fix a certificate)", o.Failed[0].Err)
	}
	if n := served.Load(); n != 0 {
		t.Errorf("the server answered %d requests, want none", n)
	}
}
