package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// providerConfig is a provider block as written: its own attributes and
// the clouds' blocks, each absent when nil.
type providerConfig struct {
	providerModel
	alibaba *alibabaProviderModel
	huawei  *huaweiProviderModel
}

// resolve runs newProviderData on the block, as Configure would.
func (c providerConfig) resolve(t *testing.T, env map[string]string) (*providerData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	blocks := map[string]types.Object{}
	for name, model := range map[string]any{"alibaba": c.alibaba, "huawei": c.huawei} {
		if reflect.ValueOf(model).IsNil() {
			continue
		}
		attrTypes := cloudNamed(name).providerBlock().Type().(attr.TypeWithAttributeTypes).AttributeTypes()
		block, diags := types.ObjectValueFrom(ctx, attrTypes, model)
		if diags.HasError() {
			t.Fatalf("%s block: %v", name, diags)
		}
		blocks[name] = block
	}
	return newProviderData(ctx, c.providerModel, blocks, "test", envOf(env))
}

func alibabaOf(d *providerData) *alibabaSettings { return d.clouds["alibaba"].(*alibabaSettings) }
func huaweiOf(d *providerData) *huaweiSettings   { return d.clouds["huawei"].(*huaweiSettings) }

// withNulls fills every attribute a test left zero with null, as
// Terraform sends an attribute that is not written.
func withNulls[M any](m M) *M {
	v := reflect.ValueOf(&m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Interface().(type) {
		case types.String:
			if f.Interface() == (types.String{}) {
				f.Set(reflect.ValueOf(types.StringNull()))
			}
		case types.Bool:
			if f.Interface() == (types.Bool{}) {
				f.Set(reflect.ValueOf(types.BoolNull()))
			}
		}
	}
	return &m
}

func TestNewProviderDataEnvironmentFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		cfg   providerConfig
		env   map[string]string
		check func(t *testing.T, d *providerData)
	}{
		{
			name: "environment alone configures both clouds",
			env: map[string]string{
				"ALICLOUD_REGION": "cn-shanghai", "ALICLOUD_ACCESS_KEY": "ak", "ALICLOUD_SECRET_KEY": "sk",
				"HW_REGION_NAME": "cn-north-4", "HW_PROJECT_ID": "p1", "HUAWEICLOUD_SDK_AK": "hak", "HUAWEICLOUD_SDK_SK": "hsk",
				"CLOUDDESKTOP_MAX_RETRIES": "7",
			},
			check: func(t *testing.T, d *providerData) {
				if alibabaOf(d).regionID != "cn-shanghai" || alibabaOf(d).accessKey != "ak" || alibabaOf(d).secretKey != "sk" {
					t.Errorf("alibaba = %+v", alibabaOf(d))
				}
				if huaweiOf(d).regionName != "cn-north-4" || huaweiOf(d).projectID != "p1" || huaweiOf(d).accessKey != "hak" || huaweiOf(d).secretKey != "hsk" {
					t.Errorf("huawei = %+v", huaweiOf(d))
				}
				if d.retry.MaxRetries != 7 || d.concurrency != defaultMaxConcurrency {
					t.Errorf("retries %d concurrency %d", d.retry.MaxRetries, d.concurrency)
				}
			},
		},
		{
			name: "ALIBABA_CLOUD_REGION_ID wins over ALICLOUD_REGION; HW_ names win over the SDK's",
			env: map[string]string{
				"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "ALICLOUD_REGION": "cn-shanghai",
				"HW_ACCESS_KEY": "hw", "HUAWEICLOUD_SDK_AK": "sdk",
			},
			check: func(t *testing.T, d *providerData) {
				if alibabaOf(d).regionID != "cn-beijing" || huaweiOf(d).accessKey != "hw" {
					t.Errorf("alibaba region %q huawei ak %q", alibabaOf(d).regionID, huaweiOf(d).accessKey)
				}
			},
		},
		{
			name: "attributes win over the environment",
			cfg: providerConfig{
				alibaba:       withNulls(alibabaProviderModel{Region: types.StringValue("cn-hongkong")}),
				huawei:        withNulls(huaweiProviderModel{AuthToken: types.StringValue("tok")}),
				providerModel: providerModel{MaxRetries: types.Int64Value(0), MaxConcurrency: types.Int64Value(9)},
			},
			env: map[string]string{"ALICLOUD_REGION": "cn-shanghai", "HW_AUTH_TOKEN": "env-tok", "CLOUDDESKTOP_MAX_RETRIES": "7"},
			check: func(t *testing.T, d *providerData) {
				if alibabaOf(d).regionID != "cn-hongkong" || huaweiOf(d).authToken != "tok" || d.retry.MaxRetries != 0 || d.concurrency != 9 {
					t.Errorf("got %+v", d)
				}
			},
		},
		{
			name: "unknown values are remembered so plan-time checks hold back",
			cfg:  providerConfig{huawei: withNulls(huaweiProviderModel{ProjectID: types.StringUnknown()})},
			check: func(t *testing.T, d *providerData) {
				if !huaweiOf(d).unknown || alibabaOf(d).unknown {
					t.Errorf("unknown flags: huawei %v alibaba %v", huaweiOf(d).unknown, alibabaOf(d).unknown)
				}
			},
		},
		{
			name: "tuning knobs",
			env:  map[string]string{"CLOUDDESKTOP_POLL_INTERVAL": "20ms", "CLOUDDESKTOP_RETRY_BASE_DELAY": "5ms"},
			check: func(t *testing.T, d *providerData) {
				if d.poll.Interval != 20*time.Millisecond || d.retry.BaseDelay != 5*time.Millisecond {
					t.Errorf("poll %v retry %v", d.poll, d.retry)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, diags := tt.cfg.resolve(t, tt.env)
			if diags.HasError() {
				t.Fatalf("diagnostics: %v", diags)
			}
			tt.check(t, d)
		})
	}
}

