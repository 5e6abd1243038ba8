#!/usr/bin/env bash
# bench/run.sh: end-to-end USSD benchmark of shg-gateway on this machine.
#
#   1. builds shg-gateway and shg-bench (build dir `build`, configured if missing),
#   2. creates a fresh demo database in a temporary directory,
#   3. starts `shg-gateway serve` on a free loopback port and waits for /healthz,
#   4. runs shg-bench (Africa's Talking USSD sessions: 70% balance, 30% save),
#   5. stops the server with SIGTERM and prints the figures, nproc and the
#      SQLite synchronous mode.
#
# Usage: bench/run.sh            (from anywhere; paths are relative to the repo)
# Environment (all optional):
#   CONNECTIONS=64   concurrent keep-alive connections of shg-bench
#   DURATION=10      measured seconds      WARMUP=2   seconds before measuring
#   MEMBERS=10000    members in the demo database
#   SYNCHRONOUS=     FULL | NORMAL | OFF: passed as `serve --synchronous`;
#                    empty = whatever config/demo.toml says
#   SAVE_RATIO=0.3   share of save sessions
#   PHONE_FIRST=+254700000021  PHONES=MEMBERS-30   phone range shg-bench uses
#                    (must avoid phones shared by several members)
#   CHANNEL=at-ke    KEY=  (the channel's ?key= secret, if the config needs one)
#   PORT=18080       first port tried; the next free one is used
#   THREADS=1        shg-bench threads     JOBS=2   build parallelism
#   SERVER_THREADS=  HTTP threads of the gateway (`serve --threads`); empty = config
#   CONFIG=config/demo.toml   KEEP_DB=1 keeps the temporary directory
#   BUILD=build      build directory       SKIP_BUILD=1 uses the binaries as they are
#   FAKE=1           also run `shg-gateway fake-provider` on 127.0.0.1:9090 (where
#                    config/demo.toml sends SMS), so each save's receipt is sent
#                    and its delivery report comes back during the run; FAKE=0
#                    leaves the receipts failing to connect and retrying
#   SHG_PIN_PEPPER   generated with `openssl rand -hex 32` when unset
#   BACKEND=sqlite   or postgresql: a throwaway PostgreSQL server (scripts/pg-cluster.sh,
#                    in the temporary directory, as the postgres user) holds the database
#   INSTANCES=1      PostgreSQL only: 2 starts two gateways on one database and nginx
#                    balancing between them; shg-bench then talks to nginx
#   PG_PORT=55499    the throwaway PostgreSQL server's port    POOL=4  store pool size
# Exit status: shg-bench's (0 = no errors), or 1 when setup fails.
set -euo pipefail

cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
MEMBERS=${MEMBERS:-10000}
SYNCHRONOUS=${SYNCHRONOUS:-}
SAVE_RATIO=${SAVE_RATIO:-0.3}
PHONE_FIRST=${PHONE_FIRST:-+254700000021}
# The demo loader puts 30 hand-written members on phones ...001-...020 (some
# phones shared) and generates the other MEMBERS-30 on consecutive phones
# from +254700000021 on (domain/demo.cc).
PHONES=${PHONES:-$((MEMBERS - 30))}
CHANNEL=${CHANNEL:-at-ke}
KEY=${KEY:-}
PORT=${PORT:-18080}
THREADS=${THREADS:-1}
SERVER_THREADS=${SERVER_THREADS:-}
JOBS=${JOBS:-2}
CONFIG=${CONFIG:-config/demo.toml}
BACKEND=${BACKEND:-sqlite}
INSTANCES=${INSTANCES:-1}
PG_PORT=${PG_PORT:-55499}
POOL=${POOL:-4}
BUILD=${BUILD:-build}
GATEWAY=$BUILD/gateway/shg-gateway
BENCH=$BUILD/bench/shg-bench

log() { printf '[run.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$BACKEND/$INSTANCES" in
  sqlite/1|postgresql/1|postgresql/2) ;;
  *) die "BACKEND=sqlite (1 instance) or postgresql (INSTANCES=1 or 2), got $BACKEND/$INSTANCES" ;;
