#!/usr/bin/env bash
# Snapshotter figures on a 5-million-key data set (64-byte values), all on loopback:
#   - replay rate (records/s) and snapshot write rate (MB/s) and compression ratio, from the
#     snapshotter's own log lines;
#   - the engine's SET p99 and rps under redis-benchmark with no snapshotter vs while the
#     snapshotter replays and writes a snapshot, at normal priority (--cpu-priority normal
#     --io-priority best-effort: the behaviour before SCHED_IDLE) and at the default idle
#     priority, in ROUNDS interleaved rounds so that a shared machine's drift hits both alike.
# Usage: [ROUNDS=2] scripts/bench-snapshotter.sh [keys]   (default 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
keys=${1:-5000000}
rounds=${ROUNDS:-2}
work=$(mktemp -d /tmp/strongbox-snapbench.XXXXXX)
engine=build/release/engine/strongbox-engine
snap=build/release/snapshotter/strongbox-snapshotter
port=${PORT:-7151}
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
start_engine() { "$engine" --dir "$work/data" --port "$port" --metrics-port 0 2>>"$work/engine.log" & pids+=($!); wait_port; }
p99_rps() {  # redis-benchmark SET: "p99_ms | rps"
  redis-benchmark -p "$port" -t set -n "${1:-200000}" -c 50 -r 1000000 -d 64 --csv 2>/dev/null |
    tr -d '"' | awk -F, '$1=="SET" { printf "%s | %.0f", $7, $2 }'
}
wait_snapshot() {  # $1 = log; up to 10 minutes (an idle-priority snapshotter yields to all)
  for _ in $(seq 1200); do grep -q "snapshot .*snap.zst" "$1" && return 0; sleep 0.5; done
  return 1
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
  --nice 0 --cpu-priority normal --io-priority best-effort 2>"$work/snap1.log" & spid=$!
for _ in $(seq 600); do grep -q "snapshot .*snap.zst" "$work/snap1.log" && break; sleep 0.5; done
kill -TERM $spid; wait $spid || true
replay=$(grep -o "replayed .*" "$work/snap1.log" | tail -1)
snapline=$(grep -o "snapshot /.*" "$work/snap1.log" | tail -1)
file_bytes=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\1/')
raw_bytes=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\2/')
secs=$(echo "$snapline" | sed -E 's/.* keys, ([0-9]+) bytes \(([0-9]+) raw\) in ([0-9.e-]+) s/\3/')

echo "engine p99 idle vs during a snapshot, $rounds rounds (normal, then idle priority)..."
start_engine
rows=()
for round in $(seq "$rounds"); do
  for prio in normal idle; do
    io=idle; [ "$prio" = normal ] && io=best-effort
    idle=$(p99_rps 200000)
    # A fresh snapshotter state (no snapshot to load) makes it replay and then serialise every
    # key while redis-benchmark runs.
    rm -f "$work"/data/snapshot-*.snap.zst "$work"/data/archived/snapshot-*.snap.zst
    log="$work/snap-$round-$prio.log"
    "$snap" run --dir "$work/data" --metrics-port 0 --snapshot-every 1 --snapshot-interval 3600 \
      --cpu-priority "$prio" --io-priority "$io" 2>"$log" & spid=$!
    sleep 1
    busy=$(p99_rps 200000)
    wait_snapshot "$log" || echo "round $round $prio: no snapshot within 10 minutes"
    kill -TERM $spid; wait $spid || true
    took=$(grep -o "snap.zst: .* in [0-9.e-]* s" "$log" | tail -1 | sed -E 's/.* in ([0-9.e-]+) s/\1/')
    rows+=("| $round | $prio | $idle | $busy | ${took:-none} |")
    echo "${rows[-1]}"
  done
done

{
  echo "| figure | value |"
  echo "|---|---|"
  echo "| keys | $keys (64-byte values) |"
  echo "| command log | $log_bytes bytes |"
  echo "| replay | ${replay#replayed } |"
  echo "| snapshot write | $raw_bytes raw bytes in $secs s = $(awk -v b="$raw_bytes" -v s="$secs" 'BEGIN{printf "%.0f", b/s/1e6}') MB/s (uncompressed input) |"
  echo "| snapshot file | $file_bytes bytes, compression ratio $(awk -v r="$raw_bytes" -v f="$file_bytes" 'BEGIN{printf "%.1f", r/f}'):1 (zstd level 3) |"
  echo
  echo "| round | snapshotter priority | SET p99 ms, no snapshotter | rps | SET p99 ms, during replay + snapshot | rps | snapshot write s |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo "(redis-benchmark -t set -n 200000 -c 50 -r 1000000 -d 64; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ))"
} | tee build/bench-snapshotter.md
