#!/usr/bin/env bash
# clang-tidy (the checks of .clang-tidy) on the project's own sources; fails on any warning.
# Usage: scripts/clang-tidy.sh [BUILD_DIR] [FILE...]
#   BUILD_DIR: a configured build with compile_commands.json (default build-test)
#   FILE...:   only these sources (default: every .cpp of config, labelling, voting, server,
#              loadtest and tests, but the libFuzzer build's own sources)
# Environment: CLANG_TIDY (default clang-tidy), CLANG_TIDY_JOBS (default: the number of cores),
#              CLANG_TIDY_CACHE=0 to analyse every source again.
#
# What keeps it quick: one clang-tidy per source, as many at once as cores, the largest first;
# a source compiled into several targets (tests/fuzz/replay_test.cpp, once per fuzz target) is
# analysed once; warnings are kept for the project's headers only; and a source found clean is
# remembered in BUILD/clang-tidy-cache/ under a digest of everything its analysis depends on
# (its text and that of every header it includes, NOLINT comments too, its flags, .clang-tidy,
# the clang-tidy version), so that it is analysed again only when one of those changes. A cold
# run takes about 10 minutes on two cores (7 s of CPU per source, mostly matching Boost's
# headers); a run where nothing changed, about 15 s.
# Every diagnostic line (with its notes) goes to BUILD/clang-tidy.log.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-test}
shift || true
build=$(cd "$build" 2>/dev/null && pwd) || { echo "clang-tidy.sh: no build directory $build" >&2; exit 2; }
[[ -f $build/compile_commands.json ]] || {
    echo "clang-tidy.sh: no $build/compile_commands.json (configure the build first)" >&2
    exit 2
}
tidy=${CLANG_TIDY:-clang-tidy}
command -v "$tidy" >/dev/null || { echo "clang-tidy.sh: $tidy is not installed" >&2; exit 2; }
cd "$root"
if (($#)); then
    files=("$@")
else
    mapfile -t files < <(git ls-files 'config/*.cpp' 'labelling/*.cpp' 'voting/*.cpp' \
        'server/*.cpp' 'loadtest/*.cpp' 'tests/*.cpp' | grep -v '^tests/fuzz/libfuzzer/')
fi

exec python3 - "$root" "$build" "$tidy" "${CLANG_TIDY_JOBS:-$(nproc)}" \
    "${CLANG_TIDY_CACHE:-1}" "${files[@]}" <<'PYTHON'
import concurrent.futures, hashlib, json, os, re, shlex, subprocess, sys, tempfile, time

root, build, tidy, jobs, use_cache, *files = sys.argv[1:]
jobs = max(1, int(jobs))
started = time.monotonic()

# One compile command per source: the first one when a source is built into several targets.
commands = {}
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    commands.setdefault(path, entry)
sources = [os.path.normpath(os.path.join(root, f)) for f in files]
missing = [s for s in sources if s not in commands]
sources = [s for s in sources if s in commands]

# Diagnostics are kept for the checkout's files, headers included (reached through the symlinks
# of BUILD/include/<target>/ as well), never for Boost's or the system's.
header_filter = "^(%s|%s)/" % (re.escape(root), re.escape(os.path.join(build, "include")))
# A warning flag only GCC knows must not become an error under clang.
tidy_args = ["--quiet", "--header-filter=" + header_filter,
             "--extra-arg=-Wno-unknown-warning-option"]

def arguments(entry):
    return entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])

def dependency_command(entry):
    """The build's own compile command, listing every file the source includes instead (no
    object file, no dependency file of the build touched)."""
    args, out, skip = arguments(entry), [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif a not in ("-c", "-MD", "-MMD"):
            out.append(a)
    return out + ["-M"]

config_digest = hashlib.sha256()
config_digest.update(subprocess.run([tidy, "--version"], capture_output=True).stdout)
for name in sorted(subprocess.run(["git", "ls-files", "*.clang-tidy", ".clang-tidy"], cwd=root,
                                  capture_output=True, text=True).stdout.split()):
    config_digest.update(name.encode() + b"\0" + open(os.path.join(root, name), "rb").read())
config_digest.update("\0".join(tidy_args).encode())
cache_dir = os.path.join(build, "clang-tidy-cache")
os.makedirs(cache_dir, exist_ok=True)

file_digests = {}
def file_digest(path):
    if path not in file_digests:
        data = open(path, "rb").read()
        file_digests[path] = (hashlib.sha256(data).digest(), len(data))
    return file_digests[path]

def digest(source):
    """(key, size) of what the analysis of `source` depends on: its flags and the whole text,
    comments and NOLINTs included, of the source and of every header it includes."""
    entry = commands[source]
    deps = subprocess.run(dependency_command(entry), cwd=entry["directory"], capture_output=True,
                          text=True)
    if deps.returncode != 0:
        return None, 0
    h, size = config_digest.copy(), 0
    h.update(source.encode() + b"\0" + "\0".join(arguments(entry)).encode() + b"\0")
    paths = deps.stdout.replace("\\\n", " ").split(":", 1)[1].split()
    for path in paths:
        path = os.path.join(entry["directory"], path)
        d, n = file_digest(path)
        h.update(path.encode() + b"\0" + d)
        size += n
    return h.hexdigest(), size

work = tempfile.mkdtemp(prefix="clang-tidy.")
with open(os.path.join(work, "compile_commands.json"), "w") as f:
    json.dump([commands[s] for s in sources], f)

def analyse(source):
    run = subprocess.run([tidy, "-p", work, *tidy_args, source], capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr

pool = concurrent.futures.ThreadPoolExecutor(jobs)
keys = dict(zip(sources, pool.map(digest, sources)))
todo = [s for s in sources
        if use_cache == "0" or keys[s][0] is None
        or not os.path.exists(os.path.join(cache_dir, keys[s][0]))]
todo.sort(key=lambda s: -keys[s][1])  # the largest first: no long straggler at the end

diagnostic = re.compile(r"^(.+?):(\d+):(\d+): (warning|error|note): ")
seen, log = set(), []
def tidy_path(path):
    path = re.sub("^" + re.escape(build) + "/include/[^/]+/", "", path)
    return os.path.relpath(path, root) if path.startswith(root + "/") else path
for source, (rc, output) in zip(todo, pool.map(analyse, todo)):
    found = False
    for line in output.splitlines():
        m = diagnostic.match(line)
        if m:
            line = tidy_path(m.group(1)) + line[len(m.group(1)):]
            if m.group(4) != "note":
                found = True
                seen.add(line)
        log.append(line)
    if rc == 0 and not found and keys[source][0]:
        open(os.path.join(cache_dir, keys[source][0]), "w").close()
    elif rc != 0 and not found:
        seen.add("%s: error: clang-tidy exited with %d" % (tidy_path(source), rc))
with open(os.path.join(build, "clang-tidy.log"), "w") as f:
    f.write("\n".join(log) + "\n")

for m in missing:
    seen.add("%s: error: not in %s/compile_commands.json (not built there)" % (tidy_path(m), build))
for line in sorted(seen):
    print(line)
warnings = sum(": warning: " in l for l in seen)
errors = len(seen) - warnings
print("clang-tidy: %d source(s) (%d analysed, %d unchanged and clean), %d warning(s), %d error(s), "
      "%.0f s" % (len(sources) + len(missing), len(todo), len(sources) - len(todo), warnings,
                  errors, time.monotonic() - started))
subprocess.run(["rm", "-rf", work])
sys.exit(0 if not seen else 1)
PYTHON
