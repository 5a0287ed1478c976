#!/usr/bin/env bash
# What a hand-written dev-env.sh does to put one commit of an app on the local
# engine with the docker CLI: the reference sandbot is measured against.
#
#   docker_cli_deploy.sh [--no-cache] GIT_DIR COMMIT NAME HOST_PORT
#
# git archive of the commit -> docker build -> docker rm -f of the old
# container -> docker network create (if missing) -> docker run -d published
# on 127.0.0.1:HOST_PORT -> curl until the app answers. Prints the URL on
# stdout and one "timing:" line (milliseconds per step) on stderr; build
# output also goes to stderr.
#
# Names: image devenv/NAME:<sha12>, container and network devenv-NAME.
# --no-cache: the benchmark deploys a commit sandbot has just built, and the
# engine's layer cache would otherwise hand this script sandbot's layers; a
# dev-env.sh building a new commit would not have them either.
#
# Environment: DOCKER (the CLI, default `docker`), CONTAINER_PORT (8080),
# HEALTH_PATH (/), HEALTH_TIMEOUT seconds (60).
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a '.' separator

DOCKER=${DOCKER:-docker}
CONTAINER_PORT=${CONTAINER_PORT:-8080}
HEALTH_PATH=${HEALTH_PATH:-/}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}

usage() {
  echo "usage: $0 [--no-cache] GIT_DIR COMMIT NAME HOST_PORT" >&2
  exit 2
}

now_us() { echo "${EPOCHREALTIME/./}"; }

# step NAME: records the milliseconds since the previous step under NAME.
TIMINGS=""
LAST=$(now_us)
step() {
  local t
  t=$(now_us)
  TIMINGS+=" $1=$(((t - LAST) / 1000))"
  LAST=$t
}

main() {
  local build_flags=()
  if [ "${1:-}" = --no-cache ]; then
    build_flags+=(--no-cache)
    shift
  fi
  [ $# -eq 4 ] || usage
  local git_dir=$1 commit=$2 name=$3 port=$4
  local image="devenv/$name:${commit:0:12}" container="devenv-$name" network="devenv-$name"
  local url="http://127.0.0.1:$port"

  # 1. The commit's files, as git stores them, are the build context: git
  #    archive streams a tar and `docker build -` reads it from stdin.
  git --git-dir="$git_dir" archive --format=tar "$commit" |
    "$DOCKER" build "${build_flags[@]}" -t "$image" - >&2
  step build

  # 2. Same name, same host port: the old container has to go first.
  "$DOCKER" rm -f "$container" >/dev/null 2>&1 || true
  step rm

  # 3. One network per environment, so services find each other by alias.
  "$DOCKER" network inspect "$network" >/dev/null 2>&1 ||
    "$DOCKER" network create "$network" >/dev/null
  step network

  # 4. Run it, published on loopback only, with what the app reads.
  "$DOCKER" run -d --name "$container" --network "$network" --network-alias app \
    -p "127.0.0.1:$port:$CONTAINER_PORT" \
    -e "SANDBOT_COMMIT=$commit" -e "PORT=$CONTAINER_PORT" "$image" >/dev/null
  step run

  # 5. Done when it answers.
  local deadline=$((SECONDS + HEALTH_TIMEOUT))
  until curl -sf -o /dev/null --max-time 2 "$url$HEALTH_PATH"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$container did not answer on $url$HEALTH_PATH within $HEALTH_TIMEOUT s; its log:" >&2
      "$DOCKER" logs --tail 20 "$container" >&2 || true
      exit 1
    fi
    sleep 0.02
  done
  step ready

  echo "timing:$TIMINGS" >&2
  echo "$url"
}

main "$@"
