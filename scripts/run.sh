#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the main job on a local data dir
# (./data). Until the server exists the main job is the local demo: append sample audit events,
# prove inclusion and consistency, verify the proofs and the whole directory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./build/tools/sealtrail local demo --data "${SEALTRAIL_DATA:-./data}"
