# The configuration `make demo` applies against the mock cloud. The provider
# settings come from the environment the demo script sets (the mock's demo
# credentials and endpoints), exactly as they would in Terraform Cloud.
terraform {
  required_providers {
    clouddesktop = {
      source = "clouddesktop/clouddesktop"
    }
  }
}

provider "clouddesktop" {}

variable "maintenance_round" {
  type    = string
  default = "1"
}

# Every training desktop on each cloud, found by name.
data "clouddesktop_desktops" "alibaba_training" {
  cloud      = "alibaba"
  name_regex = "^training-"
}

data "clouddesktop_desktops" "huawei_training" {
  cloud      = "huawei"
  name_regex = "^training-"
}

# Rolling reboot: bump maintenance_round and both fleets reboot again.
resource "clouddesktop_desktop_reboot" "alibaba" {
  cloud       = "alibaba"
  desktop_ids = data.clouddesktop_desktops.alibaba_training.ids
  keepers     = { round = var.maintenance_round }
}

resource "clouddesktop_desktop_reboot" "huawei" {
  cloud       = "huawei"
  desktop_ids = data.clouddesktop_desktops.huawei_training.ids
  keepers     = { round = var.maintenance_round }
}

# Destroy-time cleanup: `terraform destroy` deletes the whole Huawei fleet.
resource "clouddesktop_desktop_batch_delete" "huawei" {
  cloud       = "huawei"
  desktop_ids = data.clouddesktop_desktops.huawei_training.ids

  # Deletion comes after the reboot resource is gone.
  depends_on = [clouddesktop_desktop_reboot.huawei]
}

output "alibaba_rebooted_at" {
  value = clouddesktop_desktop_reboot.alibaba.rebooted_at
}

output "huawei_request_ids" {
  value = clouddesktop_desktop_reboot.huawei.request_ids
}
