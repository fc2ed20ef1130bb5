#!/usr/bin/env bash
# Side-by-side benchmark on loopback, one run: strongbox-engine (--fsync always / interval)
# against Debian's redis-server (appendfsync always / everysec), with redis-benchmark.
# Prints one table (requests/s, p99 ms, ratios) and writes it to build/bench/results.md.
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
