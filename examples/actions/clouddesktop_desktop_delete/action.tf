# Delete a fleet on demand (Terraform 1.14 and later):
#   terraform apply -invoke=action.clouddesktop_desktop_delete.training
# Terraform 1.14 and 1.15 have no destroy event: for cleanup when the
# configuration is destroyed, use the clouddesktop_desktop_batch_delete
# resource.
data "clouddesktop_desktops" "training" {
  cloud      = "huawei"
  name_regex = "^training-"
}

action "clouddesktop_desktop_delete" "training" {
  config {
    cloud       = "huawei"
    desktop_ids = data.clouddesktop_desktops.training.ids

    huawei {
      delete_users       = true
      email_notification = false
    }
  }
}
