package alibaba

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

// TestAdapterConfigure: the provider block's attributes win over the
// environment, whose names are tried in the documented order; a value not
// yet known holds plan-time checks back.
func TestAdapterConfigure(t *testing.T) {
	tests := []struct {
		name  string
		block map[string]attr.Value // nil: no block written
		env   map[string]string
		want  settings
	}{
		{"environment alone", nil,
			map[string]string{"ALICLOUD_REGION": "cn-shanghai", "ALICLOUD_ACCESS_KEY": "ak", "ALICLOUD_SECRET_KEY": "sk", "ALICLOUD_SECURITY_TOKEN": "st",
				"CLOUDDESKTOP_ALIBABA_ENDPOINT": "http://127.0.0.1:1"},
			settings{regionID: "cn-shanghai", accessKey: "ak", secretKey: "sk", securityToken: "st", endpoint: "http://127.0.0.1:1"}},
		{"ALIBABA_CLOUD_REGION_ID wins over ALICLOUD_REGION", nil,
			map[string]string{"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "ALICLOUD_REGION": "cn-shanghai", "ALIBABA_CLOUD_REGION": "cn-hongkong"},
			settings{regionID: "cn-beijing"}},
		{"the attribute wins", map[string]attr.Value{"region": types.StringValue("cn-hongkong"), "allow_plain_http": types.BoolValue(true)},
			map[string]string{"ALICLOUD_REGION": "cn-shanghai"},
			settings{regionID: "cn-hongkong", allowPlainHTTP: true}},
		{"unknown", map[string]attr.Value{"access_key": types.StringUnknown()}, nil, settings{unknown: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clienttest.Configure(t, Adapter{}, tt.block, tt.env)
			if s := got.(*settings); *s != tt.want {
				t.Errorf("settings %+v, want %+v", *s, tt.want)
			}
		})
	}
}
