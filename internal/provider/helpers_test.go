package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func diagsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
