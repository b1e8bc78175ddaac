package provider

import (
	"context"
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
	// Checked before parsing: url.Parse reads "host:port" as a scheme and
	// would answer with a message that does not say what is wanted.
	if lower := strings.ToLower(raw); !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return fmt.Errorf("%q must start with https:// or http://", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q must start with https:// or http://", raw)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return fmt.Errorf("%q must not carry user information", raw)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must not have a query or fragment", raw)
	case strings.Trim(u.Path, "/") != "":
		return fmt.Errorf("%q must not have a path", raw)
	}
	if p := u.Port(); p != "" {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q has an invalid port", raw)
		}
	}
	return nil
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
