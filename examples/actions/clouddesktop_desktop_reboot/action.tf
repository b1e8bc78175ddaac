# Rolling reboot, the native way (Terraform 1.14 and later): terraform_data
# holds the maintenance round; changing it updates terraform_data, and the
# after_update trigger reboots the fleet. Creating it reboots too.
variable "maintenance_round" {
  type    = string
  default = "2026-W48"
}

resource "terraform_data" "maintenance" {
  input = var.maintenance_round

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.clouddesktop_desktop_reboot.weekly]
    }
  }
}

action "clouddesktop_desktop_reboot" "weekly" {
  config {
    cloud       = "huawei"
    desktop_ids = ["3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01", "a8b2e0f4-1c3d-4e5f-8a9b-0c1d2e3f4a5b"]

    huawei {
      type = "SOFT"
    }

    timeouts {
      invoke = "15m"
    }
  }
}

# Or reboot on demand, outside any change, with
#   terraform apply -invoke=action.clouddesktop_desktop_reboot.weekly

# Alibaba Cloud through the admin API, with the provider's credentials. The
# client API (login_token) is only available through the resource: an
# action's configuration is stored in the plan, where no token belongs.
action "clouddesktop_desktop_reboot" "kiosks" {
  config {
    cloud       = "alibaba"
    desktop_ids = ["ecd-kiosk000000000001", "ecd-kiosk000000000002"]
    wait        = false

    alibaba {
      os_update = true
    }
  }
}
