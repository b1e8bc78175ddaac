# Deletes the whole fleet on `terraform destroy`, or when this block is removed.
resource "clouddesktop_desktop_batch_delete" "training_fleet" {
  cloud       = "huawei"
  desktop_ids = ["3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01", "a8b2e0f4-1c3d-4e5f-8a9b-0c1d2e3f4a5b"]

  huawei {
    delete_users       = false
    email_notification = true
    is_force_delete    = false
  }

  timeouts {
    delete = "45m"
  }
}

# On Alibaba Cloud: DeleteDesktops, then DescribeDesktops until they are gone.
# A desktop that is already gone is an error here rather than a success.
resource "clouddesktop_desktop_batch_delete" "lab" {
  cloud          = "alibaba"
  region         = "cn-shanghai"
  desktop_ids    = ["ecd-0a1b2c3d4e5f6g7h8", "ecd-1b2c3d4e5f6g7h8i9"]
  ignore_missing = false
  wait           = true
}
