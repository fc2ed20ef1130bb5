#!/usr/bin/env bash
# A/B of two engine builds on one command at a time: the engine's CPU µs per request (utime +
# stime of the whole process from /proc/PID/stat, divided by the requests), not requests/s, so
# that a machine shared with other work still gives comparable figures. Both engines run at
# once (--fsync interval: the CPU of the keyspace, not of fsync) over the same keyspace of
# `keys` keys, and rounds alternate between them, so drift in the machine's load hits both.
# Usage: ENGINE_BASELINE=/path/to/old/strongbox-engine [BENCH_ROUNDS=5] [BENCH_TESTS="set get"] \
#          [BENCH_PIPELINE=16] [BENCH_COMMAND="EXISTS nokey:__rand_int__"] \
#          scripts/bench-ab.sh [requests_per_run] [keys]   (defaults 1000000 requests and keys)
#        BENCH_COMMAND: one more test, that command line (lookups of absent keys, say).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-ab
: "${ENGINE_BASELINE:?set ENGINE_BASELINE to the engine binary to compare with}"
n=${1:-1000000}
keys=${2:-1000000}
rounds=${BENCH_ROUNDS:-5}
p=${BENCH_PIPELINE:-16}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

declare -A port pid
this_engine=$engine
engine=$ENGINE_BASELINE
start_engine 7461 interval; port[baseline]=7461; pid[baseline]=${pids[-1]}
engine=$this_engine
start_engine 7462 interval; port[this]=7462; pid[this]=${pids[-1]}
for peer in baseline this; do  # the whole keyspace, so that GETs hit
  redis-benchmark -p "${port[$peer]}" -t set -n $((keys * 3)) -c 50 -P 16 -r "$keys" -d 8 -q \
    >/dev/null
done

echo "| test | round | baseline µs/req | this build µs/req | this / baseline |"
echo "|---|---|---|---|---|"
tests=${BENCH_TESTS:-set get}
[ -n "${BENCH_COMMAND:-}" ] && tests="$tests command"
for t in $tests; do
  args=(-t "$t")
  name=$(echo "$t" | tr a-z A-Z)
  # shellcheck disable=SC2206  # BENCH_COMMAND: a command line, split on spaces
  [ "$t" = command ] && args=($BENCH_COMMAND) && name=$BENCH_COMMAND
  for round in $(seq "$rounds"); do
    declare -A us
    for peer in baseline this; do
      before=$(cpu_ticks "${pid[$peer]}")
      redis-benchmark -p "${port[$peer]}" -n "$n" -c 50 -P "$p" -r "$keys" -d 8 -q "${args[@]}" \
        >/dev/null
      after=$(cpu_ticks "${pid[$peer]}")
      us[$peer]=$(awk -v t=$((after - before)) -v n="$n" -v hz="$hz" \
        'BEGIN { printf "%.3f", t / hz * 1e6 / n }')
    done
    ratio=$(awk -v a="${us[this]}" -v b="${us[baseline]}" 'BEGIN { printf "%.3f", a / b }')
    echo "$ratio" >>"$work/ratios-$t"
    echo "| $name -P $p | $round | ${us[baseline]} | ${us[this]} | $ratio |"
  done
  # The paired ratios' median, so that one noisy round does not decide.
  echo "| $name -P $p | median | | | $(sort -n "$work/ratios-$t" |
    awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }') |"
done
echo "($n requests per run, -c 50, -r $keys, -d 8; $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ))"
