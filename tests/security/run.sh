#!/usr/bin/env bash
# Runs the security tests (tests/security/*_test.sh) through the e2e runner:
# each replays one attack from SECURITY.md against the real daemon and checks
# it is refused and the store is unchanged.
set -u
cd "$(dirname "$0")/../.."
exec tests/e2e/run.sh --suite tests/security "$@"
