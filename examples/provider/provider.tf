# Both blocks are optional: with no block, the environment alone configures
# that cloud (ALIBABA_CLOUD_* / ALICLOUD_*, HW_*).
provider "clouddesktop" {
  alibaba {
    region = "cn-hangzhou"
    # access_key / secret_key: ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY, or the
    # Alibaba Cloud credential chain (ALIBABA_CLOUD_ACCESS_KEY_ID, ~/.aliyun, ECS RAM role, OIDC).
  }

  huawei {
    region     = "cn-north-4"
    project_id = var.huawei_project_id
    # access_key / secret_key: HW_ACCESS_KEY / HW_SECRET_KEY, or auth_token: HW_AUTH_TOKEN.
  }

  max_retries     = 5
  max_concurrency = 4
}

variable "huawei_project_id" {
  type = string
}
