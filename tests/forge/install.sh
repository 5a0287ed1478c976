#!/bin/sh
# Installs the forge test tools' npm packages (tests/forge/package-lock.json)
# into tests/forge/node_modules, only when missing or older than the lock.
# `make test`, `make bench`, tests/forge/selftest.sh and the e2e forge tests
# call it; node and npm come from Debian (scripts/install-deps.sh).
set -eu
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "tests/forge: npm is missing (make deps installs nodejs and npm)" >&2; exit 1; }
# One install at a time: make test runs tests on two engines at once, and
# a second `npm ci` would delete node_modules under the first one's users.
exec 9>/tmp/sandbot-npm-install.lock
flock 9
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  exit 0
fi
echo "tests/forge: npm ci (GitHub's OpenAPI description, webhook libraries)" >&2
npm ci --no-audit --no-fund --loglevel=error >/dev/null
