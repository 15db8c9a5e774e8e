#!/usr/bin/env bash
# Browser tests: Debian's Chromium (headless, through playwright-core) against a real budgetd
# that the tests start themselves, as the README's first command starts it: HTTPS with a
# self-signed certificate, plain HTTP redirecting to it, an embedded redis-server. Installs nothing: scripts/install-deps.sh must have
# run (chromium, redis-server, node and the npm packages); expects budgetd and budgetctl built in
# $BUILD_DIR (default build-test). Screenshots go to artifacts/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export BUILD_DIR=${BUILD_DIR:-build-test}

for binary in "$BUILD_DIR/server/budgetd" "$BUILD_DIR/server/budgetctl"; do
    if [[ ! -x "$binary" ]]; then
        echo "browser-tests: $binary is missing; build first (cmake --build $BUILD_DIR)" >&2
        exit 2
    fi
done
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
    echo "browser-tests: $chromium is missing; run scripts/install-deps.sh" >&2
    exit 2
fi
if [[ ! -d node_modules/playwright-core || ! -d node_modules/axe-core ]]; then
    echo "browser-tests: node_modules lacks playwright-core or axe-core; run scripts/install-deps.sh" >&2
    exit 2
fi
if [[ ! -f web/vendor/noble-ed25519.js ]]; then
    echo "browser-tests: web/vendor/noble-ed25519.js is missing; run npm install (scripts/install-deps.sh)" >&2
    exit 2
fi

rm -rf artifacts/screenshots artifacts/axe-minor.txt
mkdir -p artifacts/screenshots

# The engine is served over HTTPS with a self-signed certificate, as scripts/run.sh serves the
# demo; one certificate for the run, trusted by Node's fetch and by Chromium (its key only).
tls_dir=$(mktemp -d "${TMPDIR:-/tmp}/budget-browser-tls.XXXXXX")
trap 'rm -rf "$tls_dir"' EXIT
./scripts/demo-certificate.sh "$tls_dir"
export BUDGET_TEST_TLS_DIR=$tls_dir
export NODE_EXTRA_CA_CERTS=$tls_dir/cert.pem
node --test --test-reporter=spec tests/browser/
