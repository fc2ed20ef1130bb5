#!/usr/bin/env bash
# Side-by-side benchmark on loopback, one run, five peers: strongbox-engine (--fsync always /
# interval) and Debian's redis-server (appendfsync always / everysec / no persistence), with
# redis-benchmark.
#
# Rounds are interleaved: for each round, test and pipeline depth every peer runs once, one
# after the other, so a noisy moment hits every peer of that round alike. Ratios are paired: a
# ratio is computed per round (strongbox / peer, same round) and the median of those is printed,
# with its spread (min..max). Each cell also has the server's own CPU time per request (utime +
# stime of the whole process, all threads, from /proc/PID/stat, divided by the requests).
#
# Tables: the data commands (rps, p99, CPU µs/op and the paired ratios), then scripts and
# pub/sub (EVALSHA of a two-key compare-and-set, PUBLISH to 1/10/100 subscribers). Both are
# written to build/bench/results.md; build/bench/bench-rps.png and bench-p99.png plot the first.
# Usage: scripts/bench.sh [requests_per_test]   (default 100000)
# Environment: BENCH_TESTS (redis-benchmark -t list), BENCH_ROUNDS (default 3),
#              BENCH_PIPELINES (default "1 16").
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-bench
n=${1:-100000}
tests=${BENCH_TESTS:-set,get,incr,hset,lpush,lpop,sadd,spop,zadd,zpopmin,lrange_100}
rounds=${BENCH_ROUNDS:-3}
pipelines=${BENCH_PIPELINES:-1 16}
out_dir=build/bench
mkdir -p "$out_dir"

peers=(engine-always engine-interval redis-always redis-everysec redis-off)
declare -A port pid
start_engine 7101 always; port[engine-always]=7101; pid[engine-always]=${pids[-1]}
start_engine 7102 interval; port[engine-interval]=7102; pid[engine-interval]=${pids[-1]}
start_redis 7201 always; port[redis-always]=7201; pid[redis-always]=${pids[-1]}
start_redis 7202 everysec; port[redis-everysec]=7202; pid[redis-everysec]=${pids[-1]}
start_redis 7203 off; port[redis-off]=7203; pid[redis-off]=${pids[-1]}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# peer pipeline redis-benchmark-args... -> "rps p99_ms cpu_us_per_op" for one redis-benchmark
# run of n requests (a single test).
measure() {
  local peer=$1 p=$2; shift 2
  local before after line
  before=$(cpu_ticks "${pid[$peer]}")
  line=$(redis-benchmark -p "${port[$peer]}" -n "$n" -c 50 -P "$p" -r 100000 -d 64 --csv "$@" \
           2>/dev/null | tr -d '"' | awk -F, 'NR>1 { print $2, $7; exit }')
  after=$(cpu_ticks "${pid[$peer]}")
  awk -v l="$line" -v t=$((after - before)) -v n="$n" -v hz="$hz" \
    'BEGIN { split(l, f, " "); printf "%s %s %.2f\n", f[1], f[2], t / hz * 1e6 / n }'
}

# Every sample: "test P round peer rps p99 us" lines in $work/samples.
samples=$work/samples
: >"$samples"
upper_tests=$(echo "$tests" | tr a-z A-Z | tr , ' ')
for round in $(seq "$rounds"); do
  for p in $pipelines; do
    for t in $upper_tests; do
      for peer in "${peers[@]}"; do
        read -r r q u < <(measure "$peer" "$p" -t "$(echo "$t" | tr A-Z a-z)")
        echo "$t $p $round $peer ${r:-0} ${q:-0} ${u:-0}" >>"$samples"
      done
    done
  done
  echo "round $round of $rounds done" >&2
done

