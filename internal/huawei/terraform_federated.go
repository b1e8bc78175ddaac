package huawei

import (
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/secretfile"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/validators"
)

// The federated login of the huawei provider block, read from Terraform
// and the environment; federated.go does the login itself, through the
// SDK.

// Environment variables: the SDK's own names for the IdP, the token file
// and IAM (core/auth/provider/env_provider.go, core/auth/internal/
// iam_helper.go), and Terraform Cloud's workload identity token.
const (
	envIdpID       = "HUAWEICLOUD_SDK_IDP_ID"
	envIDTokenFile = "HUAWEICLOUD_SDK_ID_TOKEN_FILE"
	envIAMEndpoint = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	envTFCToken    = "TFC_WORKLOAD_IDENTITY_TOKEN"
	// envTFCTaggedToken is the token of the audience tagged HUAWEI
	// (TFC_WORKLOAD_IDENTITY_AUDIENCE_HUAWEI), for a workspace whose
	// clouds want different audiences; it comes before the untagged one.
	envTFCTaggedToken = "TFC_WORKLOAD_IDENTITY_TOKEN_HUAWEI"
)

// federation is the federated login's settings.
type federation struct {
	idpID, iamEndpoint string
	// The id token: its value (to be written to a private file) or a
	// file the user gave; tokenSource names where it came from.
	idToken, idTokenFile, tokenSource string

	// file is where a token given as a value goes, nil for a file.
	file *privateFile
	// session is the login every client of the provider shares, so a
	// plan or an apply of many resources trades the token once, then
	// renews once; nil without idp_id.
	session *sharedLogin
}

// sharedLogin is a federated credential built once, at the first client.
type sharedLogin struct {
	once sync.Once
	cred *federatedCredential
	err  error
}

// privateFile is a token given as a value in a private file, written once,
// at the first client: a plan that calls nothing writes nothing.
type privateFile struct {
	once sync.Once
	path string
	err  error
}

func (h *settings) configureFederation(m providerBlockModel, env func(string) string, diags *diag.Diagnostics) {
	f := &h.federation
	f.idpID = tfcloud.FromEnv(env, m.IdpID, &h.unknown, envIdpID)
	// Attributes before the environment; the SDK's own variable before
	// Terraform Cloud's, which is set for every cloud alike.
	switch {
	case m.IDToken.IsUnknown() || m.IDTokenFile.IsUnknown():
		h.unknown = true
	case m.IDToken.ValueString() != "":
		f.idToken, f.tokenSource, f.file = m.IDToken.ValueString(), "`id_token`", &privateFile{}
	case m.IDTokenFile.ValueString() != "":
		f.idTokenFile, f.tokenSource = m.IDTokenFile.ValueString(), "the file `id_token_file`"
	case env(envIDTokenFile) != "":
		f.idTokenFile, f.tokenSource = env(envIDTokenFile), "the file "+envIDTokenFile
	case f.idpID != "" && env(envTFCTaggedToken) != "":
		f.idToken, f.tokenSource, f.file = env(envTFCTaggedToken), envTFCTaggedToken, &privateFile{}
	case f.idpID != "" && env(envTFCToken) != "":
		f.idToken, f.tokenSource, f.file = env(envTFCToken), envTFCToken, &privateFile{}
	}
	h.preferWrittenCredentials(m)
	iam := tfcloud.FromEnv(env, m.IAMEndpoint, &h.unknown, envIAMEndpoint)
	if iam != "" && m.IAMEndpoint.ValueString() == "" && !strings.Contains(iam, "://") {
		// The SDK's own reading of the variable: https:// when the
		// scheme is left out (iam_helper.go, GetIamEndpoint).
		iam = "https://" + iam
	}
	if iam != "" {
		if err := validators.CheckEndpoint(iam); err != nil {
			diags.AddAttributeError(path.Root("huawei").AtName("iam_endpoint"), "Invalid IAM endpoint",
				"The Huawei Cloud IAM endpoint (from the provider block or "+envIAMEndpoint+") is not usable: "+err.Error())
		}
	}
	f.iamEndpoint = strings.TrimRight(iam, "/")
	if f.idpID != "" {
		f.session = &sharedLogin{}
	}
}

