#!/usr/bin/env bash
# Installs the Debian packages shg-gateway needs, only those missing.
# chromium and chromium-driver run the browser tests (tests/browser/) headless;
# libpq-dev builds the PostgreSQL backend, postgresql runs the tests' throwaway
# server (scripts/pg-cluster.sh) and nginx balances the cluster demo.
set -euo pipefail
PACKAGES=(g++ cmake make pkg-config libboost1.81-dev libcurl4-openssl-dev libssl-dev
          libsqlite3-dev libtomlplusplus-dev libgtest-dev libgmock-dev curl openssl
          chromium chromium-driver libpq-dev postgresql nginx)
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
# The project runs its own PostgreSQL servers (scripts/pg-cluster.sh): the
# package must not create and start a system-wide one.
if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
