package mockcloud

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The anonymous client API (RebootDesktops 2020-10-02) is reached the way
// the official ECD 2020-10-02 SDK sends it: an RPC V2 request from
// darabonba's DoRPCRequest, with the common parameters Action, Version,
// Format, Timestamp and SignatureNonce in the query and, for an anonymous
// operation, no signature at all. The admin API 2020-09-30 is reached with
// ACS3-HMAC-SHA256 (verifyACS3). The mock takes exactly these two shapes, so
// a client that sends either API the other way is refused.

// rpcV2Common are the common parameters of every RPC V2 request.
var rpcV2Common = []string{"Action", "Version", "Format", "Timestamp", "SignatureNonce"}

// rpcV2Signing are what a signed RPC V2 (or V3) request adds; an anonymous
// request carries none of them.
var rpcV2Signing = []string{"Signature", "SignatureMethod", "SignatureVersion", "SignatureType", "AccessKeyId", "SecurityToken", "BearerToken"}

// checkRPCV2Anonymous checks the shape of an anonymous RPC V2 request.
func checkRPCV2Anonymous(r *http.Request, params url.Values, now time.Time) *authFailure {
	for _, name := range rpcV2Common {
		if params.Get(name) == "" {
			return &authFailure{http.StatusBadRequest, "MissingParameter",
				missingParam(name) + " The client API takes RPC V2 requests (Action, Version, Format, Timestamp and SignatureNonce in the query)."}
		}
	}
	if !strings.EqualFold(params.Get("Format"), "JSON") {
		return &authFailure{http.StatusBadRequest, "InvalidParameter.Format", "Format must be JSON."}
	}
	if fail := checkRPCTimestamp(params, now); fail != nil {
		return fail
	}
	signed := r.Header.Get("Authorization") != ""
	for _, name := range rpcV2Signing {
		signed = signed || params.Has(name)
	}
	if signed {
		return &authFailure{http.StatusBadRequest, "UnexpectedSignature",
			"RebootDesktops 2020-10-02 is an anonymous client API: send it without a signature, AccessKeyId or Authorization header; the LoginToken identifies the user."}
	}
	return nil
}

// checkRPCTimestamp checks the Timestamp common parameter of an RPC request
// (V2, and V1 as the STS takes it) against the signature window.
func checkRPCTimestamp(params url.Values, now time.Time) *authFailure {
	if params.Get("Timestamp") == "" {
		return &authFailure{http.StatusBadRequest, "MissingParameter", missingParam("Timestamp")}
	}
	ts, err := time.Parse(acsDateLayout, params.Get("Timestamp"))
	if err != nil {
		return &authFailure{http.StatusBadRequest, "InvalidTimeStamp.Format",
			"Timestamp must be an ISO 8601 UTC time like 2006-01-02T15:04:05Z."}
	}
	if !withinSignatureWindow(ts, now) {
		return &authFailure{http.StatusBadRequest, "InvalidTimeStamp.Expired",
			"Specified time stamp or date value is expired: Timestamp must be within 15 minutes of the server time."}
	}
	return nil
}
