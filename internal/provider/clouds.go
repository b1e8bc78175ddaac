package provider

import (
	"fmt"
	"strings"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/tfcloud"
)

// registeredClouds is every cloud the provider speaks to, and the only
// place that names them: the `cloud` attribute's values, the provider's
// blocks and the resources' and actions' cloud blocks all come from here.
// A new cloud is its package under internal/, implementing tfcloud.Cloud,
// and a line here.
var registeredClouds = []tfcloud.Cloud{
	alibaba.Adapter{},
	huawei.Adapter{},
}

// cloudNames are the values `cloud` may take.
func cloudNames() []string {
	names := make([]string, len(registeredClouds))
	for i, c := range registeredClouds {
		names[i] = c.Name()
	}
	return names
}

func cloudNamed(name string) tfcloud.Cloud {
	for _, c := range registeredClouds {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// cloudNamesMarkdown is "`alibaba` or `huawei`", for descriptions.
func cloudNamesMarkdown() string {
	names := cloudNames()
	for i, n := range names {
		names[i] = "`" + n + "`"
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func unknownCloud(name string) error {
	return fmt.Errorf("unknown cloud %q: use one of %s", name, strings.Join(cloudNames(), ", "))
}

// cloud is the configured cloud name names.
func (d *providerData) cloud(name string) (tfcloud.Configured, error) {
	if c, ok := d.clouds[name]; ok {
		return c, nil
	}
	return nil, unknownCloud(name)
}

// region is the region a resource or data source on cloud acts in: its
// own override, else the provider's region for that cloud.
func (d *providerData) region(cloud, override string) string {
	if override != "" {
		return override
	}
	if c, ok := d.clouds[cloud]; ok {
		return c.Region()
	}
	return ""
}
