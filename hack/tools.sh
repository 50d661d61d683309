#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Go tools Eddy's tests, benchmarks and demo run against, from Go modules,
# into a cache outside the clone (keyed by tool and version), and links them into .eddy/bin.
#
#   hack/tools.sh [tool...]     build the named tools (default: all) if missing
#   hack/tools.sh --list        print "name version path" for every tool
#
# Environment:
#   EDDY_TOOLS_CACHE   cache root (default: $XDG_CACHE_HOME/eddy/tools or ~/.cache/eddy/tools)
#   EDDY_ASSETS        a directory that already holds binaries (e.g. from setup-envtest); any
#                      tool found there is linked instead of built. KUBEBUILDER_ASSETS works too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${EDDY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eddy/tools}"
LINKS="$ROOT/.eddy/bin"
ASSETS="${EDDY_ASSETS:-${KUBEBUILDER_ASSETS:-}}"

K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.14
HELM_VERSION=v4.2.4
KUSTOMIZE_VERSION=v5.8.1
REGISTRY_VERSION=v3.1.1
SOPS_VERSION=v3.11.0
AGE_VERSION=v1.3.2
VERSITYGW_VERSION=v1.8.0
FLUX_VERSION=v2.9.4

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-trimpath -pgo=off"

# name|version|kind  (kind selects the build function)
TOOLS=(
  "etcd|$ETCD_VERSION|wrapper"
  "kube-apiserver|$K8S_VERSION|k8s"
  "kube-controller-manager|$K8S_VERSION|k8s"
  "kubectl|$K8S_VERSION|k8s"
  "kustomize|$KUSTOMIZE_VERSION|install"
  "helm|$HELM_VERSION|install"
  "registry|$REGISTRY_VERSION|install"
  "sops|$SOPS_VERSION|install"
  "age|$AGE_VERSION|install"
  "age-keygen|$AGE_VERSION|install"
  "versitygw|$VERSITYGW_VERSION|install"
  "flux|$FLUX_VERSION|copy"
)

pkg_of() {
  case "$1" in
    kustomize) echo "sigs.k8s.io/kustomize/kustomize/v5" ;;
    helm) echo "helm.sh/helm/v4/cmd/helm" ;;
    registry) echo "github.com/distribution/distribution/v3/cmd/registry" ;;
    sops) echo "github.com/getsops/sops/v3/cmd/sops" ;;
    age) echo "filippo.io/age/cmd/age" ;;
    age-keygen) echo "filippo.io/age/cmd/age-keygen" ;;
    versitygw) echo "github.com/versity/versitygw/cmd/versitygw" ;;
  esac
}

k8s_ldflags() {
  local v="$1" minor
  minor="$(echo "$v" | cut -d. -f2)"
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
    ld="$ld -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  echo "$ld"
}

# copy recipe: for modules whose go.mod has replace directives (which `go install m@v` refuses), the
# downloaded module becomes the main module of a writable copy so its own go.mod/go.sum apply.
# hack/tools/<name>/prepare.sh (optional) runs inside the copy first, e.g. to add files missing from the zip.
build_copy() {
  local name="$1" version="$2" out="$3" module main ld src
  case "$name" in
    flux) module="github.com/fluxcd/flux2/v2" main="./cmd/flux" ld="-s -w -X main.VERSION=${version#v}" ;;
    *) echo "no copy recipe for $name" >&2; return 1 ;;
  esac
  src="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || { echo "go mod download $module@$version gave no directory" >&2; return 1; }
  cp -r "$src" "$out/src"
  chmod -R u+w "$out/src"
  if [[ -f "$ROOT/hack/tools/$name/prepare.sh" ]]; then (cd "$out/src" && bash "$ROOT/hack/tools/$name/prepare.sh"); fi
  (cd "$out/src" && go build -ldflags "$ld" -o "$out/$name" "$main")
  rm -rf "$out/src"
}

build_one() {
  local name="$1" version="$2" kind="$3"
  local dir="$CACHE/$name-$version"
  if [[ -x "$dir/$name" ]]; then return 0; fi
  echo ">> building $name $version" >&2
  local start=$SECONDS tmp
  tmp="$(mktemp -d "$CACHE/.build-$name.XXXXXX")"
  case "$kind" in
    install)
      local ld="-s -w"
      [[ "$name" == helm ]] && ld="$ld -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/pkg/chart/common.k8sVersionMinor=36"
      [[ "$name" == sops ]] && ld="$ld"
      GOBIN="$tmp" go install -ldflags "$ld" "$(pkg_of "$name")@$version"
      ;;
    k8s)
      (cd "$ROOT/hack/tools/k8s" && go build -mod=mod -ldflags "$(k8s_ldflags "$version")" -o "$tmp/$name" "k8s.io/kubernetes/cmd/$name")
      ;;
    wrapper)
      (cd "$ROOT/hack/tools/etcd" && go build -mod=mod -ldflags "-s -w" -o "$tmp/$name" go.etcd.io/etcd/server/v3)
      ;;
    copy)
      build_copy "$name" "$version" "$tmp"
      ;;
  esac
  mkdir -p "$dir"
  mv "$tmp/$name" "$dir/$name"
  rm -rf "$tmp"
  echo ">> built $name $version in $((SECONDS - start))s" >&2
}

link_one() {
  local name="$1" version="$2"
  mkdir -p "$LINKS"
  if [[ -n "$ASSETS" && -x "$ASSETS/$name" ]]; then
    ln -sfn "$ASSETS/$name" "$LINKS/$name"
  else
    ln -sfn "$CACHE/$name-$version/$name" "$LINKS/$name"
  fi
}

main() {
  mkdir -p "$CACHE"
  if [[ "${1:-}" == "--list" ]]; then
    for t in "${TOOLS[@]}"; do IFS='|' read -r n v _ <<<"$t"; echo "$n $v $CACHE/$n-$v/$n"; done
    return
  fi
  local want=("$@")
  for t in "${TOOLS[@]}"; do
    IFS='|' read -r n v k <<<"$t"
    if [[ ${#want[@]} -gt 0 && ! " ${want[*]} " =~ " $n " ]]; then continue; fi
    if [[ -z "$ASSETS" || ! -x "$ASSETS/$n" ]]; then build_one "$n" "$v" "$k"; fi
    link_one "$n" "$v"
  done
}

main "$@"
