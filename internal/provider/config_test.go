package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/clienttest"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// providerConfig is a provider block as written: its own attributes, and
// each cloud's block by name (the attributes set; absent when nil).
type providerConfig struct {
	providerModel
	blocks map[string]map[string]attr.Value
}

// resolve runs newProviderData on the block, as Configure would.
func (c providerConfig) resolve(t *testing.T, env map[string]string) (*providerData, diag.Diagnostics) {
	t.Helper()
	blocks := map[string]types.Object{}
	for name, set := range c.blocks {
		blocks[name] = clienttest.ProviderBlock(t, cloudNamed(name), set)
	}
	return newProviderData(context.Background(), c.providerModel, blocks, "test", envOf(env))
}

// TestNewProviderData: the provider's own settings, and each cloud
// configured from its block and the environment (how each cloud resolves
// its settings is tested in its package: TestAdapterConfigure).
func TestNewProviderData(t *testing.T) {
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
				if r := d.region("alibaba", ""); r != "cn-shanghai" {
					t.Errorf("alibaba region %q", r)
				}
				if r := d.region("huawei", ""); r != "cn-north-4" {
					t.Errorf("huawei region %q", r)
				}
				if d.Retry.MaxRetries != 7 || d.concurrency != defaultMaxConcurrency {
					t.Errorf("retries %d concurrency %d", d.Retry.MaxRetries, d.concurrency)
				}
			},
		},
		{
			name: "attributes win over the environment",
			cfg: providerConfig{
				blocks: map[string]map[string]attr.Value{
					"alibaba": {"region": types.StringValue("cn-hongkong")},
					"huawei":  {"auth_token": types.StringValue("tok")},
				},
				providerModel: providerModel{MaxRetries: types.Int64Value(0), MaxConcurrency: types.Int64Value(9)},
			},
			env: map[string]string{"ALICLOUD_REGION": "cn-shanghai", "CLOUDDESKTOP_MAX_RETRIES": "7"},
			check: func(t *testing.T, d *providerData) {
				if r := d.region("alibaba", ""); r != "cn-hongkong" || d.Retry.MaxRetries != 0 || d.concurrency != 9 {
					t.Errorf("alibaba region %q, retries %d, concurrency %d", r, d.Retry.MaxRetries, d.concurrency)
				}
				if bearer := d.clouds["huawei"].Transport().Bearer; !strings.Contains(bearer, "IAM token") {
					t.Errorf("huawei sends %q, want the IAM token of its block", bearer)
				}
			},
		},
		{
			name: "tuning knobs",
			env:  map[string]string{"CLOUDDESKTOP_POLL_INTERVAL": "20ms", "CLOUDDESKTOP_RETRY_BASE_DELAY": "5ms"},
			check: func(t *testing.T, d *providerData) {
				if d.Poll.Interval != 20*time.Millisecond || d.Retry.BaseDelay != 5*time.Millisecond {
					t.Errorf("poll %v retry %v", d.Poll, d.Retry)
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
	opted := providerConfig{blocks: map[string]map[string]attr.Value{
		"alibaba": {"endpoint": types.StringValue("http://192.0.2.1"), "allow_plain_http": types.BoolValue(true)},
		"huawei":  {"endpoint": types.StringValue("http://192.0.2.2"), "allow_plain_http": types.BoolValue(true)},
	}}
	if _, diags := opted.resolve(t, nil); len(diags) != 0 {
		t.Errorf("allow_plain_http = true: diagnostics %q, want none", diagsText(diags))
	}
}
