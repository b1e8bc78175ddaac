package alibaba

import (
	"fmt"
	"os"
	"testing"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

// TestMain makes the process trust the mock cloud's certificate authority:
// credentials-go calls STS over https only, so the role flows' tests reach
// the mock's STS through clienttest.Cloud.ServeTLS.
func TestMain(m *testing.M) {
	cleanup, err := clienttest.TrustMockAuthority()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}
