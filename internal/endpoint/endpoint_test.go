package endpoint

import "testing"

func TestPlainRemote(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:18080", false},
		{"http://127.9.9.9", false},
		{"http://[::1]:8080", false},
		{"http://localhost:8080", false},
		{"http://LOCALHOST.", false},
		{"http://mock.localhost", false},
		{"https://ecd.cn-hangzhou.aliyuncs.com", false},
		{"https://10.0.0.5", false},
		{"http://10.0.0.5:8080", true},
		{"HTTP://192.0.2.1", true},
		{"http://workspace.cn-north-4.myhuaweicloud.com", true},
		{"http://[2001:db8::1]:80", true},
		{"http://localhost.example.com", true},
		{"not a url", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := PlainRemote(tt.url); got != tt.want {
			t.Errorf("PlainRemote(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestRegionPattern(t *testing.T) {
	for region, want := range map[string]bool{
		"cn-hangzhou": true, "cn-north-4": true, "ap-southeast-1": true, "eu-central-1": true, "CN-HANGZHOU": true, "a": true,
		"": false, "-cn": false, "cn-": false, "Hang Zhou": false, "cn_hangzhou": false, "cn.hangzhou": false, "cn/x": false,
		"a23456789012345678901234567890123456789012345678901234567890123":  true,
		"a234567890123456789012345678901234567890123456789012345678901234": false,
	} {
		if got := RegionPattern.MatchString(region); got != want {
			t.Errorf("%q: %v, want %v", region, got, want)
		}
	}
}
