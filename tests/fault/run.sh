#!/usr/bin/env bash
# Runs the fault tests (tests/fault/*_test.sh) through the e2e runner and
# prints the totals: faults injected, jobs completed, audit rows lost.
set -u
cd "$(dirname "$0")/../.."
FAULT_REPORT=$(mktemp /tmp/sandbot-fault-report-XXXXXX)
export FAULT_REPORT
tests/e2e/run.sh --suite tests/fault "$@"
status=$?
awk '{f += $2; j += $4; l += $6}
     END {printf "fault report: %d faults injected, %d jobs completed, %d audit rows lost\n", f, j, l}' \
  "$FAULT_REPORT"
rm -f "$FAULT_REPORT"
exit $status
