#!/usr/bin/env bash
# TLS against plain, same run, same engine: one strongbox-engine (--fsync always: every SET is
# durable before its reply) listens on a plain port and a TLS port (mutual TLS, certificates
# from scripts/gen-tls-certs.sh), and redis-benchmark runs SET at -P 1 and -P 16 on each.
#
# Rounds are interleaved (each round: P=1 plain, P=1 TLS, P=16 plain, P=16 TLS), so a noisy
# moment hits both alike; the TLS/plain ratio is paired round by round and its median printed
# with the spread (min..max). CPU is the engine's own (utime + stime from /proc/PID/stat) per
# request: what encryption adds on the server. Written to build/bench/tls-results.md.
# Usage: scripts/bench-tls.sh [requests_per_run]   (default 100000)
# Environment: BENCH_ROUNDS (default 3), BENCH_PIPELINES (default "1 16"), BENCH_CLIENTS (50).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib/bench-common.sh
source "$(dirname "$0")/lib/bench-common.sh"
bench_init strongbox-bench-tls
n=${1:-100000}
rounds=${BENCH_ROUNDS:-3}
pipelines=${BENCH_PIPELINES:-1 16}
clients=${BENCH_CLIENTS:-50}
out_dir=build/bench
mkdir -p "$out_dir"

bash scripts/gen-tls-certs.sh "$work/certs" >/dev/null
plain_port=7131 tls_port=7132
BENCH_ENGINE_ARGS="${BENCH_ENGINE_ARGS:-} --tls-port $tls_port \
  --tls-cert-file $work/certs/server.crt --tls-key-file $work/certs/server.key \
  --tls-ca-cert-file $work/certs/ca.crt" start_engine "$plain_port" always
engine_pid=${pids[-1]}
tls_args=(--tls --cacert "$work/certs/ca.crt" --cert "$work/certs/client.crt"
          --key "$work/certs/client.key")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$engine_pid/stat"; }
hz=$(getconf CLK_TCK)

# transport pipeline -> "rps p99_ms cpu_us_per_request" of one redis-benchmark SET run.
measure() {
  local extra=() port=$plain_port before after line
  if [ "$1" = tls ]; then extra=("${tls_args[@]}"); port=$tls_port; fi
  before=$(cpu_ticks)
  line=$(redis-benchmark -p "$port" "${extra[@]}" -t set -n "$n" -c "$clients" -P "$2" \
           -r 100000 -d 64 --csv 2>/dev/null | tr -d '"' | awk -F, 'NR>1 { print $2, $7; exit }')
  after=$(cpu_ticks)
  awk -v l="$line" -v t=$((after - before)) -v n="$n" -v hz="$hz" \
    'BEGIN { split(l, f, " "); printf "%s %s %.2f\n", f[1], f[2], t / hz * 1e6 / n }'
}

samples=$work/samples  # "P round transport rps p99 us"
: >"$samples"
for round in $(seq "$rounds"); do
  for p in $pipelines; do
    for transport in plain tls; do
      read -r r q u < <(measure "$transport" "$p")
      echo "$p $round $transport ${r:-0} ${q:-0} ${u:-0}" >>"$samples"
    done
  done
  echo "round $round of $rounds done" >&2
done

row() {  # P -> table row
  awk -v p="$1" -v R="$rounds" '
    function median(a, k,   i, j, x, m) {
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      m = int((k + 1) / 2); return (k % 2) ? a[m] : (a[m] + a[m + 1]) / 2
    }
    function cell(t,   i, a, b, c) {
      for (i = 1; i <= R; i++) { a[i] = rps[t, i]; b[i] = p99[t, i]; c[i] = us[t, i] }
      return sprintf("%.0fk / %.2f / %.2f", median(a, R) / 1000, median(b, R), median(c, R))
    }
    function ratio(x, y, v,   i, a, lo, hi) {
      lo = 1e9; hi = 0
      for (i = 1; i <= R; i++) {
        a[i] = v[y, i] > 0 ? v[x, i] / v[y, i] : 0
        if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i]
      }
      return sprintf("%.2fx (%.2f..%.2f)", median(a, R), lo, hi)
    }
    $1 == p { rps[$3, $2] = $4; p99[$3, $2] = $5; us[$3, $2] = $6 }
    END {
      printf "| SET | %s | %s | %s | %s | %s |\n", p, cell("plain"), cell("tls"),
        ratio("tls", "plain", rps), ratio("tls", "plain", us)
    }' "$samples"
}
{
  echo "Durable SET (--fsync always), one engine, plain port vs TLS port (TLSv1.3, mutual TLS)."
  echo "Cells: median requests/s / p99 ms / engine CPU µs per request over $rounds interleaved rounds."
  echo
  echo "| test | -P | plain | TLS | TLS / plain rps | TLS / plain CPU per request |"
  echo "|---|---|---|---|---|---|"
  for p in $pipelines; do row "$p"; done
  echo "(n=$n per run, -c $clients, -r 100000, -d 64; $(nproc) cores; $(date -u +%FT%TZ))"
} | tee "$out_dir/tls-results.md"
cp "$samples" "$out_dir/tls-samples.txt"
