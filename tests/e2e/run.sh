#!/usr/bin/env bash
# Runs every end-to-end test (functions test_* in tests/e2e/*_test.sh, or in
# SUITE/*_test.sh with `run.sh --suite tests/fault`; or only the tests named
# after it, which may be shell patterns: `run.sh 'test_forge_*'`) against a real daemon,
# real git and a real Docker engine, and prints "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

# E2E_ENGINE=podman runs each test against a Podman service of its own
# (start_podman in lib.sh), reached through DOCKER_HOST, instead of dockerd.
E2E_ENGINE=${E2E_ENGINE:-docker}
ROOTFS=${ROOTFS:-$(dirname "$SANDBOT")/busybox-rootfs.tar}
if [ "$E2E_ENGINE" = docker ] && ! engine GET /images/sandbot/busybox:latest/json >/dev/null; then
  "$SANDBOT" image import "$ROOTFS" sandbot/busybox:latest >/dev/null || exit 1
fi

suite=tests/e2e
if [ "${1:-}" = --suite ]; then
  suite=$2
  shift 2
fi
for f in "$suite"/*_test.sh; do . "$f"; done
ensure_default_bridge
passed=0
failed=0
skipped=0
failed_names=""
# Each failed test's FAIL lines, repeated at the end: a CI log may only
# show its last lines.
summary=$(mktemp /tmp/sandbot-e2e-summary-XXXXXX)
only=("$@")
wanted() {
  [ ${#only[@]} -eq 0 ] && return 0
  local pattern
  for pattern in "${only[@]}"; do
    # shellcheck disable=SC2053 # a pattern on purpose
    [[ $1 == $pattern ]] && return 0
  done
  return 1
}
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
  wanted "$t" || continue
  echo "--- $t"
  # Container and network names are the engine's, not the data folder's: two
  # runs on one engine (parallel checkouts) take turns, a test at a time.
  exec 9>/tmp/sandbot-e2e.lock
  flock 9
  start=$(date +%s)
  new_data
  if [ "$E2E_ENGINE" = podman ]; then
    if start_podman; then
      export DOCKER_HOST=unix://$PODMAN_SOCK DOCKER_SOCK=$PODMAN_SOCK
      "$SANDBOT" image import "$ROOTFS" sandbot/busybox:latest >/dev/null || PODMAN_WHY="import failed"
    fi
    [ -z "$PODMAN_WHY" ] || echo "Podman cannot run here: $PODMAN_WHY" >"$TEST_DIR/skipped"
  fi
  # Not in an `if` condition: that would switch `set -e` off inside the
  # test, and a failed expectation would no longer stop it.
  status=0
  : >"$TEST_DIR.stderr"
  if [ ! -f "$TEST_DIR/skipped" ]; then
    ( set -e; $t ) 2>"$TEST_DIR.stderr"
    status=$?
  fi
  cat "$TEST_DIR.stderr" >&2
  if [ "$status" -eq 0 ] && [ -f "$TEST_DIR/skipped" ]; then
    skipped=$((skipped + 1))
    echo "    SKIPPED: $(cat "$TEST_DIR/skipped")"
  elif [ "$status" -eq 0 ]; then
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
  ensure_default_bridge "$t"
  flock -u 9
done
if [ -n "$failed_names" ]; then
  cat "$summary"
  echo "$(basename "$suite") failed:$failed_names"
fi
rm -f "$summary"
skipped_note=""
[ "$skipped" -eq 0 ] || skipped_note=", $skipped SKIPPED (see above)"
echo "$(basename "$suite"): $passed passed, $failed failed$skipped_note"
[ "$failed" -eq 0 ]
