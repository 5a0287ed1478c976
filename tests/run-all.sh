#!/usr/bin/env bash
# Every test of `make test`, once the sanitized daemon is built: the unit
# tests build and run at low priority (`nice`) in the background while the
# end-to-end, security and fault suites run on two engines
# (tests/run-suites.sh). Most end-to-end time is spent waiting on engines,
# git and HTTP, so the unit build fills what the suites leave idle, and both
# cores once they end (at one job it left a core idle for minutes). Each part's
# output is printed as it ends, then a summary of what failed (the end of
# a CI log is often all that is kept); the exit status is non-zero when
# any part failed.
#
#   tests/run-all.sh BUILD_DIR 'COMMAND THAT BUILDS BUILD_DIR/sandbot_test' ['test_*pattern*' …]
set -u
cd "$(dirname "$0")/.."
build=$1
unit_build=$2
shift 2
case $build in /*) ;; *) build=$PWD/$build ;; esac
export SANDBOT=$build/sandbot
unit_log=$build/unit.log

(
  eval "$unit_build" && nice -n 15 "$build/sandbot_test" --log_level=test_suite --report_level=short
) >"$unit_log" 2>&1 &
unit_pid=$!

suites_log=$build/suites.log
status=0
set -o pipefail
tests/run-suites.sh "$@" 2>&1 | tee "$suites_log" || status=1
wait "$unit_pid" || status=1
echo "--- unit tests (built and run beside the suites above)"
cat "$unit_log"
# The end of a CI log is often all that is kept: repeat what failed there.
echo "--- summary"
sed -n '/^engine main:/,$p; /^NOTE: one engine only/p; /^\(e2e\|security\|fault\)\(: \| failed:\| flaky:\)/p' "$suites_log" |
  awk '!seen[$0]++'
grep -A2 '^\(\[[a-z]*\]\)\? *FAIL:' "$suites_log" | cut -c1-300 | awk '!seen[$0]++' | head -n 30
grep -E '^(Test module|\*\*\*|  [0-9]+ (test cases|assertions))' "$unit_log" | tail -n 4
[ "$status" -eq 0 ] && echo "all tests passed" || echo "SOME TESTS FAILED (see above)"
exit $status
