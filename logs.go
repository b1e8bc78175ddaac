package main

import (
	"strings"
)

// quietUnwantedLogs sets the log levels of terraform-plugin-go, the
// framework and this provider to what Terraform will show, where the user
// has not set them. Left unset, each defaults to TRACE: every call then
// formats and writes a trace line per attribute, per element of
// desktop_ids included, to a pipe Terraform reads and, unless TF_LOG or
// TF_LOG_PROVIDER asks for them, throws away. At 10,000 desktops that work
// was most of the provider's CPU time, and with terraform-plugin-framework
// v1.19 it grows with the square of the list: the logging context its
// write-only nullification builds grows by one field per element, and
// every trace line walks it. Terraform shows provider logs at
// TF_LOG_PROVIDER, else TF_LOG; with neither, none.
func quietUnwantedLogs(getenv func(string) string, setenv func(string, string) error) {
	level := strings.ToLower(strings.TrimSpace(getenv("TF_LOG_PROVIDER")))
	if level == "" {
		level = strings.ToLower(strings.TrimSpace(getenv("TF_LOG")))
	}
	switch level {
	case "":
		level = "off"
	case "json", "1", "true":
		level = "trace" // TF_LOG=JSON is trace in JSON; other truthy values mean trace too
	}
	for _, name := range []string{
		"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", // terraform-plugin-go and the framework
		"TF_LOG_PROVIDER", "TF_LOG_PROVIDER_CLOUDDESKTOP", // this provider's own tflog lines
	} {
		if getenv(name) == "" {
			_ = setenv(name, level)
		}
	}
}
