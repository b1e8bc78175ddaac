package huawei

import (
	"reflect"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// tokenCredential plugs IAM-token authentication into the SDK client: the
// SDK has no X-Auth-Token credential, but it accepts any auth.ICredential,
// so token and AK/SK requests share one code path (request building,
// models, error handling). Nothing is signed.
type tokenCredential struct {
	projectID string
	token     string
}

var _ auth.ICredential = (*tokenCredential)(nil)

// tokenCredentialType is the name the SDK builder checks a credential's type
// against ("huawei.tokenCredential"); derived, not typed, so a rename cannot
// silently break the check.
var tokenCredentialType = reflect.TypeOf(tokenCredential{}).String()

func newTokenCredential(projectID, token string) *tokenCredential {
	return &tokenCredential{projectID: projectID, token: token}
}

// ProcessAuthParams is where SDK credentials look up a missing project ID;
// ours is always set, so there is nothing to do (and no IAM call).
func (t *tokenCredential) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return t, nil
}

// ProcessAuthRequest fills {project_id} in the path and sets the headers a
// token-authenticated request needs.
func (t *tokenCredential) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	return req.Builder().
		AddAutoFilledPathParam("project_id", t.projectID).
		AddHeaderParam("X-Project-Id", t.projectID).
		AddHeaderParam("X-Auth-Token", t.token).
		Build(), nil
}

// String keeps the token out of anything that prints the credential.
func (t *tokenCredential) String() string { return "huawei token credential (sensitive)" }

// GoString covers %#v.
func (t *tokenCredential) GoString() string { return t.String() }
