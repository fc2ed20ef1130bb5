#!/usr/bin/env bash
# Synchronous replication benchmark: durable SET with 0, 1 and 2 acknowledging replicas against
# Redis `appendfsync always` where every SET is followed by WAIT 1 0, same run, same machine.
#
# Peers (all on loopback, every server --fsync always / appendfsync always, own directories):
#   sb-ack0   strongbox primary, no replica, --min-replicas-ack 0
#   sb-ack1   strongbox primary + 1 replica, --min-replicas-ack 1 (a reply leaves once the SET
#             is durable on the primary and on the replica)
#   sb-ack2   strongbox primary + 2 replicas, --min-replicas-ack 2
#   redis-w1  redis-server primary + 1 replica; the client sends WAIT 1 0 after every SET
# The client is scripts/bench_replication.py for every peer (redis-benchmark cannot send WAIT
# after each SET): C connections, P SETs (plus their WAITs) in flight per connection, 64-byte
# values over 100k keys, a fixed duration per run. Rounds are interleaved (each round runs every
# peer at every -P), so a noisy moment of this shared machine hits all alike; medians printed.
# CPU: utime + stime (/proc/PID/stat) of the primary alone and of the primary plus its replicas,
# per request. Replicas run on the same machine as the primary: this measures the protocol's
# cost and the added fsyncs, not a network round trip. Written to build/bench/replication.md.
# Usage: scripts/bench-replication.sh [seconds_per_run]   (default 5)
# Environment: BENCH_ROUNDS (3), BENCH_PIPELINES ("1 16"), BENCH_CLIENTS (16).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-bench-replication
seconds=${1:-5}
rounds=${BENCH_ROUNDS:-3}
pipelines=${BENCH_PIPELINES:-1 16}
clients=${BENCH_CLIENTS:-16}
out_dir=build/bench
mkdir -p "$out_dir"
hz=$(getconf CLK_TCK)

declare -A port server_pids
wait_link_up() {  # port -> 0 once that replica reports master_link_status:up (60 s)
  for _ in $(seq 600); do
    redis-cli -p "$1" INFO replication 2>/dev/null | grep -q '^master_link_status:up' && return 0
    sleep 0.1
  done
  echo "bench: the replica on port $1 never linked up" >&2
  exit 1
}
start_strongbox_group() {  # name primary-port replica-ports...
  local name=$1 primary=$2 r
  shift 2
  BENCH_ENGINE_ARGS="${BENCH_ENGINE_ARGS:-} --min-replicas-ack $#" start_engine "$primary" always
  port[$name]=$primary
  server_pids[$name]=${pids[-1]}
  for r in "$@"; do
    BENCH_ENGINE_ARGS="${BENCH_ENGINE_ARGS:-} --replicaof 127.0.0.1 $primary" start_engine "$r" always
    server_pids[$name]+=" ${pids[-1]}"
    wait_link_up "$r"
  done
}
start_strongbox_group sb-ack0 7141
start_strongbox_group sb-ack1 7142 7143
start_strongbox_group sb-ack2 7144 7145 7146
start_redis 7147 always
port[redis-w1]=7147
server_pids[redis-w1]=${pids[-1]}
start_redis 7148 always
redis-cli -p 7148 REPLICAOF 127.0.0.1 7147 >/dev/null
server_pids[redis-w1]+=" ${pids[-1]}"
wait_link_up 7148
peers=(sb-ack0 sb-ack1 sb-ack2 redis-w1)

cpu_ticks() {  # pids... -> "primary_ticks all_ticks"
  local first=$1 all=0 t
  for p in "$@"; do t=$(awk '{ print $14 + $15 }' "/proc/$p/stat"); all=$((all + t)); done
  echo "$(awk '{ print $14 + $15 }' "/proc/$first/stat") $all"
}

measure() {  # peer pipeline -> "rps p99_ms primary_us_per_request all_us_per_request"
  local wait=() before after line
  [ "$1" = redis-w1 ] && wait=(--wait)
  read -r -a group <<<"${server_pids[$1]}"
  before=$(cpu_ticks "${group[@]}")
  line=$(python3 scripts/bench_replication.py --port "${port[$1]}" --pipeline "$2" \
    --clients "$clients" --seconds "$seconds" "${wait[@]}")
  after=$(cpu_ticks "${group[@]}")
  awk -v l="$line" -v b="$before" -v a="$after" -v hz="$hz" 'BEGIN {
    split(l, f, " "); split(b, x, " "); split(a, y, " "); n = f[3] > 0 ? f[3] : 1
    printf "%s %s %.1f %.1f\n", f[1], f[2], (y[1] - x[1]) / hz * 1e6 / n, (y[2] - x[2]) / hz * 1e6 / n
  }'
}

samples=$work/samples  # "P round peer rps p99 primary_us all_us"
: >"$samples"
for round in $(seq "$rounds"); do
  for p in $pipelines; do
    for peer in "${peers[@]}"; do
      read -r r q u a < <(measure "$peer" "$p")
      echo "$p $round $peer $r $q $u $a" >>"$samples"
    done
  done
  echo "round $round of $rounds done" >&2
done

row() {  # P peer -> table row of medians
  awk -v p="$1" -v peer="$2" '
    function median(a, k,   i, j, x, m) {
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      m = int((k + 1) / 2); return (k % 2) ? a[m] : (a[m] + a[m + 1]) / 2
    }
    $1 == p && $3 == peer { k++; r[k] = $4; q[k] = $5; u[k] = $6; a[k] = $7 }
    END {
      printf "| %s | %s | %.0f | %.2f | %.1f | %.1f |\n", p, peer, median(r, k), median(q, k),
        median(u, k), median(a, k)
    }' "$samples"
}
{
  echo "Durable SET, primary + N replicas on one machine; medians of $rounds interleaved rounds."
  echo
  echo "| -P | peer | SET/s | p99 ms | primary CPU µs/SET | all servers CPU µs/SET |"
  echo "|---|---|---|---|---|---|"
  for p in $pipelines; do for peer in "${peers[@]}"; do row "$p" "$peer"; done; done
  echo "(${seconds} s per run, $clients connections, 64-byte values, 100k keys; $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ))"
} | tee "$out_dir/replication.md"
cp "$samples" "$out_dir/replication-samples.txt"
