# shellcheck shell=bash disable=SC2034  # variables are for the sourcing script
# Shared by scripts/cluster-drill.sh and scripts/bench-cluster.sh (source it, do not run it): a
# throw-away scale-out deployment on loopback, in a temporary directory, all stopped by
# cluster_cleanup:
#   - a Redis Cluster of 3 masters and 3 replicas (AOF always, node timeout 1 s);
#   - N budgetd processes over it, each with its own data_dir holding the same keys;
#   - nginx (Debian) in front as the load balancer.
#
# Before sourcing: BIN_DIR (the build dir holding server/budgetd and server/budgetctl).
# After cluster_start: CLUSTER_WORK, CLUSTER_PORTS (6 ports, masters first), CAMPAIGN,
# BALLOT_SHARDS, OUTBOX. After budgetd_start N: BUDGETD_PORTS, BUDGETD_PIDS (each with
# BUDGETD_THREADS event loops, 1 unless told). After nginx_start: NGINX_URL, NGINX_PID.

CAMPAIGN=${CAMPAIGN:-drill}
# shellcheck source=loadtest/engine-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/engine-env.sh"  # engine_seal_ballot
BALLOT_SHARDS=${BALLOT_SHARDS:-16}
CLUSTER_WORK=""
CLUSTER_PORTS=()
CLUSTER_PIDS=()
BUDGETD_PORTS=()
BUDGETD_PIDS=()
NGINX_PID=""

# A free loopback port whose cluster bus port (+10000) is free too, both below the kernel's range
# for outgoing connections (32768-60999 by default), where any client could take them. A port a
# test program holds the lock of (tests/server/support/process_support.cpp reserves its ports
# with flock on $TMPDIR/budget-test-ports/PORT before binding them) is skipped too: a benchmark
# run beside ctest must not take a port between a test's reservation and its bind.
cluster_free_port() {
    python3 - <<'PY'
import fcntl, os, random, socket, tempfile
locks = os.path.join(tempfile.gettempdir(), "budget-test-ports")
def reserved_by_a_test(port):
    try:
        fd = os.open(os.path.join(locks, str(port)), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)
def free(port):
    if reserved_by_a_test(port):
        return False
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(500):
    port = random.randrange(18000, 22000)
    if free(port) and free(port + 10000):
        print(port)
        break
PY
}

cluster_cli() {  # cluster_cli PORT args...
    local port=$1
    shift
    redis-cli -h 127.0.0.1 -p "$port" "$@"
}

