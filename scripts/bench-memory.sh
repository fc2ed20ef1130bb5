#!/usr/bin/env bash
# Memory per key for N small keys of each type (default 1,000,000): strongbox-engine vs
# Debian's redis-server, both measured the same way (resident set growth per key, /proc) and
# Redis's own used_memory for reference. Prints a table.
# Usage: scripts/bench-memory.sh [keys]
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-mem
n=${1:-1000000}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
gen() {  # type -> RESP commands for n keys
  awk -v n="$n" -v t="$1" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = "key:" i
      if (t == "string") printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "hash") printf "*4\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n$5\r\nfield\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "list") printf "*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$8\r\nvalue-00\r\n", length(k), k
      else if (t == "set") printf "*3\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n$8\r\nmember00\r\n", length(k), k
      else printf "*4\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n$1\r\n1\r\n$8\r\nmember00\r\n", length(k), k
    } }'
}
measure() {  # server type -> bytes per key (RSS growth)
  local port=7181
  if [ "$1" = engine ]; then start_engine $port interval; else start_redis $port off; fi
  local pid=${pids[-1]}
  local before; before=$(rss_kib $pid)
  gen "$2" | redis-cli -p $port --pipe >/dev/null
  local after; after=$(rss_kib $pid)
  local used=""
  [ "$1" = redis ] && used=$(redis-cli -p $port info memory | awk -F: '/^used_memory:/ { print $2 }' | tr -d '\r')
  stop_last_server
  echo "$(( (after - before) * 1024 / n )) ${used:-}"
}
echo "| type | strongbox bytes/key (RSS) | redis bytes/key (RSS) | ratio | redis used_memory bytes/key |"
echo "|---|---|---|---|---|"
for t in string hash list set zset; do
  read -r e _ < <(measure engine $t)
  read -r r used < <(measure redis $t)
  echo "| $t | $e | $r | $(awk -v a="$e" -v b="$r" 'BEGIN{printf "%.2fx", a/b}') | $(( used / n )) |"
done
echo "($n keys per type, one small value each; $(date -u +%FT%TZ))"
