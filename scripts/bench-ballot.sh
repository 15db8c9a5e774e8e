#!/usr/bin/env bash
# Benchmark (not a test) of the ballot hot path, in one run on this machine, Release build:
#   (a) redis-benchmark running budgetd's own ballot Lua script (as `budgetctl storage
#       cast-script` prints it, on the keys `budgetctl storage keys` names) with EVALSHA,
#       unpipelined, 64 connections, a random identity key per call: the storage ceiling;
#   (b) budget-loadtest in ballots-only mode against budgetd: sessions prepared untimed, then only
#       POST /api/v1/ballots timed at 64 connections (every guarantee on, outcome checked);
# each against a fresh redis-server with AOF `appendfsync always`, on loopback, in a temporary
# directory; prints ballots/s, p50 and p99 side by side and (b) as a percentage of (a).
# Target (issue 16): (b) >= 80 % of (a) with p99 < 10 ms, and budgetd's CPU per ballot no higher
# than redis-server's.
#
# Environment: CONNECTIONS (64), REDIS_REQUESTS (300000), BALLOTS (40000), THREADS (budgetd
# I/O threads, 2), BUILD_DIR (build-release), BUDGETD_LOG (/dev/null), PROFILE=1 to record
# perf-record budgetd during the timed ballots into $PROFILE_OUT ($BUILD_DIR/perf-budgetd.data),
# SKIP_BUILD=1 to use the binaries as they are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
connections=${CONNECTIONS:-64}
redis_requests=${REDIS_REQUESTS:-300000}
ballots=${BALLOTS:-40000}
threads=${THREADS:-2}
BIN_DIR=${BUILD_DIR:-build-release}

if [[ -z ${SKIP_BUILD:-} ]]; then
    cmake -S . -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=OFF >/dev/null
    cmake --build "$BIN_DIR" -j2 --target budgetd budgetctl budget_loadtest >/dev/null
fi
loadtest="$BIN_DIR/loadtest/budget-loadtest"

# shellcheck source=loadtest/engine-env.sh
source loadtest/engine-env.sh
perf_pid=""
lt_pid=""
nginx_pid=""
ceiling_pid=""
cleanup() {
    if [[ -n $ceiling_pid ]]; then kill "$ceiling_pid" 2>/dev/null || true; fi
    if [[ -n $lt_pid ]]; then kill "$lt_pid" 2>/dev/null || true; fi
    if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
    if [[ -n $perf_pid ]]; then kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true; fi
    engine_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "busiest processes before the run:"
top -bn1 -o %CPU | sed -n '8,12p'
echo

engine_start 10 "$threads"
# The ballot script and shard 0's keys, as budgetd uses them (its storage layer says which).
storage_key() {
    "$BIN_DIR/server/budgetctl" --config "$ENGINE_WORK/budget.toml" storage keys |
        awk -v name="$1" '$1 == name {print $2}'
}
voted_prefix=$(storage_key voted_markers:0)
voted_prefix=${voted_prefix%\*}
log_key=$(storage_key ballot_log:0)
receipts_key=$(storage_key receipts:0)
stats_key=$(storage_key ballot_stats:0)
claims_key=$(storage_key ballot_claims:0)

# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_delta() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.1f", (n > 0) ? (1e6 * (b - a) / n) : 0}'; }

# (h) The HTTP ceiling: nginx serving a receipt-sized static file on loopback, same connections.
nginx_dir="$ENGINE_WORK/nginx"
mkdir -p "$nginx_dir/www"
# nginx's workers run as an unprivileged user: they must be able to read the file (else every
# answer is a 403, and the "ceiling" would measure refusals).
chmod 755 "$ENGINE_WORK" "$nginx_dir" "$nginx_dir/www"
printf '{"receipt":{"ballot_id":"%032d","ballot_hash":"%064d","cast_at":"2026-09-01T12:00:00+02:00"}}' 0 0 \
    >"$nginx_dir/www/receipt.json"
nginx_port=$(engine_free_port)
cat >"$nginx_dir/nginx.conf" <<NGINX
worker_processes 1;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $nginx_dir;
    server { listen 127.0.0.1:$nginx_port; root $nginx_dir/www; }
}
NGINX
nginx -c "$nginx_dir/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/receipt.json" && break
    sleep 0.05
done
curl -fs -o /dev/null "http://127.0.0.1:$nginx_port/receipt.json" ||
    { echo "nginx did not start:" >&2; cat "$nginx_dir/error.log" >&2; exit 2; }
wrk_out=$(wrk -t1 -c"$connections" -d"${NGINX_SECONDS:-5}s" --latency "http://127.0.0.1:$nginx_port/receipt.json")
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}'; }
nginx_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$wrk_out")
nginx_p50=$(awk '$1=="50%" {print $2}' <<<"$wrk_out" | to_ms)
nginx_p99=$(awk '$1=="99%" {print $2}' <<<"$wrk_out" | to_ms)
kill "$nginx_pid" 2>/dev/null || true
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

