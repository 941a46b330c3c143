#!/usr/bin/env bash
# Streaming appends into a local sealtraild without rules, with docs/rules, and with docs/rules
# less the two rules the load generator's random roles trip on most records ("quiet"), in turns,
# on the same machine in the same run. Prints per configuration the server's CPU time (ticks of
# 10 ms, /proc/PID/stat utime+stime, warmup included), the records it stored (its "stopped"
# event, alerts included) and the alerts it raised. Run from the repository root after a Release
# build: bench/detect_server_compare.sh
set -euo pipefail
B=./build/tools/bench/sealtrail-bench
D=./build/server/sealtraild
run() {
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  $D --data $dir/data --listen 127.0.0.1:0 --port-file $dir/port --otlp-http-listen 127.0.0.1:0 "$@" 2>$dir/err &
  local pid=$!
  for i in $(seq 100); do [ -s $dir/port ] && break; sleep 0.1; done
  local port; port=$(cat $dir/port)
  local t0; t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  local json; json=$($B --server 127.0.0.1:$port --token-file $dir/data/dev-token --mode append-stream --concurrency 1 --window 8 --batch 256 --duration 10 --warmup 1 --json)
  local t1; t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  kill -TERM $pid; wait $pid || true
  local alerts; alerts=$(grep -c '"event":"alert_raised"' $dir/err || true)
  local caps; caps=$(grep -c 'detect_window_cap_hit' $dir/err || true)
  local records; records=$(grep -o '"event":"stopped","records":[0-9]*' $dir/err | grep -o '[0-9]*$')
  echo "$label cpu_ticks=$((t1-t0)) stored=$records alerts=$alerts cap_events=$caps"
  rm -rf $dir
}
quiet=$(mktemp -d)
cp docs/rules/*.yaml "$quiet"/
rm "$quiet"/privileged-interventions.yaml "$quiet"/barge-without-supervisor-grant.yaml
for round in 1 2; do
  run "no-rules"
  run "rules" --rules docs/rules
  run "rules-quiet" --rules "$quiet"
done
rm -rf "$quiet"
