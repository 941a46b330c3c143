#!/bin/sh
# Installs package-lock.json's packages for the OTLP JS test into DEST (the build directory,
# never the source tree). Usage: npm_ci.sh NPM DEST
set -eu
npm=$1
dest=$2
src=$(dirname "$0")
mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$src/export_logs.mjs" "$dest/"
# Node trusts only its own built-in CA list; behind a proxy or firewall that re-signs TLS, the
# CA an administrator added to the system store (update-ca-certificates) is needed as well.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  export NODE_EXTRA_CA_CERTS
fi
cd "$dest"
exec "$npm" ci --no-audit --no-fund
