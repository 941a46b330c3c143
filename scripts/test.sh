#!/usr/bin/env bash
# Installs what is missing, builds (Release), and runs every test. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
cd build
ctest --output-on-failure --timeout 900 -j"$(nproc)"
