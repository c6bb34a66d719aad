#!/usr/bin/env bash
# Installs code-server (the real VS Code workbench + Node extension host, served to a browser)
# into ${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}/code-server. Idempotent: a finished install
# leaves a stamp file and later runs return at once. Needs the Debian packages listed below
# (installed here with apt-get when missing) and the npm registry.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"   # newest line that runs on Node 20
CACHE="${OPENELB_CACHE:-$HOME/.cache/openelb-toolkit}"
D="$CACHE/code-server"
STAMP="$D/.installed-$VERSION"

if [[ -f "$STAMP" ]]; then
  echo "code-server $VERSION already installed in $D"
  exit 0
fi

PKGS=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium build-essential python3)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=; [[ $(id -u) -eq 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq   # a fresh machine has no package lists yet
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

export npm_config_yes=true   # node-pty's install script runs `npx node-gyp`
mkdir -p "$D"
cd "$D"
[[ -f package.json ]] || npm init -y >/dev/null
# code-server's own postinstall refuses root and downloads ripgrep: install without scripts, then
# rebuild the native modules by hand.
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm rebuild
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts && npm rebuild)

touch "$STAMP"
echo "code-server $VERSION installed in $D"
