#!/usr/bin/env bash
# Installs a build into a temporary prefix and runs the installed budgetd from elsewhere, with a
# configuration that names no questionnaire, commune list or web root: it must find the ones it
# installed in PREFIX/share/budget-citoyen, not the build or source tree's.
# Usage: scripts/install-test.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: install-test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/budget-install.XXXXXX")
redis_pid=""
budgetd_pid=""
cleanup() {
    [[ -n $budgetd_pid ]] && kill "$budgetd_pid" 2>/dev/null && wait "$budgetd_pid" 2>/dev/null
    [[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/budgetd bin/budgetctl bin/budget-loadtest \
    share/budget-citoyen/questionnaire.toml share/budget-citoyen/territories.toml \
    share/budget-citoyen/communes-62.json share/budget-citoyen/budget.example.toml \
    share/budget-citoyen/web/index.html share/budget-citoyen/web/404.html \
    share/budget-citoyen/web/500.html; do
    [[ -e $prefix/$f ]] || fail "$f is not installed"
done
# The site as the build step made it (scripts/build-web.mjs): BUILD/web, nothing else, nothing
# less; assets under hashed names with their .gz and .br, no template left.
site="$prefix/share/budget-citoyen/web"
diff -r "$build/web" "$site" >"$work/site.diff" || fail "the installed site is not BUILD/web: $(head -5 "$work/site.diff")"
compgen -G "$site/vendor/noble-ed25519.*.js" >/dev/null || fail "the verifier's library is not installed"
css=$(cd "$site" && compgen -G "css/site.????????????.css") || fail "no fingerprinted style sheet"
[[ -e $site/$css.gz && -e $site/$css.br ]] || fail "$css has no .gz or .br beside it"
for f in templates CMakeLists.txt Makefile CMakeFiles cmake_install.cmake css/site.css; do
    [[ ! -e $site/$f ]] || fail "$f is in the installed site"
done

# Below the kernel's range for outgoing connections, where a client could take it first.
redis_port=$(python3 -c 'import random, socket
for _ in range(500):
    p = random.randrange(28000, 32000); s = socket.socket()
    try: s.bind(("127.0.0.1", p))
    except OSError: continue
    finally: s.close()
    print(p); break')
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --daemonize no \
    --logfile "$work/redis.log" &
redis_pid=$!
cat >"$work/budget.toml" <<TOML
[server]
listen = "127.0.0.1:0"
[redis]
url = "redis://127.0.0.1:$redis_port"
[storage]
data_dir = "$work/data"
[otp]
outbox = "$work/outbox.jsonl"
TOML

# From a directory that holds nothing of the project.
cd "$work"
"$prefix/bin/budgetctl" --config "$work/budget.toml" keys init >/dev/null
"$prefix/bin/budgetd" --config "$work/budget.toml" 2>"$work/budgetd.log" &
budgetd_pid=$!
port=""
for _ in $(seq 200); do
    port=$(grep -o '"event":"listening"[^}]*"port":[0-9]*' "$work/budgetd.log" 2>/dev/null |
        grep -o '[0-9]*$' || true)
    [[ -n $port ]] && break
    kill -0 "$budgetd_pid" 2>/dev/null || fail "budgetd exited: $(cat "$work/budgetd.log")"
    sleep 0.05
done
[[ -n $port ]] || fail "budgetd did not start: $(cat "$work/budgetd.log")"

listening=$(grep '"event":"listening"' "$work/budgetd.log")
[[ $listening == *"\"web_root\":\"$prefix/share/budget-citoyen/web\""* ]] ||
    fail "the installed budgetd serves another web root: $listening"
[[ $listening == *"\"questionnaire\":\"$prefix/share/budget-citoyen/questionnaire.toml\""* ]] ||
    fail "the installed budgetd reads another questionnaire: $listening"
page=$(curl -fsS "http://127.0.0.1:$port/")
[[ $page == *"Budget citoyen"* ]] || fail "the home page is not served"
[[ $page == *"href=\"/$css\""* ]] || fail "the home page does not name $css"
headers=$(curl -fsS -o /dev/null -D - -H 'Accept-Encoding: br, gzip' "http://127.0.0.1:$port/$css")
[[ ${headers,,} == *"content-encoding: br"* && ${headers,,} == *"immutable"* ]] ||
    fail "the installed style sheet is not sent compressed and immutable: $headers"
communes=$(curl -fsS "http://127.0.0.1:$port/api/v1/communes")
[[ $communes == *'"name":"Arras"'* ]] || fail "the commune list is not served"
echo "install-test: the installed budgetd runs from $prefix on its own files"
