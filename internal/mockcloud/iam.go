package mockcloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
)

// Huawei Cloud IAM, the two calls of the federated login of
// huaweicloud-sdk-go-v3 v0.1.207 (core/auth/internal/federal_accessor.go,
// requests built and answers read in iam_helper.go, shapes in model.go):
//
//   - POST /v3.0/OS-AUTH/id-token/tokens with X-Idp-Id and
//     {"auth":{"id_token":{"id":TOKEN}}}: 201, the federated token in
//     X-Subject-Token (the SDK fails without it, or without X-Request-Id
//     or token.expires_at).
//   - POST /v3.0/OS-CREDENTIAL/securitytokens with
//     {"auth":{"identity":{"methods":["token"],"token":{"id":SUBJECT_TOKEN,
//     "duration_seconds":N}}}}: 201, {"credential":{access, secret,
//     securitytoken, expires_at}}.
//
// Neither is signed: the id token, then the federated token, is the
// identity. Errors are {"error_code","error_msg"}, as IAM's v3.0 documents
// show them, which the SDK's sdkerr.NewServiceResponseError reads into
// ServiceResponseError.ErrorCode and ErrorMessage.

const (
	opCreateTokenWithIdToken          = "CreateTokenWithIdToken"
	opCreateTemporaryAccessKeyByToken = "CreateTemporaryAccessKeyByToken"
	iamIDTokenPath                    = "/v3.0/OS-AUTH/id-token/tokens"
	iamSecurityTokensPath             = "/v3.0/OS-CREDENTIAL/securitytokens"
	// iamTimeLayout is how IAM writes times; the SDK parses expires_at
	// with 2006-01-02T15:04:05Z, which takes the fraction too.
	iamTimeLayout = "2006-01-02T15:04:05.000000Z"
)

// Lifetimes, from IAM's documents: a federated token lives 24 hours, and
// duration_seconds takes 15 minutes to 24 hours, 15 minutes by default. The
// SDK asks for 6 hours.
const (
	iamTokenLifetime   = 24 * time.Hour
	iamMinDuration     = 900
	iamMaxDuration     = 86400
	iamDefaultDuration = 900
)

// The account every federated user of the mock belongs to.
const (
	iamDomainID   = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	iamDomainName = "mock-account"
)

// iamFailures are the mock's picture of IAM's answers: IAM.0007 (a request
// parameter is invalid, 401 in the documents' examples) for an unknown
// identity provider, IAM.0001 for a token it will not take, IAM.0011 (400)
// for a body it cannot read.
var (
	iamBadToken     = iamAuthFailure("IAM.0001", "The request you have made requires authentication: the token is invalid.")
	iamExpiredToken = iamAuthFailure("IAM.0001", "The request you have made requires authentication: the token has expired.")
)

func iamUnknownIdP(idp string) *authFailure {
	return iamAuthFailure("IAM.0007", fmt.Sprintf("Request parameter X-Idp-Id is invalid: no identity provider %q exists.", idp))
}

func iamBadIDToken(idp string) *authFailure {
	// Never echo the token.
	return iamAuthFailure("IAM.0001", fmt.Sprintf("The request you have made requires authentication: the id_token is not valid for identity provider %q.", idp))
}

func iamAuthFailure(code, message string) *authFailure {
	return &authFailure{http.StatusUnauthorized, code, message}
}

func iamBadBody(detail string) *authFailure {
	return &authFailure{http.StatusBadRequest, "IAM.0011", "Request body is invalid: " + detail}
}

type iamError struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

func iamHeader(requestID string) http.Header {
	h := huaweiHeader(requestID)
	// IAM also answers a trace ID, which the SDK appends to its errors.
	h.Set("X-IAM-Trace-Id", requestID)
	return h
}

func iamErrorResponse(requestID string, status int, code, message string) *response {
	return jsonResponse(status, iamError{ErrorCode: code, ErrorMsg: message}, requestID, code, iamHeader(requestID))
}

// The body of the id-token login, as the SDK reads it (ScopedTokenInfo in
// core/auth/internal/model.go).
type iamTokenAnswer struct {
	Token iamToken `json:"token"`
}

