#!/usr/bin/env bash
# Benchmark (not a test) of scale-out: ballots/s through nginx with 1 and then 2 budgetd
# processes over a loopback Redis Cluster of 3 masters + 3 replicas (AOF always everywhere,
# ballot_shards 16, WAIT 1 replica before each receipt), Release build, printed side by side.
# Everything shares this machine's cores, so the figures show the shape of the scaling and the
# cost of the guarantees, not what separate hosts would give.
#
# Environment: BALLOTS (20000), CONNECTIONS (64), BUDGETD_THREADS (1 per process),
# WAIT_REPLICAS (1; 0 to measure without WAIT), BUILD_DIR (build-release), SKIP_BUILD=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ballots=${BALLOTS:-20000}
connections=${CONNECTIONS:-64}
BIN_DIR=${BUILD_DIR:-build-release}

if [[ -z ${SKIP_BUILD:-} ]]; then
    cmake -S . -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=OFF >/dev/null
    cmake --build "$BIN_DIR" -j2 --target budgetd budgetctl budget_loadtest >/dev/null
fi
loadtest="$BIN_DIR/loadtest/budget-loadtest"

# shellcheck source=loadtest/cluster-env.sh
source loadtest/cluster-env.sh
trap cluster_cleanup EXIT
trap 'exit 130' INT TERM

echo "machine: $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
declare -A rps p50 p99
for processes in 1 2; do
    cluster_start
    budgetd_start "$processes"
    nginx_start
    summary="$CLUSTER_WORK/summary.txt"
    timeout 300 "$loadtest" --scenario loadtest/scenarios/ballots-only.toml --url "$NGINX_URL" \
        --outbox "$OUTBOX" --redis "redis://127.0.0.1:${CLUSTER_PORTS[0]}" --campaign "$CAMPAIGN" \
        --set target.ballot_shards="$BALLOT_SHARDS" --residents "$ballots" \
        --connections "$connections" --summary "$summary" --quiet >"$CLUSTER_WORK/loadtest.out" 2>&1 ||
        { cat "$CLUSTER_WORK/loadtest.out"; exit 1; }
    grep -E "VERDICT" "$CLUSTER_WORK/loadtest.out" | sed "s/^/$processes budgetd: /"
    value() { awk -F= -v k="$1" '$1 == k {print $2}' "$summary"; }
    rps[$processes]=$(value ballots_per_s)
    p50[$processes]=$(value ballot_p50_ms)
    p99[$processes]=$(value ballot_p99_ms)
    cluster_cleanup
done

echo
printf '%-64s %10s %8s %8s\n' "ballots through nginx, $connections connections, cluster 3+3" "ballots/s" "p50 ms" "p99 ms"
for processes in 1 2; do
    printf '%-64s %10.0f %8.2f %8.2f\n' \
        "$processes budgetd (${BUDGETD_THREADS:-1} thread each), WAIT ${WAIT_REPLICAS:-1}, AOF always" \
        "${rps[$processes]}" "${p50[$processes]}" "${p99[$processes]}"
done
echo "load average after: $(uptime | sed 's/.*load average: //')"
