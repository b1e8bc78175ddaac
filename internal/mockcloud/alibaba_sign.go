package mockcloud

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	// signatureWindow is how far a signed date may be from the server's
	// clock, either way, as both clouds document.
	signatureWindow = 15 * time.Minute
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

// acs3Auth is the parsed Authorization header.
type acs3Auth struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

func parseACS3(h string) (*acs3Auth, *authFailure) {
	if h == "" {
		return nil, incomplete("the Authorization header is missing.")
	}
	rest, ok := strings.CutPrefix(h, acs3Algorithm+" ")
	if !ok {
		return nil, incomplete("the signature algorithm must be " + acs3Algorithm + ".")
	}
	a := &acs3Auth{}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, incomplete("the Authorization header is malformed.")
		}
		seen[k] = true
		switch k {
		case "Credential":
			a.accessKey = v
		case "SignedHeaders":
			if v != "" {
				a.signedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if !seen["Credential"] || !seen["SignedHeaders"] || !seen["Signature"] || a.accessKey == "" || a.signature == "" {
		return nil, incomplete("the Authorization header needs Credential, SignedHeaders and Signature.")
	}
	return a, nil
}

// verifyACS3 checks an AK-signed request and returns the AccessKeyId.
// nonceSeen is asked (after the signature is known good) whether the
// request's x-acs-signature-nonce was used before.
func verifyACS3(r *http.Request, body []byte, keys map[string]string, now time.Time, nonceSeen func(string) bool) (string, *authFailure) {
	a, fail := parseACS3(r.Header.Get("Authorization"))
	if fail != nil {
		return "", fail
	}
	secret, ok := keys[a.accessKey]
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
	if d := now.Sub(date); d > signatureWindow || d < -signatureWindow {
		return "", &authFailure{http.StatusBadRequest, "InvalidTimeStamp.Expired",
			"Specified time stamp or date value is expired: x-acs-date must be within 15 minutes of the server time."}
	}

	sum := sha256.Sum256(body)
	bodyHash := hex.EncodeToString(sum[:])
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
		acs3CanonicalQuery(query),
		acs3CanonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		bodyHash,
	}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	stringToSign := acs3Algorithm + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	got, err := hex.DecodeString(a.signature)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
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

// acs3CanonicalQuery sorts parameters by name and percent-encodes names and
// values per RFC 3986 (space is %20, * is %2A, ~ is kept).
func acs3CanonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := append([]string(nil), q[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, rfc3986(k)+"="+rfc3986(v))
		}
	}
	return strings.Join(parts, "&")
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

// rfc3986 percent-encodes everything but the unreserved characters, with
// uppercase hex. Huawei's canonical form uses the same rule.
func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[c>>4])
			b.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	return b.String()
}