type iamToken struct {
	ExpiresAt string   `json:"expires_at"`
	IssuedAt  string   `json:"issued_at"`
	Methods   []string `json:"methods"`
	User      iamUser  `json:"user"`
	Roles     []any    `json:"roles"`
	Catalog   []any    `json:"catalog"`
}

type iamUser struct {
	OSFederation iamFederation `json:"OS-FEDERATION"`
	Domain       iamDomain     `json:"domain"`
	ID           string        `json:"id"`
	Name         string        `json:"name"`
}

type iamFederation struct {
	IdentityProvider struct {
		ID string `json:"id"`
	} `json:"identity_provider"`
	Protocol struct {
		ID string `json:"id"`
	} `json:"protocol"`
	Groups []any `json:"groups"`
}

type iamDomain struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// iamCredentialAnswer is the body of securitytokens (Credential in
// core/auth/internal/model.go, which takes these four names).
type iamCredentialAnswer struct {
	Credential struct {
		Access        string `json:"access"`
		Secret        string `json:"secret"`
		SecurityToken string `json:"securitytoken"`
		ExpiresAt     string `json:"expires_at"`
	} `json:"credential"`
}

// The request bodies. Pointers tell a missing member from an empty one.
type iamIDTokenRequest struct {
	Auth *struct {
		IDToken *struct {
			ID string `json:"id"`
		} `json:"id_token"`
	} `json:"auth"`
}

type iamSecurityTokensRequest struct {
	Auth *struct {
		Identity *struct {
			Methods []string `json:"methods"`
			Token   *struct {
				ID              string `json:"id"`
				DurationSeconds *int   `json:"duration_seconds"`
			} `json:"token"`
		} `json:"identity"`
	} `json:"auth"`
}

