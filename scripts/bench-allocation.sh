#!/usr/bin/env bash
# Benchmark (not a test): `budgetctl allocate --rule mes-completed` on every pabulib file of
# tests/data/pabulib, each timed as a whole process (start, reading, allocation, output) several
# times. Prints per file the best and median wall time, the pabutools time for the same rule
# (exact fractions, one core; from the README of the pabulib data set), the speed-up, and
# whether the file meets issue 16's targets: 1,000 times faster than pabutools and under 0.3 s.
#   RUNS=N (default 7)   runs per file
#   RULE=... (default mes-completed)
#   BUILD_DIR=... (default build-release; built here unless SKIP_BUILD=1, as the other benches)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build-release}
if [[ -z ${SKIP_BUILD:-} && "${NO_BUILD:-0}" != 1 ]]; then
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=ON >/dev/null
    CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")} \
        cmake --build "$build" -j"$(nproc)" --target budgetctl >/dev/null
fi
exec python3 - "$build/server/budgetctl" "${RUNS:-7}" "${RULE:-mes-completed}" <<'PY'
import glob, os, statistics, subprocess, sys, time

budgetctl, runs, rule = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# pabutools 1.2.3, exact fractions, one core of a 2-core machine, rule alone (parsing
# excluded): the mes-completed column of the data set's README.
PABUTOOLS = {
    "France_Toulouse_2022": 213.5,
    "Poland_Warszawa_2023_Wola": 339.4,
    "Poland_Warszawa_2020_Ursynow": 336.0,
    "Poland_Lodz_2020": 300.2,
    "Netherlands_Amsterdam_621": 74.9,
    "Poland_Wroclaw_2018": 31.5,
    "Poland_Warszawa_2017_Mlynow": 28.2,
    "Poland_Gdynia_2024": 26.3,
}
LIMIT = 0.3  # seconds, process start included

def run_once(path):
    start = time.perf_counter()
    done = subprocess.run([budgetctl, "allocate", "--rule", rule, "--pabulib", path],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{path}: exit {done.returncode}: {done.stderr.decode().strip()}")
    return elapsed

files = sorted(glob.glob("tests/data/pabulib/*.pb"))
print(f"budgetctl allocate --rule {rule}: {runs} runs per file, wall time of the whole process")
print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine skews the figures)")
header = f"{'file':42} {'best ms':>8} {'median':>8} {'pabutools s':>11} {'speed-up':>9}  targets"
print(header)
print("-" * len(header))
failures = []
for path in files:
    name = os.path.basename(path)[:-3]
    run_once(path)  # warm the page cache
    times = sorted(run_once(path) for _ in range(runs))
    best, median = times[0], statistics.median(times)
    reference = PABUTOOLS.get(name) if rule == "mes-completed" else None
    verdict = []
    if reference is not None:
        speedup = reference / best
        verdict.append("1000x ok" if speedup >= 1000 else "1000x MISSED")
        ref_text, speed_text = f"{reference:.1f}", f"{speedup:,.0f}x"
    else:
        ref_text, speed_text = "-", "-"
    verdict.append("0.3 s ok" if best < LIMIT else "0.3 s MISSED")
    if any("MISSED" in v for v in verdict):
        failures.append(name)
    print(f"{name:42} {best * 1000:8.1f} {median * 1000:8.1f} {ref_text:>11} {speed_text:>9}  "
          + ", ".join(verdict))
print(f"load average after: {os.getloadavg()[0]:.2f}")
if failures:
    print(f"targets missed (best run) by: {', '.join(failures)}")
else:
    print("every file meets its targets (best run)")
PY
