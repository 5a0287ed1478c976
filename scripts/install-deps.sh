#!/bin/sh
# Installs, with apt-get, only the Debian packages sandbot needs that are missing.
# docker-compose and python3-jsonschema are test peers only
# (tests/e2e/compose_config_test.sh, bench/run.sh's compose part), and so is
# python3-prometheus-client (tests/e2e/prom_check.py reads each scrape with it).
# Safe to run again: it does nothing when everything is there.
# `install-deps.sh fuzz` adds what `make fuzz` needs: clang and libFuzzer's
# runtime (libclang_rt.fuzzer-x86_64.a, in libclang-rt-dev's versioned package).
# `install-deps.sh clang` adds the same: `make test` builds its sanitized
# binaries with clang (faster than g++ at -O0), and `make lint` runs clang's
# thread-safety analysis.
# `install-deps.sh podman` adds Debian's podman, the second engine the e2e
# suite runs on (tests/e2e/podman_test.sh; `make test` and `make e2e` ask).
set -eu
PKGS="g++ make pkg-config git curl sqlite3 jq openssl python3 ca-certificates
      libcpp-httplib-dev libgit2-dev nlohmann-json3-dev libsqlite3-dev libssl-dev
      libspdlog-dev zlib1g-dev libboost-test-dev libcli11-dev libkainjow-mustache-dev
      prometheus-cpp-dev libyaml-cpp-dev libqrencode-dev libsimdjson-dev
      docker.io busybox-static nodejs chromium iproute2
      docker-compose python3-jsonschema python3-prometheus-client postgresql-15"
# The forge test tools and the bench peers are Node programs (npm packages
# under tests/forge and bench/); the dashboard's e2e test drives Debian's
# chromium with puppeteer-core (tests/web). NodeSource's nodejs carries npm; Debian's
# is a package of its own.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
for extra in "$@"; do
  case $extra in
    fuzz | clang) PKGS="$PKGS clang libclang-rt-dev" ;;
    podman) PKGS="$PKGS podman" ;;
    *) echo "install-deps.sh: unknown extra '$extra' (clang, fuzz, podman)" >&2; exit 2 ;;
  esac
done
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "sandbot: missing Debian packages:$missing" >&2
  echo "sandbot: run 'sudo make deps' (or apt-get install them) and try again" >&2
  exit 1
fi
echo "sandbot: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
