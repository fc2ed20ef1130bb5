#!/usr/bin/env bash
# Where the engine's CPU goes per request: perf samples of the engine process (every thread,
# kernel included) while redis-benchmark runs one command at a time, at -P 1 and -P 16, against
# a keyspace of 100,000 keys. Prints each run's top frames (self time) and the engine's CPU µs
# per request, and writes them to build/bench/profile.md.
# Usage: scripts/profile.sh [requests_per_run]   (default 300000)
# Environment: PROFILE_TESTS (default "set get incr hset"), PROFILE_FSYNC (default always),
#              PROFILE_TOP (frames per run, default 12).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-profile
command -v perf >/dev/null || { echo "profile.sh: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
n=${1:-300000}
tests=${PROFILE_TESTS:-set get incr hset}
top=${PROFILE_TOP:-12}
out_dir=build/bench
mkdir -p "$out_dir"
out=$out_dir/profile.md

start_engine 7451 "${PROFILE_FSYNC:-always}"
engine_pid=${pids[-1]}
# A full keyspace first, so that GET hits and the table has its working size.
redis-benchmark -p 7451 -t set -n 200000 -c 50 -P 16 -r 100000 -d 64 -q >/dev/null
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

: >"$out"
for p in 1 16; do
  for t in $tests; do
    data=$work/perf-$t-$p.data
    before=$(cpu_ticks "$engine_pid")
    perf record -q -F 1999 -g -p "$engine_pid" -o "$data" -- \
      redis-benchmark -p 7451 -t "$t" -n "$n" -c 50 -P "$p" -r 100000 -d 64 --csv \
      >"$work/bench.csv" 2>/dev/null
    after=$(cpu_ticks "$engine_pid")
    rps=$(tr -d '"' <"$work/bench.csv" | awk -F, 'NR>1 { print $2; exit }')
    us=$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
           'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
    {
      echo "### $(echo "$t" | tr a-z A-Z) -P $p: $rps requests/s, engine CPU $us µs per request"
      echo '```'
      perf report -i "$data" --no-children --sort comm,dso,symbol --stdio -g none 2>/dev/null |
        grep -v '^#' | grep -v '^$' | sed -E 's/[ -]+$//' | head -n "$top"
      echo '```'
    } | tee -a "$out"
  done
done
echo "(n=$n per run, -c 50, -r 100000, -d 64; $(nproc) cores; $(date -u +%FT%TZ))" | tee -a "$out"
