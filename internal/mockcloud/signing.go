package mockcloud

// What the two signature verifiers share: the layout of the Authorization
// header, the canonical query, and the HMAC-SHA256 check at the end. What
// each cloud signs, and in which order, stays in its own file.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"time"
)

// signatureWindow is how far a signed date may be from the server's clock,
// either way, as both clouds document.
const signatureWindow = 15 * time.Minute

// withinSignatureWindow says whether a signed date is close enough to now.
func withinSignatureWindow(signed, now time.Time) bool {
	d := now.Sub(signed)
	return d <= signatureWindow && d >= -signatureWindow
}

// authHeader is the Authorization header both clouds' signatures share the
// layout of: "<algorithm> <key field>=<access key>, SignedHeaders=a;b,
// Signature=<hex>". What is signed, and how, differs: each verifier
// computes its own signature.
type authHeader struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

// parseAuthHeader reads h for algorithm, the access key under keyField
// (Alibaba "Credential", Huawei "Access"). On failure it says what is
// wrong, for the caller to answer in its cloud's error format.
func parseAuthHeader(h, algorithm, keyField string) (authHeader, string) {
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return authHeader{}, "the Authorization header must use " + algorithm + "."
	}
	var a authHeader
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authHeader{}, "the Authorization header is malformed."
		}
		seen[k] = true
		switch k {
		case keyField:
			a.accessKey = v
		case "SignedHeaders":
			if v != "" {
				a.signedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if !seen[keyField] || !seen["SignedHeaders"] || !seen["Signature"] || a.accessKey == "" || a.signature == "" {
		return authHeader{}, "the Authorization header needs " + keyField + ", SignedHeaders and Signature."
	}
	return a, ""
}

// hexSHA256 is the lowercase hex SHA-256 of s, as both canonical forms hash
// their parts.
func hexSHA256(s []byte) string {
	sum := sha256.Sum256(s)
	return hex.EncodeToString(sum[:])
}

// signatureMatches says whether signature, in hex, is the HMAC-SHA256 of
// stringToSign under secret: the last step of both algorithms.
func signatureMatches(secret, stringToSign, signature string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	got, err := hex.DecodeString(signature)
	return err == nil && hmac.Equal(got, mac.Sum(nil))
}

// canonicalQuery is the query both algorithms sign: sorted by name, then by
// value within a repeated name, each percent-encoded per RFC 3986.
func canonicalQuery(q map[string][]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := slices.Clone(q[k])
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, rfc3986(k)+"="+rfc3986(v))
		}
	}
	return strings.Join(parts, "&")
}

// rfc3986 percent-encodes everything but the unreserved characters, with
// uppercase hex (space is %20, * is %2A, ~ is kept).
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
