package mockcloud

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// This file verifies Alibaba Cloud's V3 signature (ACS3-HMAC-SHA256) from the
// published algorithm. It deliberately shares no code with the SDK's signer:
// each checks the other.

const (
	acs3Algorithm = "ACS3-HMAC-SHA256"
	acsDateLayout = "2006-01-02T15:04:05Z"
)

// authFailure is a rejected signature: the HTTP status and the cloud's code.
// The message never holds a secret, a token or the expected signature.
type authFailure struct {
	status        int
	code, message string
}

func incomplete(msg string) *authFailure {
	return &authFailure{http.StatusBadRequest, "IncompleteSignature", "The request signature does not conform to Aliyun standards: " + msg}
}

func mismatch(msg string) *authFailure {
	return &authFailure{http.StatusBadRequest, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided: " + msg}
}

// parseACS3 reads an ACS3-HMAC-SHA256 Authorization header.
func parseACS3(h string) (authHeader, *authFailure) {
	if h == "" {
		return authHeader{}, incomplete("the Authorization header is missing.")
	}
	a, problem := parseAuthHeader(h, acs3Algorithm, "Credential")
	if problem != "" {
		return authHeader{}, incomplete(problem)
	}
	return a, nil
}

// verifyACS3 checks an AK-signed request and returns the AccessKeyId.
// secretOf gives the secret of an access key the mock knows. nonceSeen is
// asked (after the signature is known good) whether the request's
// x-acs-signature-nonce was used before.
func verifyACS3(r *http.Request, body []byte, secretOf func(string) (string, bool), now time.Time, nonceSeen func(string) bool) (string, *authFailure) {
	a, fail := parseACS3(r.Header.Get("Authorization"))
	if fail != nil {
		return "", fail
	}
	secret, ok := secretOf(a.accessKey)
	if !ok {
		return "", &authFailure{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}

	signed := map[string]bool{}
	for i, h := range a.signedHeaders {
		if h != strings.ToLower(h) || (i > 0 && a.signedHeaders[i-1] >= h) {
			return "", incomplete("SignedHeaders must be lowercase, sorted and without repeats.")
		}
		signed[h] = true
	}
	// Everything that identifies the request must be covered by the
	// signature, or it could be swapped in transit.
	for _, h := range []string{"host", "x-acs-date", "x-acs-content-sha256", "x-acs-signature-nonce"} {
		if !signed[h] {
			return "", incomplete("SignedHeaders must include " + h + ".")
		}
	}
	for name := range r.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-acs-") && !signed[l] {
			return "", incomplete("SignedHeaders must include every x-acs-* header; " + l + " is missing.")
		}
	}

	date, err := time.Parse(acsDateLayout, r.Header.Get("x-acs-date"))
	if err != nil {
		return "", incomplete("x-acs-date must be an ISO 8601 UTC time like 2006-01-02T15:04:05Z.")
	}
	if !withinSignatureWindow(date, now) {
		return "", &authFailure{http.StatusBadRequest, "InvalidTimeStamp.Expired",
			"Specified time stamp or date value is expired: x-acs-date must be within 15 minutes of the server time."}
	}

	bodyHash := hexSHA256(body)
	if !strings.EqualFold(r.Header.Get("x-acs-content-sha256"), bodyHash) {
		return "", mismatch("x-acs-content-sha256 is not the SHA-256 of the request body.")
	}
	if id := r.Header.Get("x-acs-accesskey-id"); id != "" && id != a.accessKey {
		return "", mismatch("x-acs-accesskey-id differs from the Credential.")
	}

	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", mismatch("the query string cannot be parsed.")
	}
	canonical := strings.Join([]string{
		r.Method,
		acs3CanonicalURI(r.URL.EscapedPath()),
		canonicalQuery(query),
		acs3CanonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		bodyHash,
	}, "\n")
	stringToSign := acs3Algorithm + "\n" + hexSHA256([]byte(canonical))
	if !signatureMatches(secret, stringToSign, a.signature) {
		return "", mismatch("check your AccessKeySecret and signing method.")
	}
	if nonceSeen(r.Header.Get("x-acs-signature-nonce")) {
		return "", &authFailure{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	return a.accessKey, nil
}

func acs3CanonicalURI(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// acs3CanonicalHeaders renders each signed header as name:value\n, the
// values of a repeated header sorted and joined with commas.
func acs3CanonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		var vals []string
		if name == "host" {
			vals = []string{r.Host}
		} else {
			for _, v := range r.Header.Values(name) {
				vals = append(vals, strings.TrimSpace(v))
			}
		}
		sort.Strings(vals)
		b.WriteString(name + ":" + strings.Join(vals, ",") + "\n")
	}
	return b.String()
}
