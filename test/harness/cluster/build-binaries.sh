#!/usr/bin/env bash
# Builds the real Kubernetes components and etcd from their Go modules into the cache folder.
# Go is used only here, to build test binaries; no project code is written in Go.
#   build-binaries.sh          kube-apiserver + etcd (the cluster and net tiers)
#   build-binaries.sh --node   also kubelet, kube-proxy, kube-controller-manager, kube-scheduler
# Idempotent: a binary already built for the pinned version is reused. Prints the folder last.
set -euo pipefail
K8S=${K8S_VERSION:-v1.34.4}
STAGING=v0${K8S#v1}
ETCD=${ETCD_VERSION:-v3.6.6}
CACHE=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}
OUT="$CACHE/bin/k8s-$K8S-etcd-$ETCD"
WRAP="$CACHE/gomod/k8s-$K8S"
mkdir -p "$OUT"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

COMPONENTS=(kube-apiserver)
[ "${1:-}" = "--node" ] && COMPONENTS+=(kubelet kube-proxy kube-controller-manager kube-scheduler)

# Without the version stamp, nodes report `v0.0.0-master+$Format:%H$` as their kubelet version.
MINOR=${K8S#v1.}; MINOR=${MINOR%%.*}
LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$K8S -X k8s.io/component-base/version.gitMajor=1 \
-X k8s.io/component-base/version.gitMinor=$MINOR -X k8s.io/component-base/version.gitTreeState=clean"

wrapper_module() {
  # k8s.io/kubernetes replaces its staging modules with local paths; this module pins them instead.
  [ -f "$WRAP/.ready" ] && return 0
  rm -rf "$WRAP"; mkdir -p "$WRAP"
  (cd "$WRAP"
    go mod init kubebins >/dev/null 2>&1
    GOMOD=$(go mod download -json "k8s.io/kubernetes@$K8S" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    grep -oE '^\s*k8s.io/[a-z0-9-]+ => \./staging/src/k8s.io/[a-z0-9-]+' "$GOMOD" |
      awk -v v="$STAGING" '{print "replace " $1 " => " $1 " " v}' >> go.mod
    go get "k8s.io/kubernetes@$K8S" >/dev/null 2>&1
    touch .ready)
}

for c in "${COMPONENTS[@]}"; do
  [ -x "$OUT/$c" ] && continue
  wrapper_module
  echo "building $c $K8S (cached in $OUT)" >&2
  (cd "$WRAP" && go build -ldflags "$LDFLAGS" -o "$OUT/$c.tmp" "k8s.io/kubernetes/cmd/$c")
  mv "$OUT/$c.tmp" "$OUT/$c"
done
if [ ! -x "$OUT/etcd" ]; then
  W=$(mktemp -d); pushd "$W" >/dev/null
  go mod init etcdbin >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$ETCD" >/dev/null 2>&1
  go build -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$OUT/etcd.tmp" "$OUT/etcd"
  popd >/dev/null; rm -rf "$W"
fi
echo "$OUT"
