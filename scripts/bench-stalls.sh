#!/usr/bin/env bash
# Stall benchmark (a benchmark, not a test): how long an innocent client waits while another
# client does bulk work, strongbox-engine (--fsync always) vs Debian's redis-server 7.0 with
# appendonly yes + appendfsync always and without persistence, side by side in one table.
#
# Scenarios (sizes / 10 with --quick), each on a freshly started server, the servers interleaved
# scenario by scenario:
#   1. SET 2M keys   2. full SCAN COUNT 10 of 2M keys   3. SADD a 1M-member set, UNLINK it
#   4. the same, DEL it   5. HSET a 500k-field hash, DEL it   6. SADD a 500k-member set
#   7. ZADD a 500k-member sorted set   8. FLUSHALL ASYNC of 2M keys
# The load client (scripts/bench_stalls.py) sends pipelines of 1000 pre-encoded commands over a
# raw socket and waits for their replies, like a redis-py pipeline of a bulk loader but without
# a client library's parsing cost; SADD/HSET/ZADD carry 10 members per command. 2M keys for
# scenarios 2 and 8 are loaded first, outside the measured window. Why not redis-cli --pipe:
# measured for the 2M SETs of scenario 1 (2026-12-01), it took engine 5.7 s, Redis no
# persistence 4.5 s but Redis AOF always 29.7 s (it fsyncs per 16 KiB read), against 9.5 /
# 8.6 / 13.4 s with pipelines of 1000: a one-batch-in-flight loader treats all three alike.
#
# How to read the numbers:
#   - PING p50 / p99.9 / max ms: a separate prober process (not a thread sharing the loader's
#     GIL; nice -5 when allowed) sends PING on its own connection every 1 ms and records each
#     round trip, time.perf_counter_ns() taken just before send and just after the reply. A PING
#     slower than 1 ms is recorded with its whole round trip and the ticks it covered are
#     skipped, so a stall shows up as its own length in max (it is one sample, so p99.9 only
#     moves when stalls repeat; a window of fewer than 1000 PINGs has p99.9 = max). A PING
#     counts for a phase when its round trip overlaps the phase's window, so the PING stuck
#     behind a DEL counts for the DEL. Under load a tick is often longer than 1 ms (two PINGs
#     and a late wake-up): the JSON lines next to the table give the PING count per window.
#   - idle control PING max: right after each PING the prober pings an idle redis-server; its
#     worst round trip in the same windows is this machine's noise floor (the prober not
#     scheduled, loopback). A stall well above it is the server's.
#   - The window of a phase: from its first command until its last reply, and for UNLINK / DEL /
#     FLUSHALL until the server is idle again (< 10 % of a core over 200 ms, 10 s at most), so
#     work done in the background after the reply (lazy free) is inside it. Between phases the
#     script waits for the server to be idle, plus 100 ms.
#   - load s: the phase's commands from first send to last reply (a DEL's own latency for 3b/4b/5b,
#     the reply time only for FLUSHALL ASYNC). CPU s: the server's user + system time over the
#     window from /proc/<pid>/stat (all threads: Redis's lazy-free thread, io_uring workers).
#   - With --fsync always the engine holds every reply, a PING's too, until the log is durable
#     up to the last write assigned when it ran: during a write load p50 includes a group commit.
#   - The machine has 2 cores shared by server, loader and prober: compare columns of one run,
#     and treat a lone max that every column shows in the same row as the machine, not a server.
#
# Usage: scripts/bench-stalls.sh [--quick] [--out FILE]   (default build/bench/stalls.md)
set -euo pipefail
quick=0
out=build/bench/stalls.md
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--quick] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac  # bench_init changes to the checkout
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-stalls
scale=1 mode=""
if ((quick)); then scale=0.1 mode=" --quick"; fi
mkdir -p "$(dirname "$out")"
results=$work/results.jsonl
: >"$results"
servers=(engine redis-always redis-off)
control_port=7320
start_redis "$control_port" off  # idle all along: the prober's noise floor
port=$control_port

for scenario in 1 2 3 4 5 6 7 8; do
  for server in "${servers[@]}"; do
    port=$((port + 1))  # a fresh port per server: no TIME_WAIT or a late reply from the last one
    case "$server" in
      engine) start_engine "$port" always ;;
      redis-always) start_redis "$port" always ;;
      redis-off) start_redis "$port" off ;;
    esac
    echo "scenario $scenario, $server (pid ${pids[-1]}, port $port)" >&2
    python3 scripts/bench_stalls.py run --port "$port" --pid "${pids[-1]}" --server "$server" \
      --control-port "$control_port" \
      --scenario "$scenario" --scale "$scale" >>"$results"
    stop_last_server
  done
done

{
  python3 scripts/bench_stalls.py table "$results"
  echo
  echo "(scripts/bench-stalls.sh$mode; $(nproc) cores;" \
    "$(git rev-parse --short HEAD); $(date -u +%FT%TZ))"
} | tee "$out"
cp "$results" "${out%.md}.jsonl"  # every figure of the run, with the PING count per window
/usr/bin/python3 scripts/bench_plot.py stalls "$results" "${out%.md}.png"
echo "plot: ${out%.md}.png"
