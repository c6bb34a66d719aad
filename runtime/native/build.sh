#!/bin/sh
# Builds the AF_PACKET + rtnetlink helper used by the speaker's layer2 and vip modes.
#
#   build.sh
#     output: ${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}/bin/openelb-packet-helper (this
#     machine's libc; used by the net tests), also copied to dist/openelb-packet-helper when
#     dist/ exists.
#   build.sh --static OUTDIR
#     output: OUTDIR/openelb-packet-helper-amd64 and, when a compiler for it is installed,
#     OUTDIR/openelb-packet-helper-arm64: statically linked and stripped, so they run on any
#     Linux image (the runtime ships them to the speaker pods). amd64 is required.
#     Cross compilers: gcc-x86-64-linux-gnu / gcc-aarch64-linux-gnu + libc6-dev-<arch>-cross.
#
# Rebuilds only when a source, the header or this script is newer than the binary. Needs gcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# One binary: the AF_PACKET helper and its rtnetlink subcommands (netlink.c, for vip mode).
srcs="$here/packet-helper.c $here/netlink.c"
deps="$srcs $here/netlink.h $0"
cflags="-O2 -Wall -Wextra -Werror -std=c11 -D_FORTIFY_SOURCE=2 -fstack-protector-strong"

# newer_than OUT: whether a source, the header or this script changed since OUT was built.
newer_than() {
  for f in $deps; do [ "$f" -nt "$1" ] && return 0; done
  return 1
}

# compile CC OUT [EXTRA FLAGS...]: builds to a temporary name and renames, so a concurrent run
# never sees half a binary.
compile() {
  cc=$1 out=$2; shift 2
  if [ -x "$out" ] && ! newer_than "$out"; then return 0; fi
  # shellcheck disable=SC2086
  "$cc" $cflags "$@" -o "$out.tmp.$$" $srcs
  mv -f "$out.tmp.$$" "$out"
}

# compiler_for ARCH: the native gcc on a machine of that architecture, else its Debian cross gcc.
compiler_for() {
  case "$1" in amd64) machine=x86_64 ;; arm64) machine=aarch64 ;; esac
  if [ "$(uname -m)" = "$machine" ] && command -v gcc >/dev/null 2>&1; then echo gcc; return 0; fi
  if command -v "$machine-linux-gnu-gcc" >/dev/null 2>&1; then echo "$machine-linux-gnu-gcc"; return 0; fi
  return 1
}

if [ "${1:-}" = "--static" ]; then
  outdir=${2:?usage: build.sh --static OUTDIR}
  mkdir -p "$outdir"
  for arch in amd64 arm64; do
    if cc=$(compiler_for "$arch"); then
      compile "$cc" "$outdir/openelb-packet-helper-$arch" -static -s
      echo "$outdir/openelb-packet-helper-$arch"
    elif [ "$arch" = amd64 ]; then
      echo "build.sh: no compiler for amd64 (apt-get install gcc libc6-dev, or gcc-x86-64-linux-gnu libc6-dev-amd64-cross)" >&2
      exit 1
    else
      echo "build.sh: skipping $arch: no $arch compiler (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2
    fi
  done
  exit 0
fi

command -v gcc >/dev/null 2>&1 || { echo "build.sh: gcc not found (apt-get install gcc libc6-dev)" >&2; exit 1; }
cache=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}
out="$cache/bin/openelb-packet-helper"
mkdir -p "$cache/bin"
compile gcc "$out"
if [ -d "$root/dist" ]; then cp -f "$out" "$root/dist/openelb-packet-helper"; fi
echo "$out"
