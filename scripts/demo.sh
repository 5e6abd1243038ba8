#!/usr/bin/env bash
# The demo command: installs what is missing, builds, loads the demo data
# into demo/shg-demo.db (once) and starts the gateway on 127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh --target shg-gateway
mkdir -p demo
if [ ! -s demo/pepper ]; then
  # The PIN pepper is a secret: generated here, never committed (demo/ is ignored).
  (umask 077 && openssl rand -hex 32 > demo/pepper)
fi
if [ ! -f demo/shg-demo.db ]; then
  build/gateway/shg-gateway demo --config config/demo.toml --members "${DEMO_MEMBERS:-30}"
fi
cat <<'MSG'

  Demo ready. In another terminal, play a feature phone (every demo PIN is 2580):

    build/gateway/shg-gateway phone --url http://127.0.0.1:8080 --channel at-ke --phone +254700000001

  +254700000001 Amina (member)      +254700000002 Wanjiru (treasurer)
  +254700000003 Grace (chair)       +254700000004 Faith (no PIN yet: creates one)
  +254700000005 Mary                +254700000006 Halima (Kiswahili)
  +254700000007 Rose and Joy share this phone

  Or with curl:
    curl -s -d 'sessionId=s1&serviceCode=*384*7%23&phoneNumber=%2B254700000001&text=' \
         http://127.0.0.1:8080/channels/at-ke/ussd

MSG
exec build/gateway/shg-gateway serve --config config/demo.toml
