#!/bin/sh
# Clang's thread-safety analysis over the files whose locks are annotated
# (util/thread_annotations.h, util/mutex.h): a GUARDED_BY member touched
# without its mutex, or a REQUIRES function called without it, fails the
# build here. g++ ignores the annotations, so `make lint` runs this with
# clang++ (syntax only: nothing is linked). Installs clang with apt-get when
# it is missing and we are root, as scripts/install-deps.sh does.
set -eu
cd "$(dirname "$0")/.."
PKGS=${PKGS:-"cpp-httplib libgit2 sqlite3 openssl spdlog"}
if ! command -v clang++ >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "check-thread-safety: clang++ is missing; run 'sudo apt-get install clang'" >&2
    exit 1
  fi
  echo "check-thread-safety: installing clang"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends clang >/dev/null
fi
# A file is checked when it or its own header includes the annotated types.
files=""
for cc in $(git ls-files '*.cc'); do
  h=${cc%.cc}.h
  if grep -qs -e '^#include "util/mutex.h"' -e '^#include "util/thread_annotations.h"' "$cc" "$h"
  then
    files="$files $cc"
  fi
done
# shellcheck disable=SC2046
flags="-std=c++17 -fsyntax-only -Wthread-safety -Werror -pthread -I. $(pkg-config --cflags $PKGS)"
bad=0
for f in $files; do
  # shellcheck disable=SC2086
  clang++ $flags "$f" || bad=1
done
if [ "$bad" != 0 ]; then
  echo "check-thread-safety: clang -Wthread-safety found lock misuse (see above)" >&2
  exit 1
fi
echo "check-thread-safety: ok ($(echo $files | wc -w) files)"
