#!/usr/bin/env bash
# etcd, the API server's store. The server's main package is go.etcd.io/etcd/server/v3 itself;
# `go install` of it fails on its go.mod's `replace ../api`-style directives, so the wrapper
# module in etcd/ requires it (a dependency's replaces are ignored) and builds it there.
# v3.6.5: the 3.6 line Kubernetes 1.34 is tested with (its go.mod pins the v3.6.4 client).
set -euo pipefail
version=v3.6.5
module="$(cd "$(dirname "$0")/etcd" && pwd)"
bin="$FINEFLOW_ENGINES/bin"
if installed etcd "$version" && [[ -x "$bin/etcd" ]]; then
  echo "etcd $version: already installed ($bin/etcd)"
  exit 0
fi
echo "etcd $version: building go.etcd.io/etcd/server/v3 (a few minutes cold)"
tmp="$(mktemp -d "$FINEFLOW_ENGINES/.etcd.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
(cd "$module" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
mv -f "$tmp/etcd" "$bin/etcd"
"$bin/etcd" --version
stamp etcd "$version"
