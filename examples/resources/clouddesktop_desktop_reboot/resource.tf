# Rolling reboot: change the keepers value and the fleet reboots on the next apply.
resource "clouddesktop_desktop_reboot" "weekly" {
  cloud       = "huawei"
  desktop_ids = ["3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01", "a8b2e0f4-1c3d-4e5f-8a9b-0c1d2e3f4a5b"]

  keepers = {
    maintenance_window = "2026-W47"
  }

  huawei {
    type = "SOFT"
  }
}

# Alibaba Cloud through the client API, as a logged-in WUYING client would.
# The write-only token (Terraform 1.11+) reaches the cloud but never the state.
resource "clouddesktop_desktop_reboot" "from_client" {
  cloud       = "alibaba"
  region      = "cn-shanghai"
  desktop_ids = ["ecd-0a1b2c3d4e5f6g7h8"]

  alibaba {
    session_id     = var.wuying_session_id
    login_token_wo = var.wuying_login_token
    client_os      = "Windows_NT 10.0.18363 x64"
    client_version = "2.1.0-R-20210731.151756"
  }

  keepers = {
    image = "m-2ze0example"
  }

  # Return once every desktop is Running again, or fail after 10 minutes
  # naming the desktops that are not.
  wait = true
  timeouts {
    create = "10m"
  }
}

# Alibaba Cloud with the provider's AccessKey (the admin API, up to 100
# desktops a call). With wait = false the apply returns as soon as the cloud
# has accepted the reboot.
resource "clouddesktop_desktop_reboot" "kiosks" {
  cloud       = "alibaba"
  desktop_ids = ["ecd-kiosk000000000001", "ecd-kiosk000000000002"]
  wait        = false

  keepers = {
    release = var.kiosk_release
  }
}

# A Huawei desktop that no longer answers a soft reboot: HARD powers it off
# and on.
resource "clouddesktop_desktop_reboot" "unresponsive" {
  cloud       = "huawei"
  desktop_ids = ["c0ffee00-0000-4000-8000-000000000001"]

  huawei {
    type = "HARD"
  }
}

variable "kiosk_release" {
  type = string
}

variable "wuying_session_id" {
  type = string
}

variable "wuying_login_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
