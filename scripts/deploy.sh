#!/usr/bin/env bash
# Operates the compose stack: start | stop | status | health | logs | backup FILE |
# restore FILE | clean.   Set COMPOSE_FILES to add overrides, e.g.
#   COMPOSE_FILES="-f compose.yaml -f ../deploy/aws/compose.aws.yaml" scripts/deploy.sh start
set -euo pipefail
cd "$(dirname "$0")/../docker"
project=${STRONGBOX_PROJECT:-strongbox}
files=${COMPOSE_FILES:--f compose.yaml}
if docker compose version >/dev/null 2>&1; then dc=(docker compose); else dc=(docker-compose); fi
compose() { "${dc[@]}" -p "$project" $files "$@"; }
[ -f .env ] || cp .env.example .env

case "${1:-}" in
  start) compose up -d --build ;;
  stop) compose stop ;;  # SIGTERM: the engine seals its segment and exits 0
  status) compose ps ;;
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
  *) echo "usage: deploy.sh start|stop|status|health|logs [N]|backup FILE|restore FILE|clean" >&2
     exit 2 ;;
esac
