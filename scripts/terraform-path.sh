#!/usr/bin/env bash
# Prints the path of a Terraform CLI.
#
#   scripts/terraform-path.sh            for the acceptance tests
#   scripts/terraform-path.sh --docs     for make generate
#   scripts/terraform-path.sh --actions  for make testacc-actions (the same 1.15.9)
#
# Tests: TF_ACC_TERRAFORM_PATH if set, then `terraform` on PATH, then a
# Terraform built from the Go module proxy into a cache outside the repo
# (Terraform cannot download itself on machines without internet access).
# 1.8.5 is the newest Terraform whose module installs with a plain
# `go install`; a cold build takes about three minutes.
#
# Docs: exactly Terraform 1.15.9, whatever else is installed. What
# tfplugindocs writes depends on the schema Terraform exports (write-only
# arguments need 1.11, actions 1.14), so docs/ is reproducible, and
# `make docs-check` meaningful, with one version only. A terraform of that
# version on TF_ACC_TERRAFORM_PATH or PATH is used as is; otherwise the build
# in ../shared/terraform (linux/amd64, checksummed) is unpacked into the cache.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${CLOUDDESKTOP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-clouddesktop}"

# version_of prints the version a Terraform binary reports, e.g. 1.15.9.
version_of() {
  "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p'
}

if [[ "${1:-}" == "--docs" || "${1:-}" == "--actions" ]]; then
  want=1.15.9
  for candidate in "${TF_ACC_TERRAFORM_PATH:-}" "$(command -v terraform || true)"; do
    if [[ -n "$candidate" && -x "$candidate" && "$(version_of "$candidate")" == "$want" ]]; then
      echo "$candidate"
      exit 0
    fi
  done
  install="$root/../shared/terraform/install.sh"
  if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" || ! -x "$install" ]]; then
    echo "make generate and make testacc-actions need Terraform $want (the docs depend on the version; actions need 1.14.1 or later): put it on PATH, or keep ../shared/terraform beside the repository (linux/amd64)" >&2
    exit 1
  fi
  "$install" "$cache/terraform-$want"
  exit 0
fi

version="${TERRAFORM_VERSION:-1.8.5}"

if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" && -x "${TF_ACC_TERRAFORM_PATH}" ]]; then
  echo "$TF_ACC_TERRAFORM_PATH"
  exit 0
fi
if command -v terraform >/dev/null 2>&1; then
  command -v terraform
  exit 0
fi

bin="$cache/terraform-$version/terraform"
if [[ ! -x "$bin" ]]; then
  echo "terraform not on PATH: building Terraform $version from the Go module proxy into $cache (a few minutes, once)" >&2
  mkdir -p "$cache/terraform-$version"
  GOBIN="$cache/terraform-$version" go install "github.com/hashicorp/terraform@v$version" >&2
fi
echo "$bin"
