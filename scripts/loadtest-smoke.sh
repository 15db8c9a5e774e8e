#!/usr/bin/env bash
# Short vote-day load for the test suite (a few seconds): builds budgetd, budgetctl and
# budget-loadtest (Debug, in $BUILD_DIR, default build-test), starts redis-server (AOF always) and
# budgetd on loopback in a temporary directory, plays loadtest/scenarios/smoke.toml — a few
# hundred residents with wrong codes, invalid and duplicate ballots mixed in — prints the report,
# and exits non-zero when an answer or the outcome in Redis is not the expected one.
# SCENARIO=FILE plays another scenario; SKIP_BUILD=1 uses the binaries as they are (CTest);
# LOAD_TIMEOUT (seconds, default 60) bounds the load; extra arguments go to budget-loadtest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BIN_DIR=${BUILD_DIR:-build-test}
scenario=${SCENARIO:-loadtest/scenarios/smoke.toml}

if [[ -z ${SKIP_BUILD:-} ]]; then
    if [[ ! -f $BIN_DIR/CMakeCache.txt ]]; then
        cmake -S . -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Debug >/dev/null
    fi
    cmake --build "$BIN_DIR" -j2 --target budgetd budgetctl budget_loadtest >/dev/null
fi

# shellcheck source=loadtest/engine-env.sh
source loadtest/engine-env.sh
trap engine_cleanup EXIT
trap 'exit 130' INT TERM

engine_start 10 2
status=0
timeout "${LOAD_TIMEOUT:-60}" "$BIN_DIR/loadtest/budget-loadtest" --scenario "$scenario" --url "$BUDGETD_URL" \
    --outbox "$OUTBOX" --redis "$REDIS_URL" --campaign "$CAMPAIGN" --quiet "$@" || status=$?
if [[ $status -ne 0 ]]; then
    echo "loadtest smoke: FAILED (status $status)" >&2
    exit "$status"
fi
echo "loadtest smoke: passed"
