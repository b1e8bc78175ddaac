package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

func regionValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}[a-z0-9]$`),
		"must be a region ID of lowercase letters, digits and hyphens, such as cn-hangzhou or cn-north-4")
}

func projectIDValidator() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`),
		"must be an IAM project ID (letters, digits, '-' and '_', at most 64 characters)")
}

// clientParamValidator guards values that travel as Alibaba client-API
// query parameters next to ClientToken: printable ASCII, at most 64 bytes.
func clientParamValidator() validator.String {
	return stringvalidator.All(
		stringvalidator.LengthBetween(1, 64),
		stringvalidator.RegexMatches(regexp.MustCompile(`^[\x21-\x7e]+$`),
			"must be printable ASCII without spaces (the Alibaba client API rejects anything else)"),
	)
}

// checkEndpoint accepts a full URL: https://host or http://host:port,
// optionally with a path prefix, and nothing a client could misread.
func checkEndpoint(raw string) error {
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

type endpointStringValidator struct{}

func endpointValidator() validator.String { return endpointStringValidator{} }

func (endpointStringValidator) Description(context.Context) string {
	return "must be a full URL: https://host or http://host:port"
}

func (v endpointStringValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (endpointStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint",
			fmt.Sprintf("The endpoint must be a full URL, https://host or http://host:port: %s.", err))
	}
}

// regexValidator checks that a string compiles as a Go regular expression.
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "must be a valid regular expression"
}

func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression", err.Error())
	}
}
