#!/usr/bin/env bash
# Operates the compose stack: start | stop | status [k8s | hosts HOST:PORT...] | health | logs | backup FILE |
# restore FILE | clean.   Set COMPOSE_FILES to add overrides, e.g.
#   COMPOSE_FILES="-f compose.yaml -f ../deploy/aws/compose.aws.yaml" scripts/deploy.sh start
# With replicas: COMPOSE_PROFILES=replicas scripts/deploy.sh start. `status` shows each engine's
# role, primary, link and lag from INFO replication; `status k8s` does so for the pods of the
# StatefulSet (KUBECTL="kubectl -n NAMESPACE" to choose the namespace), `status hosts` for
# engines given by address.
set -euo pipefail
cd "$(dirname "$0")/../docker"
project=${STRONGBOX_PROJECT:-strongbox}
files=${COMPOSE_FILES:--f compose.yaml}
if docker compose version >/dev/null 2>&1; then dc=(docker compose); else dc=(docker-compose); fi
compose() {
  [ -f .env ] || cp .env.example .env
  # The replicas profile acknowledges a write once a replica holds it too, unless .env or the
  # environment says otherwise (docs/operations.md, synchronous replication).
  if [[ ",${COMPOSE_PROFILES:-}," == *,replicas,* ]] &&
    ! grep -q '^STRONGBOX_MIN_REPLICAS_ACK=' .env; then
    export STRONGBOX_MIN_REPLICAS_ACK=${STRONGBOX_MIN_REPLICAS_ACK:-1}
  fi
  "${dc[@]}" -p "$project" $files "$@"
}

# INFO replication of the engine in a container (the password file, when there is one, via
# REDISCLI_AUTH so it never shows in a process list).
# shellcheck disable=SC2016  # expanded inside the container
info_cmd='[ -r "${STRONGBOX_REQUIREPASS_FILE:-}" ] && REDISCLI_AUTH=$(cat "$STRONGBOX_REQUIREPASS_FILE") &&
  export REDISCLI_AUTH; redis-cli -p "${STRONGBOX_PORT:-6379}" INFO replication'
info_fields() {  # node, INFO replication on stdin -> "node role primary link offset last-io"
  tr -d '\r' | awk -F: -v node="$1" '
    $1 == "role" { role = $2 }           $1 == "master_host" { host = $2 }
    $1 == "master_port" { port = $2 }    $1 == "master_link_status" { link = $2 }
    $1 == "master_repl_offset" { mo = $2 } $1 == "slave_repl_offset" { so = $2 }
    $1 == "master_last_io_seconds_ago" { io = $2 }
    END {
      if (role == "") print node, "unreachable", "-", "-", "-", "-"
      else if (role == "master") print node, "primary", "-", "-", mo, "-"
      else print node, "replica", host ":" port, link, so, io
    }'
}
status_table() {  # rows of info_fields -> the table; lag = the primary's offset - the replica's
  awk '{ row[NR] = $0; if ($2 == "primary") { primaries++; primary_offset = $5 } }
    END {
      printf "%-26s %-11s %-32s %-6s %14s %12s %8s\n", "ENGINE", "ROLE", "PRIMARY", "LINK",
             "OFFSET(LSN)", "LAG(records)", "LAST_IO"
      for (i = 1; i <= NR; i++) {
        split(row[i], f, " ")
        lag = (f[2] == "replica" && primaries == 1 && f[5] != "-") ? primary_offset - f[5] : "-"
        printf "%-26s %-11s %-32s %-6s %14s %12s %8s\n", f[1], f[2], f[3], f[4], f[5], lag, f[6]
      }
      if (primaries != 1) printf "WARNING: %d primaries (expected 1)\n", primaries
    }'
}
status_compose() {
  compose ps
  echo
  for svc in $(compose ps --services --filter status=running | grep -E '^engine'); do
    compose exec -T "$svc" sh -c "$info_cmd" 2>/dev/null | info_fields "$svc" || true
  done | status_table
}
status_hosts() {  # host:port... (engines outside containers; password: REDISCLI_AUTH)
  for node in "$@"; do
    timeout 5 redis-cli -h "${node%:*}" -p "${node##*:}" INFO replication 2>/dev/null |
      info_fields "$node" || true
  done | status_table
}
status_k8s() {
  local kubectl pods
  read -r -a kubectl <<<"${KUBECTL:-kubectl}"
  pods=$("${kubectl[@]}" get pods -l app=strongbox -o jsonpath='{.items[*].metadata.name}')
  for pod in $pods; do
    "${kubectl[@]}" exec "$pod" -c engine -- sh -c "$info_cmd" 2>/dev/null | info_fields "$pod" || true
  done | status_table
  echo
  "${kubectl[@]}" exec strongbox-sentinel-0 -- redis-cli -p 26379 SENTINEL get-master-addr-by-name \
    strongbox 2>/dev/null | paste -sd: | sed 's/^/Sentinel (strongbox-sentinel-0) names the primary: /' || true
}

case "${1:-}" in
  start) compose up -d --build ;;
  stop) compose stop ;;  # SIGTERM: the engine seals its segment and exits 0
  status)
    case "${2:-}" in
      k8s) status_k8s ;;
      hosts) shift 2; status_hosts "$@" ;;
      *) status_compose ;;
    esac ;;
  health)
    compose exec -T engine strongbox-engine healthcheck --path /readyz && echo "engine: ready"
    compose exec -T snapshotter strongbox-snapshotter healthcheck && echo "snapshotter: healthy"
    compose exec -T snapshotter strongbox-snapshotter verify --no-replay | tail -n 1 ;;
  logs) compose logs --tail "${2:-100}" -f ;;
  backup)
    out=${2:?usage: deploy.sh backup FILE.tar.gz}
    # Archive volume plus the hot volume's immutable files (sealed segments, snapshots,
    # dataset.id), read through the snapshotter container, which mounts both.
    compose exec -T snapshotter sh -c 'cd /app/persistence && tar czf - dataset.id archived \
      $(ls | grep -E "\.(log|snap\.zst)$")' > "$out"
    echo "backup written to $out ($(du -h "$out" | cut -f1))" ;;
  restore)
    in=${2:?usage: deploy.sh restore FILE.tar.gz}
    echo "restore replaces the data of project '$project' with $in."
    read -r -p "Type 'restore' to continue: " ok; [ "$ok" = restore ] || exit 1
    compose stop
    compose run --rm -T --no-deps snapshotter sh -c \
      'cd /app/persistence && find . -mindepth 1 -maxdepth 1 ! -name archived -exec rm -rf {} + \
       && rm -rf archived/* && tar xzf - && strongbox-snapshotter verify --no-replay' < "$in"
    compose start ;;
  clean)
    echo "clean DELETES all data of project '$project' (persistence and archive volumes)."
    read -r -p "Type the project name to continue: " ok; [ "$ok" = "$project" ] || exit 1
    compose down -v ;;
  *) echo "usage: deploy.sh start|stop|status [k8s|hosts H:P...]|health|logs [N]|backup FILE|restore FILE|clean" >&2
     exit 2 ;;
esac
