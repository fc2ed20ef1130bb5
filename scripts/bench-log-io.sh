#!/usr/bin/env bash
# A/B of the durable write path's variants (--log-io, --log-sync) at --fsync always, with Redis
# without persistence as the reference. Rounds are interleaved: for each round, test and
# pipeline depth, every variant runs once, one after the other. Per cell (medians over rounds):
# requests/s, p99 ms, the server's CPU µs per request (utime + stime of every thread, /proc),
# the mean write+sync latency of a batch and records per batch (INFO persistence), and the
# io_uring requests punted to io-wq workers per batch (tracepoint io_uring_queue_async_work,
# counted with perf stat; "-" without perf).
# Usage: scripts/bench-log-io.sh [requests_per_test]   (default 100000)
# Environment: BENCH_TESTS (default set,incr), BENCH_ROUNDS (default 3), BENCH_PIPELINES
#   (default "1 16"), BENCH_CLIENTS (default 50), BENCH_VARIANTS: "name=flags;name=flags" (default: the four combinations;
#   leading VAR=value words in flags go to the engine's environment).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-logio
n=${1:-100000}
tests=${BENCH_TESTS:-set,incr}
rounds=${BENCH_ROUNDS:-3}
clients=${BENCH_CLIENTS:-50}
pipelines=${BENCH_PIPELINES:-1 16}
variants=${BENCH_VARIANTS:-"buffered=--log-io buffered;buffered-dsync=--log-io buffered --log-sync dsync-write;direct=--log-io direct;direct-dsync=--log-io direct --log-sync dsync-write"}

declare -A port pid
names=()
next_port=7301
IFS=';' read -r -a specs <<<"$variants"
for spec in "${specs[@]}"; do
  name=${spec%%=*}
  flags=${spec#*=}
  # Leading VAR=value words are the engine's environment (e.g. STRONGBOX_LOG_IO=direct).
  envs=()
  while [[ $flags =~ ^([A-Z_]+=[^ ]*)\ *(.*)$ ]]; do
    envs+=("${BASH_REMATCH[1]}")
    flags=${BASH_REMATCH[2]}
  done
  for e in "${envs[@]}"; do export "${e?}"; done
  BENCH_ENGINE_ARGS="$flags" start_engine "$next_port" always
  for e in "${envs[@]}"; do unset "${e%%=*}"; done
  port[$name]=$next_port; pid[$name]=${pids[-1]}; names+=("$name")
  next_port=$((next_port + 1))
done
start_redis 7399 off; port[redis-off]=7399; pid[redis-off]=${pids[-1]}; names+=(redis-off)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
info_field() { redis-cli -p "$1" info persistence 2>/dev/null | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
has_perf=0
command -v perf >/dev/null && perf list 'io_uring:io_uring_queue_async_work' 2>/dev/null |
  grep -q queue_async_work && has_perf=1

# name pipeline args... -> "rps p99 cpu_us fsync_ms records_per_batch punts_per_batch"
measure() {
  local name=$1 p=$2; shift 2
  local before after line f0 t0 f1 t1 punts=- stat=$work/perf.stat
  before=$(cpu_ticks "${pid[$name]}")
  f0=$(info_field "${port[$name]}" fsyncs); t0=$(info_field "${port[$name]}" fsync_avg_ms)
  if [ "$has_perf" = 1 ] && [ "$name" != redis-off ]; then
    perf stat -x, -e io_uring:io_uring_queue_async_work -p "${pid[$name]}" -o "$stat" &
    local perf_pid=$!
    sleep 0.2
  fi
  line=$(redis-benchmark -p "${port[$name]}" -n "$n" -c "$clients" -P "$p" -r 100000 -d 64 --csv "$@" \
           2>/dev/null | tr -d '"' | awk -F, 'NR>1 { print $2, $7; exit }')
  after=$(cpu_ticks "${pid[$name]}")
  f1=$(info_field "${port[$name]}" fsyncs); t1=$(info_field "${port[$name]}" fsync_avg_ms)
  if [ -n "${perf_pid:-}" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    punts=$(awk -F, '/queue_async_work/ { print $1 }' "$stat")
  fi
  awk -v l="$line" -v t=$((after - before)) -v n="$n" -v hz="$hz" -v f0="${f0:-0}" \
      -v f1="${f1:-0}" -v t0="${t0:-0}" -v t1="${t1:-0}" -v pu="$punts" 'BEGIN {
    split(l, f, " "); b = f1 - f0
    ms = b > 0 ? (t1 * f1 - t0 * f0) / b : 0
    rb = (b > 0) ? n / b : 0; pb = (b > 0 && pu != "-") ? sprintf("%.2f", pu / b) : "-"
    printf "%s %s %.2f %.3f %.1f %s\n", f[1], f[2], t / hz * 1e6 / n, ms, rb, pb }'
}

samples=build/bench/log-io-samples.txt  # kept: test P round variant rps p99 µs ms rec/batch punts/batch
mkdir -p build/bench
: >"$samples"
for round in $(seq "$rounds"); do
  for p in $pipelines; do
    for t in ${tests//,/ }; do
      for name in "${names[@]}"; do
        read -r r q u ms rb pu < <(measure "$name" "$p" -t "$t")
        echo "$t $p $round $name ${r:-0} ${q:-0} ${u:-0} $ms $rb $pu" >>"$samples"
      done
    done
  done
  echo "round $round of $rounds done" >&2
done

echo "| test | -P | variant | rps | p99 ms | CPU µs/req | write+sync ms | records/batch | io-wq punts/batch | vs redis-off (rps, paired) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -v R="$rounds" '
  function median(a, k,   i, j, x, m) {
    for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    m = int((k + 1) / 2); return (k % 2) ? a[m] : (a[m] + a[m + 1]) / 2
  }
  { key = $1 " " $2 " " $4; if (!(key in seen)) { seen[key] = 1; order[++k] = key }
    for (c = 5; c <= 10; c++) v[key, $3, c] = $c; rps[$1, $2, $3, $4] = $5 }
  END {
    for (i = 1; i <= k; i++) {
      split(order[i], f, " "); line = "| " f[1] " | " f[2] " | " f[3]
      for (c = 5; c <= 10; c++) {
        if (v[order[i], 1, c] == "-") { line = line " | -"; continue }
        for (r = 1; r <= R; r++) a[r] = v[order[i], r, c]
        line = line " | " (c == 5 ? sprintf("%.1fk", median(a, R) / 1000) : median(a, R))
      }
      for (r = 1; r <= R; r++) a[r] = rps[f[1], f[2], r, "redis-off"] > 0 ? rps[f[1], f[2], r, f[3]] / rps[f[1], f[2], r, "redis-off"] : 0
      printf "%s | %.2fx |\n", line, median(a, R)
    }
  }' "$samples"
