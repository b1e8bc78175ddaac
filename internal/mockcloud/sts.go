package mockcloud

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Alibaba Cloud STS, version 2015-04-01: AssumeRole (RPC V1, signed with
// HMAC-SHA1, verifyRPCV1) and AssumeRoleWithOIDC (anonymous), as
// credentials-go v1.4.14 sends them (credentials/providers/ram_role_arn.go
// and oidc.go): POST / with the common parameters in the query and the
// rest (RoleArn, RoleSessionName, DurationSeconds, ...) in a form body.
// They share the Alibaba path / with ECD, told apart by Action and Version
// in the query: ECD's admin API names its action in x-acs-action, and the
// client API names other actions.

const (
	stsVersion           = "2015-04-01"
	opAssumeRole         = "AssumeRole"
	opAssumeRoleWithOIDC = "AssumeRoleWithOIDC"
)

// DurationSeconds bounds: 900 s is the documented floor (credentials-go
// refuses less itself), 43200 s the most a role's MaxSessionDuration can
// allow, and 3600 s the default.
const (
	stsMinDuration     = 900
	stsMaxDuration     = 43200
	stsDefaultDuration = 3600
)

// stsSecretParams hold tokens: Call keeps them masked.
var stsSecretParams = map[string]bool{"OIDCToken": true, "SecurityToken": true}

// roleSessionName is the documented form of RoleSessionName.
var roleSessionName = regexp.MustCompile(`^[A-Za-z0-9.@_-]{2,64}$`)

// isSTSRequest says whether a request to / is for the STS rather than ECD.
func isSTSRequest(r *http.Request) bool {
	if r.Header.Get("x-acs-action") != "" {
		return false
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	action := q.Get("Action")
	return (action == opAssumeRole || action == opAssumeRoleWithOIDC) && q.Get("Version") == stsVersion
}

// stsAnswer is the body of a successful AssumeRole or AssumeRoleWithOIDC,
// in the shape credentials-go reads (assumeRoleResponse in
// credentials/providers/ram_role_arn.go).
type stsAnswer struct {
	RequestId       string
	AssumedRoleUser stsAssumedRoleUser
	Credentials     stsCredentials
}

type stsAssumedRoleUser struct {
	Arn           string
	AssumedRoleId string
}

type stsCredentials struct {
	AccessKeyId     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      string // 2006-01-02T15:04:05Z, which credentials-go parses
}

// stsParams are the query and form parameters together: RPC V1 signs both.
func stsParams(r *http.Request, body []byte) url.Values {
	params, _ := url.ParseQuery(r.URL.RawQuery)
	if params == nil {
		params = url.Values{}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(body))
		for k, vs := range form {
			params[k] = append(params[k], vs...)
		}
	}
	return params
}

func (s *Server) stsExchange(r *http.Request, body []byte) *exchange {
	params := stsParams(r, body)
	action := params.Get("Action")
	call := &Call{
		Cloud: CloudAlibaba, Operation: action, Version: stsVersion, Method: r.Method, Path: r.URL.Path,
		Params: flatQuery(maskedValues(params, stsSecretParams)), Header: r.Header.Clone(),
		Body: maskedForm(body, stsSecretParams),
	}
	requestID := newRequestID()
	ex := &exchange{call: call}
	ex.errorResponse = func(status int, code, message string) *response {
		return stsErrorResponse(requestID, status, code, message)
	}
	ex.authenticate = func() (string, *response) {
		var auth string
		var fail *authFailure
		if action == opAssumeRole {
			auth, fail = s.stsSigned(r, params)
		} else {
			auth, fail = s.stsOIDC(params)
		}
		if fail != nil {
			return "", ex.errorResponse(fail.status, fail.code, fail.message)
		}
		return auth, nil
	}
	ex.plan = func(time.Time) plan { return s.assumeRole(ex, requestID, action, params) }
	return ex
}

// stsSigned authenticates AssumeRole: its RPC V1 signature, then, for a
// base key that is itself temporary, its SecurityToken.
func (s *Server) stsSigned(r *http.Request, params url.Values) (string, *authFailure) {
	ak, fail := verifyRPCV1(r.Method, params, s.secretOf(CloudAlibaba), s.wallClock(), s.nonceSeen)
	if fail != nil {
		return "", fail
	}
	return s.keyAuth(CloudAlibaba, ak, params.Get("SecurityToken"))
}

// stsOIDC authenticates AssumeRoleWithOIDC, which has no signature: the
// OIDC token, accepted by the OIDC provider named, is the identity. The
// codes are the mock's picture of the STS's.
func (s *Server) stsOIDC(params url.Values) (string, *authFailure) {
	if fail := checkRPCTimestamp(params, s.wallClock()); fail != nil {
		return "", fail
	}
	arn := params.Get("OIDCProviderArn")
	if arn == "" {
		return "", &authFailure{http.StatusBadRequest, "MissingParameter", missingParam("OIDCProviderArn")}
	}
	tokens, ok := s.cfg.AlibabaOIDCProviders[arn]
	if !ok {
		return "", &authFailure{http.StatusNotFound, "EntityNotExist.OIDCProvider", fmt.Sprintf("The OIDC provider %s does not exist.", arn)}
	}
	if params.Get("OIDCToken") == "" {
		return "", &authFailure{http.StatusBadRequest, "MissingParameter", missingParam("OIDCToken")}
	}
	if !secretIn(tokens, params.Get("OIDCToken")) {
		// Never echo the token.
		return "", &authFailure{http.StatusBadRequest, "AuthenticationFail.OIDCToken.Invalid",
			fmt.Sprintf("The OIDC token is invalid, or was not issued for the OIDC provider %s.", arn)}
	}
	return "anonymous", nil
}

// assumeRole validates the request and issues the credential, which the
// plan's apply makes usable. Its error codes are the mock's picture of the
// STS's: the documents list the codes, not always the statuses.
func (s *Server) assumeRole(ex *exchange, requestID, action string, params url.Values) plan {
	fail := func(status int, code, message string) plan {
		return plan{resp: ex.errorResponse(status, code, message)}
	}
	for _, name := range []string{"RoleArn", "RoleSessionName"} {
		if params.Get(name) == "" {
			return fail(http.StatusBadRequest, "MissingParameter", missingParam(name))
		}
	}
	arn, session := params.Get("RoleArn"), params.Get("RoleSessionName")
	if !roleSessionName.MatchString(session) {
		return fail(http.StatusBadRequest, "InvalidParameter.RoleSessionName",
			"RoleSessionName must be 2 to 64 characters: letters, digits, '.', '@', '-' and '_'.")
	}
	duration := stsDefaultDuration
	if v := params.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < stsMinDuration || n > stsMaxDuration {
			return fail(http.StatusBadRequest, "InvalidParameter.DurationSeconds",
				fmt.Sprintf("DurationSeconds must be an integer from %d to %d; %q was sent.", stsMinDuration, stsMaxDuration, v))
		}
		duration = n
	}
	if p := params.Get("Policy"); p != "" && !json.Valid([]byte(p)) {
		return fail(http.StatusBadRequest, "InvalidParameter.PolicyGrammar", "The Policy is not a valid JSON policy document.")
	}
	role, ok := s.cfg.AlibabaRoles[arn]
	if !ok {
		return fail(http.StatusNotFound, "EntityNotExist.Role", fmt.Sprintf("The role %s does not exist.", arn))
	}
	if action == opAssumeRole && role.ExternalID != "" &&
		subtle.ConstantTimeCompare([]byte(role.ExternalID), []byte(params.Get("ExternalId"))) != 1 {
		return fail(http.StatusForbidden, "NoPermission",
			fmt.Sprintf("You are not authorized to assume the role %s: its trust policy requires an ExternalId this request does not carry.", arn))
	}
	c := s.newCredential(CloudAlibaba, action, arn, session, time.Duration(duration)*time.Second)
	answer := stsAnswer{
		RequestId: requestID,
		AssumedRoleUser: stsAssumedRoleUser{
			Arn:           arn + "/" + session,
			AssumedRoleId: roleID(arn) + ":" + session,
		},
		Credentials: stsCredentials{
			AccessKeyId: c.AccessKey, AccessKeySecret: c.Secret, SecurityToken: c.SecurityToken,
			Expiration: c.ExpiresAt.Format(acsDateLayout),
		},
	}
	return plan{
		resp:  jsonResponse(http.StatusOK, answer, requestID, "", aliHeader(requestID)),
		apply: func() { s.storeCredentialLocked(c) },
	}
}

// roleID is a stable numeric role ID, as RAM gives each role.
func roleID(arn string) string {
	h := fnv.New64a()
	h.Write([]byte(arn))
	return fmt.Sprintf("3%016d", h.Sum64()%1e16)
}

func stsErrorResponse(requestID string, status int, code, message string) *response {
	body := aliError{
		RequestId: requestID, HostId: "sts.aliyuncs.com", Code: code, Message: message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=Sts&requestId=" + requestID,
	}
	return jsonResponse(status, body, requestID, code, aliHeader(requestID))
}

// maskedValues is params with the values of the names in secret masked.
func maskedValues(params url.Values, secret map[string]bool) url.Values {
	out := url.Values{}
	for k, vs := range params {
		if secret[k] {
			out[k] = []string{redacted}
		} else {
			out[k] = vs
		}
	}
	return out
}

// maskedForm is a form body for the record, with the values of the names in
// secret masked. A body that does not parse as a form is not kept at all:
// it may still hold a token.
func maskedForm(body []byte, secret map[string]bool) []byte {
	if len(body) == 0 {
		return body
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	for k := range form {
		if secret[k] {
			return []byte(maskedValues(form, secret).Encode())
		}
	}
	return body
}
