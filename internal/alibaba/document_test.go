package alibaba

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/mockcloud"
)

var doc = mockcloud.AlibabaRebootExample

// TestRebootClientAPIDocumentExample reboots through the client API with
// the document's own example values and checks the request the mock cloud
// received, parameter by parameter: the RPC V2 request of the official ECD
// 2020-10-02 SDK (common parameters in the query, anonymous, so no
// signature and no AccessKeyId), every parameter that is set, and none that
// is not (no empty SessionId=).
func TestRebootClientAPIDocumentExample(t *testing.T) {
	tests := []struct {
		name string
		api  ClientAPI
		want map[string]string // besides the common Timestamp and SignatureNonce
	}{
		{
			name: "every example value",
			api: ClientAPI{ClientID: doc.ClientID, SessionID: doc.SessionID, LoginToken: doc.LoginToken, SessionToken: doc.SessionToken,
				ClientOS: doc.ClientOS, ClientVersion: doc.ClientVersion, UUID: doc.UUID},
			want: map[string]string{
				"Action": "RebootDesktops", "Version": "2020-10-02", "Format": "json",
				"RegionId": doc.RegionID, "ClientId": doc.ClientID, "SessionId": doc.SessionID, "LoginToken": doc.LoginToken,
				"ClientOS": doc.ClientOS, "ClientVersion": doc.ClientVersion, "DesktopId.1": doc.DesktopID,
				"ClientToken": doc.ClientToken, "SessionToken": doc.SessionToken, "Uuid": doc.UUID,
			},
		},
		{
			name: "only the required ones and the login token",
			api:  ClientAPI{ClientID: doc.ClientID, LoginToken: doc.LoginToken},
			want: map[string]string{
				"Action": "RebootDesktops", "Version": "2020-10-02", "Format": "json",
				"RegionId": doc.RegionID, "ClientId": doc.ClientID, "LoginToken": doc.LoginToken,
				"DesktopId.1": doc.DesktopID, "ClientToken": doc.ClientToken,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cloud := clienttest.Start(t, func(cfg *mockcloud.Config) {
				cfg.AlibabaLoginTokens = map[string]string{doc.SessionID: doc.LoginToken}
			})
			cloud.AddDesktops(mockcloud.Desktop{Cloud: mockcloud.CloudAlibaba, Region: doc.RegionID, ID: doc.DesktopID})

			// No AccessKey anywhere: the client API needs none.
			c, err := NewClient(Config{Region: doc.RegionID, Endpoint: cloud.URL})
			if err != nil {
				t.Fatal(err)
			}
			api := tt.api
			o := c.Rebooter(RebootOptions{ClientAPI: &api}).Act(context.Background(), fleet.Batch{DesktopIDs: []string{doc.DesktopID}, Token: doc.ClientToken})
			if len(o.Done) != 1 || len(o.Failed) != 0 || len(o.RequestIDs) != 1 {
				t.Fatalf("outcome %+v", o)
			}

			calls := cloud.CallsTo(mockcloud.CloudAlibaba, "RebootDesktops")
			if len(calls) != 1 {
				t.Fatalf("%d RebootDesktops calls, want 1", len(calls))
			}
			call := calls[0]
			if call.Status != 200 || call.Auth != "anonymous" || call.Version != "2020-10-02" || !call.Applied {
				t.Errorf("call answered %d %s, auth %q, version %s, applied %t", call.Status, call.ErrorCode, call.Auth, call.Version, call.Applied)
			}
			got := maps.Clone(call.Params)
			if ts, err := time.Parse("2006-01-02T15:04:05Z", got["Timestamp"]); err != nil || time.Since(ts) > time.Minute {
				t.Errorf("Timestamp %q is not the current UTC time in ISO 8601", got["Timestamp"])
			}
			if got["SignatureNonce"] == "" {
				t.Error("no SignatureNonce")
			}
			delete(got, "Timestamp")
			delete(got, "SignatureNonce")
			if !maps.Equal(got, tt.want) {
				t.Errorf("parameters on the wire\n got %v\nwant %v", got, tt.want)
			}
			if len(call.Body) != 0 {
				t.Errorf("body %q, want the parameters in the query only", call.Body)
			}
			if n := cloud.RebootCount(mockcloud.CloudAlibaba, doc.DesktopID); n != 1 {
				t.Errorf("the desktop was rebooted %d times, want 1", n)
			}
		})
	}
}