func (s *Server) iamExchange(r *http.Request, body []byte) *exchange {
	var op string
	if r.Method == http.MethodPost {
		switch r.URL.Path {
		case iamIDTokenPath:
			op = opCreateTokenWithIdToken
		case iamSecurityTokensPath:
			op = opCreateTemporaryAccessKeyByToken
		}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	call := &Call{
		Cloud: CloudHuawei, Operation: or(op, "Unknown"), Version: "v3.0", Method: r.Method, Path: r.URL.Path,
		Params: flatQuery(query), Header: r.Header.Clone(), Body: maskedIAMBody(op, body),
	}
	requestID := newRequestID()
	ex := &exchange{call: call}
	ex.errorResponse = func(status int, code, message string) *response {
		return iamErrorResponse(requestID, status, code, message)
	}
	refuse := func(f *authFailure) (string, *response) {
		return "", ex.errorResponse(f.status, f.code, f.message)
	}
	switch op {
	case opCreateTokenWithIdToken:
		idp := r.Header.Get("X-Idp-Id")
		var req iamIDTokenRequest
		err := decodeStrict(body, &req)
		ex.authenticate = func() (string, *response) {
			switch {
			case err != nil || req.Auth == nil || req.Auth.IDToken == nil || req.Auth.IDToken.ID == "":
				return refuse(iamBadBody(`want {"auth":{"id_token":{"id":"..."}}}.`))
			case s.cfg.HuaweiIdentityProviders[idp] == nil:
				return refuse(iamUnknownIdP(idp))
			case !secretIn(s.cfg.HuaweiIdentityProviders[idp], req.Auth.IDToken.ID):
				return refuse(iamBadIDToken(idp))
			}
			return "anonymous", nil
		}
		ex.plan = func(time.Time) plan { return s.federatedLogin(requestID, idp) }
	case opCreateTemporaryAccessKeyByToken:
		var req iamSecurityTokensRequest
		err := decodeStrict(body, &req)
		var token string
		var duration *int
		if err == nil && req.Auth != nil && req.Auth.Identity != nil && req.Auth.Identity.Token != nil {
			token, duration = req.Auth.Identity.Token.ID, req.Auth.Identity.Token.DurationSeconds
		}
		if token == "" {
			// IAM also takes the token in X-Auth-Token.
			token = r.Header.Get("X-Auth-Token")
		}
		ex.authenticate = func() (string, *response) {
			if err != nil || req.Auth == nil || req.Auth.Identity == nil || len(req.Auth.Identity.Methods) != 1 || req.Auth.Identity.Methods[0] != "token" {
				return refuse(iamBadBody(`want {"auth":{"identity":{"methods":["token"],"token":{"id":"..."}}}}.`))
			}
			if fail := s.subjectTokenAuth(token); fail != nil {
				return refuse(fail)
			}
			return "token", nil
		}
		ex.plan = func(time.Time) plan { return s.temporaryAccessKey(ex, requestID, token, duration) }
	default:
		ex.authenticate = func() (string, *response) {
			return "", ex.errorResponse(http.StatusNotFound, "APIGW.0101",
				fmt.Sprintf("The API does not exist or has not been published in the environment: %s %s (the mock's IAM serves only the id-token login and securitytokens).", r.Method, r.URL.Path))
		}
	}
	return ex
}

// subjectTokenAuth checks a federated token against those handed out, on
// the wall clock.
func (s *Server) subjectTokenAuth(token string) *authFailure {
	s.mu.Lock()
	st := s.subjectTokens[token]
	s.mu.Unlock()
	switch {
	case token == "" || st == nil:
		return iamBadToken
	case !s.wallClock().Before(st.expiresAt):
		return iamExpiredToken
	}
	return nil
}

// federatedLogin hands out a federated token for a user of idp.
func (s *Server) federatedLogin(requestID, idp string) plan {
	now := s.wallClock()
	expires := expiry(now, s.lifetime(iamTokenLifetime))
	token := "MII" + randomBase64(120)
	answer := iamTokenAnswer{Token: iamToken{
		ExpiresAt: expires.Format(iamTimeLayout), IssuedAt: now.UTC().Format(iamTimeLayout),
		Methods: []string{"mapped"}, Roles: []any{}, Catalog: []any{},
		User: iamUser{
			Domain: iamDomain{ID: iamDomainID, Name: iamDomainName},
			ID:     uuid.NewString(), Name: "federated-user",
		},
	}}
	answer.Token.User.OSFederation.IdentityProvider.ID = idp
	answer.Token.User.OSFederation.Protocol.ID = "oidc"
	answer.Token.User.OSFederation.Groups = []any{}
	h := iamHeader(requestID)
	h.Set("X-Subject-Token", token)
	return plan{resp: jsonResponse(http.StatusCreated, answer, requestID, "", h), apply: func() {
		s.subjectTokens[token] = &subjectToken{idp: idp, expiresAt: expires}
		s.secrets = append(s.secrets, token)
	}}
}

// temporaryAccessKey exchanges an authenticated federated token for
// temporary AK/SK.
func (s *Server) temporaryAccessKey(ex *exchange, requestID, token string, duration *int) plan {
	seconds := iamDefaultDuration
	if duration != nil {
		if *duration < iamMinDuration || *duration > iamMaxDuration {
			f := iamBadBody(fmt.Sprintf("duration_seconds must be from %d to %d; %d was sent.", iamMinDuration, iamMaxDuration, *duration))
			return plan{resp: ex.errorResponse(f.status, f.code, f.message)}
		}
		seconds = *duration
	}
	c := s.newCredential(CloudHuawei, opCreateTemporaryAccessKeyByToken, s.subjectTokens[token].idp, "", time.Duration(seconds)*time.Second)
	var answer iamCredentialAnswer
	answer.Credential.Access, answer.Credential.Secret, answer.Credential.SecurityToken = c.AccessKey, c.Secret, c.SecurityToken
	answer.Credential.ExpiresAt = c.ExpiresAt.Format(iamTimeLayout)
	return plan{
		resp:  jsonResponse(http.StatusCreated, answer, requestID, "", iamHeader(requestID)),
		apply: func() { s.storeCredentialLocked(c) },
	}
}

// maskedIAMBody is an IAM request body for the record, with its token
// masked. A body that does not parse is not kept at all: it may still hold
// a token.
func maskedIAMBody(op string, body []byte) []byte {
	var path []string
	switch op {
	case opCreateTokenWithIdToken:
		path = []string{"auth", "id_token", "id"}
	case opCreateTemporaryAccessKeyByToken:
		path = []string{"auth", "identity", "token", "id"}
	default:
		return body
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return nil
	}
	obj := doc
	for i, name := range path {
		if i == len(path)-1 {
			if _, ok := obj[name]; ok {
				obj[name] = redacted
			}
			break
		}
		next, ok := obj[name].(map[string]any)
		if !ok {
			break
		}
		obj = next
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil
	}
	return out
}
