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
queue=
while [ $# -gt 0 ]; do
  case $1 in
    --suite) suite=$2 ;;
    # --queue FILE: take the tests one at a time from FILE (names, one a
    # line), which another runner on another engine shares
    # (tests/run-suites.sh), instead of running every test here.
    --queue) queue=$2 ;;
    *) break ;;
  esac
  shift 2
done
for f in "$suite"/*_test.sh; do . "$f"; done
ensure_default_bridge
passed=0
failed=0
skipped=0
failed_names=""
# Each failed test's FAIL lines, repeated at the end: a CI log may only
# show its last lines.
summary=$(mktemp /tmp/sandbot-e2e-summary-XXXXXX)
# Patterns may use extglob: '!(test_engine_*)' is every test but those.
shopt -s extglob
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
# Tests that start an engine of their own, or name the main engine's socket
# or pid file, run only where DOCKER_SOCK is the main engine.
main_engine_only() {
  declare -f "$1" | grep -q 'tls_engine_up\|swarm_engine_up\|/var/run/docker\.'
}
# Queue mode: prints the next test this runner may take and removes it from
# the queue; prints nothing when none is left for it.
next_from_queue() {
  local t picked=
  exec 8>>"$queue.lock"
  flock 8
  while read -r t; do
    if [ -z "$picked" ] && { [ "$DOCKER_SOCK" = /var/run/docker.sock ] || ! main_engine_only "$t"; }; then
      picked=$t
    else
      echo "$t"
    fi
  done <"$queue" >"$queue.rest"
  mv "$queue.rest" "$queue"
  flock -u 8
  echo "$picked"
}
# Container and network names are the engine's, not the data folder's: two
# runs on one engine (parallel checkouts) take turns, a test at a time.
lock=/tmp/sandbot-e2e.lock
[ "$DOCKER_SOCK" = /var/run/docker.sock ] || lock=/tmp/sandbot-e2e-$(cksum <<<"$DOCKER_SOCK" | cut -d' ' -f1).lock
mapfile -t all < <(declare -F | awk '{print $3}' | grep '^test_')
taken=0
next_test() {
  if [ -n "$queue" ]; then next_from_queue; else echo "${all[$taken]:-}"; fi
}
# run_test NAME: one try on a fresh data folder; sets status, elapsed and
# leaves the test's stderr in $TEST_DIR.stderr.
run_test() {
  local t=$1 start
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
  elapsed=$(($(date +%s) - start))
}
print_daemon_log() {
  echo "    daemon log:" >&2
  tail -n 30 "$TEST_DIR/daemon.log" 2>/dev/null | sed 's/^/      /' >&2
}
# A test that fails is run once more, for at most E2E_RETRIES (3) tests of a
# run (0 turns retries off): the suites share two cores with the unit
# build, and a timing-bound test can lose a race that says nothing about
# the product. A pass on the second try is counted, but named FLAKY in the
# summary with its first failure.
retries=${E2E_RETRIES:-3}
flaky_names=""
while t=$(next_test) && [ -n "$t" ]; do
  taken=$((taken + 1))
  wanted "$t" || continue
  echo "--- $t"
  exec 9>"$lock"
  flock 9
  run_test "$t"
  if [ "$status" -ne 0 ] && [ "$retries" -gt 0 ]; then
    retries=$((retries - 1))
    echo "    failed on the first try ($elapsed s, exit $status); trying once more"
    first_fail=$(grep -A3 'FAIL' "$TEST_DIR.stderr" | head -n 20)
    print_daemon_log
    rm -f "$TEST_DIR.stderr"
    cleanup
    ensure_default_bridge "$t"
    run_test "$t"
    if [ "$status" -eq 0 ]; then
      flaky_names="$flaky_names $t"
      { echo "$t (FLAKY: passed on the second try; the first failed with):"; echo "$first_fail"; } >>"$summary"
    fi
  fi
  if [ "$status" -eq 0 ] && [ -f "$TEST_DIR/skipped" ]; then
    skipped=$((skipped + 1))
    echo "    SKIPPED: $(cat "$TEST_DIR/skipped")"
  elif [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "    ok ($elapsed s)"
  else
    failed=$((failed + 1))
    failed_names="$failed_names $t"
    echo "    FAILED ($elapsed s, exit $status)"
    { echo "$t:"; grep -A3 'FAIL' "$TEST_DIR.stderr" | head -n 20; } >>"$summary"
    print_daemon_log
  fi
  rm -f "$TEST_DIR.stderr"
  cleanup
  ensure_default_bridge "$t"
  flock -u 9
done
[ -z "$failed_names$flaky_names" ] || cat "$summary"
[ -z "$flaky_names" ] || echo "$(basename "$suite") flaky:$flaky_names"
[ -z "$failed_names" ] || echo "$(basename "$suite") failed:$failed_names"
rm -f "$summary"
skipped_note=""
[ "$skipped" -eq 0 ] || skipped_note=", $skipped SKIPPED (see above)"
echo "$(basename "$suite"): $passed passed, $failed failed$skipped_note"
[ "$failed" -eq 0 ]
