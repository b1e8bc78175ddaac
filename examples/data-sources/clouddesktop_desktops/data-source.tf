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

# Which of the desktops a team was given still exist on Huawei Cloud, and in
# what state (native_status is the cloud's own, e.g. ACTIVE or SHUTOFF).
data "clouddesktop_desktops" "team" {
  cloud = "huawei"
  ids = [
    "3f1c9c9e-6a55-4c1e-9d0a-7d0c8b7a1e01",
    "a8b2e0f4-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
  ]
}

output "team_desktops" {
  value = { for d in data.clouddesktop_desktops.team.desktops : d.name => d.native_status }
}
