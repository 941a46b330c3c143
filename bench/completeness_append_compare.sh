#!/usr/bin/env bash
# Streaming appends (AppendStream, batch 256, c1 w8, durable, all indexes) into a local sealtraild
# built WITHOUT completeness commitments (BASELINE_BUILD, a Release build dir of the commit
# before them) and into this build's, in turns, on the same machine in the same run. Prints per
# run the records/s the load generator measured and the server's CPU time per record (ticks of
# 10 ms from /proc/PID/stat, warm-up included). Run from the repository root after a Release
# build: BASELINE_BUILD=../baseline/build bench/completeness_append_compare.sh [ROUNDS]
set -euo pipefail
ROUNDS=${1:-3}
: "${BASELINE_BUILD:?set BASELINE_BUILD to the baseline build directory}"
run() {
  local label=$1 build=$2
  local dir; dir=$(mktemp -d)
  "$build"/server/sealtraild --data "$dir"/data --listen 127.0.0.1:0 --port-file "$dir"/port 2>"$dir"/err &
  local pid=$!
  for _ in $(seq 100); do [ -s "$dir"/port ] && break; sleep 0.1; done
  local port; port=$(cat "$dir"/port)
  local t0; t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  local json; json=$(./build/tools/bench/sealtrail-bench --server 127.0.0.1:"$port" \
    --token-file "$dir"/data/dev-token --mode append-stream --concurrency 1 --window 8 \
    --batch 256 --duration 10 --warmup 1 --json)
  local t1; t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  kill -TERM $pid; wait $pid || true
  local stored; stored=$(grep -o '"event":"stopped","records":[0-9]*' "$dir"/err | grep -o '[0-9]*$')
  local rate; rate=$(echo "$json" | grep -o '"records_per_s":[0-9.]*' | head -1 | cut -d: -f2)
  echo "$label records_per_s=$rate stored=$stored cpu_us_per_record=$(( (t1-t0) * 10000 / stored ))"
  rm -rf "$dir"
}
for round in $(seq "$ROUNDS"); do
  run "baseline" "$BASELINE_BUILD"
  run "completeness" ./build
done
