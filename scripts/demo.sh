#!/usr/bin/env bash
# make demo: runs the provider against the mock cloud, with no cloud account.
#
# It builds the provider and the mock cloud into a scratch directory, starts
# the mock on a free loopback port with two fleets of "training-" desktops,
# points Terraform at the local provider build (dev_overrides), and then:
#   1. applies examples/demo: both fleets reboot;
#   2. applies again with a new maintenance_round: both fleets reboot again;
#   3. on a Terraform with actions (1.14.1 and later), invokes the reboot
#      action on the Alibaba fleet (terraform apply -invoke);
#   4. destroys: the Huawei fleet is deleted.
# After each step it prints what the mock cloud saw. Nothing outside the
# scratch directory is touched; it is removed on exit.
#
# CREDENTIALS=keyless runs it all without the demo's long-lived keys on the
# calls: Alibaba assumes a RAM role (STS AssumeRole) and Huawei logs in with
# an id token (the SDK's federated login), as in a Terraform Cloud
# workspace; the mock's STS and IAM issue short-lived credentials
# (-credential-lifetime), which the provider renews as they run out.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
credentials="${CREDENTIALS:-keys}"
case "$credentials" in
  keys|keyless) ;;
  *) echo "CREDENTIALS must be keys or keyless, not $credentials" >&2; exit 2 ;;
esac
terraform="${TERRAFORM:-$("$root/scripts/terraform-path.sh")}"
work="$(mktemp -d "${TMPDIR:-/tmp}/clouddesktop-demo.XXXXXX")"
mock_pid=""
cleanup() {
  if [[ -n "$mock_pid" ]]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider and the mock cloud"
(cd "$root" && go build -o "$work/bin/terraform-provider-clouddesktop" . && go build -o "$work/mockcloud" ./cmd/mockcloud)

step "Starting the mock cloud (3 Alibaba and 3 Huawei desktops named training-*)"
"$work/mockcloud" -listen 127.0.0.1:0 -alibaba-desktops 3 -huawei-desktops 3 \
  -alibaba-prefix training -huawei-prefix training \
  -reboot-delay 1s -reboot-lag 500ms -job-delay 2s -huawei-job-words provider \
  -ca-file "$work/mock-ca.pem" -credential-lifetime 1h >"$work/banner.txt" 2>"$work/calls.log" &
mock_pid=$!
endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(sed -n 's/^mockcloud listening on \(http:[^ ]*\).*/\1/p' "$work/banner.txt")"
  [[ -n "$endpoint" ]] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$work/calls.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$endpoint" ]] || { echo "the mock cloud did not start" >&2; exit 1; }
sed -n '/^Alibaba desktops/,/^Press/p' "$work/banner.txt" | grep -v -e '^Press' -e '^$'
echo "endpoint: $endpoint"

# The provider is configured the way Terraform Cloud configures it: from the
# environment. These are the mock's demo credentials, not real ones.
creds="$(sed -n 's/^  export //p' "$work/banner.txt")"
# shellcheck disable=SC2086
export $creds
export CLOUDDESKTOP_POLL_INTERVAL=250ms
mkdir -p "$work/tf" && cp "$root/examples/demo/main.tf" "$work/tf/"

if [[ "$credentials" == keyless ]]; then
  # What a Terraform Cloud workspace would set instead of keys: the role to
  # assume, the IdP, and the run's workload identity token. The STS and
  # IAM are the mock's (its STS speaks TLS, with the CA it wrote).
  roles="$(sed -n 's/^  role export //p' "$work/banner.txt")"
  # shellcheck disable=SC2086
  export $roles
  export TFC_WORKLOAD_IDENTITY_TOKEN=mock-id-token
  unset HW_ACCESS_KEY HW_SECRET_KEY
  cp "$root/examples/demo/keyless/keyless_override.tf" "$work/tf/"
  echo "credentials: Alibaba assume_role (role $ALIBABA_CLOUD_ROLE_ARN), Huawei federated login (IdP $HUAWEICLOUD_SDK_IDP_ID)"
fi

cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/clouddesktop/clouddesktop" = "$work/bin"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1
# Terraform warns that the provider comes from a local build; that is the
# point of the demo, so the warning is dropped from its output.
quiet_override_warning() { awk '/Warning: Provider development overrides/{skip=1} skip&&/^(│ )?releases\.$/{skip=0; next} !skip'; }
tf() { "$terraform" -chdir="$work/tf" "$@" 2>&1 | quiet_override_warning; return "${PIPESTATUS[0]}"; }

seen=0
issued_seen=0
show_calls() {
  local total
  total="$(wc -l <"$work/calls.log")"
  echo "Calls the mock cloud received:"
  tail -n "+$((seen + 1))" "$work/calls.log" | sed 's/^/  /'
  seen="$total"
  echo "Reboots and deletions so far, per desktop:"
  curl -fsS "$endpoint/_mock/counts?format=text" | sed 's/^/  /'
  if [[ "$credentials" == keyless ]]; then
    echo "Short-lived credentials the mock's STS and IAM issued in this step (keys and expiry; never a secret):"
    curl -fsS "$endpoint/_mock/issued?format=text" >"$work/issued.txt"
    { head -n 1 "$work/issued.txt"; tail -n "+$((issued_seen + 2))" "$work/issued.txt"; } | sed 's/^/  /'
    issued_seen="$(($(wc -l <"$work/issued.txt") - 1))"
  fi
}

step "terraform apply: both fleets reboot"
tf apply -auto-approve -no-color
show_calls

step "terraform apply -var maintenance_round=2: a keepers change reboots them again"
tf apply -auto-approve -no-color -var maintenance_round=2
show_calls

step "terraform apply -var maintenance_round=2 again: nothing changed: the data sources read, nothing is rebooted"
tf apply -auto-approve -no-color -var maintenance_round=2
show_calls

# Actions came in Terraform 1.14 (1.14.0 ran after_* actions too early).
tf_version="$("$terraform" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')"
if [[ "$(printf '%s\n' 1.14.1 "$tf_version" | sort -V | head -n1)" == 1.14.1 ]]; then
  cp "$root/examples/demo/actions/reboot.tf" "$work/tf/"
  step "terraform apply -invoke=action.clouddesktop_desktop_reboot.alibaba_now: the reboot action, on demand"
  tf apply -auto-approve -no-color -var maintenance_round=2 -invoke=action.clouddesktop_desktop_reboot.alibaba_now
  show_calls
  rm "$work/tf/reboot.tf"
else
  step "Terraform $tf_version has no actions (1.14.1 and later): the reboot action is skipped"
  echo "To see it: TERRAFORM=\$(scripts/terraform-path.sh --actions) make demo"
fi

step "terraform destroy: the Huawei fleet is deleted"
tf destroy -auto-approve -no-color -var maintenance_round=2
show_calls

step "Done: the table above is the mock cloud's own count of what was done to each desktop"
if [[ "$credentials" == keys ]]; then
  echo "To run it with role assumption and a federated login instead of keys: make demo CREDENTIALS=keyless"
fi
