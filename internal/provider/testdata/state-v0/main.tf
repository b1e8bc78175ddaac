terraform {
  required_providers {
    clouddesktop = {
      source = "clouddesktop/clouddesktop"
    }
  }
}

provider "clouddesktop" {}

resource "clouddesktop_desktop_reboot" "admin" {
  cloud       = "alibaba"
  desktop_ids = ["ecd-uvn9ladx4dhle4b6o", "ecd-2x5kor7hhqdg1v3e4", "ecd-3mtoimp931k1d83er"]
  keepers     = { week = "2026-W48" }
  wait        = false
  timeouts {
    create = "10m"
  }
}

resource "clouddesktop_desktop_reboot" "client" {
  cloud       = "alibaba"
  desktop_ids = ["ecd-2x5kor7hhqdg1v3e4"]
  wait        = false
  alibaba {
    session_id  = "mock-session"
    login_token = "mock-login-token"
    client_os   = "Linux"
  }
}

resource "clouddesktop_desktop_reboot" "huawei" {
  cloud       = "huawei"
  desktop_ids = ["d021025f-26f5-494d-b78d-63b42df082fa", "54eca8db-9681-457d-8202-1773bbbe018b", "c170970d-6350-44eb-b33f-33e53453c122"]
  wait        = false
  huawei {
    type = "HARD"
  }
}

resource "clouddesktop_desktop_batch_delete" "huawei" {
  cloud       = "huawei"
  desktop_ids = ["d021025f-26f5-494d-b78d-63b42df082fa", "54eca8db-9681-457d-8202-1773bbbe018b", "c170970d-6350-44eb-b33f-33e53453c122"]
  huawei {
    delete_users = true
  }
  depends_on = [clouddesktop_desktop_reboot.huawei]
}
