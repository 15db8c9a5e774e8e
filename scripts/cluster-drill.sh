#!/usr/bin/env bash
# Scale-out drill on loopback (issue 8): a Redis Cluster of 3 masters and 3 replicas (AOF always),
# two budgetd processes over it (ballot_shards 16, WAIT 1 replica before every receipt) and nginx
# in front. Residents verify and vote through nginx while
#   1. a replica takes over its master with CLUSTER FAILOVER (the planned way), then
#   2. another master is killed with kill -9 (the unplanned way) and restarted a few seconds
#      later (it rejoins as a replica of the node that replaced it).
# Afterwards the vote is closed and `budgetctl tally` reads every shard back. The drill fails
# unless every acknowledged ballot is in the tally and no identity voted twice.
#
#   ./scripts/cluster-drill.sh            the full drill (about a minute)
#   ./scripts/cluster-drill.sh --short    the short form run by ./scripts/test.sh (CTest)
#
# Environment: BUILD_DIR (build-test), SKIP_BUILD=1 to use the binaries as they are,
# KEEP_WORK=1 to keep the temporary directory (logs of every process).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BIN_DIR=${BUILD_DIR:-build-test}
short=0
[[ ${1:-} == --short ]] && short=1

if [[ -z ${SKIP_BUILD:-} ]]; then
    if [[ ! -f $BIN_DIR/CMakeCache.txt ]]; then
        ./scripts/install-deps.sh
        cmake -S . -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Debug >/dev/null
    fi
    cmake --build "$BIN_DIR" -j2 --target budgetd budgetctl budget_loadtest >/dev/null
fi
loadtest="$BIN_DIR/loadtest/budget-loadtest"

# shellcheck source=loadtest/cluster-env.sh
source loadtest/cluster-env.sh
lt_pid=""
cleanup() {
    if [[ -n $lt_pid ]]; then kill "$lt_pid" 2>/dev/null || true; fi
    cluster_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $short == 1 ]]; then
    residents=${RESIDENTS:-1200}
    rate=${RATE:-80}
else
    residents=${RESIDENTS:-6000}
    rate=${RATE:-150}
fi

cluster_start
budgetd_start 2
nginx_start
echo "cluster: masters ${CLUSTER_PORTS[*]:0:3}, replicas ${CLUSTER_PORTS[*]:3:3}; budgetd on ${BUDGETD_PORTS[*]}; nginx $NGINX_URL"

# The residents, through nginx. 503 and lost answers are expected while a master fails over: they
# are tolerated by the answer check, never by the outcome check. Like the page, a resident whose
# ballot got no clear answer sends it again with the same Idempotency-Key (up to 8 times, 0.5 s
# apart): a ballot that was in fact recorded comes back with its receipt.
"$loadtest" --scenario loadtest/scenarios/smoke.toml --url "$NGINX_URL" --outbox "$OUTBOX" \
    --redis "redis://127.0.0.1:${CLUSTER_PORTS[3]}" --campaign "$CAMPAIGN" \
    --residents "$residents" --rate "$rate" --connections 32 \
    --set target.ballot_shards="$BALLOT_SHARDS" --set check.tolerate_errors=true \
    --set scenario.timeout_ms=15000 --set ballot_retries=8 \
    --summary "$CLUSTER_WORK/summary.txt" --receipts "$CLUSTER_WORK/receipts.txt" --quiet \
    >"$CLUSTER_WORK/loadtest.txt" 2>&1 &
lt_pid=$!
load_seconds=$((residents / rate))

# 1. Planned failover: the replica of the master serving shard 0 takes over.
# Pacing, not a wait: a quarter of the load runs before the first fault.
sleep "$(awk -v s="$load_seconds" 'BEGIN {print s / 4}')"
config0="$CLUSTER_WORK/budgetd-0/budget.toml"
log0=$("$BIN_DIR/server/budgetctl" --config "$config0" storage keys | awk '$1 == "ballot_log:0" {print $2}')
slot0=$(cluster_cli "${CLUSTER_PORTS[0]}" CLUSTER KEYSLOT "$log0")
master0=$(cluster_master_of_slot "$slot0")
replica0=$(cluster_replicas_of "$master0" | head -1)
echo "failover 1: CLUSTER FAILOVER on $replica0 (replica of $master0, serving shard 0)"
cluster_cli "$replica0" CLUSTER FAILOVER >/dev/null
for _ in $(seq 100); do
    [[ $(cluster_master_of_slot "$slot0") == "$replica0" ]] && break
    sleep 0.1
