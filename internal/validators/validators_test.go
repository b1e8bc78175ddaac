package validators

import (
	"strings"
	"testing"
)

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
		err := CheckEndpoint(tt.url)
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

func TestCheckSTSEndpoint(t *testing.T) {
	tests := []struct {
		raw, host string
		want      string // "" = valid
	}{
		{raw: "sts.cn-hangzhou.aliyuncs.com", host: "sts.cn-hangzhou.aliyuncs.com"},
		{raw: "https://sts.aliyuncs.com", host: "sts.aliyuncs.com"},
		{raw: "127.0.0.1:8443", host: "127.0.0.1:8443"},
		{raw: "https://127.0.0.1:8443/", host: "127.0.0.1:8443"},
		{raw: "http://127.0.0.1:8443", want: "always called over https"},
		{raw: "sts.aliyuncs.com/v1", want: "must not have a path"},
		{raw: "sts.aliyuncs.com:99999", want: "invalid port"},
		{raw: "user:TOPSECRET@sts.aliyuncs.com", want: "user information"},
	}
	for _, tt := range tests {
		host, err := CheckSTSEndpoint(tt.raw)
		switch {
		case tt.want == "" && (err != nil || host != tt.host):
			t.Errorf("%q: got %q, %v; want %q", tt.raw, host, err, tt.host)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want one containing %q", tt.raw, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "TOPSECRET"):
			t.Errorf("%q: error %q shows the password", tt.raw, err)
		}
	}
}
