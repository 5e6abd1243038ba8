#!/usr/bin/env bash
# nginx balancing HTTP across gateway instances on loopback, for the cluster
# demo and the benchmark: writes DIR/nginx.conf and runs nginx in the
# foreground (exec: the caller's $! is nginx's pid; SIGTERM stops it).
#
#   scripts/nginx-lb.sh DIR LISTEN_PORT UPSTREAM_PORT...
#
# Listens on 127.0.0.1:LISTEN_PORT; keeps idle connections to the instances
# (HTTP/1.1 keep-alive) and moves a request that could not reach one to the
# next. No access log (the gateways log what matters); errors in
# DIR/logs/error.log. Every file nginx writes stays in DIR.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 DIR LISTEN_PORT UPSTREAM_PORT..." >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx not found (apt-get install nginx)" >&2; exit 1; }
dir="$(realpath -m "$1")"
listen="$2"
shift 2
servers=""
for port in "$@"; do servers+="    server 127.0.0.1:$port;"$'\n'; done
mkdir -p "$dir/logs"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream gateways {
$servers    keepalive 128;
  }
  server {
    listen 127.0.0.1:$listen;
    client_max_body_size 1m;
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout;
    }
  }
}
CONF
exec nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;'
