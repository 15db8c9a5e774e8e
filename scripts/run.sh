#!/usr/bin/env bash
# Sets up, builds and starts the engine on the embedded default: its own redis-server (unix
# socket, AOF always) and a demo campaign whose vote is open now, with eight initiatives
# labelled through the real committee path. Serves HTTPS with a self-signed certificate made
# once for the demo (PORT, default 8443) and redirects plain HTTP to it (HTTP_PORT, default 8080).
# Prints the URL to open.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

./scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUDGET_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target budgetd budgetctl

demo=${DEMO_DIR:-$root/var/demo}
port=${PORT:-8443}
http_port=${HTTP_PORT:-8080}
url="https://127.0.0.1:$port/"
mkdir -p "$demo"
ctl=(build-release/server/budgetctl --config "$demo/budget.toml")

# A self-signed certificate for local use only, made once (the browser tests use the same kind).
./scripts/demo-certificate.sh "$demo/tls"

write_config() {  # $1: vote opening, $2: vote closing, $3: "tls" for HTTPS, else plain HTTP
    local tls=""
    if [[ "${3:-}" == tls ]]; then
        tls="[tls]
cert_file = \"$demo/tls/cert.pem\"
key_file = \"$demo/tls/key.pem\"
redirect_listen = \"127.0.0.1:$http_port\""
    fi
    cat > "$demo/budget.toml" <<TOML
# Demo campaign written by scripts/run.sh: embedded Redis, codes in the outbox file.
[server]
listen = "127.0.0.1:$port"
threads = 2
$tls
[redis]
embedded = true
[storage]
data_dir = "$demo/data"
[campaign]
id = "demo"
title = "Budget citoyen — démonstration"
vote_opens = "$1"
vote_closes = "$2"
max_choices = 3
min_age = 11
envelope_eur = 40000
tree_head_interval_s = 60
[otp]
delivery = "outbox"
outbox = "$demo/outbox.jsonl"
[privacy]
controller = "Département de démonstration"
controller_address = "1 rue de l’Exemple, 62000 Arras"
contact_email = "donnees-personnelles@demo.invalid"
dpo_contact = "dpd@demo.invalid"
publication_director = "La présidente du Département de démonstration"
host = "Hébergement de démonstration, sur cette machine"
mail_relay = "aucun : les codes sont écrits dans $demo/outbox.jsonl"
TOML
}

if [[ ! -f "$demo/seeded" ]]; then
    # Labelling happens before the vote: start with the opening tomorrow, label, then open.
    # The seeding run listens on plain HTTP, on loopback, for the seeding clients only.
    write_config "$(TZ=Europe/Paris date -d '+1 day' +%Y-%m-%dT00:00:00%:z)" "$(TZ=Europe/Paris date -d '+30 days' +%Y-%m-%dT23:59:59%:z)" plain
    seed_url="http://127.0.0.1:$port/"
    [[ -f "$demo/data/keys/campaign.ed25519" ]] || "${ctl[@]}" keys init
    build-release/server/budgetd --config "$demo/budget.toml" 2>"$demo/seed.log" &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -fs "${seed_url}api/v1/health" >/dev/null && break; sleep 0.1; done
    umask 077
    : > "$demo/staff-passwords.txt"
    for user in comite-a:committee comite-b:committee comite-c:committee mission:mission; do
        password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
        echo "$password" | "${ctl[@]}" user add --replace --role "${user#*:}" --username "${user%%:*}" >/dev/null
        echo "${user%%:*} ${user#*:} $password" >> "$demo/staff-passwords.txt"
    done
    "${ctl[@]}" initiatives import config/demo-initiatives.json
    /usr/bin/python3 scripts/seed-demo.py "$seed_url" "$demo/staff-passwords.txt"
    kill "$pid" && wait "$pid" || true
    trap - EXIT
    write_config "$(TZ=Europe/Paris date -d '-1 minute' +%Y-%m-%dT%H:%M:%S%:z)" "$(TZ=Europe/Paris date -d '+29 days' +%Y-%m-%dT23:59:59%:z)" plain
    touch "$demo/seeded"
fi
# Every start rewrites the config with the vote window chosen at seeding, so that PORT,
# HTTP_PORT and HTTPS apply to an existing demo too.
opens=$(sed -n 's/^vote_opens = "\(.*\)"$/\1/p' "$demo/budget.toml")
closes=$(sed -n 's/^vote_closes = "\(.*\)"$/\1/p' "$demo/budget.toml")
write_config "$opens" "$closes" tls

echo
echo "Budget citoyen engine: open $url"
echo "  the certificate is self-signed ($demo/tls/cert.pem): the browser warns once, accept it for"
echo "  this local demo; http://127.0.0.1:$http_port/ redirects to the https:// address"
echo "  one-time codes are written to $demo/outbox.jsonl (no mail is sent in the demo)"
echo "  staff accounts and passwords: $demo/staff-passwords.txt (committee: /comite, Mission ESS: /mission)"
echo "  Ctrl-C stops the engine and its Redis; DEMO_DIR=... PORT=... HTTP_PORT=... to run another one"
echo
exec build-release/server/budgetd --config "$demo/budget.toml"
