#!/bin/sh
# Kubernetes entrypoint of an engine pod of the StatefulSet: decides primary or replica, then
# execs strongbox-engine with the remaining arguments. The primary may have moved away from
# pod-0 after a failover, so Sentinel is asked first; only when no Sentinel knows a live primary
# (a new cluster, or every Sentinel down) does the ordinal decide: pod-0 primary, the others
# replicas of pod-0. A restarted former primary thus rejoins as a replica of the new one.
#   STRONGBOX_SEED_PRIMARY  pod-0's DNS name (strongbox-0.strongbox-pods)
#   STRONGBOX_SENTINELS     "host:port ..." of the Sentinels; SENTINEL_MASTER_NAME (strongbox)
#   POD_IP, POD_NAME        this pod (downward API): Sentinel reports primaries by IP
set -eu
name=${SENTINEL_MASTER_NAME:-strongbox}
seed=${STRONGBOX_SEED_PRIMARY:?STRONGBOX_SEED_PRIMARY: pod-0 DNS name}
port=${STRONGBOX_PORT:-6379}
if [ -n "${STRONGBOX_REQUIREPASS_FILE:-}" ] && [ -r "$STRONGBOX_REQUIREPASS_FILE" ]; then
  REDISCLI_AUTH=$(cat "$STRONGBOX_REQUIREPASS_FILE"); export REDISCLI_AUTH
  STRONGBOX_MASTERAUTH=${STRONGBOX_MASTERAUTH:-$REDISCLI_AUTH}; export STRONGBOX_MASTERAUTH
fi
me=${POD_NAME:-$(hostname)}
is_me() {  # host -> 0 when it names this pod
  [ "$1" = "${POD_IP:-}" ] || [ "${1%%.*}" = "$me" ]
}
is_live_primary() {  # host port -> 0 when it answers ROLE as a master
  timeout 3 redis-cli -h "$1" -p "$2" ROLE 2>/dev/null | head -n 1 | grep -qx master
}
primary_host="" primary_port="" named_by_sentinel=0
ask_sentinels() {  # sets primary_host/primary_port to a live primary other than this pod
  for sentinel in ${STRONGBOX_SENTINELS:-}; do
    answer=$(timeout 3 redis-cli -h "${sentinel%:*}" -p "${sentinel#*:}" \
      SENTINEL get-master-addr-by-name "$name" 2>/dev/null | tr '\n' ' ') || continue
    # shellcheck disable=SC2086  # the two words of the answer (a function's own "$@")
    set -- $answer
    [ $# -eq 2 ] || continue
    if is_me "$1"; then named_by_sentinel=1; return; fi  # stay primary
    if is_live_primary "$1" "$2"; then primary_host=$1 primary_port=$2; return; fi
  done
}
ask_sentinels
if [ -z "$primary_host" ] && [ $named_by_sentinel = 0 ] && [ "${me##*-}" != 0 ]; then
  primary_host=$seed primary_port=6379
fi
if [ -n "$primary_host" ]; then
  echo "strongbox-engine-start: replica of $primary_host:$primary_port"
  exec strongbox-engine --port "$port" --replicaof "$primary_host" "$primary_port" "$@"
fi
echo "strongbox-engine-start: primary"
exec strongbox-engine --port "$port" "$@"
