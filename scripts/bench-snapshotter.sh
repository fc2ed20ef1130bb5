#!/usr/bin/env bash
# Snapshotter figures on a 5-million-key data set (64-byte values), all on loopback:
#   - replay rate (records/s) and snapshot write rate (MB/s) and compression ratio, from the
#     snapshotter's own log lines;
#   - the engine's p99 under redis-benchmark while the snapshotter builds a snapshot vs idle.
# Usage: scripts/bench-snapshotter.sh [keys]   (default 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
keys=${1:-5000000}
work=$(mktemp -d /tmp/strongbox-snapbench.XXXXXX)
engine=build/release/engine/strongbox-engine
snap=build/release/snapshotter/strongbox-snapshotter
port=7151
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
start_engine() { "$engine" --dir "$work/data" --port "$port" --metrics-port 0 2>>"$work/engine.log" & pids+=($!); wait_port; }
p99() {  # redis-benchmark SET p99 in ms
  redis-benchmark -p "$port" -t set -n "${1:-200000}" -c 50 -r 1000000 -d 64 --csv 2>/dev/null |
    tr -d '"' | awk -F, '$1=="SET" { print $7 }'
}

start_engine
echo "loading $keys keys..."
t0=$(date +%s.%N)
awk -v n="$keys" 'BEGIN { v = sprintf("%064d", 7);
  for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$64\r\n%s\r\n", length(k), k, v } }' |
  redis-cli -p "$port" --pipe >/dev/null
t1=$(date +%s.%N)
echo "loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s (durable writes, --pipe)"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" || true
log_bytes=$(du -cb "$work"/data/cmdlog-* | tail -1 | cut -f1)

echo "replay + first snapshot..."
"$snap" run --dir "$work/data" --metrics-port 0 --snapshot-every 1 --snapshot-interval 3600 \
  --nice 0 2>"$work/snap1.log" & spid=$!
for _ in $(seq 600); do grep -q "snapshot .*snap.zst" "$work/snap1.log" && break; sleep 0.5; done
kill -TERM $spid; wait $spid || true
replay=$(grep -o "replayed .*" "$work/snap1.log" | tail -1)
snapline=$(grep -o "snapshot /.*" "$work/snap1.log" | tail -1)
file_bytes=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\1/')
raw_bytes=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\2/')
secs=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\3/')

echo "engine p99 idle vs during a snapshot..."
start_engine
idle=$(p99 200000)
# A fresh snapshotter state (no snapshot to load) makes it replay and then serialise 5M keys
# while redis-benchmark runs.
mkdir -p "$work/shadow"
rm -f "$work"/data/snapshot-*.snap.zst
"$snap" run --dir "$work/data" --metrics-port 0 --snapshot-every 1 --snapshot-interval 3600 \
  2>"$work/snap2.log" & spid=$!
sleep 1
busy=$(p99 200000)
for _ in $(seq 600); do grep -q "snapshot .*snap.zst" "$work/snap2.log" && break; sleep 0.5; done
kill -TERM $spid; wait $spid || true

{
  echo "| figure | value |"
  echo "|---|---|"
  echo "| keys | $keys (64-byte values) |"
  echo "| command log | $log_bytes bytes |"
  echo "| replay | ${replay#replayed } |"
  echo "| snapshot write | $raw_bytes raw bytes in $secs s = $(awk -v b="$raw_bytes" -v s="$secs" 'BEGIN{printf "%.0f", b/s/1e6}') MB/s (uncompressed input) |"
  echo "| snapshot file | $file_bytes bytes, compression ratio $(awk -v r="$raw_bytes" -v f="$file_bytes" 'BEGIN{printf "%.1f", r/f}'):1 (zstd level 3) |"
  echo "| engine SET p99, snapshotter idle | $idle ms |"
  echo "| engine SET p99, snapshotter replaying + writing a snapshot | $busy ms |"
  echo "(redis-benchmark -t set -n 200000 -c 50 -r 1000000 -d 64; $(nproc) cores; $(date -u +%FT%TZ))"
} | tee build/bench-snapshotter.md
