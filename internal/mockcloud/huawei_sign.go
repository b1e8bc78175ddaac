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

// This file verifies Huawei Cloud's SDK-HMAC-SHA256 signature from the
// published algorithm, sharing no code with the SDK's signer.

const (
	sdkHMACAlgorithm = "SDK-HMAC-SHA256"
	sdkDateLayout    = "20060102T150405Z"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
)

// iamFailure is the one 401 Huawei's gateway answers for any AK/SK or token
// problem; detail says which, without echoing anything secret.
func iamFailure(detail string) *authFailure {
	return &authFailure{http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: " + detail}
}

type sdkAuth struct {
	accessKey     string
	signedHeaders []string
	signature     string
}

func parseSDKAuth(h string) (*sdkAuth, *authFailure) {
	rest, ok := strings.CutPrefix(h, sdkHMACAlgorithm+" ")
	if !ok {
		return nil, iamFailure("the Authorization header must use " + sdkHMACAlgorithm + ".")
	}
	a := &sdkAuth{}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, iamFailure("the Authorization header is malformed.")
		}
		seen[k] = true
		switch k {
		case "Access":
			a.accessKey = v
		case "SignedHeaders":
			if v != "" {
				a.signedHeaders = strings.Split(v, ";")
			}
		case "Signature":
			a.signature = v
		}
	}
	if !seen["Access"] || !seen["SignedHeaders"] || !seen["Signature"] || a.accessKey == "" || a.signature == "" {
		return nil, iamFailure("the Authorization header needs Access, SignedHeaders and Signature.")
	}
	return a, nil
}

// verifySDKHMAC checks an AK/SK-signed request and returns the AK.
func verifySDKHMAC(r *http.Request, body []byte, keys map[string]string, now time.Time) (string, *authFailure) {
	a, fail := parseSDKAuth(r.Header.Get("Authorization"))
	if fail != nil {
		return "", fail
	}
	secret, ok := keys[a.accessKey]
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
	if d := now.Sub(date); d > signatureWindow || d < -signatureWindow {
		return "", iamFailure("the request has expired: X-Sdk-Date must be within 15 minutes of the server time.")
	}

	// The SDK hashes the raw bytes it sends (its JSON ends with a newline),
	// or declares the payload unsigned for non-JSON bodies.
	payload := r.Header.Get("X-Sdk-Content-Sha256")
	if payload != unsignedPayload {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	canonical := strings.Join([]string{
		r.Method,
		sdkCanonicalURI(r.URL.Path),
		sdkCanonicalQuery(r.URL.RawQuery),
		sdkCanonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		payload,
	}, "\n")
	crHash := sha256.Sum256([]byte(canonical))
	stringToSign := sdkHMACAlgorithm + "\n" + dateHeader + "\n" + hex.EncodeToString(crHash[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	got, err := hex.DecodeString(a.signature)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
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

// sdkCanonicalQuery sorts by name, then by value within a repeated name (the
// SDK sends arrays as repeated names), both escaped.
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
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vs := q[k]
		sort.Strings(vs)
		for _, v := range vs {
			parts = append(parts, rfc3986(k)+"="+rfc3986(v))
		}
	}
	return strings.Join(parts, "&")
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
