#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the release and the sanitizer
# (ASan + UBSan) flavours and runs every test of both through ctest, then builds the fuzz
# flavour (clang + libFuzzer) and runs its `fuzz` tests: corpus and regression replay and a
# short fuzzing run per target (tests/fuzz/README.md). A crash found there fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for flavour in release asan; do
  echo "=== build: $flavour"
  bash scripts/build.sh "$flavour"
  echo "=== test: $flavour"
  (cd "build/$flavour" && ctest --output-on-failure --timeout 900 -j 2) || status=1
done
echo "=== build: fuzz"
bash scripts/build.sh fuzz
echo "=== test: fuzz"
(cd build/fuzz && ctest -L fuzz --output-on-failure --timeout 300 -j 2) || status=1
# The compose stack for real, with Podman, where this machine can run containers (the script
# prints SKIP and exits 0 where it cannot). STRONGBOX_SKIP_CONTAINER_TEST=1 skips it.
if [ "${STRONGBOX_SKIP_CONTAINER_TEST:-0}" != 1 ]; then
  echo "=== test: containers"
  bash scripts/compose-test.sh || status=1
fi
exit $status
