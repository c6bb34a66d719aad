#!/usr/bin/env bash
# Installs what the named test tiers need on this Debian 12 machine; no tier names = all tiers.
#   scripts/provision.sh [unit|lsp|nvim|cluster|net|node|editor ...]
# `npm test` runs it first (unless OPENELB_NO_PROVISION=1), and so does CI (.ci/run).
#
# Idempotent and cached: Debian packages are installed only when missing (one dpkg query, no
# `apt-get update` otherwise); everything built or downloaded lives in
# ${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}, and each builder below returns at once when its
# result is there. Prints nothing when there is nothing to do; otherwise one line per step,
# with the seconds since the start.
#   Debian packages           apt-get (as root; bird/frr/containerd are not started as services)
#   kube-apiserver + etcd     test/harness/cluster/build-binaries.sh (cluster, net, editor); with --node
#                             also kubelet, kube-proxy, kube-controller-manager, kube-scheduler (node)
#   packet helper             runtime/native/build.sh (net, node)
#   code-server               test/harness/codeServer/install-code-server.sh (editor)
#   container images          test/harness/nodes/images/build-images.sh (node): pause, the look-alike of the
#                             runtime's default Node image, kube-proxy
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENELB_CACHE=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}

ALL=(unit lsp nvim cluster net node editor)
TIERS=("$@")
[[ ${#TIERS[@]} -gt 0 ]] || TIERS=("${ALL[@]}")

say() { echo "== provision [${SECONDS}s] $*"; }
die() { echo "provision: $*" >&2; exit 1; }

PKGS=() K8S='' HELPER='' CODE_SERVER='' IMAGES='' NEED_ROOT=''
for tier in "${TIERS[@]}"; do
  case $tier in
    unit | lsp) ;;
    nvim) PKGS+=(neovim) ;;
    cluster) K8S=${K8S:-apiserver}; PKGS+=(gcc libc6-dev) ;;   # gcc: `npm run build` makes the static helper
    net)
      K8S=${K8S:-apiserver}; HELPER=1
      PKGS+=(gobgpd bird2 frr iputils-arping iputils-ping iproute2 tcpdump ndisc6 openssl gcc libc6-dev python3) ;;
    editor)
      K8S=${K8S:-apiserver}; CODE_SERVER=1
      PKGS+=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep python3 make g++ build-essential) ;;
    node)
      K8S=node; HELPER=1; IMAGES=1; NEED_ROOT="the node tier (network namespaces, containerd, kubelet)"
      PKGS+=(containerd runc containernetworking-plugins iptables conntrack debootstrap jq curl openssl
             iproute2 iputils-arping ndisc6 gobgpd python3 util-linux gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross) ;;
    *) die "unknown tier '$tier' (tiers: ${ALL[*]})" ;;
  esac
done
if [[ -n $NEED_ROOT && $(id -u) -ne 0 ]]; then die "$NEED_ROOT needs root: run as root (sudo bash scripts/provision.sh node)"; fi

# step LABEL CMD...: runs a builder. Builders print their result path on stdout (dropped here) and
# progress on stderr, and nothing at all when their result is cached: the step's lines are printed
# only when the builder has something to say.
step() {
  local label=$1 t0=$SECONDS; shift
  if ! "$@" 2>&1 >/dev/null | {
    if IFS= read -r line; then
      echo "== provision [${t0}s] $label"; printf '%s\n' "$line"; cat
      say "$label: done in $((SECONDS - t0))s"
    fi
  }; then
    die "$label failed"
  fi
}

# --- Debian packages -----------------------------------------------------------------------------
if [[ ${#PKGS[@]} -gt 0 ]]; then
  mapfile -t PKGS < <(printf '%s\n' "${PKGS[@]}" | LC_ALL=C sort -u)
  # dpkg-query fails when it has never heard of a package; the packages it lists as "ii" are installed.
  installed=$( { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${PKGS[@]}" 2>/dev/null || true; } |
    awk '$1 == "ii" {print $2}' | LC_ALL=C sort -u)
  mapfile -t missing < <(LC_ALL=C comm -23 <(printf '%s\n' "${PKGS[@]}") <(echo "$installed"))
  if [[ ${#missing[@]} -gt 0 ]]; then
    [[ $(id -u) -eq 0 ]] || die "missing Debian packages (install them as root, or run this script as root): ${missing[*]}"
    say "Debian packages: ${missing[*]}"
    # Keep bird, frr and containerd from starting as services while they install; the tests start
    # their own. An existing policy-rc.d is put back afterwards.
    saved=
    if [[ -e /usr/sbin/policy-rc.d ]]; then saved=$(mktemp); cp -p /usr/sbin/policy-rc.d "$saved"; fi
    restore_policy() { if [[ -n $saved ]]; then mv -f "$saved" /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi; }
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    restore_policy
    trap - EXIT
    say "Debian packages: done"
  fi
fi

# --- builds and downloads, all cached ----------------------------------------------------------------
if [[ -n $K8S ]]; then
  command -v go >/dev/null || die "the Go toolchain is needed to build kube-apiserver and etcd (tiers ${TIERS[*]})"
  if [[ $K8S == node ]]; then
    step "Kubernetes node binaries + etcd (built from Go modules)" bash test/harness/cluster/build-binaries.sh --node
  else
    step "kube-apiserver + etcd (built from Go modules)" bash test/harness/cluster/build-binaries.sh
  fi
fi
[[ -z $HELPER ]] || step "packet helper" sh runtime/native/build.sh
# install-code-server.sh says so on stdout when it is already installed; its other output is progress.
[[ -z $CODE_SERVER ]] || step "code-server" bash -o pipefail -c 'bash test/harness/codeServer/install-code-server.sh | { grep --line-buffered -v " already installed in " || true; } >&2'
# The Node image is a look-alike of the runtime's default image, whose name lives in names.ts.
if [[ -n $IMAGES ]]; then
  NODE_IMAGE_REF=$(sed -n "s/^export const DEFAULT_IMAGE = '\(.*\)';.*/\1/p" runtime/src/ops/names.ts)
  [[ -n $NODE_IMAGE_REF ]] || die "DEFAULT_IMAGE not found in runtime/src/ops/names.ts"
  step "container images" bash test/harness/nodes/images/build-images.sh "$NODE_IMAGE_REF"
fi
