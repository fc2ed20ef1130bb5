#!/usr/bin/env bash
# Configures and builds one flavour: release (default), asan (ASan + UBSan, Debug) or fuzz
# (clang, libFuzzer targets of tests/fuzz with ASan + UBSan; nothing else is built).
# Usage: scripts/build.sh [release|asan|fuzz]   -> build dir: build/<flavour>
# release and asan build with -Werror (STRONGBOX_WERROR=ON); a plain cmake build does not.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRONGBOX_WERROR=ON) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DSTRONGBOX_SANITIZE=ON -DSTRONGBOX_WERROR=ON) ;;
  fuzz)  # -O1 -gline-tables-only, as OSS-Fuzz builds: quicker to compile, stacks still symbolized
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only"
          -DSTRONGBOX_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++)
    ;;
  *) echo "build.sh: unknown flavour '$flavour' (release|asan|fuzz)" >&2; exit 2 ;;
esac
jobs=${STRONGBOX_BUILD_JOBS:-$(nproc)}
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
