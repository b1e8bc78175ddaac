// Package mockcloud is a fake of the two clouds the provider talks to, good
// enough to be driven by the official SDKs over real HTTP.
//
// One http.Handler speaks both wire formats on one port:
//
//   - Alibaba Cloud ECD, RPC style: POST / with the action in the
//     x-acs-action header (or the Action query parameter) and every
//     parameter in the URL query, signed with ACS3-HMAC-SHA256, except the
//     anonymous client API RebootDesktops 2020-10-02, which carries a
//     LoginToken instead.
//   - Huawei Cloud Workspace, REST: paths under /v2/{project_id}/, signed
//     with SDK-HMAC-SHA256 or carrying an IAM token in X-Auth-Token.
//   - Short-lived credentials, as the clouds issue them for keyless flows:
//     Alibaba's STS (AssumeRole, signed with RPC V1 HMAC-SHA1, and the
//     anonymous AssumeRoleWithOIDC, on POST / with Action and Version
//     2015-04-01 in the query) and Huawei IAM's federated login (an id
//     token for a federated token, then that for temporary AK/SK, under
//     /v3.0/). An issued key works only with its security token, and only
//     until it expires, on the wall clock like signature dates
//     (Config.CredentialLifetime can set every lifetime). Issued
//     lists them, IssuedSecrets their secrets.
//   - TLS, for clients that insist on it (credentials-go calls the STS over
//     https only): NewAuthority makes a throwaway CA and a certificate for
//     loopback, to serve the same handler with.
//   - A JSON control API under /_mock/ for standalone use (cmd/mockcloud).
//     It has no authentication: bind the server to loopback only.
//
// The signature verifiers (ACS3-HMAC-SHA256, RPC V1 HMAC-SHA1,
// SDK-HMAC-SHA256) are written from the published algorithms and do not
// import the SDK signers, so the SDK and the mock check each other: a
// bug in either shows up as a rejected call.
//
// Desktop state is derived from time on every read (the start of each
// transition is stored, its phase computed from Timing), so there are no
// background goroutines and tests never sleep to synchronise: a zero
// duration makes a transition instant, a huge one freezes it in its
// transitional status, and Advance moves the mock's clock.
//
// Every request is recorded (Calls) with what it named, its headers and
// whether it changed state, per-desktop reboot and delete counts are kept,
// and faults (throttling, 5xx, latency, connection resets, broken bodies,
// chosen errors, failed Huawei sub-jobs, answers of a test's own making)
// can be injected, including the "lost response" case where the cloud
// applied the request but the client never learnt it.
//
// For tests of the cloud clients, OnCall runs code as a chosen call
// arrives (move the clock, end the client's context), and ApplyReboot,
// ApplyDelete and RemoveDesktops act on desktops outside the API, as a call
// whose answer was lost, or another client, would.
package mockcloud
