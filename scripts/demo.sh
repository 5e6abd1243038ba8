#!/usr/bin/env bash
# The demo command: installs what is missing, builds, loads the demo data
# into demo/shg-demo.db (once), starts the local fake SMS provider on
# 127.0.0.1:9090 (it prints every SMS the gateway sends and sends delivery
# reports back; it also plays the demo MFI partner "Imara Microfinance") and
# starts the gateway on 127.0.0.1:8080.
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
  # Staff: an admin who signs in to the dashboard (a password made here,
  # kept in demo/, never committed) and holds an API token for curl.
  (umask 077 && openssl rand -base64 15 | tr -d '/+=' > demo/admin-password)
  build/gateway/shg-gateway staff add --name admin --display-name "Programme admin" \
    --role admin --password-stdin --config config/demo.toml < demo/admin-password
  build/gateway/shg-gateway token create --staff admin --name demo --config config/demo.toml |
    tail -n 1 > demo/admin-token
  chmod 600 demo/admin-token
fi
# The fake provider stands in for Africa's Talking, Twilio, Kannel and Hubtel
# (config/demo.toml points every channel's send API at it) and for the MFI
# partner Imara (its [[mfi_partners]] entry); it stops with us.
build/gateway/shg-gateway fake-provider --listen 127.0.0.1:9090 \
  --gateway http://127.0.0.1:8080 --config config/demo.toml &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null || true' EXIT

cat <<'MSG'

  Demo ready. SMS the gateway sends appear below as "fake-provider: ..." lines.

  Staff dashboard: http://127.0.0.1:8080/staff/  sign in as "admin" with the
  password in demo/admin-password. Staff API (token in demo/admin-token):
    curl -s -H "Authorization: Bearer $(cat demo/admin-token)" http://127.0.0.1:8080/api/v1/groups/1

  In another terminal, play a feature phone (every demo PIN is 2580):

    build/gateway/shg-gateway phone --url http://127.0.0.1:8080 --channel at-ke --phone +254700000001

  +254700000001 Amina (member)      +254700000002 Wanjiru (treasurer)
  +254700000003 Grace (chair)       +254700000004 Faith (no PIN yet: creates one)
  +254700000005 Mary                +254700000006 Halima (Kiswahili)
  +254700000007 Rose and Joy share this phone

  Or with curl:
    curl -s -d 'sessionId=s1&serviceCode=*384*7%23&phoneNumber=%2B254700000001&text=' \
         http://127.0.0.1:8080/channels/at-ke/ussd

  An SMS command (the balance reply appears as a fake-provider line):
    curl -s -d 'from=%2B254700000006&to=22384&text=SALIO&id=demo-1' \
         http://127.0.0.1:8080/channels/at-ke/sms

  Kannel-style inbound SMS:
    curl -s 'http://127.0.0.1:8080/channels/kannel-demo/sms?id=k1&from=%2B254700000001&text=BAL'

  A Hubtel-style USSD session (JSON, latest input only):
    curl -s -H 'Content-Type: application/json' -d '{"Type":"Initiation","SessionId":"h1",
      "Mobile":"254700000001","ServiceCode":"713*7","Message":"*713*7#","Sequence":1}' \
      http://127.0.0.1:8080/channels/hubtel-demo/ussd

  Outgoing SMS and their states:  build/gateway/shg-gateway outbox list --config config/demo.toml

  Walk a business loan (the fake provider also plays the MFI "Imara Microfinance"):
    1. Amina (+254700000001) dials, PIN 2580, 3 Request loan: 10000, 2 Bakery,
       2 (6 months: KES 1,756/month), she sees the cost (instalment, total
       KES 10,531, 18%/yr declining), 1 Continue, 1 Confirm (consent): she
       gets a reference, e.g. Ref K7P2QX.
    2. Grace (+254700000003, chair) dials, 8 Group tasks, 2 Loan requests,
       1 (Amina), 1 Approve: the referral appears below as a "fake-mfi: imara
       received referral K7P2QX ..." line.
    3. Imara approves and pays out (each call is signed like a real partner's):
         build/gateway/shg-gateway partner-demo approve K7P2QX --config config/demo.toml
         build/gateway/shg-gateway partner-demo disburse K7P2QX --config config/demo.toml
    4. Amina sees the outstanding and her next instalment under 4 My loan; a
       repayment Imara received:
         build/gateway/shg-gateway partner-demo repay K7P2QX --amount 1756 \
           --config config/demo.toml
    Staff view:  build/gateway/shg-gateway loans show K7P2QX --config config/demo.toml

  A locked PIN: Mary (+254700000005) enters a wrong PIN 3 times; Wanjiru
  (+254700000002, treasurer) dials, 8 Group tasks, 4 Reset a PIN, 1, 1: the
  one-time PIN appears as a fake-provider SMS line; Mary dials, enters it
  and chooses a new PIN.

MSG
echo "  Dashboard sign-in: admin / $(cat demo/admin-password)"
echo
build/gateway/shg-gateway serve --config config/demo.toml
