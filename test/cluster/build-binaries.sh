#!/usr/bin/env bash
# Builds the real kube-apiserver and etcd from their Go modules into the cache folder.
# Go is used only here, to build test binaries; no project code is written in Go.
# Idempotent: a binary already built for the pinned version is reused.
set -euo pipefail
K8S=${K8S_VERSION:-v1.34.4}
STAGING=v0${K8S#v1}
ETCD=${ETCD_VERSION:-v3.6.6}
CACHE=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}
OUT="$CACHE/bin/k8s-$K8S-etcd-$ETCD"
mkdir -p "$OUT"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
if [ ! -x "$OUT/kube-apiserver" ]; then
  W=$(mktemp -d); pushd "$W" >/dev/null
  go mod init kubebins >/dev/null 2>&1
  GOMOD=$(go mod download -json "k8s.io/kubernetes@$K8S" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  grep -oE '^\s*k8s.io/[a-z0-9-]+ => \./staging/src/k8s.io/[a-z0-9-]+' "$GOMOD" |
    awk -v v="$STAGING" '{print "replace " $1 " => " $1 " " v}' >> go.mod
  go get "k8s.io/kubernetes@$K8S" >/dev/null 2>&1
  go build -o "$OUT/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$OUT/kube-apiserver.tmp" "$OUT/kube-apiserver"
  popd >/dev/null; rm -rf "$W"
fi
if [ ! -x "$OUT/etcd" ]; then
  W=$(mktemp -d); pushd "$W" >/dev/null
  go mod init etcdbin >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@$ETCD" >/dev/null 2>&1
  go build -o "$OUT/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$OUT/etcd.tmp" "$OUT/etcd"
  popd >/dev/null; rm -rf "$W"
fi
echo "$OUT"
