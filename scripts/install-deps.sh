#!/usr/bin/env bash
# Installs exactly what is missing from Debian's packages (and the npm packages the build uses).
# Idempotent: re-running it installs nothing when everything is present.
set -euo pipefail

packages=(
    build-essential cmake pkg-config ccache git ca-certificates
    libboost1.81-dev libboost-json1.81-dev
    libhiredis-dev redis-server redis-tools
    libssl-dev openssl libsodium-dev zlib1g-dev libbrotli-dev
    catch2 libtoml11-dev libicu-dev libmimalloc-dev
    nodejs npm
    curl nginx-light wrk faketime python3 python3-aiosmtpd testssl.sh
    chromium
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

# nodejs/npm may come from outside Debian's packages on some machines: a working node is enough.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    filtered=()
    for p in "${missing[@]}"; do
        [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p")
    done
    missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); else sudo_cmd=(); fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -q
    # The 1.81 dev headers conflict with the 1.74 ones; apt removes those (and what needs them).
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "install-deps: all Debian packages present"
fi

# The packaged redis-server service is not ours to run: budgetd and the tests start their own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl stop redis-server || true
fi

# npm packages (official commune list, browser test tools) into the project's node_modules.
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -f "$root/package.json" ]]; then
    if [[ ! -d "$root/node_modules" || "$root/package.json" -nt "$root/node_modules/.install-stamp" ]]; then
        (cd "$root" && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.install-stamp)
    fi
fi
