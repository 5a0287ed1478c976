#!/usr/bin/env bash
# What the sandbox router costs a new sandbox, on the real engine: the wall
# time of `sandbot sandbox create NAME s1@main s2@main --wait` (2 HTTP
# services, CLI start to job end) on a daemon with the router (the default)
# beside one with `serve --no-router`, both running at once and the creates
# alternating, so both see the same machine. The first create after each
# daemon starts is reported apart (it also hashes the binaries for the
# router image's tag). Each sandbox is destroyed before the next create.
#
#   bench/router_sandbox_cost.sh SANDBOT PORT_BASE RESULTS_DIR
# Ports: PORT_BASE (router daemon), +1 (no-router daemon), host ports
# PORT_BASE+10 … +49. Everything it made is removed at the end.
set -euo pipefail
export LC_ALL=C
SANDBOT=$(realpath "$1")
BASE=$2
RESULTS=$3
RUNS=${RUNS:-6} # warm creates per side
RUN=rsc$$
DIR=$(mktemp -d /tmp/sandbot-router-cost-XXXXXX)
die() {
  echo "router sandbox cost: $*" >&2
  exit 1
}

. "$(dirname "$0")/side_daemon.sh"

cleanup() {
  stop_sides router plain
  for c in $(curl -s --unix-socket /var/run/docker.sock "http://d/containers/json?all=1" |
    jq -r --arg p "/sandbox-$RUN-" '.[] | select(.Names[0] | startswith($p)) | .Id' 2>/dev/null); do
    curl -s --unix-socket /var/run/docker.sock -X DELETE "http://d/containers/$c?force=1" >/dev/null
  done
  for n in $(curl -s --unix-socket /var/run/docker.sock "http://d/networks" |
    jq -r --arg p "sandbox-$RUN-" '.[] | select(.Name | startswith($p)) | .Id' 2>/dev/null); do
    curl -s --unix-socket /var/run/docker.sock -X DELETE "http://d/networks/$n" >/dev/null || true
  done
  remove_side_images router plain
  rm -rf "$DIR"
}
trap cleanup EXIT

start router "$BASE" "$((BASE + 10))-$((BASE + 29))"
start plain "$((BASE + 1))" "$((BASE + 30))-$((BASE + 49))" --no-router

side_app "$DIR/work"
side_repos router "$DIR/work" 2
side_repos plain "$DIR/work" 2

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# side, name → prints the wall ms of one create (then destroys it)
create() {
  local side=$1 name=$2 t0 t1 out
  export SANDBOT_DATA=$DIR/$side
  t0=$(now_ms)
  out=$("$SANDBOT" sandbox create "$name" s1@main s2@main --wait 2>&1) || die "create ($side): $out"
  t1=$(now_ms)
  if [ "$side" = router ] &&
    [ "$(curl -s --unix-socket /var/run/docker.sock "http://d/containers/sandbox-$name.router/json" |
      jq -r .State.Running)" != true ]; then
    die "no router in $name"
  fi
  "$SANDBOT" sandbox destroy "$name" >/dev/null 2>&1 || die "destroy $name ($side)"
  echo $((t1 - t0))
}

first_router=$(create router "$RUN-router-0")
first_plain=$(create plain "$RUN-plain-0")
: >"$DIR/router.ms"
: >"$DIR/plain.ms"
for i in $(seq "$RUNS"); do
  create router "$RUN-router-$i" >>"$DIR/router.ms"
  create plain "$RUN-plain-$i" >>"$DIR/plain.ms"
done

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
{
  printf 'new sandbox, 2 HTTP services (sandbox create --wait, CLI start to job end): '
  printf 'first after start %d ms with the router, %d ms without; ' "$first_router" "$first_plain"
  printf 'warm median %d ms with (%s), %d ms without (%s); load %s\n' \
    "$(median "$DIR/router.ms")" "$(tr '\n' ' ' <"$DIR/router.ms" | sed 's/ $//')" \
    "$(median "$DIR/plain.ms")" "$(tr '\n' ' ' <"$DIR/plain.ms" | sed 's/ $//')" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/router_sandbox_cost.txt"
