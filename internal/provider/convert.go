package provider

import (
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
)

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}

func sortedDesktops(ds []fleet.Desktop) []fleet.Desktop {
	out := slices.Clone(ds)
	slices.SortFunc(out, func(a, b fleet.Desktop) int { return strings.Compare(a.ID, b.ID) })
	return out
}
