#!/usr/bin/env bash
# Fails when a process started by one build tree's integration tests still runs after them:
# an engine, snapshotter or redis-server (`pgrep -f 'strongbox-|redis-server'`) whose
# environment holds STRONGBOX_TEST_MARK=<mark>, which the tests' processes inherit. Processes of
# other build trees, or run by hand, lack the mark and are left alone. ctest runs this after
# the last integration test (FIXTURES_CLEANUP strongbox_processes).
# Usage: scripts/check-test-processes.sh <mark>
set -euo pipefail
mark=${1:?usage: check-test-processes.sh <mark>}
left=0
for pid in $(pgrep -f 'strongbox-|redis-server' || true); do
  environ=$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/environ" || true)
  if grep -qxF "STRONGBOX_TEST_MARK=$mark" <<< "$environ"; then
    echo "left running by the tests: pid $pid: $(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline")"
    left=1
  fi
done
if [ "$left" = 0 ]; then
  echo "no process started by the tests of $mark is running"
fi
exit $left