# (a) The same script, as the server sends it.
script=$("$BIN_DIR/server/budgetctl" storage cast-script)
[[ -n $script ]] || { echo "budgetctl storage cast-script printed nothing" >&2; exit 2; }
# Its own redis-server, same settings as the engine's, stopped before (b): a Redis that holds
# (a)'s 300,000 ballots would rewrite its AOF (fork, tens of MB) during (b), on the same 2 cores.
ceiling_dir="$ENGINE_WORK/ceiling"
mkdir -p "$ceiling_dir"
ceiling_port=$(engine_free_port)
redis-server --port "$ceiling_port" --bind 127.0.0.1 --dir "$ceiling_dir" --save "" \
    --appendonly yes --appendfsync always --daemonize no --logfile "$ceiling_dir/redis.log" &
ceiling_pid=$!
ceiling_cli() { redis-cli -h 127.0.0.1 -p "$ceiling_port" "$@"; }
for _ in $(seq 100); do ceiling_cli PING >/dev/null 2>&1 && break; sleep 0.05; done
sha=$(ceiling_cli SCRIPT LOAD "$script")
# redis-benchmark replaces every __rand_int__ in every argument with a fresh 12-digit number
# (-r sets the range, an int: 2*10^9 leaves ~20 collisions in 300,000 calls): one new identity
# key, one new 32-character ballot id and six new claims (40 hex digits each, as
# api::IdentityKeyring makes them; the first is the primary) per call. Every key carries the
# {c<campaign>:b0} tag. The three empty arguments are the retry's (no Idempotency-Key); "email"
# is the sign-in method the voted marker records with the day (ARGV[8], before the claims).
ballot='{"ballot_id":"0123456789abcdef0123456789abcdef","choices":["i-02","i-05","i-09"]}'
redis_cpu0=$(cpu_of "$ceiling_pid")
redis_csv=$(timeout 60 redis-benchmark -h 127.0.0.1 -p "$ceiling_port" -c "$connections" \
    -n "$redis_requests" -r 2000000000 --csv \
    EVALSHA "$sha" 5 "${voted_prefix}0123456789abcdef0123456789__rand_int__" "$log_key" \
    "$receipts_key" "$stats_key" "$claims_key" \
    "$ballot" "b0123456789abcdef0123__rand_int__" 2026-09-15 arrageois "" "" "" email \
    0123456789abcdef0123456789__rand_int__ 0123456789abcdef0123456789__rand_int__ \
    0123456789abcdef0123456789__rand_int__ 0123456789abcdef0123456789__rand_int__ \
    0123456789abcdef0123456789__rand_int__ 0123456789abcdef0123456789__rand_int__)
redis_cpu1=$(cpu_of "$ceiling_pid")
# "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms",
# "max_latency_ms"; the test name holds the ballot's commas, so count fields from the end.
read -r redis_rps redis_p50 redis_p99 < <(tail -1 <<<"$redis_csv" | tr -d '"' |
    awk -F, '{print $(NF-6), $(NF-3), $(NF-1)}')
stored=$(ceiling_cli LLEN "$log_key")
kill "$ceiling_pid" 2>/dev/null || true
wait "$ceiling_pid" 2>/dev/null || true
ceiling_pid=""
echo "(a) redis-benchmark: $redis_requests calls, $stored ballots in the log (the rest: identity" \
    "collisions, refused as already voted); redis-server CPU $(cpu_delta "$redis_cpu0" \
    "$redis_cpu1" "$redis_requests") us/call"

# (b) budgetd end to end. The load generator says when the timed phase starts and ends, so that
# CPU use (and the optional profile) covers the ballots only.
profile_out=${PROFILE_OUT:-$BIN_DIR/perf-budgetd.data}
summary="$ENGINE_WORK/loadtest-summary.txt"
lt_out="$ENGINE_WORK/loadtest.out"
timeout 180 "$loadtest" --scenario loadtest/scenarios/ballots-only.toml --url "$BUDGETD_URL" \
    --outbox "$OUTBOX" --redis "$REDIS_URL" --campaign "$CAMPAIGN" --choices "$BALLOT_IDS" \
    --residents "$ballots" --connections "$connections" --summary "$summary" --quiet \
    >"$lt_out" 2>&1 &
