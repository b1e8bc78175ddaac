package main

import (
	"maps"
	"testing"
)

// TestQuietUnwantedLogs: the SDK's and the provider's log levels follow
// what Terraform will show (TF_LOG_PROVIDER, else TF_LOG; nothing when
// neither is set), and a level the user set for one of them is kept.
func TestQuietUnwantedLogs(t *testing.T) {
	all := func(level string) map[string]string {
		return map[string]string{
			"TF_LOG_SDK": level, "TF_LOG_SDK_PROTO": level, "TF_LOG_SDK_FRAMEWORK": level,
			"TF_LOG_PROVIDER": level, "TF_LOG_PROVIDER_CLOUDDESKTOP": level,
		}
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		m = maps.Clone(m)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: Terraform shows no provider log", map[string]string{}, all("off")},
		{"TF_LOG=DEBUG", map[string]string{"TF_LOG": "DEBUG"}, with(all("debug"), "TF_LOG", "DEBUG")},
		{"TF_LOG=JSON is TRACE", map[string]string{"TF_LOG": "JSON"}, with(all("trace"), "TF_LOG", "JSON")},
		{"TF_LOG_PROVIDER wins over TF_LOG", map[string]string{"TF_LOG": "trace", "TF_LOG_PROVIDER": "INFO"},
			with(all("info"), "TF_LOG", "trace", "TF_LOG_PROVIDER", "INFO")},
		{"a level the user set is kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			with(all("off"), "TF_LOG_SDK_PROTO", "TRACE")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := maps.Clone(tt.env)
			quietUnwantedLogs(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if !maps.Equal(env, tt.want) {
				t.Errorf("environment %v, want %v", env, tt.want)
			}
		})
	}
}
