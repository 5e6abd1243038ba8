#!/usr/bin/env bash
# bench/api.sh: staff API benchmark of shg-gateway on this machine, with wrk
# (Debian package `wrk`, installed when missing) on loopback:
#
#   1. builds shg-gateway (unless SKIP_BUILD=1),
#   2. creates a fresh demo database of MEMBERS members, an admin and a token,
#   3. starts `shg-gateway serve` on a free loopback port,
#   4. runs wrk for DURATION seconds on each of:
#        lookup   GET /api/v1/members?phone=<random member's phone>
#        summary  GET /api/v1/groups/1   (members, savings, funds, pending, loans by state)
#        member   GET /api/v1/members/<random id>  (profile, balances, training, loan)
#   5. prints requests/s and latency percentiles of each.
#
# Environment (all optional): MEMBERS=10000 DURATION=10 CONNECTIONS=16 WRK_THREADS=1
#   PORT=18090 CONFIG=config/gateway.example.toml BUILD=build SKIP_BUILD=1
# The API allows
# api_requests_per_minute per token (600 by default), so this script serves
# with a config that lifts it (a copy of CONFIG with the [staff] limit raised).
set -euo pipefail
cd "$(dirname "$0")/.."

MEMBERS=${MEMBERS:-10000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-1}
PORT=${PORT:-18090}
CONFIG=${CONFIG:-config/gateway.example.toml}
BUILD=${BUILD:-build}
GATEWAY=$BUILD/gateway/shg-gateway

log() { printf '[api.sh] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v wrk >/dev/null || {
  log "installing wrk"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y -qq wrk >/dev/null
}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  [[ -f $BUILD/CMakeCache.txt ]] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" -j2 --target shg-gateway
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shg-api-bench.XXXXXX")
SERVER_PID=
cleanup() {
  [[ -n $SERVER_PID ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export SHG_PIN_PEPPER=${SHG_PIN_PEPPER:-$(openssl rand -hex 32)}
DB=$WORK/api.db
if grep -q '^api_requests_per_minute' "$CONFIG"; then
  sed 's/^api_requests_per_minute = .*/api_requests_per_minute = 1000000/' "$CONFIG" > "$WORK/config.toml"
else
  { cat "$CONFIG"; printf '\n[staff]\napi_requests_per_minute = 1000000\n'; } > "$WORK/config.toml"
fi
# The config names its own catalogue and paths relative to the repository.
ARGS=(--config "$WORK/config.toml" --db "$DB")
log "creating demo database ($MEMBERS members)"
"$GATEWAY" demo "${ARGS[@]}" --members "$MEMBERS" >/dev/null
"$GATEWAY" staff add --name bench --role admin "${ARGS[@]}" >/dev/null
TOKEN=$("$GATEWAY" token create --staff bench "${ARGS[@]}" | tail -n 1)

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while port_in_use "$PORT"; do PORT=$((PORT + 1)); done
"$GATEWAY" serve "${ARGS[@]}" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for ((i = 0; i < 300; i++)); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz" || true) == 200 ]] && break
  sleep 0.1
done

# Random members: the generated demo members are on consecutive phones from
# +254700000021 (domain/demo.cc) and ids 1..MEMBERS.
cat > "$WORK/lookup.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
  local n = 21 + math.random(0, $MEMBERS - 31)
  return wrk.format("GET", string.format("/api/v1/members?phone=%%2B2547%08d", n))
end
LUA
cat > "$WORK/member.lua" <<LUA
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
  return wrk.format("GET", "/api/v1/members/" .. math.random(1, $MEMBERS))
end
LUA
cat > "$WORK/summary.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
# A sanity check that each answers 200 before measuring.
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/members?phone=%2B254700000021" >/dev/null ||
  die "member lookup did not answer 200"

echo "== shg-gateway staff API benchmark =="
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "revision: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "nproc:    $(nproc); members: $MEMBERS; wrk: $WRK_THREADS thread(s), $CONNECTIONS connections, ${DURATION}s"
for name in lookup summary member; do
  path=/
  [[ $name == summary ]] && path=/api/v1/groups/1
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/$name.lua" \
        "http://127.0.0.1:$PORT$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-8s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
done
