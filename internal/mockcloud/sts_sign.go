package mockcloud

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

// This file verifies Alibaba Cloud's RPC signature V1 (HMAC-SHA1), which
// the STS's AssumeRole takes, from the published algorithm. It shares no
// code with the signer of credentials-go
// (credentials/providers/ram_role_arn.go, getCredentials): each checks the
// other.

// rpcV1SigningParams must all be present in a signed RPC V1 request.
var rpcV1SigningParams = []string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce"}

// verifyRPCV1 checks a signed RPC V1 request, whose parameters (query and
// form body together) are params, and returns the AccessKeyId. secretOf
// gives the secret of a known key; nonceSeen is asked, once the signature
// is known good, whether the SignatureNonce was used before.
//
// The signature: every parameter but Signature, sorted by name, each name
// and value percent-encoded per RFC 3986 and joined as a=1&b=2; the string
// to sign is the method, "&", the encoded "/", "&" and that query encoded
// once more; the key is the secret followed by "&"; the signature is the
// base64 of the HMAC-SHA1.
func verifyRPCV1(method string, params url.Values, secretOf func(string) (string, bool), now time.Time, nonceSeen func(string) bool) (string, *authFailure) {
	for _, name := range rpcV1SigningParams {
		if params.Get(name) == "" {
			return "", incomplete(name + " is missing.")
		}
	}
	if params.Get("SignatureMethod") != "HMAC-SHA1" {
		return "", incomplete("SignatureMethod must be HMAC-SHA1.")
	}
	if params.Get("SignatureVersion") != "1.0" {
		return "", incomplete("SignatureVersion must be 1.0.")
	}
	if fail := checkRPCTimestamp(params, now); fail != nil {
		return "", fail
	}
	ak := params.Get("AccessKeyId")
	secret, ok := secretOf(ak)
	if !ok {
		return "", &authFailure{http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found."}
	}
	signed := url.Values{}
	for k, vs := range params {
		if k != "Signature" {
			signed[k] = vs
		}
	}
	stringToSign := method + "&" + rfc3986("/") + "&" + rfc3986(canonicalQuery(signed))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(stringToSign))
	got, err := base64.StdEncoding.DecodeString(params.Get("Signature"))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return "", mismatch("check your AccessKeySecret and signing method.")
	}
	// Its own prefix, so an RPC nonce and an ACS3 nonce never collide.
	if nonceSeen("SignatureNonce:" + params.Get("SignatureNonce")) {
		return "", &authFailure{http.StatusBadRequest, "SignatureNonceUsed", "Specified signature nonce was used already."}
	}
	return ak, nil
}