lt_pid=$!
wait_for() {
    until grep -q "$1" "$lt_out" 2>/dev/null || ! kill -0 "$lt_pid" 2>/dev/null; do sleep 0.02; done
}
wait_for "sessions ready"
lt_child=$(pgrep -P "$lt_pid" | head -1)  # the load generator itself, under timeout
lt_child=${lt_child:-$lt_pid}
redis_stat() { engine_redis_cli INFO stats | tr -d '\r' | awk -F: -v k="$1" '$1 == k {print $2}'; }
# Scripts run, not commands: those a script calls count as commands too.
redis_scripts() {
    engine_redis_cli INFO commandstats | tr -d '\r' |
        awk -F'[:=,]' '$1 == "cmdstat_evalsha" || $1 == "cmdstat_eval" {n += $3} END {print n + 0}'
}
redis_reads0=$(redis_stat total_reads_processed)
redis_commands0=$(redis_scripts)
budgetd_cpu0=$(cpu_of "$BUDGETD_PID")
redis_cpu0=$(cpu_of "$REDIS_PID")
loadtest_cpu0=$(cpu_of "$lt_child")
if [[ -n ${PROFILE:-} ]]; then
    perf record --call-graph dwarf,16384 -F 1999 -p "$BUDGETD_PID" -o "$profile_out" \
        >/dev/null 2>&1 &
    perf_pid=$!
fi
wait_for "ballots done"
budgetd_cpu1=$(cpu_of "$BUDGETD_PID")
redis_cpu1=$(cpu_of "$REDIS_PID")
redis_reads1=$(redis_stat total_reads_processed)
redis_commands1=$(redis_scripts)
loadtest_cpu1=$(cpu_of "$lt_child")
if [[ -n $perf_pid ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=""
    echo "perf profile of budgetd during the ballots: $profile_out (perf report -i $profile_out)"
fi
lt_status=0
wait "$lt_pid" || lt_status=$?
if [[ $lt_status -ne 0 || ! -s $summary ]]; then
    cat "$lt_out"
    echo "budget-loadtest failed (status $lt_status)" >&2
    exit 1
fi
grep -E "^ballots-only phase|VERDICT" "$lt_out"
value() { awk -F= -v k="$1" '$1 == k {print $2}' "$summary"; }
budgetd_rps=$(value ballots_per_s)
budgetd_p50=$(value ballot_p50_ms)
budgetd_p99=$(value ballot_p99_ms)

echo
printf '%-58s %12s %10s %10s\n' "ballot path, $connections connections, AOF always" "ballots/s" "p50 ms" \
    "p99 ms"
printf '%-58s %12.0f %10.2f %10.2f\n' "(a) redis-benchmark EVALSHA kCastBallot (storage ceiling)" \
    "$redis_rps" "$redis_p50" "$redis_p99"
printf '%-58s %12.0f %10.2f %10.2f\n' "(h) nginx static file, wrk (HTTP ceiling)" \
    "$nginx_rps" "$nginx_p50" "$nginx_p99"
printf '%-58s %12.0f %10.2f %10.2f\n' "(b) budgetd POST /api/v1/ballots (budget-loadtest)" \
    "$budgetd_rps" "$budgetd_p50" "$budgetd_p99"
lower=$(awk -v a="$redis_rps" -v h="$nginx_rps" 'BEGIN {print (h > 0 && h < a) ? h : a}')
echo "(b) / lower ceiling ($lower/s) = $(awk -v b="$budgetd_rps" -v l="$lower" 'BEGIN {printf "%.1f", (l > 0) ? (100 * b / l) : 0}') %"
ratio=$(awk -v b="$budgetd_rps" -v a="$redis_rps" 'BEGIN {printf "%.1f", (a > 0) ? (100 * b / a) : 0}')
met=$(awk -v r="$ratio" -v p="$budgetd_p99" 'BEGIN {print (r >= 80 && p < 10) ? "yes" : "no"}')
echo "(b) / (a) = $ratio %   (target: >= 80 % with p99 < 10 ms: $met)"
n=$(value ballots)
budgetd_us=$(cpu_delta "$budgetd_cpu0" "$budgetd_cpu1" "$n")
redis_us=$(cpu_delta "$redis_cpu0" "$redis_cpu1" "$n")
echo "CPU per ballot during (b): budgetd $budgetd_us us, redis-server $redis_us us," \
    "budget-loadtest $(cpu_delta "$loadtest_cpu0" "$loadtest_cpu1" "$n") us (target: budgetd <=" \
    "redis-server: $(awk -v b="$budgetd_us" -v r="$redis_us" 'BEGIN {print (b <= r) ? "yes" : "no"}'))"
# Redis reads a socket once per batch of commands: how many ballots budgetd's connections carry
# per write (redis-benchmark without -P: one).
echo "Redis scripts per socket read during (b): $(awk -v c="$((redis_commands1 - redis_commands0))" \
    -v r="$((redis_reads1 - redis_reads0))" 'BEGIN {printf "%.2f", (r > 0) ? c / r : 0}')"
echo "budgetd threads: $threads; load generator and redis-benchmark share the same $(nproc) cores"
echo "load average after: $(uptime | sed 's/.*load average: //')"
