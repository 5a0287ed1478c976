#!/usr/bin/env bash
# The end-to-end, security and fault suites of `make test`, on two engines at once:
# the main one and a second dockerd of this run's own (tests/shard_engine.sh).
# Each engine has a runner that takes the next test from a shared queue, so
# two tests run at a time, never two on one engine; the tests mostly wait
# on engines, git and HTTP, which keeps both cores busy instead of one.
# Tests that need the main engine (a second TLS or Swarm engine of their own,
# its socket by name, or its pid to stop it) are taken only by its runner.
# Where a second engine cannot start, the suites run one test at a time as
# before.
#
#   SANDBOT=build/test/sandbot tests/run-suites.sh ['test_*pattern*' …]
set -u
cd "$(dirname "$0")/.."
: "${SANDBOT:?set SANDBOT to the sandbot binary}"
. tests/shard_engine.sh

# Without the main engine every test of its runner would fail at once and
# drain the shared queue: say so instead.
if [ -z "${DOCKER_HOST:-}" ] &&
  ! curl -sf --unix-socket /var/run/docker.sock http://engine/_ping >/dev/null 2>&1; then
  echo "run-suites: the Docker engine at /var/run/docker.sock does not answer; start it (scripts/ensure-docker.sh) and retry" >&2
  exit 1
fi

# The suite's test names, those that need the main engine first (they are
# also among the longest).
queue_of() {
  local dir=$1 q=$2
  grep -l 'tls_engine_up\|swarm_engine_up\|/var/run/docker\.' "$dir"/*_test.sh 2>/dev/null |
    xargs -r grep -ho '^test_[a-z0-9_]*' >"$q"
  grep -ho '^test_[a-z0-9_]*' "$dir"/*_test.sh | grep -vxF -f "$q" >>"$q"
}

if ! start_shard_engine; then
  echo "NOTE: one engine only ($SHARD_WHY): the suites run one test at a time"
  stop_shard_engine
  status=0
  tests/e2e/run.sh "$@" || status=1
  tests/security/run.sh "$@" || status=1
  tests/fault/run.sh "$@" || status=1
  exit $status
fi
trap stop_shard_engine EXIT
work=$(mktemp -d /tmp/sandbot-suites-XXXXXX)
queue_of tests/e2e "$work/e2e"
queue_of tests/security "$work/security"
queue_of tests/fault "$work/fault"
# The fault tests add their counts here (tests/fault/run.sh prints the sum).
export FAULT_REPORT=$work/fault.report
: >"$FAULT_REPORT"
# runner NAME: both suites from the shared queues (each run.sh imports the
# base image into its engine when missing); every line to the terminal
# prefixed with [NAME], and to $work/NAME.log for the summary.
runner() {
  local name=$1 status=0
  shift
  {
    tests/e2e/run.sh --queue "$work/e2e" "$@" || status=1
    tests/e2e/run.sh --suite tests/security --queue "$work/security" "$@" || status=1
    tests/e2e/run.sh --suite tests/fault --queue "$work/fault" "$@" || status=1
    echo "$status" >"$work/$name.status"
  } 2>&1 | tee "$work/$name.log" | sed -u "s/^/[$name] /"
}
runner main "$@" &
main_pid=$!
(
  export DOCKER_HOST=unix://$SHARD_SOCK DOCKER_SOCK=$SHARD_SOCK
  export E2E_HTTP=${E2E_SHARD_HTTP:-127.0.0.1:18188} E2E_PORTS=${E2E_SHARD_PORTS:-18201-18299}
  export E2E_FAKE_PORT=${E2E_SHARD_FAKE_PORT:-18177}
  runner second "$@"
) &
second_pid=$!
wait "$main_pid" "$second_pid"

status=0
for name in main second; do
  echo "engine $name:"
  grep -E '^(e2e|security|fault)(: | failed:| flaky:)' "$work/$name.log" | sed 's/^/  /' 
  [ "$(cat "$work/$name.status" 2>/dev/null)" = 0 ] || status=1
done
awk '{f += $2; j += $4; l += $6}
     END {printf "fault report: %d faults injected, %d jobs completed, %d audit rows lost\n", f, j, l}' \
  "$FAULT_REPORT"
left=$(cat "$work/e2e" "$work/security" "$work/fault")
[ -z "$left" ] || { echo "never run: $left"; status=1; }
rm -rf "$work"
exit $status
