package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCloudErrorRedact(t *testing.T) {
	const secret = "s3cr3t-login-token"
	ce := &CloudError{
		Cloud: "alibaba", Operation: "RebootDesktops", Code: "InvalidLoginToken",
		Message: "the token " + secret + " is not valid", Detail: "got " + secret, RequestID: "req-1",
		Cause: fmt.Errorf("wrapped %s: %w", secret, context.Canceled),
	}
	ce.Redact([]string{"", secret})
	if s := ce.Error() + ce.Cause.Error(); strings.Contains(s, secret) || !strings.Contains(s, Redacted) {
		t.Errorf("redacted error %q", s)
	}
	if !errors.Is(ce, context.Canceled) {
		t.Error("redaction broke the error chain")
	}
	if ce.Code != "InvalidLoginToken" || ce.RequestID != "req-1" {
		t.Errorf("redaction changed text without a secret: %+v", ce)
	}
}
