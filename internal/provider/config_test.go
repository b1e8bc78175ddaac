package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestNewProviderDataEnvironmentFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		cfg   providerModel
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
				if d.alibaba.region != "cn-shanghai" || d.alibaba.accessKey != "ak" || d.alibaba.secretKey != "sk" {
					t.Errorf("alibaba = %+v", d.alibaba)
				}
				if d.huawei.region != "cn-north-4" || d.huawei.projectID != "p1" || d.huawei.accessKey != "hak" || d.huawei.secretKey != "hsk" {
					t.Errorf("huawei = %+v", d.huawei)
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
				if d.alibaba.region != "cn-beijing" || d.huawei.accessKey != "hw" {
					t.Errorf("alibaba region %q huawei ak %q", d.alibaba.region, d.huawei.accessKey)
				}
			},
		},
		{
			name: "attributes win over the environment",
			cfg: providerModel{
				Alibaba:        &alibabaProviderModel{Region: types.StringValue("cn-hongkong")},
				Huawei:         &huaweiProviderModel{AuthToken: types.StringValue("tok")},
				MaxRetries:     types.Int64Value(0),
				MaxConcurrency: types.Int64Value(9),
			},
			env: map[string]string{"ALICLOUD_REGION": "cn-shanghai", "HW_AUTH_TOKEN": "env-tok", "CLOUDDESKTOP_MAX_RETRIES": "7"},
			check: func(t *testing.T, d *providerData) {
				if d.alibaba.region != "cn-hongkong" || d.huawei.authToken != "tok" || d.retry.MaxRetries != 0 || d.concurrency != 9 {
					t.Errorf("got %+v", d)
				}
			},
		},
		{
			name: "unknown values are remembered so plan-time checks hold back",
			cfg:  providerModel{Huawei: &huaweiProviderModel{ProjectID: types.StringUnknown()}},
			check: func(t *testing.T, d *providerData) {
				if !d.huawei.unknown || d.alibaba.unknown {
					t.Errorf("unknown flags: huawei %v alibaba %v", d.huawei.unknown, d.alibaba.unknown)
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
			d, diags := newProviderData(tt.cfg, "test", envOf(tt.env))
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
		_, diags := newProviderData(providerModel{}, "test", envOf(tt.env))
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
		_, diags := newProviderData(providerModel{}, "test", envOf(map[string]string{"DEBUG": tt.debug}))
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
			_, diags := newProviderData(providerModel{}, "test", envOf(tt.env))
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
	opted := providerModel{
		Alibaba: &alibabaProviderModel{Endpoint: types.StringValue("http://192.0.2.1"), AllowPlainHTTP: types.BoolValue(true)},
		Huawei:  &huaweiProviderModel{Endpoint: types.StringValue("http://192.0.2.2"), AllowPlainHTTP: types.BoolValue(true)},
	}
	if _, diags := newProviderData(opted, "test", envOf(nil)); len(diags) != 0 {
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
		{"no project", huaweiSettings{region: "r", accessKey: "a", secretKey: "s"}, "", []string{"huawei.project_id"}},
		{"half a key", huaweiSettings{region: "r", projectID: "p", accessKey: "a"}, "", []string{"huawei.secret_key"}},
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
