#!/usr/bin/env bash
# Restart time with a snapshot of N keys (64-byte values): loads them, has the snapshotter write
# a snapshot (BGSAVE), stops both, then times engine start -> first PING answered (PONG, not
# -LOADING), ROUNDS times, alternating with the peers (rounds interleaved, so a shared
# machine's drift hits all alike): Debian's redis-server loading an RDB of the same keys
# (REDIS_PEER=0 skips it), and $ENGINE_BASELINE when given.
# Usage: [ROUNDS=3] [PORT=7161] [ENGINE_BASELINE=/path/to/old/strongbox-engine] \
#        scripts/bench-restart.sh [keys]   (default 2000000)
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-2000000}
rounds=${ROUNDS:-3}
port=${PORT:-7161}
engine=${ENGINE:-build/release/engine/strongbox-engine}
snap=build/release/snapshotter/strongbox-snapshotter
work=$(mktemp -d /tmp/strongbox-restartbench.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
wait_port() {  # [port]: PONG within 60 s
  for _ in $(seq 6000); do
    [ "$(redis-cli -p "${1:-$port}" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.01
  done
  return 1
}
load_keys() {  # port
  awk -v n="$keys" 'BEGIN { v = sprintf("%064d", 7);
    for (i = 0; i < n; i++) { k = "key:" i; printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$64\r\n%s\r\n", length(k), k, v } }' |
    redis-cli -p "$1" --pipe >/dev/null
}
redis_port=$((port + 1))
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --dbfilename dump.rdb \
    --save '' --appendonly no --daemonize no --logfile "$work/redis.log" & rpid=$!
  pids+=("$rpid")
}

"$engine" --dir "$work/data" --port "$port" --metrics-port 0 2>>"$work/engine.log" & epid=$!
pids+=("$epid"); wait_port
load_keys "$port"
"$snap" run --dir "$work/data" --metrics-port 0 --snapshot-every 1000 --snapshot-interval 3600 \
  --cpu-priority normal --io-priority best-effort 2>"$work/snap.log" & spid=$!
pids+=("$spid")
redis-cli -p "$port" bgsave >/dev/null
for _ in $(seq 1200); do [ "$(redis-cli -p "$port" info persistence | tr -d '\r' |
  awk -F: '$1=="rdb_bgsave_in_progress" {print $2}')" = 0 ] && break; sleep 0.5; done
grep -o "replayed .*" "$work/snap.log" | tail -1 || true
kill -TERM $spid $epid; wait $spid $epid || true
if [ "${REDIS_PEER:-1}" = 1 ]; then
  mkdir -p "$work/redis"; start_redis; wait_port "$redis_port"
  load_keys "$redis_port"; redis-cli -p "$redis_port" save >/dev/null
  kill -TERM $rpid; wait $rpid || true
fi

# $1 = engine binary (extra engine flags in $BENCH_ENGINE_ARGS); prints "wall s | CPU s": seconds
# to the first PING, and the engine's user+sys CPU seconds by then (every thread): on a shared
# machine the wall time mostly measures the other tenants, the CPU time does not.
one_restart() {
  local t0 t1 cpu
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$1" --dir "$work/data" --port "$port" --metrics-port 0 ${BENCH_ENGINE_ARGS:-} \
    2>>"$work/engine.log" & epid=$!
  pids+=("$epid"); wait_port; t1=$(date +%s.%N)
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$epid/stat")
  kill -TERM $epid; wait $epid || true
  awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN{printf "%.2f | %s", b-a, c}'
}
# Prints "wall s | CPU s" for redis-server loading its RDB, as one_restart does for the engine.
one_restart_redis() {
  local t0 t1 cpu
  t0=$(date +%s.%N)
  start_redis; wait_port "$redis_port"; t1=$(date +%s.%N)
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$rpid/stat")
  kill -TERM $rpid; wait $rpid || true
  awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN{printf "%.2f | %s", b-a, c}'
}
echo "| round | engine | keys | start -> first PING, s | engine CPU s (user+sys) |"
echo "|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  [ -n "${ENGINE_BASELINE:-}" ] && echo "| $round | baseline | $keys | $(one_restart "$ENGINE_BASELINE") |"
  echo "| $round | this build | $keys | $(one_restart "$engine") |"
  [ "${REDIS_PEER:-1}" = 1 ] && echo "| $round | redis-server 7.0 (RDB) | $keys | $(one_restart_redis) |"
done
grep -o "recovered LSN .*" "$work/engine.log" | tail -1
echo "($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ))"
