package mockcloud

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// This file verifies Huawei Cloud's SDK-HMAC-SHA256 signature from the
// published algorithm, sharing no code with the SDK's signer.

// sdkHMACAlgorithm names the signature in the Authorization header and
// begins the string to sign.
const sdkHMACAlgorithm = "SDK-HMAC-SHA256"

// sdkDateLayout is the form of X-Sdk-Date.
const sdkDateLayout = "20060102T150405Z"

// unsignedPayload in X-Sdk-Content-Sha256 says the body is not signed, as
// the SDK sends for a body that is not JSON.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// iamFailure is the one 401 Huawei's gateway answers for any AK/SK or token
// problem; detail says which, without echoing anything secret.
func iamFailure(detail string) *authFailure {
	return &authFailure{http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: " + detail}
}

// parseSDKAuth reads an SDK-HMAC-SHA256 Authorization header.
func parseSDKAuth(h string) (authHeader, *authFailure) {
	a, problem := parseAuthHeader(h, sdkHMACAlgorithm, "Access")
	if problem != "" {
		return authHeader{}, iamFailure(problem)
	}
	return a, nil
}

// verifySDKHMAC checks an AK/SK-signed request and returns the AK.
// secretOf gives the SK of an AK the mock knows.
func verifySDKHMAC(r *http.Request, body []byte, secretOf func(string) (string, bool), now time.Time) (string, *authFailure) {
	a, fail := parseSDKAuth(r.Header.Get("Authorization"))
	if fail != nil {
		return "", fail
	}
	secret, ok := secretOf(a.accessKey)
	if !ok {
		return "", iamFailure("the access key does not exist.")
	}
	signed := map[string]bool{}
	for _, h := range a.signedHeaders {
		if h != strings.ToLower(h) {
			return "", iamFailure("SignedHeaders must be lowercase.")
		}
		signed[h] = true
	}
	// The date, the project and the temporary-credential token decide what
	// the request may do: each must be covered by the signature.
	if !signed["x-sdk-date"] {
		return "", iamFailure("SignedHeaders must include x-sdk-date.")
	}
	for _, h := range []string{"x-project-id", "x-security-token"} {
		if r.Header.Get(h) != "" && !signed[h] {
			return "", iamFailure("SignedHeaders must include " + h + ".")
		}
	}
	dateHeader := r.Header.Get("X-Sdk-Date")
	date, err := time.Parse(sdkDateLayout, dateHeader)
	if err != nil {
		return "", iamFailure("X-Sdk-Date must look like 20060102T150405Z.")
	}
	if !withinSignatureWindow(date, now) {
		return "", iamFailure("the request has expired: X-Sdk-Date must be within 15 minutes of the server time.")
	}

	// The SDK hashes the raw bytes it sends (its JSON ends with a newline),
	// or declares the payload unsigned for non-JSON bodies.
	payload := r.Header.Get("X-Sdk-Content-Sha256")
	if payload != unsignedPayload {
		payload = hexSHA256(body)
	}
	canonical := strings.Join([]string{
		r.Method,
		sdkCanonicalURI(r.URL.Path),
		sdkCanonicalQuery(r.URL.RawQuery),
		sdkCanonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		payload,
	}, "\n")
	stringToSign := sdkHMACAlgorithm + "\n" + dateHeader + "\n" + hexSHA256([]byte(canonical))
	if !signatureMatches(secret, stringToSign, a.signature) {
		return "", iamFailure("the signature does not match; check the secret key and the signing method.")
	}
	return a.accessKey, nil
}

// sdkCanonicalURI escapes each path segment and ends with a slash.
func sdkCanonicalURI(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = rfc3986(s)
	}
	out := strings.Join(segs, "/")
	if !strings.HasSuffix(out, "/") {
		out += "/"
	}
	return out
}

// sdkCanonicalQuery decodes the raw query itself, keeping each repeated name
// (the SDK sends arrays so), and renders it in the canonical form.
func sdkCanonicalQuery(raw string) string {
	q := map[string][]string{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, errK := url.QueryUnescape(k)
		v, errV := url.QueryUnescape(v)
		if errK != nil || errV != nil {
			// Left as sent: the signature will not match, which is the
			// right answer for a query nobody can decode.
			continue
		}
		q[k] = append(q[k], v)
	}
	return canonicalQuery(q)
}

// sdkCanonicalHeaders gives one name:value line per value of each signed
// header; a signed header the request lacks contributes no line.
func sdkCanonicalHeaders(r *http.Request, names []string) string {
	var lines []string
	for _, name := range names {
		var vals []string
		if name == "host" {
			vals = []string{r.Host}
		} else {
			vals = append(vals, r.Header.Values(name)...)
		}
		sort.Strings(vals)
		for _, v := range vals {
			lines = append(lines, name+":"+strings.TrimSpace(v))
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
