#!/usr/bin/env bash
# A throwaway PostgreSQL server in a folder of its own, for the tests and the
# cluster demo. PostgreSQL refuses to run as root: when run as root the
# server runs as the `postgres` user (the Debian package creates it), and
# the folder belongs to that user.
#
#   scripts/pg-cluster.sh start DIR PORT   initdb (once) and start on 127.0.0.1:PORT;
#                                          prints the connection URL of role `shg`
#   scripts/pg-cluster.sh stop DIR         fast shutdown (leaves DIR)
#   scripts/pg-cluster.sh destroy DIR      stop and remove DIR
#
# PG_DURABLE=1 at the first start keeps PostgreSQL's fsync and synchronous
# commits (the benchmark, the cluster demo); without it the server skips
# them (test data only).
#
# The role `shg` (allowed to create databases, for the tests' throwaway
# ones) logs in over TCP with a password generated here and kept in
# DIR/shg-password (mode 600). The server listens on loopback only; its
# Unix socket is in DIR, so only the folder's owner reaches it.
set -euo pipefail
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|destroy DIR [PORT]" >&2; exit 2; }

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$bindir/pg_ctl" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    port="${3:?port}"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      # The superuser's password is never used (peer-less: local socket
      # trust inside the private folder); `shg` gets a real one.
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
      cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 128MB
max_locks_per_transaction = 128
max_pred_locks_per_transaction = 256
log_min_messages = warning
CONF
      if [ "${PG_DURABLE:-0}" != 1 ]; then
        # Throwaway test data: no fsync; no autovacuum (its workers on a test
        # database would hold up dropping it).
        printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nautovacuum = off\n' \
          >>"$dir/data/postgresql.conf"
      fi
      new_password=1
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { tail -n 30 "$dir/server.log" >&2; exit 1; }
    fi
    if [ "${new_password:-0}" = 1 ]; then
      password="$(openssl rand -hex 16)"
      as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE shg LOGIN CREATEDB PASSWORD '$password'" >/dev/null
      (umask 077 && printf '%s\n' "$password" > "$dir/shg-password")
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/shg-password"
      chmod 644 "$dir/shg-password"  # readable by the tests run as root or the owner
    fi
    echo "postgresql://shg:$(cat "$dir/shg-password")@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    exit 0
    ;;
  destroy)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|destroy DIR [PORT]" >&2
    exit 2
    ;;
esac
