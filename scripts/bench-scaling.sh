#!/usr/bin/env bash
# Benchmark (not a test): the scaling curve of the ballot path over a Redis Cluster, for machines
# bigger than this one. Each step gets a fresh loopback cluster of 3 masters + 3 replicas (AOF
# `appendfsync always` everywhere, loadtest/cluster-env.sh), then:
#   - the "loops" series: one budgetd with 1, 2, 4, 8, 16 event loops ([server] threads),
#     budget-loadtest straight to it;
#   - the "processes" series: 1, 2, 4, 8, 16 budgetd processes (LOOPS_PER_PROCESS loops each)
#     behind nginx on loopback (round robin, keep-alive to the upstreams);
# and for each step prints, from the same cluster in the same run:
#   - budget-loadtest in ballots-only mode (sessions prepared untimed, then only
#     POST /api/v1/ballots timed, every guarantee on, outcome checked in Redis): ballots/s, p50, p99;
#   - the storage ceiling: redis-benchmark running budgetd's own ballot script (`budgetctl
#     storage cast-script`, EVALSHA, unpipelined) on the keys of one ballot shard per master
#     (`budgetctl storage keys`: a shard's keys share one hash tag, so one slot, so one master), one
#     redis-benchmark per master side by side, CONNECTIONS split between them: all their calls
#     over the wall time of the whole parallel run, and the worst master's p50 and p99. Half
#     the calls run just before the load generator starts, half just after it ends, on the keys
#     of another campaign (so that budgetd never reads them back): "drift" says how far apart
#     the two halves are, i.e. how much the machine's load moved during the step;
#   - budgetd's ballots/s as a percentage of that ceiling, and the CPU per ballot of budgetd (all
#     processes), of the redis-servers (all six nodes) and of the load generator (one thread)
#     during the timed ballots.
# A step needing more event loops (all processes together) than 2 x the cores is printed as
# "skipped: needs N cores" unless the series was given explicitly.
#
# Environment: STEPS (loop counts, "1 2 4 8 16"; "" for none), PROCESSES (process counts,
# "1 2 4 8 16"; "" for none) — a series given explicitly runs every step even if the machine is
# too small; LOOPS_PER_PROCESS (1), BALLOTS (6000 per step), CONNECTIONS (64), REDIS_REQUESTS
# (calls of the ceiling per master, 15000), WAIT_REPLICAS (0: redis-benchmark cannot send WAIT
# after each call, so the ceiling and budgetd compare like with like; 1 measures the deployment's
# guarantee, see docs/performance.md), BALLOT_SHARDS (16), NGINX_WORKERS (auto), BUILD_DIR
# (build-release), SKIP_BUILD=1 to use the binaries as they are, KEEP_WORK=1 to keep the files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ballots=${BALLOTS:-6000}
connections=${CONNECTIONS:-64}
redis_requests=${REDIS_REQUESTS:-15000}
loops_per_process=${LOOPS_PER_PROCESS:-1}
BIN_DIR=${BUILD_DIR:-build-release}
export WAIT_REPLICAS=${WAIT_REPLICAS:-0}
export NGINX_WORKERS=${NGINX_WORKERS:-auto}
cores=$(nproc)
max_loops=$((2 * cores))
loop_steps=${STEPS-1 2 4 8 16}
process_steps=${PROCESSES-1 2 4 8 16}
[[ -n ${STEPS+x} ]] && force_loops=1 || force_loops=""
[[ -n ${PROCESSES+x} ]] && force_processes=1 || force_processes=""

if [[ -z ${SKIP_BUILD:-} ]]; then
    cmake -S . -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BIN_DIR" -j2 --target budgetd budgetctl budget_loadtest >/dev/null
fi
loadtest="$BIN_DIR/loadtest/budget-loadtest"
budgetctl="$BIN_DIR/server/budgetctl"

