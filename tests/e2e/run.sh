#!/usr/bin/env bash
# Runs every end-to-end test (functions test_* in tests/e2e/*_test.sh, or in
# SUITE/*_test.sh with `run.sh --suite tests/fault`) against a real daemon,
# real git and a real Docker engine, and prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

ROOTFS=${ROOTFS:-$(dirname "$SANDBOT")/busybox-rootfs.tar}
if ! engine GET /images/sandbot/busybox:latest/json >/dev/null; then
  "$SANDBOT" image import "$ROOTFS" sandbot/busybox:latest >/dev/null || exit 1
fi

suite=tests/e2e
if [ "${1:-}" = --suite ]; then
  suite=$2
  shift 2
fi
for f in "$suite"/*_test.sh; do . "$f"; done
passed=0
failed=0
failed_names=""
# Each failed test's FAIL lines, repeated at the end: a CI log may only
# show its last lines.
summary=$(mktemp /tmp/sandbot-e2e-summary-XXXXXX)
only=${1:-}
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
  [ -n "$only" ] && [ "$t" != "$only" ] && continue
  echo "--- $t"
  # Container and network names are the engine's, not the data folder's: two
  # runs on one engine (parallel checkouts) take turns, a test at a time.
  exec 9>/tmp/sandbot-e2e.lock
  flock 9
  start=$(date +%s)
  new_data
  # Not in an `if`: that would switch `set -e` off inside the test, and a
  # failed expectation would no longer stop it.
  ( set -e; $t ) 2>"$TEST_DIR.stderr"
  status=$?
  cat "$TEST_DIR.stderr" >&2
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "    ok ($(($(date +%s) - start)) s)"
  else
    failed=$((failed + 1))
    failed_names="$failed_names $t"
    echo "    FAILED ($(($(date +%s) - start)) s, exit $status)"
    { echo "$t:"; grep -A3 'FAIL' "$TEST_DIR.stderr" | head -n 20; } >>"$summary"
    echo "    daemon log:" >&2
    tail -n 30 "$TEST_DIR/daemon.log" 2>/dev/null | sed 's/^/      /' >&2
  fi
  rm -f "$TEST_DIR.stderr"
  cleanup
  flock -u 9
done
if [ -n "$failed_names" ]; then
  cat "$summary"
  echo "$(basename "$suite") failed:$failed_names"
fi
rm -f "$summary"
echo "$(basename "$suite"): $passed passed, $failed failed"
[ "$failed" -eq 0 ]
