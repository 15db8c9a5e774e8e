#!/usr/bin/env bash
# clang-tidy (the checks of .clang-tidy) on the project's own sources; fails on any warning.
# Usage: scripts/clang-tidy.sh [BUILD_DIR] [FILE...]
#   BUILD_DIR: a configured build with compile_commands.json (default build-test)
#   FILE...:   only these sources (default: every .cpp of config, labelling, voting, server,
#              loadtest and tests, but the fuzz corpora)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-test}
shift || true
[[ -f $build/compile_commands.json ]] || {
    echo "clang-tidy.sh: no $build/compile_commands.json (configure the build first)" >&2
    exit 2
}
command -v clang-tidy >/dev/null || { echo "clang-tidy.sh: clang-tidy is not installed" >&2; exit 2; }
cd "$root"
if (($#)); then
    files=("$@")
else
    mapfile -t files < <(git ls-files 'config/*.cpp' 'labelling/*.cpp' 'voting/*.cpp' \
        'server/*.cpp' 'loadtest/*.cpp' 'tests/*.cpp' | grep -v '^tests/fuzz/libfuzzer/')
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# One clang-tidy per core; each prints its warnings, the summary counts them.
printf '%s\n' "${files[@]}" |
    xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet 2>/dev/null >"$log" || true
warnings=$(grep -c ': warning: ' "$log" || true)
errors=$(grep -c ': error: ' "$log" || true)
grep -E ': (warning|error): ' "$log" | sort -u || true
echo "clang-tidy: ${#files[@]} files, $warnings warning(s), $errors error(s)"
[[ $warnings -eq 0 && $errors -eq 0 ]]
