#!/usr/bin/env bash
# Prints the path of a Terraform CLI for the acceptance tests.
#
# Order: TF_ACC_TERRAFORM_PATH if set, then `terraform` on PATH, then a
# Terraform built from the Go module proxy into a cache outside the repo
# (Terraform cannot download itself on machines without internet access).
# 1.8.5 is the newest Terraform whose module installs with a plain
# `go install`; a cold build takes about three minutes.
set -euo pipefail

version="${TERRAFORM_VERSION:-1.8.5}"
cache="${CLOUDDESKTOP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-clouddesktop}"

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
