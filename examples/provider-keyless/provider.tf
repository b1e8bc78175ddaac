# No long-lived key anywhere: in a Terraform Cloud workspace that sets
# TFC_WORKLOAD_IDENTITY_AUDIENCE, each run gets TFC_WORKLOAD_IDENTITY_TOKEN,
# which both blocks below trade for short-lived credentials, renewed before
# they expire. See the Terraform Cloud guide for the workspace variables.
provider "clouddesktop" {
  alibaba {
    region = "cn-hangzhou"
    # STS AssumeRoleWithOIDC. Every attribute may come from the environment
    # instead: ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_ROLE_ARN, and the
    # token from ALIBABA_CLOUD_OIDC_TOKEN(_FILE) or TFC_WORKLOAD_IDENTITY_TOKEN.
    assume_role_with_oidc {
      oidc_provider_arn = "acs:ram::1234567890123456:oidc-provider/terraform-cloud"
      role_arn          = "acs:ram::1234567890123456:role/clouddesktop-fleet"
    }
  }

  huawei {
    region     = "cn-north-4"
    project_id = var.huawei_project_id
    # The SDK's federated login: an OpenID Connect identity provider in IAM.
    # The id token from id_token(_file), HUAWEICLOUD_SDK_ID_TOKEN_FILE or
    # TFC_WORKLOAD_IDENTITY_TOKEN.
    idp_id = "terraform-cloud"
  }
}

variable "huawei_project_id" {
  type = string
}
