#!/bin/sh
# Health check by replication role: healthy = a primary, or a replica whose link to its primary
# is up (ROLE's state "connected"). A replica that is still syncing or cannot reach its primary
# is unhealthy, so `depends_on: service_healthy` and probes wait for a usable replica.
# Usage: strongbox-role-check [port]   (password: STRONGBOX_REQUIREPASS_FILE, if set)
set -eu
port=${1:-${STRONGBOX_PORT:-6379}}
if [ -n "${STRONGBOX_REQUIREPASS_FILE:-}" ] && [ -r "$STRONGBOX_REQUIREPASS_FILE" ]; then
  REDISCLI_AUTH=$(cat "$STRONGBOX_REQUIREPASS_FILE"); export REDISCLI_AUTH
fi
role=$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" --no-raw ROLE 2>/dev/null) || exit 1
case "$role" in
  *'"master"'*) exit 0 ;;
  *'"slave"'*'"connected"'*) exit 0 ;;
  *) echo "not ready: $role" | tr '\n' ' '; echo; exit 1 ;;
esac
