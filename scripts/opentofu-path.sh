#!/usr/bin/env bash
# Prints the path of OpenTofu 1.12.6, building it from the Go module proxy
# into a cache outside the repository the first time (about 5 minutes).
#
# OpenTofu's main module replaces github.com/hashicorp/hcl/v2 with its own
# fork, and a replace directive only applies in the main module, so
# `go install ...@v1.12.6` cannot build it: a throwaway main module that
# carries the same replace does.
set -euo pipefail

version="${OPENTOFU_VERSION:-1.12.6}"
cache="${CLOUDDESKTOP_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-clouddesktop}"
bin="$cache/opentofu-$version/tofu"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

echo "building OpenTofu $version from the Go module proxy into $cache (a few minutes, once)" >&2
work="$(mktemp -d "${TMPDIR:-/tmp}/opentofu-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(
  cd "$work"
  go mod init opentofu-build >&2
  # OpenTofu's own go.mod (v1.12.6) carries this replace.
  go mod edit -replace github.com/hashicorp/hcl/v2@v2.20.1=github.com/opentofu/hcl/v2@v2.20.2-0.20251021132045-587d123c2828
  go get "github.com/opentofu/opentofu/cmd/tofu@v$version" >&2
  mkdir -p "$cache/opentofu-$version"
  go build -o "$bin.tmp" github.com/opentofu/opentofu/cmd/tofu >&2
  mv "$bin.tmp" "$bin"
)
"$bin" version >&2
echo "$bin"
