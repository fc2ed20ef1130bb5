#!/bin/sh
# Starts Debian's redis-sentinel on a config written from the environment. Sentinel rewrites
# its config file (known sentinels, replicas, the current primary, the epoch), so the template
# is written only when the file does not exist yet; a restarted sentinel keeps what it learnt.
# On a first start it asks its peers (SENTINEL_PEERS="host:port ...") where the primary is now,
# so a sentinel added after a failover does not monitor the old primary.
set -eu
dir=${SENTINEL_DIR:-/app/sentinel}
conf=$dir/sentinel.conf
name=${SENTINEL_MASTER_NAME:-strongbox}
host=${SENTINEL_PRIMARY_HOST:?SENTINEL_PRIMARY_HOST: the primary at first start}
port=${SENTINEL_PRIMARY_PORT:-6379}
if [ ! -s "$conf" ]; then
  for peer in ${SENTINEL_PEERS:-}; do
    answer=$(timeout 3 redis-cli -h "${peer%:*}" -p "${peer#*:}" \
      SENTINEL get-master-addr-by-name "$name" 2>/dev/null | tr '\n' ' ') || continue
    # shellcheck disable=SC2086  # the two words of the answer
    set -- $answer
    if [ $# -eq 2 ]; then host=$1 port=$2; break; fi
  done
  {
    echo "port ${SENTINEL_PORT:-26379}"
    echo "dir $dir"
    echo "sentinel resolve-hostnames yes"
    echo "sentinel announce-hostnames yes"
    [ -n "${SENTINEL_ANNOUNCE_HOSTNAME:-}" ] && echo "sentinel announce-ip $SENTINEL_ANNOUNCE_HOSTNAME"
    echo "sentinel monitor $name $host $port ${SENTINEL_QUORUM:-2}"
    echo "sentinel down-after-milliseconds $name ${SENTINEL_DOWN_AFTER_MS:-5000}"
    echo "sentinel failover-timeout $name ${SENTINEL_FAILOVER_TIMEOUT_MS:-60000}"
    echo "sentinel parallel-syncs $name 1"
    if [ -n "${SENTINEL_AUTH_PASS_FILE:-}" ]; then
      echo "sentinel auth-pass $name $(cat "$SENTINEL_AUTH_PASS_FILE")"
    fi
  } >"$conf.tmp"
  mv "$conf.tmp" "$conf"
  echo "strongbox-sentinel: wrote $conf (primary $host:$port)"
fi
exec redis-sentinel "$conf"
