#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the release flavour and runs the
# engine and the snapshotter on ./data (archive in ./data/archived) in the foreground.
# Ctrl-C (or SIGTERM) stops both cleanly: the engine seals its segment and exits 0.
# Extra arguments go to the engine, e.g. scripts/run.sh --port 6380 --fsync interval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
data_dir=${STRONGBOX_DIR:-$PWD/data}
mkdir -p "$data_dir/archived"
engine=build/release/engine/strongbox-engine
snapshotter=build/release/snapshotter/strongbox-snapshotter

pids=()
stop() {
  trap - INT TERM
  echo "run.sh: stopping (SIGTERM to ${pids[*]})"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM

"$engine" --dir "$data_dir" "$@" &
pids+=($!)
if [ -x "$snapshotter" ]; then
  # Give the engine a moment to create dataset.id on a fresh directory.
  for _ in $(seq 50); do [ -f "$data_dir/dataset.id" ] && break; sleep 0.1; done
  "$snapshotter" run --dir "$data_dir" --archive-dir "$data_dir/archived" &
  pids+=($!)
fi
echo "run.sh: engine on ${STRONGBOX_PORT:-6379} (redis-cli -p ${STRONGBOX_PORT:-6379}), data in $data_dir; Ctrl-C stops"
# Exit when either process ends; stop the other one too.
set +e
wait -n "${pids[@]}"
rc=$?
stop
exit $rc