cluster_cleanup() {
    local pid
    for pid in $NGINX_PID "${BUDGETD_PIDS[@]}" "${CLUSTER_PIDS[@]}"; do
        [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null || true
    done
    local i
    for i in $(seq 50); do
        local alive=0
        for pid in $NGINX_PID "${BUDGETD_PIDS[@]}" "${CLUSTER_PIDS[@]}"; do
            [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && alive=1
        done
        [[ $alive == 0 ]] && break
        sleep 0.1
    done
    for pid in $NGINX_PID "${BUDGETD_PIDS[@]}" "${CLUSTER_PIDS[@]}"; do
        [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    NGINX_PID=""
    BUDGETD_PIDS=()
    BUDGETD_PORTS=()  # a later, smaller budgetd_start must not leave nginx stale upstreams
    CLUSTER_PIDS=()
    if [[ -n $CLUSTER_WORK && -d $CLUSTER_WORK && -z ${KEEP_WORK:-} ]]; then rm -rf "$CLUSTER_WORK"; fi
}

# cluster_node_start INDEX: (re)starts the node CLUSTER_PORTS[INDEX] on its own directory; a
# restarted node reads its AOF and nodes.conf back and rejoins (as a replica if it was failed over).
cluster_node_start() {
    local i=$1 port=${CLUSTER_PORTS[$1]}
    local dir="$CLUSTER_WORK/redis-$port"
    mkdir -p "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save "" \
        --appendonly yes --appendfsync always --daemonize no --logfile "$dir/redis.log" \
        --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" \
        --cluster-node-timeout 1000 &
    CLUSTER_PIDS[$i]=$!
    local n
    for n in $(seq 100); do
        cluster_cli "$port" PING >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "redis-server on port $port did not start" >&2
    return 1
}

cluster_state_ok() {  # every live node says cluster_state:ok
    local port
    for port in "${CLUSTER_PORTS[@]}"; do
        local info
        info=$(cluster_cli "$port" CLUSTER INFO 2>/dev/null) || continue
        [[ $info == *cluster_state:ok* ]] || return 1
    done
}

cluster_wait_ok() {
    local n
    for n in $(seq 200); do
        cluster_state_ok && return 0
        sleep 0.1
    done
    echo "the cluster did not reach cluster_state:ok" >&2
    return 1
}

# The port of the master serving a slot, asked to a live node.
cluster_master_of_slot() {
    local slot=$1 port
    for port in "${CLUSTER_PORTS[@]}"; do
        local nodes
        nodes=$(cluster_cli "$port" CLUSTER NODES 2>/dev/null) || continue
        awk -v slot="$slot" '$3 ~ /master/ && $3 !~ /fail/ {
            for (i = 9; i <= NF; i++) {
                n = split($i, r, "-"); lo = r[1]; hi = (n == 2 ? r[2] : r[1]);
                if (slot + 0 >= lo + 0 && slot + 0 <= hi + 0) { split($2, a, "[:@]"); print a[2]; exit }
            }
        }' <<<"$nodes"
        return 0
    done
    return 0
}

# The ports of a master's replicas.
cluster_replicas_of() {
    local master_port=$1 id
    id=$(cluster_cli "$master_port" CLUSTER MYID)
    local port
    for port in "${CLUSTER_PORTS[@]}"; do
        [[ $port == "$master_port" ]] && continue
        local role
        role=$(cluster_cli "$port" ROLE 2>/dev/null | head -3 | tr '\n' ' ') || continue
        if [[ $role == slave* && $role == *" $master_port "* ]]; then echo "$port"; fi
    done
    return 0
}

# cluster_start: 6 nodes, `redis-cli --cluster create` with one replica each; budgetd_start then
# seals a ballot of ten initiatives through the cluster.
cluster_start() {
    BALLOT_IDS=""  # a new cluster: budgetd_start seals its ballot
    CLUSTER_WORK=$(mktemp -d "${TMPDIR:-/tmp}/budget-cluster.XXXXXX")
    chmod 755 "$CLUSTER_WORK"
    local i addresses=""
    for i in 0 1 2 3 4 5; do
        CLUSTER_PORTS[$i]=$(cluster_free_port)
        cluster_node_start "$i"
        addresses+=" 127.0.0.1:${CLUSTER_PORTS[$i]}"
    done
    # shellcheck disable=SC2086  # the addresses are separate words
    redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes \
        >"$CLUSTER_WORK/create.log" 2>&1 || { cat "$CLUSTER_WORK/create.log" >&2; return 1; }
    cluster_wait_ok
    # Replicas synced before any ballot relies on WAIT.
    for i in $(seq 200); do
        local synced=1 port
        for port in "${CLUSTER_PORTS[@]}"; do
            local info
            info=$(cluster_cli "$port" INFO replication)
            [[ $info == *role:slave* && $info != *master_link_status:up* ]] && synced=0
        done
        [[ $synced == 1 ]] && break
        sleep 0.1
    done
    OUTBOX="$CLUSTER_WORK/outbox.jsonl"
}

# budgetd_config DATA_DIR PORT VOTE_CLOSES: the config of one budgetd over the cluster.
budgetd_config() {
    local seeds="" i
    for i in 0 1 2; do
        [[ -n $seeds ]] && seeds+=", "
        seeds+="\"127.0.0.1:${CLUSTER_PORTS[$i]}\""
    done
    cat <<TOML
[server]
listen = "127.0.0.1:$2"
threads = ${BUDGETD_THREADS:-1}
trusted_proxies = ["127.0.0.1"]
[redis]
cluster = [$seeds]
ballot_shards = $BALLOT_SHARDS
wait_replicas = ${WAIT_REPLICAS:-1}
wait_timeout_ms = 1000
command_timeout_ms = 3000
[storage]
data_dir = "$1"
[campaign]
id = "$CAMPAIGN"
title = "Budget citoyen (exercice de bascule)"
vote_opens = "2020-01-01T00:00:00+01:00"
vote_closes = "$3"
tree_head_interval_s = ${TREE_HEAD_INTERVAL_S:-1}
[otp]
delivery = "outbox"
outbox = "$OUTBOX"
max_requests_per_ip_hour = 1000000
max_codes_per_hour = 10
TOML
}

# budgetd_start N: N budgetd processes sharing the keys made once by budgetctl (the signing key
# and the identity pepper must be the same everywhere), each with its own data_dir.
budgetd_start() {
    local count=$1 i
    mkdir -p "$CLUSTER_WORK/budgetd-0/data"
    budgetd_config "$CLUSTER_WORK/budgetd-0/data" 0 "2099-12-31T23:59:59+01:00" \
        >"$CLUSTER_WORK/budgetd-0/budget.toml"
    "$BIN_DIR/server/budgetctl" --config "$CLUSTER_WORK/budgetd-0/budget.toml" keys init \
        >"$CLUSTER_WORK/keys.log" 2>&1 || { cat "$CLUSTER_WORK/keys.log" >&2; return 1; }
    # The ballot once, for every budgetd (they share the cluster and the campaign key).
    if [[ -z ${BALLOT_IDS:-} ]]; then
        engine_seal_ballot 10 "$CLUSTER_WORK/ballot.json" "$CLUSTER_WORK/budgetd-0/budget.toml" ||
            { echo "cannot seal the drill's ballot" >&2; return 1; }
    fi
    for ((i = 0; i < count; i++)); do
        local dir="$CLUSTER_WORK/budgetd-$i" port
        port=$(cluster_free_port)
        mkdir -p "$dir/data"
        [[ $i -gt 0 ]] && cp -a "$CLUSTER_WORK/budgetd-0/data/keys" "$dir/data/"
        budgetd_config "$dir/data" "$port" "2099-12-31T23:59:59+01:00" >"$dir/budget.toml"
        "$BIN_DIR/server/budgetd" --config "$dir/budget.toml" 2>"$dir/budgetd.log" &
        BUDGETD_PIDS[$i]=$!
        BUDGETD_PORTS[$i]=$port
    done
    for ((i = 0; i < count; i++)); do
        local n
        for n in $(seq 200); do
            curl -fsS "http://127.0.0.1:${BUDGETD_PORTS[$i]}/api/v1/health" >/dev/null 2>&1 && break
            sleep 0.05
        done
        curl -fsS "http://127.0.0.1:${BUDGETD_PORTS[$i]}/api/v1/health" >/dev/null || {
            echo "budgetd $i did not start:" >&2
            tail -5 "$CLUSTER_WORK/budgetd-$i/budgetd.log" >&2
            return 1
        }
    done
}

# nginx_start: Debian's nginx as the load balancer in front of every budgetd (round robin,
# keep-alive to the upstreams; NGINX_WORKERS worker processes, 1 unless told, "auto" for one per
# core). A ballot is a POST: nginx never replays it on another upstream
# (non-idempotent requests are not retried unless told to), so no ballot is sent twice.
nginx_start() {
    local port upstreams="" p
    port=$(cluster_free_port)
    for p in "${BUDGETD_PORTS[@]}"; do upstreams+="        server 127.0.0.1:$p max_fails=0;"$'\n'; done
    mkdir -p "$CLUSTER_WORK/nginx"
    local user_line=""
    [[ $(id -u) == 0 ]] && user_line="user root;"
    cat >"$CLUSTER_WORK/nginx/nginx.conf" <<NGINX
$user_line
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $CLUSTER_WORK/nginx/nginx.pid;
error_log $CLUSTER_WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $CLUSTER_WORK/nginx/body;
    proxy_temp_path $CLUSTER_WORK/nginx/proxy;
    fastcgi_temp_path $CLUSTER_WORK/nginx/fastcgi;
    uwsgi_temp_path $CLUSTER_WORK/nginx/uwsgi;
    scgi_temp_path $CLUSTER_WORK/nginx/scgi;
    upstream budgetd {
$upstreams        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port;
        client_max_body_size 64k;
        location / {
            proxy_pass http://budgetd;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }
    }
}
NGINX
    nginx -c "$CLUSTER_WORK/nginx/nginx.conf" &
    NGINX_PID=$!
    NGINX_URL="http://127.0.0.1:$port"
    local n
    for n in $(seq 100); do
        curl -fsS "$NGINX_URL/api/v1/health" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    echo "nginx did not start:" >&2
    cat "$CLUSTER_WORK/nginx/error.log" >&2
    return 1
}
