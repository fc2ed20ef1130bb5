# Sourced by the scripts/bench*.sh benchmarks: the release build, a temporary directory that is
# removed on exit, and the servers under comparison on loopback ports (BENCH_ENGINE_ARGS: extra
# strongbox-engine flags, e.g. "--rotate-interval 3600"). After bench_init:
#   $work    the temporary directory          $engine  the strongbox-engine binary
#   pids     every server started (all killed on exit); the last one is ${pids[-1]}
#   dirs     their data directories, in the same order
# shellcheck shell=bash

bench_init() {  # temp-dir-prefix
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit
  bash scripts/install-deps.sh
  bash scripts/build.sh release >/dev/null
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  engine=build/release/engine/strongbox-engine
  pids=()
  dirs=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}

wait_port() {  # port -> 0 once the server started last listens on it and answers PING (10 s)
  for _ in $(seq 100); do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "bench: the server for port $1 exited (port taken by another process?)" >&2
      exit 1
    fi
    ss -Hltnp "sport = :$1" | grep -q "pid=${pids[-1]}," &&
      redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# Each start gets a fresh data directory, so a server started again on the same port does not
# recover what the previous one wrote.
start_engine() {  # port fsync-mode (always|interval)
  local dir; dir=$(mktemp -d "$work/engine-$1.XXXX")
  # shellcheck disable=SC2086  # BENCH_ENGINE_ARGS: extra flags, split on spaces
  "$engine" --dir "$dir" --port "$1" --metrics-port 0 --fsync "$2" ${BENCH_ENGINE_ARGS:-} \
    2>"$dir.log" &
  pids+=($!)
  dirs+=("$dir")
  wait_port "$1"
}

start_redis() {  # port appendfsync-policy (always|everysec), or "off" for no persistence
  local dir; dir=$(mktemp -d "$work/redis-$1.XXXX")
  local aof=(--appendonly yes --appendfsync "$2")
  [ "$2" = off ] && aof=(--appendonly no)
  redis-server --port "$1" --bind 127.0.0.1 --dir "$dir" --save '' "${aof[@]}" \
    --daemonize no --logfile "$dir.log" &
  pids+=($!)
  dirs+=("$dir")
  wait_port "$1"
}

stop_last_server() {  # stops ${pids[-1]}, removes its data directory and forgets both
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
  rm -rf "${dirs[-1]}"
  unset 'pids[-1]' 'dirs[-1]'
}
