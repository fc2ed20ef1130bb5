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
# The lab's socket and healthcheck poller are stopped at exit if this run started them.
lab_teardown="$(dirname "$lab_setup")/teardown.sh"
lab_was_up=0
[ -f /tmp/container-lab/service.pid ] && kill -0 "$(cat /tmp/container-lab/service.pid)" 2>/dev/null &&
  lab_was_up=1
if ! bash "$lab_setup" >/tmp/strongbox-lab.log 2>&1; then
  echo "SKIP: the container lab could not be set up here:"; tail -n 5 /tmp/strongbox-lab.log
  exit 0
fi
export BUILDAH_FORMAT=docker
# podman-compose drives the podman CLI, which takes the seccomp profile as a path. (Through
# the Docker-API socket, docker-compose v1 inlines the profile's JSON, which Podman 4.3's
# compat API then tries to open as a file name.) `docker-compose config` still validates the
# file in scripts/validate-deploy.sh.
command -v redis-cli >/dev/null || bash "$repo/scripts/install-deps.sh"

project=strongbox-ci
port=$((20000 + RANDOM % 5000))
cd "$repo/docker"
# Compose reads these from the environment (they win over a .env file).
export STRONGBOX_PUBLISH_PORT=$port STRONGBOX_SEGMENT_BYTES=65536 STRONGBOX_ROTATE_INTERVAL=1
export STRONGBOX_SNAPSHOT_EVERY=2 STRONGBOX_SNAPSHOT_INTERVAL=2 STRONGBOX_RESCAN_INTERVAL_MS=500
export STRONGBOX_ENGINE_MEMORY=1g STRONGBOX_SNAPSHOTTER_MEMORY=1g STRONGBOX_ENGINE_CPUS=1
export STRONGBOX_SNAPSHOTTER_CPUS=1
dc() { podman-compose -p "$project" -f compose.yaml "$@"; }
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "--- compose logs (failure) ---"
    podman logs --tail 50 "${project}_engine_1" 2>&1 || true
    podman logs --tail 50 "${project}_snapshotter_1" 2>&1 || true
  fi
  dc down -v >/dev/null 2>&1 || true
  if [ "$lab_was_up" = 0 ] && [ -f "$lab_teardown" ]; then bash "$lab_teardown" || true; fi
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
# The default stack only: podman-compose 1.0.3 ignores `profiles`, so it would also start the
# replicas and sentinels (docker compose leaves them out unless --profile replicas).
dc up -d engine snapshotter >/tmp/strongbox-compose-up.log 2>&1 || { tail -n 30 /tmp/strongbox-compose-up.log; fail "compose up"; }
engine=${project}_engine_1
snapshotter=${project}_snapshotter_1
wait_for 90 "the engine to answer" cli ping
podman container exists "$snapshotter" || fail "the snapshotter container did not start"

echo "compose-test: writing"
for i in $(seq 1 3000); do echo "SET key:$i value-$i"; done | cli --pipe >/dev/null
for i in $(seq 1 200); do echo "HSET hash:$((i % 10)) f$i $i"; done | cli --pipe >/dev/null
cli INCRBY counter 42 >/dev/null
expected=$(cli --scan | sort | while read -r k; do echo "$k $(cli TYPE "$k")"; done | md5sum)
values_before=$(for i in 1 777 3000; do cli GET "key:$i"; done; cli HGETALL hash:3 | paste - - | sort; cli GET counter)

has_files() { podman exec "$snapshotter" sh -c "ls $1 | grep -q '$2'"; }
wait_for 60 "a snapshot" has_files /app/persistence 'snap.zst'
wait_for 60 "archived segments" has_files /app/persistence/archived 'log.zst'
echo "compose-test: snapshot and archive present"

echo "compose-test: security checks"
[ "$(podman exec "$engine" id -u)" = 10001 ] || fail "engine does not run as uid 10001"
[ "$(podman exec "$snapshotter" id -u)" = 10001 ] || fail "snapshotter does not run as uid 10001"
if podman exec "$engine" touch /should-fail 2>/dev/null; then fail "root filesystem is writable"; fi
if podman exec "$snapshotter" touch /usr/should-fail 2>/dev/null; then fail "root fs writable"; fi

echo "compose-test: restarting the engine (SIGTERM must seal and exit 0)"
dc stop engine >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$engine")
[ "$code" = 0 ] || fail "engine exit code on SIGTERM was $code"
dc start engine >/dev/null
wait_for 60 "the engine after restart" cli ping
values_after=$(for i in 1 777 3000; do cli GET "key:$i"; done; cli HGETALL hash:3 | paste - - | sort; cli GET counter)
[ "$values_before" = "$values_after" ] || fail "values differ after restart"
actual=$(cli --scan | sort | while read -r k; do echo "$k $(cli TYPE "$k")"; done | md5sum)
[ "$expected" = "$actual" ] || fail "key set differs after restart"
[ "$(cli DBSIZE)" = 3011 ] || fail "DBSIZE is $(cli DBSIZE), expected 3011"
podman exec "$snapshotter" strongbox-snapshotter verify --no-replay >/dev/null ||
  fail "verify failed inside the snapshotter container"
echo "compose-test: PASS"
