#!/usr/bin/env bash
# Memory per key for N small keys of each type (default 1,000,000): strongbox-engine vs
# Debian's redis-server, both measured the same way (resident set growth per key, /proc) and
# Redis's own used_memory for reference. Prints a table. Bitmaps (1M bits each, 100 keys) and
# HyperLogLogs (5000 elements each: dense, 1000 keys) are per value, with their own key counts.
# Streams: `stream` is N keys of one `field value-00` entry each; `stream-entry` is one key of
# 1,000,000 such entries, per entry.
# Usage: [BENCH_MEMORY_TYPES="stream stream-entry"] [BENCH_ENGINE=other/strongbox-engine] \
#          scripts/bench-memory.sh [keys]        (BENCH_ENGINE: measure another build, "before")
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-mem
engine=${BENCH_ENGINE:-$engine}
n=${1:-1000000}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
gen() {  # type count -> RESP commands for count keys
  awk -v n="$2" -v t="$1" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = "key:" i
      if (t == "bitmap") printf "*4\r\n$6\r\nSETBIT\r\n$%d\r\n%s\r\n$6\r\n999999\r\n$1\r\n1\r\n", length(k), k
      if (t == "hll") for (b = 0; b < 10; b++) {
        printf "*%d\r\n$5\r\nPFADD\r\n$%d\r\n%s\r\n", 502, length(k), k
        for (j = 0; j < 500; j++) { e = "e" (b * 500 + j); printf "$%d\r\n%s\r\n", length(e), e }
      }
      if (t == "stream") printf "*5\r\n$4\r\nXADD\r\n$%d\r\n%s\r\n$1\r\n*\r\n$5\r\nfield\r\n$8\r\nvalue-00\r\n", length(k), k
      if (t == "stream-entry") printf "*5\r\n$4\r\nXADD\r\n$6\r\nstream\r\n$1\r\n*\r\n$5\r\nfield\r\n$8\r\nvalue-00\r\n"
      if (t == "bitmap" || t == "hll" || t ~ /^stream/) continue
      if (t == "string") printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "hash") printf "*4\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n$5\r\nfield\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "list") printf "*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "set") printf "*3\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n$8\r\nmember00\r\n", length(k), k
      else printf "*4\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n$1\r\n1\r\n$8\r\nmember00\r\n", length(k), k
    } }'
}
measure() {  # server type count -> bytes per key (RSS growth)
  local port=7181
  if [ "$1" = engine ]; then start_engine $port interval; else start_redis $port off; fi
  local pid=${pids[-1]}
  local before; before=$(rss_kib $pid)
  gen "$2" "$3" | redis-cli -p $port --pipe >/dev/null
  local after; after=$(rss_kib $pid)
  local used=""
  [ "$1" = redis ] && used=$(redis-cli -p $port info memory | awk -F: '/^used_memory:/ { print $2 }' | tr -d '\r')
  stop_last_server
  echo "$(( (after - before) * 1024 / $3 )) ${used:-}"
}
echo "| type | strongbox bytes/key (RSS) | redis bytes/key (RSS) | ratio | redis used_memory bytes/key |"
echo "|---|---|---|---|---|"
for t in ${BENCH_MEMORY_TYPES:-string hash list set zset bitmap hll stream stream-entry}; do
  count=$n
  [ $t = bitmap ] && count=100
  [ $t = hll ] && count=1000
  [ $t = stream-entry ] && count=1000000
  read -r e _ < <(measure engine $t $count)
  read -r r used < <(measure redis $t $count)
  echo "| $t | $e | $r | $(awk -v a="$e" -v b="$r" 'BEGIN{printf "%.2fx", a/b}') | $(( used / count )) |"
done
echo "($n keys per type, one small value each; $(date -u +%FT%TZ))"
