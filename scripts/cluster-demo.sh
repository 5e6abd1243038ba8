#!/usr/bin/env bash
# The demo on several servers' worth of parts, on this machine: a PostgreSQL
# server (run as the `postgres` user in demo/cluster/pg, never as root), the
# demo programme copied into it from the SQLite demo with `migrate-store`
# (ledger checked), two gateway instances (127.0.0.1:8081 and :8082) on that
# one database, and nginx on 127.0.0.1:8080 balancing between them. The fake
# provider (127.0.0.1:9090) and the phone simulator talk to nginx, so a
# session's steps land on either instance. Ctrl-C stops everything.
#
#   bash scripts/cluster-demo.sh
#   build/gateway/shg-gateway phone --url http://127.0.0.1:8080 --channel at-ke --phone +254700000001
#
# Each instance's metrics (store retries, pool waits): curl 127.0.0.1:8081/metrics
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh --target shg-gateway
GW=build/gateway/shg-gateway
DIR=demo/cluster
PG_PORT="${PG_PORT:-55433}"
mkdir -p "$DIR" demo
chmod 755 demo "$DIR"

# The SQLite demo (demo/shg-demo.db, staff admin, token) as scripts/demo.sh makes it.
if [ ! -s demo/pepper ]; then
  (umask 077 && openssl rand -hex 32 > demo/pepper)
fi
if [ ! -f demo/shg-demo.db ]; then
  "$GW" demo --config config/demo.toml --members "${DEMO_MEMBERS:-30}"
  (umask 077 && openssl rand -base64 15 | tr -d '/+=' > demo/admin-password)
  "$GW" staff add --name admin --display-name "Programme admin" \
    --role admin --password-stdin --config config/demo.toml < demo/admin-password
  "$GW" token create --staff admin --name demo --config config/demo.toml | tail -n 1 > demo/admin-token
  chmod 600 demo/admin-token
fi

# PostgreSQL in a folder of its own; role shg with a generated password.
PG_DURABLE=1 bash scripts/pg-cluster.sh start "$DIR/pg" "$PG_PORT" >/dev/null
PASSWORD_FILE="$DIR/pg/shg-password"
export SHG_STORE_PASSWORD
SHG_STORE_PASSWORD="$(cat "$PASSWORD_FILE")"
URL="postgresql://shg@127.0.0.1:$PG_PORT/shg_demo"
if ! PGPASSWORD="$SHG_STORE_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U shg -d postgres -qAt \
    -c "SELECT 1 FROM pg_database WHERE datname = 'shg_demo'" | grep -q 1; then
  PGPASSWORD="$SHG_STORE_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U shg -d postgres -q \
    -c "CREATE DATABASE shg_demo TEMPLATE template0 ENCODING 'UTF8'"
  # The live SQLite programme, copied with its ids; ledger checked on arrival.
  "$GW" migrate-store --from sqlite:demo/shg-demo.db --to "$URL" --password-file "$PASSWORD_FILE"
fi

# The instances' configuration: the demo's, on PostgreSQL.
sed -e '/^\[store\]/,/^\[/{/^path =/d;/^synchronous =/d;/^max_batch =/d}' \
    -e "s|^\[store\]|[store]\nbackend = \"postgresql\"\nurl = \"$URL\"\npassword_file = \"$PASSWORD_FILE\"\npool_size = 4|" \
    config/demo.toml > "$DIR/cluster.toml"

pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/pg-cluster.sh stop "$DIR/pg" || true
}
trap stop EXIT

"$GW" serve --config "$DIR/cluster.toml" --listen 127.0.0.1:8081 > "$DIR/gateway-a.log" 2>&1 &
pids+=($!)
"$GW" serve --config "$DIR/cluster.toml" --listen 127.0.0.1:8082 > "$DIR/gateway-b.log" 2>&1 &
pids+=($!)
bash scripts/nginx-lb.sh "$DIR/nginx" 8080 8081 8082 &
pids+=($!)
for port in 8081 8082 8080; do
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
"$GW" fake-provider --listen 127.0.0.1:9090 --gateway http://127.0.0.1:8080 \
  --config "$DIR/cluster.toml" &
pids+=($!)

cat <<MSG

  Cluster demo ready: nginx on 127.0.0.1:8080 -> gateways on :8081 and :8082,
  one PostgreSQL database ($URL, server in $DIR/pg).
  Logs: $DIR/gateway-a.log, $DIR/gateway-b.log. Metrics per instance:
    curl -s 127.0.0.1:8081/metrics | grep shg_store_

  Play a feature phone through nginx (every demo PIN is 2580):
    build/gateway/shg-gateway phone --url http://127.0.0.1:8080 --channel at-ke --phone +254700000001

  Staff dashboard: http://127.0.0.1:8080/staff/ (admin, password in demo/admin-password).
  Ctrl-C stops the instances, nginx, the fake provider and PostgreSQL.
MSG
wait
