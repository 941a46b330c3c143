#!/usr/bin/env bash
# Installs, from Debian 12's own packages, everything sealtrail needs to build and test.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format git ca-certificates
  librocksdb-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libssl-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libisal-dev libjwt-dev
  libcpp-httplib-dev zlib1g-dev libboost1.74-dev
  libyaml-cpp-dev libcurl4-openssl-dev
  python3
)
# python3 runs the second implementation of the key map format (tests/keymap_py/) and the
# webhook receiver example of docs/detection.md.
# node and npm run the OpenTelemetry JS SDK test (tests/otlp_js/, node >= 18.19): Debian's, unless
# a node or npm is already on PATH (NodeSource's nodejs, say, which ships its own npm and conflicts
# with Debian's npm package).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
