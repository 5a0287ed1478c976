#!/bin/sh
# Installs puppeteer-core (tests/web/package-lock.json) into
# tests/web/node_modules, only when missing or older than the lock. It drives
# Debian's chromium (scripts/install-deps.sh); no browser is downloaded.
set -eu
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "tests/web: npm is missing (make deps installs nodejs and npm)" >&2; exit 1; }
# One install at a time: make test runs tests on two engines at once, and
# a second `npm ci` would delete node_modules under the first one's users.
exec 9>/tmp/sandbot-npm-install.lock
flock 9
if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  exit 0
fi
echo "tests/web: npm ci (puppeteer-core)" >&2
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
