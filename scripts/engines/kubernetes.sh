#!/usr/bin/env bash
# The Kubernetes control plane (kube-apiserver, kube-controller-manager, kube-scheduler) and
# kubectl, from k8s.io/kubernetes through the wrapper module in kubernetes/ (its go.mod says why
# `go install k8s.io/kubernetes/cmd/...@v1.34.4` cannot work). Version variables are the ones
# hack/lib/version.sh sets, so `kubectl version` and the API server's /version say v1.34.4.
set -euo pipefail
version=v1.34.4
commands=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
module="$(cd "$(dirname "$0")/kubernetes" && pwd)"
bin="$FINEFLOW_ENGINES/bin"

all_present() { for c in "${commands[@]}"; do [[ -x "$bin/$c" ]] || return 1; done; }
if installed kubernetes "$version" && all_present; then
  echo "kubernetes $version: already installed (${commands[*]} in $bin)"
  exit 0
fi

minor="${version#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done

echo "kubernetes $version: building ${commands[*]} (tens of minutes cold on 2 cores)"
tmp="$(mktemp -d "$FINEFLOW_ENGINES/.kubernetes.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
pkgs=()
for c in "${commands[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
(cd "$module" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}")
for c in "${commands[@]}"; do mv -f "$tmp/$c" "$bin/$c"; done
"$bin/kubectl" version --client
"$bin/kube-apiserver" --version
stamp kubernetes "$version"
