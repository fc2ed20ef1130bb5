#!/usr/bin/env bash
# Configures and builds one flavour: release (default) or asan (ASan + UBSan, Debug).
# Usage: scripts/build.sh [release|asan]   -> build dir: build/<flavour>
# Both flavours build with -Werror (STRONGBOX_WERROR=ON); a plain cmake build does not.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRONGBOX_WERROR=ON) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DSTRONGBOX_SANITIZE=ON -DSTRONGBOX_WERROR=ON) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release|asan)" >&2; exit 2 ;;
esac
jobs=${STRONGBOX_BUILD_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