# shellcheck source=loadtest/cluster-env.sh
source loadtest/cluster-env.sh
lt_pid=""
bench_pids=()
cleanup() {
    local pid
    for pid in $lt_pid "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    lt_pid=""
    bench_pids=()
    cluster_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# CPU seconds (user + system) a process has used so far; of several processes, their sum.
cpu_of() {
    local hz total=0 pid
    hz=$(getconf CLK_TCK)
    for pid in "$@"; do
        total=$(awk -v hz="$hz" -v t="$total" '{print t + ($14 + $15) / hz}' "/proc/$pid/stat" \
            2>/dev/null || echo "$total")
    done
    echo "$total"
}
per_ballot_us() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.0f", (n > 0) ? 1e6 * (b - a) / n : 0}'; }

# The ceiling, on the running cluster: one redis-benchmark per master, on the keys of the first
# ballot shard that master serves. The keys are those of another campaign ("ceiling"), served by
# the same masters as budgetd's shards but never in the log budgetd reads back and the load
# generator checks; 64 shards of it, so that every master surely serves one. Half the calls run
# just before the load generator starts, half just after it ends: on a shared machine the load
# changes within a step, and the two halves say by how much.
ceiling_prepare() {
    sed -e 's/^id = .*/id = "ceiling"/' -e 's/^ballot_shards = .*/ballot_shards = 64/' \
        "$CLUSTER_WORK/budgetd-0/budget.toml" >"$CLUSTER_WORK/ceiling.toml"
    ceiling_script=$("$budgetctl" storage cast-script)
    [[ -n $ceiling_script ]] || { echo "budgetctl storage cast-script printed nothing" >&2; return 1; }
    ceiling_keys=$("$budgetctl" --config "$CLUSTER_WORK/ceiling.toml" storage keys)
    ceiling_shard_of_master=()
    local shard slot master
    local masters
    masters=$(cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER NODES | grep -c master)
    for ((shard = 0; shard < 64 && ${#ceiling_shard_of_master[@]} < masters; shard++)); do
        slot=$(cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER KEYSLOT "$(ceiling_key "ballot_log:$shard")")
        master=$(cluster_master_of_slot "$slot")
        [[ -n $master && -z ${ceiling_shard_of_master[$master]:-} ]] &&
            ceiling_shard_of_master[$master]=$shard
    done
    ceiling_calls=0
    ceiling_seconds=0
    ceiling_p50=0
    ceiling_p99=0
    ceiling_rates=()
}
declare -A ceiling_shard_of_master=()
ceiling_key() { awk -v name="$1" '$1 == name {print $2}' <<<"$ceiling_keys"; }

# ceiling_half CALLS_PER_MASTER: adds a run to ceiling_calls, ceiling_seconds, ceiling_rates and
# the worst p50 and p99 so far.
ceiling_half() {
    local calls=$1
    local masters=("${!ceiling_shard_of_master[@]}")
    local per_master=$(((connections + ${#masters[@]} - 1) / ${#masters[@]}))
    # As in scripts/bench-ballot.sh: redis-benchmark replaces every __rand_int__ with a fresh
    # 12-digit number, so each call casts a new ballot for a new identity with six new claims;
    # the three empty arguments are the retry's (no Idempotency-Key), then the sign-in method.
    local ballot='{"ballot_id":"0123456789abcdef0123456789abcdef","choices":["i-02","i-05","i-09"]}'
    local r=0123456789abcdef0123456789__rand_int__ shard master prefix sha before=0 after=0
    for master in "${masters[@]}"; do
        before=$((before + $(cluster_cli "$master" LLEN \
            "$(ceiling_key "ballot_log:${ceiling_shard_of_master[$master]}")")))
    done
    bench_pids=()
    local started finished
    started=$(date +%s.%N)
    for master in "${masters[@]}"; do
        shard=${ceiling_shard_of_master[$master]}
        prefix=$(ceiling_key "voted_markers:$shard")
        prefix=${prefix%\*}
        sha=$(cluster_cli "$master" SCRIPT LOAD "$ceiling_script")
        timeout 120 redis-benchmark -h 127.0.0.1 -p "$master" -c "$per_master" -n "$calls" \
            -r 2000000000 --csv \
            EVALSHA "$sha" 5 "$prefix$r" "$(ceiling_key "ballot_log:$shard")" \
            "$(ceiling_key "receipts:$shard")" "$(ceiling_key "ballot_stats:$shard")" \
            "$(ceiling_key "ballot_claims:$shard")" \
            "$ballot" "b0123456789abcdef0123__rand_int__" 2026-09-15 arrageois "" "" "" email \
            "$r" "$r" "$r" "$r" "$r" "$r" >"$CLUSTER_WORK/ceiling-$master.csv" 2>&1 &
        bench_pids+=($!)
    done
    local pid failed=0
    for pid in "${bench_pids[@]}"; do wait "$pid" || failed=1; done
    finished=$(date +%s.%N)
    bench_pids=()
    [[ $failed == 0 ]] || { cat "$CLUSTER_WORK"/ceiling-*.csv >&2; return 1; }
    # Each call must have stored a ballot (a few identity collisions aside): a script whose
    # arguments changed would make redis-benchmark measure errors.
    for master in "${masters[@]}"; do
        after=$((after + $(cluster_cli "$master" LLEN \
            "$(ceiling_key "ballot_log:${ceiling_shard_of_master[$master]}")")))
    done
    local total=$((calls * ${#masters[@]}))
    if (((after - before) < total * 9 / 10)); then
        echo "the ceiling stored $((after - before)) ballots of $total calls: the cast script's" \
            "arguments changed? (compare with scripts/bench-ballot.sh)" >&2
        tail -3 "$CLUSTER_WORK"/ceiling-*.csv >&2
        return 1
    fi
    # Calls/s of the cluster: every call over the wall time of the whole parallel run (the sum
    # of each redis-benchmark's own rate would count the end, when the first ones are done and
    # the last run alone on the cores, as if it were shared). Latency: the worst master's.
    ceiling_calls=$((ceiling_calls + total))
    local seconds
    seconds=$(awk -v a="$started" -v b="$finished" 'BEGIN {printf "%.6f", b - a}')
    ceiling_seconds=$(awk -v s="$ceiling_seconds" -v d="$seconds" 'BEGIN {printf "%.6f", s + d}')
    ceiling_rates+=("$(awk -v n="$total" -v d="$seconds" 'BEGIN {printf "%.0f", (d > 0) ? n / d : 0}')")
    # "test","rps","avg","min","p50","p95","p99","max" (ms); the test name holds the ballot's
    # commas, so count fields from the end.
    read -r ceiling_p50 ceiling_p99 < <(for f in "$CLUSTER_WORK"/ceiling-*.csv; do
        tail -1 "$f" | tr -d '"' | awk -F, '{print $(NF-3), $(NF-1)}'
    done | awk -v p50="$ceiling_p50" -v p99="$ceiling_p99" \
        '{if ($1 > p50) p50 = $1; if ($2 > p99) p99 = $2} END {printf "%.2f %.2f\n", p50, p99}')
}

# run_step PROCESSES LOOPS_EACH LABEL: one line of the curve.
results=()
saturated=()
run_step() {
    local processes=$1 loops=$2 label=$3
    cluster_start
    BUDGETD_THREADS=$loops budgetd_start "$processes"
    local url="http://127.0.0.1:${BUDGETD_PORTS[0]}"
    if [[ $label == *nginx* ]]; then
        nginx_start
        url=$NGINX_URL
    fi
    ceiling_prepare
    ceiling_half $((redis_requests / 2))
    local summary="$CLUSTER_WORK/summary.txt" out="$CLUSTER_WORK/loadtest.out"
    timeout 300 "$loadtest" --scenario loadtest/scenarios/ballots-only.toml --url "$url" \
        --outbox "$OUTBOX" --redis "redis://127.0.0.1:${CLUSTER_PORTS[0]}" \
        --campaign "$CAMPAIGN" --choices "$BALLOT_IDS" --set target.ballot_shards="$BALLOT_SHARDS" \
        --residents "$ballots" --connections "$connections" --summary "$summary" --quiet \
        >"$out" 2>&1 &
    lt_pid=$!
    wait_for() {
        until grep -q "$1" "$out" 2>/dev/null || ! kill -0 "$lt_pid" 2>/dev/null; do sleep 0.02; done
    }
    wait_for "sessions ready"
    local generator budgetd0 redis0 generator0 budgetd1 redis1 generator1
    generator=$(pgrep -P "$lt_pid" | head -1 || true)  # the load generator itself, under timeout
    generator=${generator:-$lt_pid}
    budgetd0=$(cpu_of "${BUDGETD_PIDS[@]}")
    redis0=$(cpu_of "${CLUSTER_PIDS[@]}")
    generator0=$(cpu_of "$generator")
    wait_for "ballots done"
    budgetd1=$(cpu_of "${BUDGETD_PIDS[@]}")
    redis1=$(cpu_of "${CLUSTER_PIDS[@]}")
    generator1=$(cpu_of "$generator")
    local status=0
    wait "$lt_pid" || status=$?
    lt_pid=""
    if [[ $status -ne 0 || ! -s $summary ]]; then
        cat "$out" >&2
        echo "budget-loadtest failed (status $status) at step: $label" >&2
        return 1
    fi
    value() { awk -F= -v k="$1" '$1 == k {print $2}' "$summary"; }
    local rps p50 p99 n
    rps=$(value ballots_per_s)
    p50=$(value ballot_p50_ms)
    p99=$(value ballot_p99_ms)
    n=$(value ballots)
    ceiling_half $((redis_requests - redis_requests / 2))
    local ceiling_rps percent drift
    ceiling_rps=$(awk -v n="$ceiling_calls" -v s="$ceiling_seconds" \
        'BEGIN {printf "%.0f", (s > 0) ? n / s : 0}')
    # How far the two halves of the ceiling are apart, in % of the larger: the machine's noise.
    drift=$(awk -v a="${ceiling_rates[0]}" -v b="${ceiling_rates[1]}" \
        'BEGIN {m = (a > b) ? a : b; d = (a > b) ? a - b : b - a; printf "%.0f", (m > 0) ? 100 * d / m : 0}')
    percent=$(awk -v b="$rps" -v a="$ceiling_rps" 'BEGIN {printf "%.0f", (a > 0) ? 100 * b / a : 0}')
    local generator_us
    generator_us=$(per_ballot_us "$generator0" "$generator1" "$n")
    results+=("$(printf '%-34s %9.0f %7.2f %7.2f | %9.0f %7.2f %7.2f %5s | %5s %% | %6s %6s %6s' \
        "$label" "$rps" "$p50" "$p99" "$ceiling_rps" "$ceiling_p50" "$ceiling_p99" "$drift%" \
        "$percent" \
        "$(per_ballot_us "$budgetd0" "$budgetd1" "$n")" "$(per_ballot_us "$redis0" "$redis1" "$n")" \
        "$generator_us")")
    echo "${results[-1]}"
    # One thread drives the load: near a whole core, it is the generator that is measured.
    if awk -v us="$generator_us" -v r="$rps" 'BEGIN {exit !(us * r >= 0.9e6)}'; then
        saturated+=("$label")
    fi
    cluster_cleanup
}

header() {
    printf '%-34s %9s %7s %7s | %9s %7s %7s %5s | %7s | %20s\n' "" "budgetd" "" "" \
        "ceiling" "" "" "" "" "CPU us per ballot"
    printf '%-34s %9s %7s %7s | %9s %7s %7s %5s | %7s | %6s %6s %6s\n' "step" "ballots/s" "p50 ms" \
        "p99 ms" "calls/s" "p50 ms" "p99 ms" "drift" "budgetd" "budgetd" "redis" "loadgen"
}

echo "machine: $cores cores; $(uptime | sed 's/.*load average/load average/')"
echo "busiest processes before the run:"
top -bn1 -o %CPU | sed -n '8,11p'
echo "cluster: 3 masters + 3 replicas, AOF always, ballot_shards $BALLOT_SHARDS, WAIT" \
    "$WAIT_REPLICAS; $ballots ballots per step at $connections connections; ceiling:" \
    "$redis_requests EVALSHA per master; nginx workers: $NGINX_WORKERS"
echo
header
plural() { if [[ $1 == 1 ]]; then echo "1 $2"; else echo "$1 ${2}s"; fi; }
for loops in $loop_steps; do
    label="1 budgetd, $(plural "$loops" loop)"
    if [[ -z $force_loops && $loops -gt $max_loops ]]; then
        results+=("$(printf '%-34s skipped: needs %d cores' "$label" \
            $(((loops + 1) / 2)))")
        echo "${results[-1]}"
        continue
    fi
    run_step 1 "$loops" "$label"
done
for processes in $process_steps; do
    total=$((processes * loops_per_process))
    label="$processes budgetd x $(plural "$loops_per_process" loop), nginx"
    if [[ -z $force_processes && $total -gt $max_loops ]]; then
        results+=("$(printf '%-34s skipped: needs %d cores' "$label" $(((total + 1) / 2)))")
        echo "${results[-1]}"
        continue
    fi
    run_step "$processes" "$loops_per_process" "$label"
done

echo
echo "summary (budgetd's ballots/s as a percentage of the cluster ceiling measured beside it):"
header
printf '%s\n' "${results[@]}"
echo "drift: how far the ceiling's two halves (just before and just after the load) are" \
    "apart; above 20 % the machine's load changed during the step: read that step with care"
if ((${#saturated[@]} > 0)); then
    echo "the load generator used >= 90 % of a core at: ${saturated[*]} (run several, or a" \
        "machine of its own, before reading those steps as budgetd's)"
fi
echo "load generator, budgetd, nginx and the six redis-servers share the same $cores cores:" \
    "on a bigger machine see docs/performance.md for how to read this curve"
echo "load average after: $(uptime | sed 's/.*load average: //')"
