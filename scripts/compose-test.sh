#!/usr/bin/env bash
# Real container test of the compose stack with rootful Podman (../shared/containers.md):
# build the image, bring engine + snapshotter up with small segments, write through
# redis-cli, wait for a snapshot and for archived files, restart the engine container and read
# everything back, check non-root + read-only root fs + clean SIGTERM exit, tear down.
# Exits 0 with "SKIP: <reason>" where this machine cannot run containers.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
lab_setup=${STRONGBOX_CONTAINER_LAB:-$(dirname "$repo")/shared/container-lab/setup.sh}
if [ ! -x "$lab_setup" ] && [ ! -f "$lab_setup" ]; then
  echo "SKIP: no container lab at $lab_setup (see ../shared/containers.md)"; exit 0
fi
if ! bash "$lab_setup" >/tmp/strongbox-lab.log 2>&1; then
  echo "SKIP: the container lab could not be set up here:"; tail -n 5 /tmp/strongbox-lab.log
  exit 0
fi
export DOCKER_HOST=unix:///tmp/container-lab/podman.sock
export BUILDAH_FORMAT=docker
command -v redis-cli >/dev/null || bash "$repo/scripts/install-deps.sh"

project=strongbox-ci
port=$((20000 + RANDOM % 5000))
cd "$repo/docker"
cat > .env.test <<ENV
STRONGBOX_PUBLISH_PORT=$port
STRONGBOX_SEGMENT_BYTES=65536
STRONGBOX_ROTATE_INTERVAL=1
STRONGBOX_SNAPSHOT_EVERY=2
STRONGBOX_SNAPSHOT_INTERVAL=2
STRONGBOX_RESCAN_INTERVAL_MS=500
STRONGBOX_ENGINE_MEMORY=1g
STRONGBOX_SNAPSHOTTER_MEMORY=1g
STRONGBOX_SNAPSHOTTER_CPUS=1
STRONGBOX_ENGINE_CPUS=1
ENV
dc() { docker-compose -p "$project" --env-file .env.test -f compose.yaml "$@"; }
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "--- compose logs (failure) ---"; dc logs --tail 50 2>/dev/null || true
  fi
  dc down -v >/dev/null 2>&1 || true
  rm -f .env.test
  exit $rc
}
trap cleanup EXIT
fail() { echo "compose-test: FAIL: $*" >&2; exit 1; }
wait_for() {  # seconds description command...
  local t=$1 what=$2; shift 2
  for _ in $(seq $((t * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "timed out after ${t}s waiting for $what"
}
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }

echo "compose-test: building and starting (port $port)"
dc build >/tmp/strongbox-compose-build.log 2>&1 || { tail -n 30 /tmp/strongbox-compose-build.log; fail "image build"; }
dc up -d
wait_for 90 "the engine to answer" cli ping
engine=$(dc ps -q engine)
snapshotter=$(dc ps -q snapshotter)
[ -n "$snapshotter" ] || { sleep 15; snapshotter=$(dc ps -q snapshotter); }
[ -n "$snapshotter" ] || fail "the snapshotter container did not start"

echo "compose-test: writing"
for i in $(seq 1 3000); do echo "SET key:$i value-$i"; done | cli --pipe >/dev/null
for i in $(seq 1 200); do echo "HSET hash:$((i % 10)) f$i $i"; done | cli --pipe >/dev/null
cli INCRBY counter 42 >/dev/null
expected=$(cli --scan | sort | while read -r k; do echo "$k $(cli TYPE "$k")"; done | md5sum)
values_before=$(for i in 1 777 3000; do cli GET "key:$i"; done; cli HGETALL hash:3; cli GET counter)

has_files() { docker exec "$snapshotter" sh -c "ls $1 | grep -q '$2'"; }
wait_for 60 "a snapshot" has_files /app/persistence 'snap.zst'
wait_for 60 "archived segments" has_files /app/persistence/archived 'log.zst'
echo "compose-test: snapshot and archive present"

echo "compose-test: security checks"
[ "$(docker exec "$engine" id -u)" = 10001 ] || fail "engine does not run as uid 10001"
[ "$(docker exec "$snapshotter" id -u)" = 10001 ] || fail "snapshotter does not run as uid 10001"
if docker exec "$engine" touch /should-fail 2>/dev/null; then fail "root filesystem is writable"; fi
if docker exec "$snapshotter" touch /usr/should-fail 2>/dev/null; then fail "root fs writable"; fi

echo "compose-test: restarting the engine (SIGTERM must seal and exit 0)"
dc stop engine
code=$(docker inspect -f '{{.State.ExitCode}}' "$engine")
[ "$code" = 0 ] || fail "engine exit code on SIGTERM was $code"
dc start engine
wait_for 60 "the engine after restart" cli ping
values_after=$(for i in 1 777 3000; do cli GET "key:$i"; done; cli HGETALL hash:3; cli GET counter)
[ "$values_before" = "$values_after" ] || fail "values differ after restart"
actual=$(cli --scan | sort | while read -r k; do echo "$k $(cli TYPE "$k")"; done | md5sum)
[ "$expected" = "$actual" ] || fail "key set differs after restart"
[ "$(cli DBSIZE)" = 3011 ] || fail "DBSIZE is $(cli DBSIZE), expected 3011"
docker exec "$snapshotter" strongbox-snapshotter verify --no-replay >/dev/null ||
  fail "verify failed inside the snapshotter container"
echo "compose-test: PASS"
