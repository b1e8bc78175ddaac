# make demo CREDENTIALS=keyless copies this override file next to main.tf:
# Alibaba assumes a RAM role (STS AssumeRole from the demo's base key, the
# role ARN and STS endpoint from ALIBABA_CLOUD_ROLE_ARN and
# ALIBABA_CLOUD_STS_ENDPOINT), and Huawei logs in with an id token
# (HUAWEICLOUD_SDK_IDP_ID and Terraform Cloud's TFC_WORKLOAD_IDENTITY_TOKEN),
# as a Terraform Cloud workspace would. Every call is then signed with
# short-lived credentials the mock cloud issued.
provider "clouddesktop" {
  alibaba {
    assume_role {
      session_name = "make-demo"
    }
  }
}
