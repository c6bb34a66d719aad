#!/bin/sh
# Builds the AF_PACKET helper used by the speaker's Layer2 mode.
#   output: ${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}/bin/openelb-packet-helper
#   also copied to dist/openelb-packet-helper when dist/ exists.
# Rebuilds only when the source is newer than the binary. Needs gcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}
out="$cache/bin/openelb-packet-helper"
src="$here/packet-helper.c"

command -v gcc >/dev/null 2>&1 || { echo "build.sh: gcc not found (apt-get install gcc libc6-dev)" >&2; exit 1; }
mkdir -p "$cache/bin"
if [ ! -x "$out" ] || [ "$src" -nt "$out" ] || [ "$0" -nt "$out" ]; then
  # Build to a temporary name and rename, so a concurrent run never sees half a binary.
  gcc -O2 -Wall -Wextra -Werror -std=c11 -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
    -o "$out.tmp.$$" "$src"
  mv -f "$out.tmp.$$" "$out"
fi
if [ -d "$root/dist" ]; then cp -f "$out" "$root/dist/openelb-packet-helper"; fi
echo "$out"
