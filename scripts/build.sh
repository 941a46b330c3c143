#!/usr/bin/env bash
# Configures and builds sealtrail (Release by default). Extra arguments go to cmake's configure
# step, e.g. scripts/build.sh -DSEALTRAIL_SANITIZE=ON. BUILD_DIR picks the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@"
cmake --build "$build_dir" -j"$(nproc)"
