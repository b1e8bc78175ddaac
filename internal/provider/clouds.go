package provider

import (
	"fmt"
	"strings"

	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/alibaba"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/fleet"
	"github.com/clouddesktop/terraform-provider-clouddesktop/internal/huawei"
)

// The clouds a resource's `cloud` attribute may name.
const (
	cloudAlibaba = "alibaba"
	cloudHuawei  = "huawei"
)

var supportedClouds = []string{cloudAlibaba, cloudHuawei}

// rebootSettings is what a reboot needs beyond the desktop IDs, in the
// provider's own terms; each cloud takes the part that concerns it.
type rebootSettings struct {
	cloud, region string
	wait          bool
	alibaba       alibabaRebootSettings
	huaweiType    string
}

type alibabaRebootSettings struct {
	clientID, sessionID, loginToken, sessionToken, clientOS, clientVersion, uuid string
	osUpdate                                                                     *bool
}

type deleteSettings struct {
	cloud, region string
	wait          bool
	ignoreMissing bool
	huawei        huawei.DeleteOptions
}

func (d *providerData) rebootAction(s rebootSettings) (fleet.BatchAction, error) {
	switch s.cloud {
	case cloudAlibaba:
		c, err := d.alibabaClient(s.region)
		if err != nil {
			return nil, err
		}
		opts := alibaba.RebootOptions{OsUpdate: s.alibaba.osUpdate, Wait: s.wait, Poll: d.poll, Settle: d.rebootSettle}
		if s.alibaba.loginToken != "" {
			a := s.alibaba
			opts.ClientAPI = &alibaba.ClientAPI{
				ClientID: a.clientID, SessionID: a.sessionID, LoginToken: a.loginToken, SessionToken: a.sessionToken,
				ClientOS: a.clientOS, ClientVersion: a.clientVersion, UUID: a.uuid,
			}
		} else if err := d.alibaba.requireAccessKey(); err != nil {
			return nil, err
		}
		return c.Rebooter(opts), nil
	case cloudHuawei:
		c, err := d.huaweiClient(s.region)
		if err != nil {
			return nil, err
		}
		return c.Rebooter(huawei.RebootOptions{Type: s.huaweiType, Wait: s.wait, Poll: d.poll, Settle: d.rebootSettle}), nil
	}
	return nil, unknownCloud(s.cloud)
}

func (d *providerData) deleteAction(s deleteSettings) (fleet.BatchAction, error) {
	switch s.cloud {
	case cloudAlibaba:
		c, err := d.alibabaClient(s.region)
		if err != nil {
			return nil, err
		}
		if err := d.alibaba.requireAccessKey(); err != nil {
			return nil, err
		}
		return c.Deleter(alibaba.DeleteOptions{Wait: s.wait, FailMissing: !s.ignoreMissing, Poll: d.poll}), nil
	case cloudHuawei:
		c, err := d.huaweiClient(s.region)
		if err != nil {
			return nil, err
		}
		opts := s.huawei
		opts.Wait, opts.FailMissing, opts.Poll = s.wait, !s.ignoreMissing, d.poll
		return c.Deleter(opts), nil
	}
	return nil, unknownCloud(s.cloud)
}

func (d *providerData) lister(cloud, region string) (fleet.DesktopLister, error) {
	switch cloud {
	case cloudAlibaba:
		if err := d.alibaba.requireAccessKey(); err != nil {
			return nil, err
		}
		return d.alibabaClient(region)
	case cloudHuawei:
		return d.huaweiClient(region)
	}
	return nil, unknownCloud(cloud)
}

// region is the region a resource or data source on cloud acts in: its
// own override, else the provider's region for that cloud.
func (d *providerData) region(cloud, override string) string {
	switch {
	case override != "":
		return override
	case cloud == cloudAlibaba:
		return d.alibaba.region
	case cloud == cloudHuawei:
		return d.huawei.region
	}
	return ""
}

func unknownCloud(cloud string) error {
	return fmt.Errorf("unknown cloud %q: use one of %s", cloud, strings.Join(supportedClouds, ", "))
}

func (d *providerData) alibabaClient(region string) (*alibaba.Client, error) {
	if region == "" {
		region = d.alibaba.region
	}
	if region == "" {
		return nil, fmt.Errorf("no Alibaba Cloud region: set `region` on the resource, `alibaba.region` in the provider block, " +
			"or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION")
	}
	return alibaba.NewClient(alibaba.Config{
		Region:         region,
		AccessKey:      d.alibaba.accessKey,
		SecretKey:      d.alibaba.secretKey,
		SecurityToken:  d.alibaba.securityToken,
		Endpoint:       d.alibaba.endpoint,
		AllowPlainHTTP: d.alibaba.allowPlainHTTP,
		Retry:          d.retry,
		UserAgent:      d.userAgent,
	})
}

// requireAccessKey catches a half-configured key pair. With neither key
// set, the Alibaba credential chain is tried when the first call is made.
func (a alibabaSettings) requireAccessKey() error {
	if (a.accessKey == "") != (a.secretKey == "") {
		return fmt.Errorf("incomplete Alibaba Cloud credentials: set both `alibaba.access_key` and `alibaba.secret_key` " +
			"(or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY), or neither to use the credential chain " +
			"(ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, ~/.aliyun/config.json, ECS RAM role, OIDC)")
	}
	return nil
}

func (d *providerData) huaweiClient(region string) (*huawei.Client, error) {
	if err := d.huawei.check(region); err != nil {
		return nil, err
	}
	if region == "" {
		region = d.huawei.region
	}
	return huawei.NewClient(huawei.Config{
		Region:         region,
		ProjectID:      d.huawei.projectID,
		AccessKey:      d.huawei.accessKey,
		SecretKey:      d.huawei.secretKey,
		SecurityToken:  d.huawei.securityToken,
		AuthToken:      d.huawei.authToken,
		Endpoint:       d.huawei.endpoint,
		AllowPlainHTTP: d.huawei.allowPlainHTTP,
		Retry:          d.retry,
		UserAgent:      d.userAgent,
	})
}

// check names every missing Huawei setting at once, with the attributes
// and environment variables that would supply it.
func (h huaweiSettings) check(regionOverride string) error {
	var missing []string
	if regionOverride == "" && h.region == "" && h.endpoint == "" {
		missing = append(missing, "a region: `region` on the resource, `huawei.region`, or HW_REGION_NAME")
	}
	if h.projectID == "" {
		missing = append(missing, "a project ID: `huawei.project_id`, HW_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID")
	}
	if h.authToken == "" && (h.accessKey == "" || h.secretKey == "") {
		missing = append(missing, "credentials: `huawei.access_key` and `huawei.secret_key` (HW_ACCESS_KEY / HUAWEICLOUD_SDK_AK and "+
			"HW_SECRET_KEY / HUAWEICLOUD_SDK_SK), or `huawei.auth_token` (HW_AUTH_TOKEN)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("Huawei Cloud is not configured; missing %s", strings.Join(missing, "; "))
}