func TestNewProviderDataRejectsBadEnvironment(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CLOUDDESKTOP_MAX_RETRIES": "-1"}, "CLOUDDESKTOP_MAX_RETRIES must be a whole number"},
		{map[string]string{"CLOUDDESKTOP_MAX_RETRIES": "many"}, "CLOUDDESKTOP_MAX_RETRIES must be a whole number"},
		{map[string]string{"CLOUDDESKTOP_HUAWEI_ENDPOINT": "workspace.example.com"}, "must start with https:// or http://"},
		{map[string]string{"CLOUDDESKTOP_ALIBABA_ENDPOINT": "http://"}, "has no host"},
		{map[string]string{"CLOUDDESKTOP_POLL_INTERVAL": "soon"}, "must be a positive duration"},
	}
	for _, tt := range tests {
		_, diags := providerConfig{}.resolve(t, tt.env)
		if !diags.HasError() || !strings.Contains(diagsText(diags), tt.want) {
			t.Errorf("env %v: diagnostics %q, want one containing %q", tt.env, diagsText(diags), tt.want)
		}
	}
}

func TestNewProviderDataWarnsAboutSDKDebugOutput(t *testing.T) {
	tests := []struct {
		debug string
		warn  bool
	}{
		{"", false},
		{"sdk,http", false},
		{"darabonba", false},
		{"dara", true},
		{"http, tea", true},
	}
	for _, tt := range tests {
		_, diags := providerConfig{}.resolve(t, map[string]string{"DEBUG": tt.debug})
		warned := diags.WarningsCount() == 1 && strings.Contains(diagsText(diags), "exposes credentials")
		if warned != tt.warn || diags.HasError() {
			t.Errorf("DEBUG=%q: diagnostics %q, want a warning: %v", tt.debug, diagsText(diags), tt.warn)
		}
	}
}

