#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test, run and benchmark.
# Idempotent: runs apt-get only when something is missing.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libabsl-dev liburing-dev libfmt-dev libcli11-dev catch2 libzstd-dev zstd libxxhash-dev
  libhiredis-dev libcpp-httplib-dev libssl-dev
  liblzf-dev  # common/rdb: LZF strings in RDB files and DUMP payloads
  libjemalloc-dev  # the release engine's allocator (used_memory, maxmemory)
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev  # scripting: Lua 5.1 with cjson and bit
  redis-server redis-tools python3 python3-redis python3-pytest
  redis-sentinel  # tests/integration/replication/test_sentinel_failover.py: real failover
  prometheus-redis-exporter  # tests/integration/server/test_redis_exporter.py scrapes INFO
  python3-rq  # tests/integration/types/test_rq.py: a real job queue that stores results in streams
  clang-format util-linux procps docker-compose yamllint python3-yaml
  clang libclang-rt-dev  # the fuzz flavour: clang++ and libFuzzer/ASan/UBSan runtimes
  linux-perf  # scripts/profile.sh: where the CPU goes per request
  prometheus  # tests/integration/server/test_prometheus.py scrapes both binaries
  python3-matplotlib  # scripts/bench_plot.py: the plots of docs/benchmarks.md
  shellcheck  # scripts/validate-deploy.sh lints the container entrypoint scripts
  openssl  # scripts/gen-tls-certs.sh: certificates for the TLS tests, benchmark and examples
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/tmp/strongbox-apt.log 2>&1 || { tail -n 30 /tmp/strongbox-apt.log; exit 1; }
fi
