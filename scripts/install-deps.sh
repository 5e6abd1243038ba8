#!/usr/bin/env bash
# Installs the Debian packages shg-gateway needs, only those missing.
# chromium and chromium-driver run the browser tests (tests/browser/) headless.
set -euo pipefail
PACKAGES=(g++ cmake make pkg-config libboost1.81-dev libcurl4-openssl-dev libssl-dev
          libsqlite3-dev libtomlplusplus-dev libgtest-dev libgmock-dev curl openssl
          chromium chromium-driver)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
