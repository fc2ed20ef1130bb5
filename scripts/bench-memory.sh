#!/usr/bin/env bash
# Memory per key for N small keys of each type (default 1,000,000): strongbox-engine vs
# Debian's redis-server, both measured the same way (resident set growth per key, /proc) and
# Redis's own used_memory for reference. Prints a table.
# Usage: scripts/bench-memory.sh [keys]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
n=${1:-1000000}
work=$(mktemp -d /tmp/strongbox-mem.XXXXXX)
engine=build/release/engine/strongbox-engine
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
wait_port() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
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
  if [ "$1" = engine ]; then
    "$engine" --dir "$work/e-$2" --port $port --metrics-port 0 --fsync interval 2>/dev/null &
  else
    redis-server --port $port --save '' --appendonly no --daemonize no --logfile /dev/null &
  fi
  pid=$!
  wait_port $port
  local before; before=$(rss_kib $pid)
  gen "$2" | redis-cli -p $port --pipe >/dev/null
  local after; after=$(rss_kib $pid)
  local used=""
  [ "$1" = redis ] && used=$(redis-cli -p $port info memory | awk -F: '/^used_memory:/ { print $2 }' | tr -d '\r')
  kill $pid; wait $pid 2>/dev/null || true; pid=""
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