# test P -> table row: median rps / p99 / µs per peer, and paired ratios (median, min..max).
row() {
  awk -v t="$1" -v p="$2" -v R="$rounds" '
    function median(a, k,   i, j, x, m) {  # sorts a[1..k] in place
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      m = int((k + 1) / 2); return (k % 2) ? a[m] : (a[m] + a[m + 1]) / 2
    }
    function cell(peer,   i, a, b, c) {
      for (i = 1; i <= R; i++) { a[i] = rps[peer, i]; b[i] = p99[peer, i]; c[i] = us[peer, i] }
      return sprintf("%.0fk / %.2f / %.2f", median(a, R) / 1000, median(b, R), median(c, R))
    }
    function ratio(x, y,   i, a, lo, hi) {
      lo = 1e9; hi = 0
      for (i = 1; i <= R; i++) {
        a[i] = rps[y, i] > 0 ? rps[x, i] / rps[y, i] : 0
        if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]
      }
      return sprintf("%.2fx (%.2f..%.2f)", median(a, R), lo, hi)
    }
    $1 == t && $2 == p { rps[$4, $3] = $5; p99[$4, $3] = $6; us[$4, $3] = $7 }
    END {
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t, p,
        cell("engine-always"), cell("engine-interval"), cell("redis-always"),
        cell("redis-everysec"), cell("redis-off"),
        ratio("engine-always", "redis-off"), ratio("engine-always", "redis-always"),
        ratio("engine-interval", "redis-everysec")
    }' "$samples"
}
{
  echo "Cells: median requests/s / p99 ms / server CPU µs per request, over $rounds interleaved rounds."
  echo "Ratios: requests/s, paired round by round; median (min..max)."
  echo
  echo "| test | -P | strongbox always | strongbox interval | redis always | redis everysec | redis no persistence | always / redis none | always / redis always | interval / redis everysec |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for p in $pipelines; do
    for t in $upper_tests; do row "$t" "$p"; done
  done
} | tee "$out_dir/results.md"
echo "(n=$n per test and round, -c 50, -r 100000, -d 64; $(nproc) cores; $(date -u +%FT%TZ))" |
  tee -a "$out_dir/results.md"
cp "$samples" "$out_dir/samples.txt"
# Debian's matplotlib belongs to Debian's python3, whatever python3 comes first on PATH.
/usr/bin/python3 scripts/bench_plot.py throughput "$out_dir/samples.txt" "$out_dir"
echo "plots: $out_dir/bench-rps.png $out_dir/bench-p99.png"

# Scripts and pub/sub: EVALSHA of a two-key compare-and-set, and PUBLISH to 1, 10 and 100
# subscribers (redis-cli processes), each server in turn. The CAS always writes both keys (the
# expected value is the one it sets), so every call is a durable two-key write.
cas='local v = redis.call("GET", KEYS[1])
if v == false or v == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2]); redis.call("SET", KEYS[2], ARGV[2]); return 1
end
return 0'
{
  echo
  echo "| test | -P | strongbox always rps / p99 ms / CPU µs per op | strongbox interval | redis always | redis everysec | redis no persistence |"
  echo "|---|---|---|---|---|---|---|"
  declare -A cell
  for p in $pipelines; do
    for peer in "${peers[@]}"; do
      sha=$(redis-cli -p "${port[$peer]}" SCRIPT LOAD "$cas")
      read -r r q u < <(measure "$peer" "$p" EVALSHA "$sha" 2 "a:__rand_int__" "b:__rand_int__" v v)
      cell["cas,$p,$peer"]="$r / $q / $u"
      for subs in 1 10 100; do
        subpids=()
        for _ in $(seq "$subs"); do
          redis-cli -p "${port[$peer]}" SUBSCRIBE bench-channel >/dev/null & subpids+=($!)
        done
        until [ "$(redis-cli -p "${port[$peer]}" PUBSUB NUMSUB bench-channel | tail -1)" = "$subs" ]; do
          sleep 0.1
        done
        read -r r q u < <(measure "$peer" "$p" PUBLISH bench-channel \
                            "a-64-byte-message-a-64-byte-message-a-64-byte-message-a-64-byt")
        kill "${subpids[@]}" 2>/dev/null || true
        wait "${subpids[@]}" 2>/dev/null || true
        cell["pub$subs,$p,$peer"]="$r / $q / $u"
      done
    done
    for t in cas pub1 pub10 pub100; do
      case $t in cas) label="EVALSHA 2-key CAS" ;; *) label="PUBLISH, ${t#pub} subscribers" ;; esac
      line="| $label | $p |"
      for peer in "${peers[@]}"; do line+=" ${cell["$t,$p,$peer"]} |"; done
      echo "$line"
    done
  done
} | tee -a "$out_dir/results.md"