esac
case "$SYNCHRONOUS" in
  ""|FULL|NORMAL|OFF) ;;
  *) die "SYNCHRONOUS must be FULL, NORMAL or OFF (got '$SYNCHRONOUS')" ;;
esac
command -v curl >/dev/null || die "curl is required"
command -v openssl >/dev/null || die "openssl is required"

# --- 1. build -----------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    log "configuring $BUILD"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  log "building shg-gateway and shg-bench (-j$JOBS)"
  cmake --build "$BUILD" -j"$JOBS" --target shg-gateway shg-bench
fi
[[ -x $GATEWAY && -x $BENCH ]] || die "missing $GATEWAY or $BENCH"

# --- 2. fresh database --------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shg-bench.XXXXXX")
DB=$WORK/bench.db
SERVER_LOG=$WORK/server.log
SERVER_PID=
SERVER2_PID=
NGINX_PID=
FAKE_PID=

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  if [[ -n $FAKE_PID ]]; then kill -TERM "$FAKE_PID" 2>/dev/null || true; fi
  if [[ -n $NGINX_PID ]]; then kill -TERM "$NGINX_PID" 2>/dev/null || true; fi
  if [[ -n $SERVER2_PID ]]; then kill -TERM "$SERVER2_PID" 2>/dev/null || true; wait "$SERVER2_PID" 2>/dev/null || true; fi
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ $BACKEND == postgresql ]]; then bash scripts/pg-cluster.sh destroy "$WORK/pg" >/dev/null 2>&1 || true; fi
  if [[ ${KEEP_DB:-0} == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

if [[ -z ${SHG_PIN_PEPPER:-} ]]; then
  SHG_PIN_PEPPER=$(openssl rand -hex 32)
  log "generated a throwaway SHG_PIN_PEPPER"
fi
export SHG_PIN_PEPPER

if [[ $BACKEND == postgresql ]]; then
  chmod 755 "$WORK"
  # Durable like SQLite's FULL: fsync and synchronous commits on.
  PG_DURABLE=1 bash scripts/pg-cluster.sh start "$WORK/pg" "$PG_PORT" >/dev/null ||
    die "cannot start PostgreSQL"
  export SHG_STORE_PASSWORD
  SHG_STORE_PASSWORD=$(cat "$WORK/pg/shg-password")
  PGPASSWORD=$SHG_STORE_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U shg -d postgres -q \
    -c "CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'" || die "cannot create the database"
  # The demo's configuration on PostgreSQL (as scripts/cluster-demo.sh).
  sed -e '/^\[store\]/,/^\[/{/^path =/d;/^synchronous =/d;/^max_batch =/d}' \
      -e "s|^\[store\]|[store]\nbackend = \"postgresql\"\nurl = \"postgresql://shg@127.0.0.1:$PG_PORT/bench\"\npool_size = $POOL|" \
      "$CONFIG" > "$WORK/config.toml"
  CONFIG=$WORK/config.toml
  DB_ARGS=()
  log "creating demo database ($MEMBERS members) on PostgreSQL 127.0.0.1:$PG_PORT"
else
  DB_ARGS=(--db "$DB")
  log "creating demo database ($MEMBERS members) in $DB"
fi
"$GATEWAY" demo "${DB_ARGS[@]}" --members "$MEMBERS" --config "$CONFIG" >"$WORK/demo.log" 2>&1 ||
  { tail -n 20 "$WORK/demo.log" >&2; die "shg-gateway demo failed"; }

# --- 3. server ----------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((i = 0; i < 100; i++)); do
  port_in_use "$PORT" || break
  PORT=$((PORT + 1))
done
port_in_use "$PORT" && die "no free port found"

if [[ ${FAKE:-1} == 1 ]]; then
  port_in_use 9090 && die "port 9090 (the demo's fake provider) is taken; FAKE=0 to skip it"
  "$GATEWAY" fake-provider --listen 127.0.0.1:9090 --gateway "http://127.0.0.1:$PORT" \
    --config "$CONFIG" >"$WORK/fake.log" 2>&1 &
  FAKE_PID=$!
fi

SERVE_ARGS=(serve --config "$CONFIG" "${DB_ARGS[@]}" --listen "127.0.0.1:$PORT")
[ -n "$SERVER_THREADS" ] && SERVE_ARGS+=(--threads "$SERVER_THREADS")
[[ -n $SYNCHRONOUS ]] && SERVE_ARGS+=(--synchronous "$SYNCHRONOUS")
log "starting $GATEWAY ${SERVE_ARGS[*]}"
"$GATEWAY" "${SERVE_ARGS[@]}" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

for ((i = 0; i < 300; i++)); do  # up to 30 s
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$SERVER_LOG" >&2
    SERVER_PID=
    die "the server exited during start-up"
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT/healthz" || true)
  [[ $code == 200 ]] && break
  sleep 0.1
done
[[ ${code:-} == 200 ]] || { tail -n 30 "$SERVER_LOG" >&2; die "/healthz did not answer 200 within 30 s"; }
log "server up on 127.0.0.1:$PORT (pid $SERVER_PID)"
TARGET_PORT=$PORT
if [[ $INSTANCES == 2 ]]; then
  PORT2=$((PORT + 1)); LB_PORT=$((PORT + 2))
  SERVE2_ARGS=()
  for a in "${SERVE_ARGS[@]}"; do
    [[ $a == "127.0.0.1:$PORT" ]] && a="127.0.0.1:$PORT2"
    SERVE2_ARGS+=("$a")
  done
  "$GATEWAY" "${SERVE2_ARGS[@]}" >"$WORK/server2.log" 2>&1 &
  SERVER2_PID=$!
  bash scripts/nginx-lb.sh "$WORK/nginx" "$LB_PORT" "$PORT" "$PORT2" &
  NGINX_PID=$!
  for ((i = 0; i < 300; i++)); do
    c2=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$PORT2/healthz" || true)
    c3=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$LB_PORT/healthz" || true)
    [[ $c2 == 200 && $c3 == 200 ]] && break
    sleep 0.1
  done
  [[ $c2 == 200 && $c3 == 200 ]] || die "the second instance or nginx did not come up"
  log "second instance on 127.0.0.1:$PORT2, nginx on 127.0.0.1:$LB_PORT"
  TARGET_PORT=$LB_PORT
fi

# --- 4. load ------------------------------------------------------------------
BENCH_ARGS=(--url "http://127.0.0.1:$TARGET_PORT" --channel "$CHANNEL" --connections "$CONNECTIONS"
  --duration "$DURATION" --warmup "$WARMUP" --threads "$THREADS" --save-ratio "$SAVE_RATIO"
  --phone-first "$PHONE_FIRST" --phones "$PHONES" --json)
[[ -n $KEY ]] && BENCH_ARGS+=(--key "$KEY")
# CPU time (user+system ticks) of every live process by command name, so
# the report can say where the time went during the load.
cpu_by_comm() {
  for stat in /proc/[0-9]*/stat; do
    read -r line < "$stat" 2>/dev/null || continue
    comm=${line#*(}; comm=${comm%%)*}
    rest=${line##*) }
    set -- $rest
    echo "$comm $(( ${12} + ${13} ))"
  done | awk '{t[$1] += $2} END {for (c in t) print c, t[c]}'
}
cpu_by_comm > "$WORK/cpu.before"
log "running shg-bench: $CONNECTIONS connections, ${WARMUP}s warmup + ${DURATION}s"
set +e
"$BENCH" "${BENCH_ARGS[@]}" >"$WORK/bench.json" 2>"$WORK/bench.txt"
BENCH_RC=$?
set -e

cpu_by_comm > "$WORK/cpu.after"
# Each instance's store counters (jobs, retries after conflicts, pool waits).
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^shg_store_(jobs|pool_wait)' > "$WORK/store.metrics" || true
if [[ -n $SERVER2_PID ]]; then
  curl -s "http://127.0.0.1:$PORT2/metrics" | grep -E '^shg_store_(jobs|pool_wait)' | sed 's/^/(2) /' >> "$WORK/store.metrics" || true
fi

# --- 5. stop and report -------------------------------------------------------
log "stopping the server (SIGTERM)"
kill -TERM "$SERVER_PID" 2>/dev/null || true
for ((i = 0; i < 150; i++)); do  # up to 15 s for a graceful stop
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$SERVER_PID" 2>/dev/null; then
  log "server still running after 15 s; SIGKILL"
  kill -KILL "$SERVER_PID" 2>/dev/null || true
fi
SERVER_RC=0
wait "$SERVER_PID" 2>/dev/null || SERVER_RC=$?
SERVER_PID=
if [[ -n $SERVER2_PID ]]; then kill -TERM "$SERVER2_PID" 2>/dev/null || true; wait "$SERVER2_PID" 2>/dev/null || true; SERVER2_PID=; fi
# PostgreSQL: the tables scanned whole during the run (a missing index
# shows here); read after the servers stopped, so their statistics are in.
if [[ $BACKEND == postgresql ]]; then
  PGPASSWORD=$SHG_STORE_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U shg -d bench -qAt -F ' ' -c \
    "SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0) FROM pg_stat_user_tables
     WHERE seq_tup_read > 0 ORDER BY seq_tup_read DESC LIMIT 6" > "$WORK/seqscans" 2>/dev/null || true
  [[ -s $WORK/seqscans ]] || echo "none" > "$WORK/seqscans"
fi

if [[ -n $SYNCHRONOUS ]]; then
  SYNC_SHOWN="$SYNCHRONOUS (--synchronous)"
else
  from_config=$(sed -n 's/^[[:space:]]*synchronous[[:space:]]*=[[:space:]]*"\{0,1\}\([A-Za-z]*\)"\{0,1\}.*/\1/p' "$CONFIG" 2>/dev/null | head -n 1)
  SYNC_SHOWN="${from_config:-server default} (from $CONFIG)"
fi

echo "== shg-gateway USSD benchmark =="
echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "revision:    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "nproc:       $(nproc)"
echo "cpu:         $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
if [[ $BACKEND == postgresql ]]; then
  echo "store:       postgresql (fsync and synchronous_commit on), $INSTANCES instance(s), pool $POOL"
else
  echo "synchronous: $SYNC_SHOWN"
fi
echo "members:     $MEMBERS (phones $PHONE_FIRST + $PHONES)"
echo "server exit: $SERVER_RC after SIGTERM"
if [[ -n $FAKE_PID ]]; then
  echo "sms sent:    $(grep -c '^fake-provider: ' "$WORK/fake.log" || true) receipts reached the fake provider"
fi
cat "$WORK/bench.txt"
# Processes that started during the run count from zero.
TICKS=$(getconf CLK_TCK)
echo "cpu seconds during the run (warmup included), by process:"
awk -v hz="$TICKS" 'NR == FNR {before[$1] = $2; next}
  {d = $2 - before[$1]; if (d > 0 && ($1 ~ /^(shg-gateway|shg-bench|postgres|nginx)$/)) printf "  %-12s %6.2f\n", $1, d / hz}' \
  "$WORK/cpu.before" "$WORK/cpu.after"
if [[ -s $WORK/seqscans ]]; then
  echo "postgresql tables read by sequential scan (table, scans, rows read, index scans):"
  sed 's/^/  /' "$WORK/seqscans"
fi
echo "store counters at the end (per instance):"
sed 's/^/  /' "$WORK/store.metrics"
echo "json: $(cat "$WORK/bench.json")"
if [[ $BENCH_RC -ne 0 ]]; then
  log "shg-bench exited with $BENCH_RC (errors or no responses); server log tail:"
  tail -n 20 "$SERVER_LOG" >&2
fi
exit "$BENCH_RC"
