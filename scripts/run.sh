#!/usr/bin/env bash
# Sets up, builds and starts the engine on the embedded default: its own redis-server (unix
# socket, AOF always) and a demo campaign whose vote is open now. Prints the URL to open.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target budgetd budgetctl

demo=${DEMO_DIR:-$root/var/demo}
port=${PORT:-8080}
mkdir -p "$demo"
if [[ ! -f "$demo/budget.toml" ]]; then
    opens=$(date -d '-1 day' +%Y-%m-%dT00:00:00%:z)
    closes=$(date -d '+29 days' +%Y-%m-%dT23:59:59%:z)
    cat > "$demo/budget.toml" <<TOML
# Demo campaign written by scripts/run.sh: embedded Redis, vote open now, codes in the outbox.
[server]
listen = "127.0.0.1:$port"
threads = 2
[redis]
embedded = true
[storage]
data_dir = "$demo/data"
[campaign]
id = "demo"
title = "Budget citoyen — démonstration"
vote_opens = "$opens"
vote_closes = "$closes"
max_choices = 3
min_age = 11
envelope_eur = 572000
[otp]
delivery = "outbox"
outbox = "$demo/outbox.jsonl"
TOML
fi
ctl=(build-release/server/budgetctl --config "$demo/budget.toml")
[[ -f "$demo/data/keys/campaign.ed25519" ]] || "${ctl[@]}" keys init

url="http://127.0.0.1:$(sed -n 's/^listen = "[^:]*:\([0-9]*\)"/\1/p' "$demo/budget.toml")/"
echo
echo "Budget citoyen engine: open $url  (one-time codes land in $demo/outbox.jsonl; Ctrl-C stops)"
echo
exec build-release/server/budgetd --config "$demo/budget.toml"