// TestNewProviderDataWarnsAboutPlainHTTP: AK/SK signing over plain http to
// a remote host draws one warning per cloud, naming the host; loopback,
// https and the opt-in draw none. (A bearer credential there fails the
// plan instead: TestAccPlainHTTP.)
func TestNewProviderDataWarnsAboutPlainHTTP(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string // hosts warned about
	}{
		{"remote http, both clouds", map[string]string{"CLOUDDESKTOP_ALIBABA_ENDPOINT": "http://192.0.2.1:80", "CLOUDDESKTOP_HUAWEI_ENDPOINT": "http://192.0.2.2:81"},
			[]string{"192.0.2.1:80", "192.0.2.2:81"}},
		{"loopback", map[string]string{"CLOUDDESKTOP_ALIBABA_ENDPOINT": "http://127.0.0.1:18080", "CLOUDDESKTOP_HUAWEI_ENDPOINT": "http://localhost:18080"}, nil},
		{"https", map[string]string{"CLOUDDESKTOP_ALIBABA_ENDPOINT": "https://192.0.2.1"}, nil},
		{"huawei token: a plan error, not a warning", map[string]string{"CLOUDDESKTOP_HUAWEI_ENDPOINT": "http://192.0.2.2", "HW_AUTH_TOKEN": "t"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := providerConfig{}.resolve(t, tt.env)
			if diags.HasError() || diags.WarningsCount() != len(tt.want) {
				t.Fatalf("diagnostics %q, want %d warnings", diagsText(diags), len(tt.want))
			}
			for _, host := range tt.want {
				if !strings.Contains(diagsText(diags), "endpoint "+host+" is plain http") {
					t.Errorf("no warning names %s: %q", host, diagsText(diags))
				}
			}
		})
	}
	opted := providerConfig{
		alibaba: withNulls(alibabaProviderModel{Endpoint: types.StringValue("http://192.0.2.1"), AllowPlainHTTP: types.BoolValue(true)}),
		huawei:  withNulls(huaweiProviderModel{Endpoint: types.StringValue("http://192.0.2.2"), AllowPlainHTTP: types.BoolValue(true)}),
	}
	if _, diags := opted.resolve(t, nil); len(diags) != 0 {
		t.Errorf("allow_plain_http = true: diagnostics %q, want none", diagsText(diags))
	}
}

func TestCheckEndpoint(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" = valid
	}{
		{"https://ecd.cn-hangzhou.aliyuncs.com", ""},
		{"http://127.0.0.1:18080", ""},
		{"http://[::1]:18080/", ""},
		{"ecd.cn-hangzhou.aliyuncs.com", "must start with"},
		{"127.0.0.1:18080", "must start with"},
		{"ftp://host", "must start with"},
		{"https://", "has no host"},
		{"http://host:99999", "invalid port"},
		{"https://user:pw@host", "user information"},
		{"https://host/v2", "must not have a path"},
		{"https://host?x=1", "query or fragment"},
		{"http://host:port", "not a URL"},
		// A password in the URL never reaches the message, whichever
		// check refuses it.
		{"https://user:TOPSECRET@host", `"https://user:xxxxx@host" must not carry user information`},
		{"https://user:TOPSECRET@host:port", `"***@host:port" is not a URL`},
		{"ftp://user:TOPSECRET@host", "must start with"},
		{"user:TOPSECRET@host", "must start with"},
		{"https://user:TOPSECRET@host/v2", "user information"},
		{"https://user:TOPSECRET@host:0", "user information"},
	}
	for _, tt := range tests {
		err := checkEndpoint(tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want one containing %q", tt.url, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "TOPSECRET"):
			t.Errorf("%q: error %q shows the password", tt.url, err)
		}
	}
}

func TestHuaweiSettingsCheckNamesWhatIsMissing(t *testing.T) {
	tests := []struct {
		name     string
		settings huaweiSettings
		region   string
		want     []string
	}{
		{"nothing", huaweiSettings{}, "", []string{"HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY", "HW_AUTH_TOKEN"}},
		{"no project", huaweiSettings{regionName: "r", accessKey: "a", secretKey: "s"}, "", []string{"huawei.project_id"}},
		{"half a key", huaweiSettings{regionName: "r", projectID: "p", accessKey: "a"}, "", []string{"huawei.secret_key"}},
		{"token is enough", huaweiSettings{projectID: "p", authToken: "t"}, "cn-north-4", nil},
		{"endpoint stands in for a region", huaweiSettings{projectID: "p", authToken: "t", endpoint: "http://127.0.0.1:1"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.settings.check(tt.region)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
}
