# Added to examples/demo by `make demo` when the Terraform at hand has
# actions (1.14.1 and later): the native reboot, run on demand with
#   terraform apply -invoke=action.clouddesktop_desktop_reboot.alibaba_now
action "clouddesktop_desktop_reboot" "alibaba_now" {
  config {
    cloud       = "alibaba"
    desktop_ids = data.clouddesktop_desktops.alibaba_training.ids
  }
}
