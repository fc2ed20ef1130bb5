#!/usr/bin/env bash
# Side-by-side benchmark on loopback, one run: strongbox-engine (--fsync always / interval)
# against Debian's redis-server (appendfsync always / everysec), with redis-benchmark.
# Prints one table (requests/s, p99 ms, ratios), then one for scripts and pub/sub (EVALSHA of a
# two-key compare-and-set, PUBLISH to 1/10/100 subscribers, with each server's CPU µs per
# request), and writes both to build/bench/results.md.
# Usage: scripts/bench.sh [requests_per_test]   (default 100000)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-bench
n=${1:-100000}
tests=${BENCH_TESTS:-set,get,incr,hset,lpush,lpop,sadd,spop,zadd,zpopmin,lrange_100}
out_dir=build/bench
mkdir -p "$out_dir"

start_engine 7101 always
start_engine 7102 interval
start_redis 7201 always
start_redis 7202 everysec

# name port pipeline -> lines "TEST rps p99"
run() {
  redis-benchmark -p "$2" -t "$tests" -n "$n" -c 50 -P "$3" -r 100000 -d 64 --csv 2>/dev/null |
    tr -d '"' | awk -F, 'NR>1 { split($1, name, " "); print name[1], $2, $7 }'
}
declare -A rps p99
for p in 1 16; do
  for target in "engine-always 7101" "engine-interval 7102" "redis-always 7201" \
                "redis-everysec 7202"; do
    set -- $target
    while read -r t r q; do rps["$1,$p,$t"]=$r; p99["$1,$p,$t"]=$q; done < <(run "$1" "$2" "$p")
  done
done

{
  echo "| test | -P | strongbox always rps | redis always rps | ratio | strongbox p99 ms | redis p99 ms | strongbox interval rps | redis everysec rps | ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for p in 1 16; do
    for t in $(echo "$tests" | tr a-z A-Z | tr , ' '); do
      ea=${rps["engine-always,$p,$t"]:-0}; ra=${rps["redis-always,$p,$t"]:-0}
      ei=${rps["engine-interval,$p,$t"]:-0}; re=${rps["redis-everysec,$p,$t"]:-0}
      r1=$(awk -v a="$ea" -v b="$ra" 'BEGIN{ printf (b>0? "%.2fx" : "n/a"), a/b }')
      r2=$(awk -v a="$ei" -v b="$re" 'BEGIN{ printf (b>0? "%.2fx" : "n/a"), a/b }')
      echo "| $t | $p | $ea | $ra | $r1 | ${p99["engine-always,$p,$t"]:-?} | ${p99["redis-always,$p,$t"]:-?} | $ei | $re | $r2 |"
    done
  done
} | tee "$out_dir/results.md"
echo "(n=$n per test, -c 50, -r 100000, -d 64; $(nproc) cores; $(date -u +%FT%TZ))" | tee -a "$out_dir/results.md"

# Scripts and pub/sub: EVALSHA of a two-key compare-and-set, and PUBLISH to 1, 10 and 100
# subscribers (redis-cli processes), each server in turn, with its CPU time per request.
# The CAS always writes both keys (the expected value is the one it sets), so every call is a
# durable two-key write.
cas='local v = redis.call("GET", KEYS[1])
if v == false or v == ARGV[1] then
  redis.call("SET", KEYS[1], ARGV[2]); redis.call("SET", KEYS[2], ARGV[2]); return 1
end
return 0'
servers=("engine-always 7101 ${pids[0]}" "engine-interval 7102 ${pids[1]}"
         "redis-always 7201 ${pids[2]}" "redis-everysec 7202 ${pids[3]}")
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# name port pid pipeline args... -> "rps p99 us_per_op"
run_custom() {
  local port=$2 pid=$3 p=$4; shift 4
  local before after line
  before=$(cpu_ticks "$pid")
  line=$(redis-benchmark -p "$port" -n "$n" -c 50 -P "$p" -r 100000 --csv "$@" 2>/dev/null |
         tr -d '"' | awk -F, 'NR>1 { print $2, $7 }')
  after=$(cpu_ticks "$pid")
  awk -v l="$line" -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { split(l, f, " "); printf "%s %s %.1f\n", f[1], f[2], t / hz * 1e6 / n }'
}
{
  echo
  echo "| test | -P | strongbox always rps / p99 ms / CPU µs per op | redis always | strongbox interval | redis everysec |"
  echo "|---|---|---|---|---|---|"
  declare -A cell
  for p in 1 16; do
    for s in "${servers[@]}"; do
      set -- $s
      sha=$(redis-cli -p "$2" SCRIPT LOAD "$cas")
      read -r r q u < <(run_custom "$1" "$2" "$3" "$p" EVALSHA "$sha" 2 "a:__rand_int__" \
                          "b:__rand_int__" v v)
      cell["cas,$p,$1"]="$r / $q / $u"
      for subs in 1 10 100; do
        subpids=()
        for _ in $(seq "$subs"); do
          redis-cli -p "$2" SUBSCRIBE bench-channel >/dev/null & subpids+=($!)
        done
        until [ "$(redis-cli -p "$2" PUBSUB NUMSUB bench-channel | tail -1)" = "$subs" ]; do
          sleep 0.1
        done
        read -r r q u < <(run_custom "$1" "$2" "$3" "$p" PUBLISH bench-channel \
                            "a-64-byte-message-a-64-byte-message-a-64-byte-message-a-64-byt")
        kill "${subpids[@]}" 2>/dev/null || true
        wait "${subpids[@]}" 2>/dev/null || true
        cell["pub$subs,$p,$1"]="$r / $q / $u"
      done
    done
    for t in cas pub1 pub10 pub100; do
      case $t in cas) label="EVALSHA 2-key CAS" ;; *) label="PUBLISH, ${t#pub} subscribers" ;; esac
      echo "| $label | $p | ${cell["$t,$p,engine-always"]} | ${cell["$t,$p,redis-always"]} |" \
           "${cell["$t,$p,engine-interval"]} | ${cell["$t,$p,redis-everysec"]} |"
    done
  done
} | tee -a "$out_dir/results.md"
