#!/usr/bin/env bash
# Benchmark (not a test): GET /api/v1/health on budgetd (Release, real Redis) against nginx
# serving a static file, both on loopback, measured with wrk in one run. Prints req/s, p50, p99.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}

./scripts/install-deps.sh >/dev/null
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target budgetd >/dev/null

work=$(mktemp -d)
cleanup() {
    [[ -n ${budgetd_pid:-} ]] && kill "$budgetd_pid" 2>/dev/null || true
    [[ -n ${nginx_pid:-} ]] && kill "$nginx_pid" 2>/dev/null || true
    [[ -n ${redis_pid:-} ]] && kill "$redis_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --daemonize no --logfile "$work/redis.log" &
redis_pid=$!

nginx_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
# nginx's workers run as an unprivileged user: they must be able to read the file.
chmod 755 "$work" "$work/www"
echo '{"status":"ok"}' > "$work/www/health.json"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!

budgetd_port=$(free_port)
cat > "$work/budget.toml" <<TOML
[server]
listen = "127.0.0.1:$budgetd_port"
threads = 1
[redis]
url = "redis://127.0.0.1:$redis_port"
[storage]
data_dir = "$work/data"
TOML
build-release/server/budgetctl --config "$work/budget.toml" keys init >/dev/null
build-release/server/budgetd --config "$work/budget.toml" 2>/dev/null &
budgetd_pid=$!
# Measured only once both answer 200 (budgetd's health needs Redis up too).
ready() {
    curl -fs -o /dev/null "http://127.0.0.1:$budgetd_port/api/v1/health" &&
        curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/health.json"
}
for _ in $(seq 100); do ready && break; sleep 0.1; done
ready || { echo "budgetd, Redis or nginx did not start (logs in $work)" >&2; exit 1; }

run() {
    local name=$1 url=$2
    local out
    out=$(wrk -t1 -c"$connections" -d"$duration" --latency "$url")
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    printf '%-40s %12s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99"
}
echo "wrk, $connections connections, $duration each, on $(nproc) cores (load generator shares them)"
run "nginx static file (ceiling)" "http://127.0.0.1:$nginx_port/health.json"
run "budgetd GET /api/v1/health (PING)" "http://127.0.0.1:$budgetd_port/api/v1/health"
