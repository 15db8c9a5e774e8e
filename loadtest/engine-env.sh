# shellcheck shell=bash disable=SC2034  # variables are for the sourcing script
# Shared by scripts/loadtest-smoke.sh and scripts/bench-ballot.sh (source it, do not run it):
# a throw-away engine on loopback — redis-server with AOF `appendfsync always` and a budgetd with
# a sealed ballot and an open vote — in a temporary directory, all stopped by engine_cleanup.
#
# Before sourcing: BIN_DIR (the build dir holding server/budgetd and server/budgetctl).
# After engine_start: ENGINE_WORK, REDIS_PORT, REDIS_URL, BUDGETD_PORT, BUDGETD_URL, OUTBOX,
# CAMPAIGN, BALLOT_IDS (comma-separated), BUDGETD_PID, REDIS_PID.

CAMPAIGN=${CAMPAIGN:-bench}
ENGINE_WORK=""
REDIS_PID=""
BUDGETD_PID=""

# Below the kernel's range for outgoing connections (32768-60999 by default), where any client
# could take the port between this check and the server's bind.
engine_free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(500):
    port = random.randrange(28000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

engine_cleanup() {
    # Only the processes started here, by their pid.
    if [[ -n $BUDGETD_PID ]]; then kill -TERM "$BUDGETD_PID" 2>/dev/null || true; fi
    if [[ -n $REDIS_PID ]]; then kill -TERM "$REDIS_PID" 2>/dev/null || true; fi
    local i
    for i in $(seq 50); do
        { [[ -z $BUDGETD_PID ]] || ! kill -0 "$BUDGETD_PID" 2>/dev/null; } &&
            { [[ -z $REDIS_PID ]] || ! kill -0 "$REDIS_PID" 2>/dev/null; } && break
        sleep 0.1
    done
    if [[ -n $BUDGETD_PID ]]; then kill -KILL "$BUDGETD_PID" 2>/dev/null || true; fi
    if [[ -n $REDIS_PID ]]; then kill -KILL "$REDIS_PID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    BUDGETD_PID=""
    REDIS_PID=""
    if [[ -n $ENGINE_WORK && -d $ENGINE_WORK && -z ${KEEP_WORK:-} ]]; then rm -rf "$ENGINE_WORK"; fi
}

engine_redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# engine_seal_ballot COUNT FILE CONFIG: a ballot of COUNT initiatives (i-01, i-02...) written to
# FILE as canonical JSON and sealed for the campaign of CONFIG by budgetctl (signed with the
# campaign key, skipping the labelling: the load needs a ballot, not a committee). The ids go to
# BALLOT_IDS (comma-separated).
engine_seal_ballot() {
    local count=$1 file=$2 config=$3
    local ids=() json="" id i
    for i in $(seq 1 "$count"); do
        id=$(printf 'i-%02d' "$i")
        ids+=("$id")
        [[ -n $json ]] && json+=","
        json+="{\"amount_eur\":4000,\"category\":\"pratique_ess\",\"commune\":\"62041\",\"holder\":\"Association $id\",\"id\":\"$id\",\"radar\":{\"gouvernance\":70},\"requested_eur\":4000,\"summary\":\"Initiative de test $id\",\"territory\":\"arrageois\",\"title\":\"Initiative $id\"}"
    done
    printf '{"campaign":"%s","initiatives":[%s],"questionnaire_digest":"00","sealed_at":"2020-01-01T00:00:00+01:00"}' \
        "$CAMPAIGN" "$json" >"$file"
    "$BIN_DIR/server/budgetctl" --config "$config" storage seal-ballot "$file" >/dev/null ||
        return 1
    BALLOT_IDS=$(IFS=,; echo "${ids[*]}")
}

# engine_start [initiative count] [budgetd threads]
engine_start() {
    local count=${1:-10} threads=${2:-2}
    ENGINE_WORK=$(mktemp -d "${TMPDIR:-/tmp}/budget-engine.XXXXXX")
    mkdir -p "$ENGINE_WORK/data"

    REDIS_PORT=$(engine_free_port)
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$ENGINE_WORK" --save "" \
        --appendonly yes --appendfsync always --daemonize no \
        --logfile "$ENGINE_WORK/redis.log" &
    REDIS_PID=$!
    local i
    for i in $(seq 100); do
        engine_redis_cli PING >/dev/null 2>&1 && break
        sleep 0.05
    done
    engine_redis_cli PING >/dev/null || { echo "redis-server did not start" >&2; return 1; }

    BUDGETD_PORT=$(engine_free_port)
    BUDGETD_URL="http://127.0.0.1:$BUDGETD_PORT"
    OUTBOX="$ENGINE_WORK/outbox.jsonl"
    cat >"$ENGINE_WORK/budget.toml" <<TOML
[server]
listen = "127.0.0.1:$BUDGETD_PORT"
threads = $threads
[redis]
url = "$REDIS_URL"
[storage]
data_dir = "$ENGINE_WORK/data"
[campaign]
id = "$CAMPAIGN"
title = "Budget citoyen (charge)"
vote_opens = "2020-01-01T00:00:00+01:00"
vote_closes = "2099-12-31T23:59:59+01:00"
[otp]
delivery = "outbox"
outbox = "$OUTBOX"
max_requests_per_ip_hour = 1000000
max_codes_per_hour = 10
TOML
    "$BIN_DIR/server/budgetctl" --config "$ENGINE_WORK/budget.toml" keys init \
        >"$ENGINE_WORK/keys.log" 2>&1 || { cat "$ENGINE_WORK/keys.log" >&2; return 1; }
    engine_seal_ballot "$count" "$ENGINE_WORK/ballot.json" "$ENGINE_WORK/budget.toml" ||
        { echo "cannot seal the load's ballot" >&2; return 1; }
    # The access log (one JSON line per request on stderr) goes to a file or /dev/null.
    "$BIN_DIR/server/budgetd" --config "$ENGINE_WORK/budget.toml" 2>"${BUDGETD_LOG:-/dev/null}" &
    BUDGETD_PID=$!
    for i in $(seq 100); do
        curl -fsS "$BUDGETD_URL/api/v1/health" >/dev/null 2>&1 && return 0
        kill -0 "$BUDGETD_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "budgetd did not start (log: ${BUDGETD_LOG:-/dev/null})" >&2
    return 1
}
