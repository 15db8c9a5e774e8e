#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan + coverage) and runs each
# for a bounded time on its committed seed corpus. Prints executions and crashes per target.
#
#   ./scripts/fuzz.sh                    every target, FUZZ_SECONDS (default 60) each
#   ./scripts/fuzz.sh pabulib router     only these targets
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 ./scripts/fuzz.sh
#
# New interesting inputs go to build-fuzz/corpus/<target>/ (not committed); crashes are kept in
# build-fuzz/crashes/<target>/. To turn a crash into a regression test, copy it to
# tests/fuzz/regressions/<target>/: the fuzz-replay tests of ./scripts/test.sh run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
all_targets=(ballot_json auth_json evaluation_answers questionnaire_toml pabulib config router results_verify)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# clang 16 (Debian bookworm): clang 14 and 15 cannot compile C++20 lambdas capturing structured
# bindings, which the engine uses (voting/pabulib.cpp).
if ! command -v clang++-16 >/dev/null ||
   [ ! -e /usr/lib/llvm-16/lib/clang/16/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
    $sudo_cmd apt-get install -y clang-16 libclang-rt-16-dev
fi

cmake -S tests/fuzz/libfuzzer -B "$build" -DCMAKE_CXX_COMPILER=clang++-16 \
    -DCMAKE_BUILD_TYPE= >/dev/null
cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=()
total_crashes=0
for t in "${targets[@]}"; do
    seeds="tests/fuzz/corpus/$t"
    work="$build/corpus/$t"
    crashes="$build/crashes/$t"
    log="$build/logs/$t.log"
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    echo "== fuzzing $t for ${seconds}s"
    # -fork keeps going after a crash (each one is saved); timeouts and OOMs count as findings.
    set +e
    "$build/fuzz_$t" "$work" "$seeds" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 \
        -ignore_ooms=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    found=$(find "$crashes" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    total_crashes=$((total_crashes + found))
    summary+=("$(printf '%-20s executions %-10s crashes/timeouts kept %-3s (exit %s)' "$t" "${execs:-?}" "$found" "$rc")")
done
echo
echo "== fuzz summary (${seconds}s per target, logs in $build/logs/)"
printf '%s\n' "${summary[@]}"
if [ "$total_crashes" -gt 0 ]; then
    echo "findings are in $build/crashes/<target>/; reproduce with: $build/fuzz_<target> FILE"
    exit 1
fi
