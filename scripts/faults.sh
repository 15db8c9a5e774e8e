#!/usr/bin/env bash
# Fault injection against a real budgetd and redis-server on loopback (tests/faults/): kill -9
# budgetd, kill -9 redis-server (AOF, fsync always), Redis frozen 10 s, Redis refusing writes,
# slowloris and oversized requests — each while residents vote. Prints, per scenario, the
# acknowledged ballots against those found in the Redis log. Bounded: about a minute.
# The same test runs in ./scripts/test.sh (ctest label `faults`); this script runs it alone.
#
#   ./scripts/faults.sh                 every scenario
#   ./scripts/faults.sh "*SIGSTOP*"     one scenario (Catch2 test name pattern)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=${BUILD_DIR:-build-test}
if [ ! -d "$build" ]; then
    ./scripts/install-deps.sh
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DBUDGET_WERROR=ON -DBUDGET_SANITIZE=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target fault_injection_tests budgetd budgetctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/tests/faults/fault_injection_tests" --durations yes "$@"
