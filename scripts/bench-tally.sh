#!/usr/bin/env bash
# Benchmark (not a test): tally + tree + allocation + signature for 1.5 million generated
# ballots over 60 initiatives, and `allocate --rule mes` on the largest pabulib instance.
# The ballots come from a fixed seed and reach the tally in pages of 10,000, as TallyService reads
# them from Redis: the peak memory printed is the tally's, and the digests printed (root, votes,
# ballots, proofs, documents) must not change from one build to the next. Wall time on a shared
# machine is not the program's own: the CPU time is printed beside it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./scripts/install-deps.sh >/dev/null
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=ON >/dev/null
cmake --build build-release -j"$(nproc)" --target budget_tally_bench budgetctl >/dev/null
build-release/tests/bench/budget_tally_bench "${BALLOTS:-1500000}" "${INITIATIVES:-60}"
largest=$(ls -S tests/data/pabulib/*.pb | head -1)
echo "allocate --rule mes on $(basename "$largest"):"
/usr/bin/time -f "  %e s, peak %M KB" build-release/server/budgetctl allocate --rule mes --pabulib "$largest"
