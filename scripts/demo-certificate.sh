#!/usr/bin/env bash
# A self-signed certificate for local use only (the demo of scripts/run.sh, the browser tests),
# made once in DIR: ECDSA P-256 for localhost and 127.0.0.1, an end-entity certificate (browsers
# refuse a CA certificate as a server's), the key readable by its owner only. Prints nothing;
# DIR/cert.pem and DIR/key.pem exist afterwards.
# Usage: scripts/demo-certificate.sh DIR
set -euo pipefail
dir=${1:?usage: demo-certificate.sh DIR}
if [[ -s "$dir/cert.pem" && -s "$dir/key.pem" ]]; then exit 0; fi
mkdir -p "$dir"
chmod 700 "$dir"
(umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 365 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=serverAuth" \
    2>"$dir/openssl.log") || { cat "$dir/openssl.log" >&2; exit 1; }
chmod 600 "$dir/key.pem"
chmod 644 "$dir/cert.pem"