// preferWrittenCredentials settles a federated login and keys (or an IAM
// token) that both resolved when only one of them is written in the
// provider block: what is written wins over what the environment holds,
// as for every other setting. Both written, or both from the environment,
// stay for federationProblems to refuse.
func (h *settings) preferWrittenCredentials(m providerBlockModel) {
	keysFound := h.accessKey != "" || h.secretKey != "" || h.authToken != ""
	if h.idpID == "" || !keysFound {
		return
	}
	idpWritten := m.IdpID.ValueString() != ""
	keysWritten := m.AccessKey.ValueString() != "" || m.SecretKey.ValueString() != "" || m.AuthToken.ValueString() != ""
	switch {
	case idpWritten && !keysWritten:
		h.accessKey, h.secretKey, h.securityToken, h.authToken = "", "", "", ""
	case keysWritten && !idpWritten:
		h.federation = federation{}
	}
}

// idTokenGiven says whether an id token was given in the provider block,
// which means nothing without idp_id.
func (f *federation) idTokenGiven() bool {
	return f.tokenSource == "`id_token`" || f.tokenSource == "the file `id_token_file`"
}

// federationProblems says what the federated login lacks or what it
// cannot be combined with.
func (h *settings) federationProblems() []string {
	var problems []string
	if h.idpID == "" {
		problems = append(problems, "the identity provider of the id token: `huawei.idp_id` or "+envIdpID)
	}
	if h.idToken == "" && h.idTokenFile == "" {
		problems = append(problems, "the federated login's id token: `huawei.id_token`, `huawei.id_token_file`, "+envIDTokenFile+
			", or Terraform Cloud's "+envTFCTaggedToken+" or "+envTFCToken+" (set the workspace variable "+
			"TFC_WORKLOAD_IDENTITY_AUDIENCE_HUAWEI or TFC_WORKLOAD_IDENTITY_AUDIENCE to get one)")
	} else if err := tfcloud.Readable(h.idTokenFile); err != nil {
		problems = append(problems, "a readable id token file ("+h.tokenSource+"): "+err.Error())
	}
	if h.accessKey != "" || h.secretKey != "" || h.authToken != "" {
		problems = append(problems, "one kind of credentials: a federated login (idp_id) replaces `access_key`/`secret_key` "+
			"(HW_ACCESS_KEY, HW_SECRET_KEY, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK) and `auth_token` (HW_AUTH_TOKEN); remove one "+
			"kind (when only one kind is written in the provider block, the other, from the environment, is ignored)")
	}
	return problems
}

// iamPlainHTTPError refuses to send the id token in clear text to an IAM
// endpoint off this machine, unless the user opted in.
func (h *settings) iamPlainHTTPError() error {
	if h.idpID == "" || h.allowPlainHTTP || !endpoint.PlainRemote(h.iamEndpoint) {
		return nil
	}
	return fmt.Errorf("the federated login would send its id token over plain http to %s, a host that is not loopback: "+
		"use an https:// iam_endpoint, or set huawei.allow_plain_http = true if the network is trusted", h.iamEndpoint)
}

// federated is the client's federated login, nil without idp_id. A token
// given as a value goes to a private file first: the SDK reads it from a
// file at every renewal.
func (h *settings) federated() (*Federated, error) {
	if h.idpID == "" {
		return nil, nil
	}
	if err := h.iamPlainHTTPError(); err != nil {
		return nil, err
	}
	file := h.idTokenFile
	if h.file != nil {
		h.file.once.Do(func() { h.file.path, h.file.err = secretfile.Write("huawei-id-token", h.idToken) })
		if h.file.err != nil {
			return nil, fmt.Errorf("huawei: keeping the id token for the SDK: %w", h.file.err)
		}
		file = h.file.path
	}
	return &Federated{IdpID: h.idpID, IDTokenFile: file, TokenSource: h.tokenSource, IAMEndpoint: h.iamEndpoint}, nil
}

// sharedCredential is the provider's one federated credential for fed.
func (h *settings) sharedCredential(fed *Federated) (*federatedCredential, error) {
	h.session.once.Do(func() {
		h.session.cred, h.session.err = newFederatedCredential(fed, h.projectID, DefaultTimeout, newTransport())
	})
	return h.session.cred, h.session.err
}