done
[[ $(cluster_master_of_slot "$slot0") == "$replica0" ]] || { echo "CLUSTER FAILOVER did not happen" >&2; exit 1; }

# 2. Unplanned: kill -9 another master, and bring it back after a while.
# Pacing, not a wait: another quarter of the load runs between the two faults.
sleep "$(awk -v s="$load_seconds" 'BEGIN {print s / 4}')"
victim=""
for i in 0 1 2 3 4 5; do
    port=${CLUSTER_PORTS[$i]}
    [[ $port == "$replica0" || $port == "$master0" ]] && continue
    [[ $(cluster_cli "$port" ROLE | head -1) == master ]] && { victim=$i; break; }
done
victim_port=${CLUSTER_PORTS[$victim]}
echo "failover 2: kill -9 master $victim_port"
kill -KILL "${CLUSTER_PIDS[$victim]}"
wait "${CLUSTER_PIDS[$victim]}" 2>/dev/null || true
# The master stays down 3 s (past the node timeout): its replica is promoted under load.
sleep 3
cluster_node_start "$victim"
echo "           $victim_port restarted from its AOF; now $(cluster_cli "$victim_port" ROLE | head -1)"

status=0
wait "$lt_pid" || status=$?
lt_pid=""
cat "$CLUSTER_WORK/loadtest.txt"
if [[ $status -ne 0 ]]; then
    echo "cluster drill: FAILED (the load generator's checks, status $status)" >&2
    exit 1
fi
cluster_wait_ok

# Close the vote (the same config with a closing time in the past) and tally every shard.
closed="$CLUSTER_WORK/budgetd-0/closed.toml"
budgetd_config "$CLUSTER_WORK/budgetd-0/data" 0 "2020-01-02T00:00:00+01:00" >"$closed"
"$BIN_DIR/server/budgetctl" --config "$closed" tally --rule greedy --out "$CLUSTER_WORK/results" \
    >"$CLUSTER_WORK/tally.txt" 2>&1 || { cat "$CLUSTER_WORK/tally.txt" >&2; exit 1; }
head -1 "$CLUSTER_WORK/tally.txt"

# Every acknowledged ballot is in the tally's ballot export.
acknowledged=$(wc -l <"$CLUSTER_WORK/receipts.txt")
found=$(python3 - "$CLUSTER_WORK/results/ballots.json" "$CLUSTER_WORK/receipts.txt" <<'PY'
import json, sys
tallied = {b["ballot_id"] for b in json.load(open(sys.argv[1]))["ballots"]}
print(sum(1 for line in open(sys.argv[2]) if line.strip() in tallied))
PY
)
tallied=$(awk '/^tallied/ {print $2}' "$CLUSTER_WORK/tally.txt")

# One identity, one ballot: as many voted markers as ballots in the log, over all shards.
"$BIN_DIR/server/budgetctl" --config "$closed" storage ledger >"$CLUSTER_WORK/ledger.txt" ||
    { echo "cluster drill: cannot read the ledger" >&2; exit 1; }
markers=$(awk '$1 == "total:" {gsub(",", "", $5); print $5}' "$CLUSTER_WORK/ledger.txt")

echo "ballots acknowledged: $acknowledged; found in the tally after failover: $found; tallied: $tallied; identities marked as voted: $markers"
if [[ $found -ne $acknowledged ]]; then
    echo "cluster drill: FAILED ($((acknowledged - found)) acknowledged ballots missing from the tally)" >&2
    exit 1
fi
if [[ $markers -ne $tallied ]]; then
    echo "cluster drill: FAILED ($tallied ballots for $markers identities)" >&2
    exit 1
fi
echo "cluster drill: passed"
