// Package validators holds the schema validators every Terraform type of the
// provider shares, and the checks behind them. Each limit comes from an API
// document or an official SDK; otherwise only what cannot travel is refused.
package validators

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/endpoint"
)

// Region accepts what endpoint.RegionPattern does: a DNS label,
// since the region is part of the cloud's host name.
func Region() validator.String {
	return stringvalidator.RegexMatches(endpoint.RegionPattern,
		"must be a region ID such as cn-hangzhou or cn-north-4: it is part of the cloud's host name, so letters, digits "+
			"and inner hyphens only (a DNS label, at most 63 characters)")
}

// ProjectID: the project ID is a segment of every Workspace path
// (/v2/{project_id}/...) and the X-Project-Id header. The SDK substitutes
// it into the path verbatim (core/request/default_http_request.go,
// fillParamsInPath), so a "/" would split it into two segments; control
// characters cannot travel in a header. Nothing else is refused.
func ProjectID() validator.String {
	return stringvalidator.All(
		stringvalidator.LengthAtLeast(1),
		Travel(),
		stringvalidator.RegexMatches(regexp.MustCompile(`^[^/]*$`),
			"must not contain \"/\": the project ID is one segment of the request path"),
	)
}

// Travel rejects only what cannot travel in a request at all:
// control characters (they break headers and are not text in a query or a
// JSON document the clouds accept) and invalid UTF-8. Every other
// restriction must come from an API document or an official SDK; the
// Alibaba RebootDesktops document's own examples include spaces
// (ClientOS "Windows_NT 10.0.18363 x64").
func Travel() validator.String {
	return stringCheck{
		description: "must be text without control characters",
		summary:     "Value cannot be sent",
		problem: func(p path.Path, v string) string {
			if problem := Untravelable(v); problem != "" {
				return fmt.Sprintf("%s %s, which cannot travel in a request to the cloud. Any other text is accepted.", p, problem)
			}
			return ""
		},
	}
}

// Untravelable says what in s cannot be sent, or "" when all of it can.
func Untravelable(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("contains the control character %U at byte %d", r, i)
		}
	}
	return ""
}

// CheckEndpoint accepts a full URL: https://host or http://host:port,
// optionally with a path prefix, and nothing a client could misread.
func CheckEndpoint(raw string) error {
	shown := redactedEndpoint(raw)
	// Checked before parsing: url.Parse reads "host:port" as a scheme and
	// would answer with a message that does not say what is wanted.
	if lower := strings.ToLower(raw); !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return fmt.Errorf("%s must start with https:// or http://", shown)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s is not a URL: %v", shown, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s must start with https:// or http://", shown)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%s has no host", shown)
	case u.User != nil:
		return fmt.Errorf("%s must not carry user information", shown)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%s must not have a query or fragment", shown)
	case strings.Trim(u.Path, "/") != "":
		return fmt.Errorf("%s must not have a path", shown)
	}
	if p := u.Port(); p != "" {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%s has an invalid port", shown)
		}
	}
	return nil
}

// redactedEndpoint is raw quoted for an error message, without a password
// it may carry ("https://user:secret@host"): errors reach the terminal and
// CI logs.
func redactedEndpoint(raw string) string {
	at := strings.LastIndexByte(raw, '@')
	if at < 0 {
		return fmt.Sprintf("%q", raw)
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return fmt.Sprintf("%q", u.Redacted())
	}
	// Something before an "@" that url.Parse did not take for user
	// information ("user:secret@host" reads as a scheme): show only what
	// follows it.
	return fmt.Sprintf("%q", "***@"+raw[at+1:])
}

// Endpoint accepts what CheckEndpoint does.
func Endpoint() validator.String {
	return stringCheck{
		description: "must be a full URL: https://host or http://host:port",
		summary:     "Invalid endpoint",
		problem: func(_ path.Path, v string) string {
			if err := CheckEndpoint(v); err != nil {
				return fmt.Sprintf("The endpoint must be a full URL, https://host or http://host:port: %s.", err)
			}
			return ""
		},
	}
}

// CheckSTSEndpoint reads an STS endpoint, host[:port] or https://host[:port],
// into the host[:port] credentials-go takes: it always calls STS over https
// (credentials/providers/ram_role_arn.go and oidc.go hard-code the scheme),
// so http:// is refused rather than silently upgraded.
func CheckSTSEndpoint(raw string) (host string, err error) {
	shown := redactedEndpoint(raw)
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "http://"):
		return "", fmt.Errorf("%s: STS is always called over https; give host[:port] or https://host[:port]", shown)
	case !strings.HasPrefix(lower, "https://"):
		raw = "https://" + raw
	}
	if err := CheckEndpoint(raw); err != nil {
		return "", err
	}
	u, _ := url.Parse(raw) // CheckEndpoint parsed it
	return u.Host, nil
}

// STSEndpoint accepts what CheckSTSEndpoint does.
func STSEndpoint() validator.String {
	return stringCheck{
		description: "must be host[:port] or https://host[:port]",
		summary:     "Invalid STS endpoint",
		problem: func(_ path.Path, v string) string {
			if _, err := CheckSTSEndpoint(v); err != nil {
				return fmt.Sprintf("The STS endpoint must be host[:port] or https://host[:port]: %s.", err)
			}
			return ""
		},
	}
}

// Regex checks that a string compiles as a Go regular expression.
func Regex() validator.String {
	return stringCheck{
		description: "must be a valid regular expression",
		summary:     "Invalid regular expression",
		problem: func(_ path.Path, v string) string {
			if _, err := regexp.Compile(v); err != nil {
				return err.Error()
			}
			return ""
		},
	}
}

// stringCheck is a string validator made of a description and a function
// that says what is wrong with a known value ("" when nothing is).
type stringCheck struct {
	description, summary string
	problem              func(p path.Path, value string) string
}

func (c stringCheck) Description(context.Context) string { return c.description }

func (c stringCheck) MarkdownDescription(context.Context) string { return c.description }

func (c stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := c.problem(req.Path, req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, c.summary, problem)
	}
}
