# Clean up every stopped desktop of a training fleet on destroy.
data "clouddesktop_desktops" "stopped_training" {
  cloud      = "alibaba"
  region     = "cn-hangzhou"
  name_regex = "^training-"
  status     = "stopped"
}

resource "clouddesktop_desktop_batch_delete" "stopped_training" {
  cloud       = "alibaba"
  region      = "cn-hangzhou"
  desktop_ids = data.clouddesktop_desktops.stopped_training.ids
}

output "stopped_training_desktops" {
  value = [for d in data.clouddesktop_desktops.stopped_training.desktops : "${d.id} ${d.name} ${d.native_status}"]
}
