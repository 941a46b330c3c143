#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs sealtraild on loopback
# (127.0.0.1:7700) with a local data directory (./data, or $SEALTRAIL_DATA). On first start the
# server generates a dev checkpoint-signing key in the data directory and logs its verifier key.
# Stop it with Ctrl-C: in-flight appends finish and a final checkpoint is signed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
data="${SEALTRAIL_DATA:-./data}"
cat >&2 <<HINT
sealtraild is starting on 127.0.0.1:7700 with data in ${data}. From another terminal (the CLI
uses the dev token the server writes to ${data}/dev-token):
  export SEALTRAIL_DATA=${data}
  echo '{"actor":{"userId":"alice"},"action":{"name":"call.barge"},"context":{"tenantId":"acme"},"outcome":{"result":"SUCCESS"}}' | build/tools/sealtrail append
  build/tools/sealtrail query --tenant acme --with-proofs --format table
  build/tools/sealtrail prove --seq 0 --vkey ${data}/dev-signing.vkey
HINT
exec ./build/server/sealtraild --data "${data}" "$@"
