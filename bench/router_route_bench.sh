#!/usr/bin/env bash
# Route change applied, 5 HTTP services in a sandbox, on the real engine:
# through the sandbox router (`serve`, the default: a new table, acknowledged)
# beside the recreate path (the same sandbox shape on a daemon with
# `serve --no-router`: the sandbox's containers are recreated with the new
# {SERVICE}_URL). Both daemons run at once and the changes alternate, so
# both see the same machine. Each figure is the wall time of
# `sandbot route SERVICE TARGET in SANDBOX --wait` (CLI start to job end).
# Fails when a change fails; asserts no target.
#
#   bench/router_route_bench.sh SANDBOT PORT_BASE RESULTS_DIR
# Ports: PORT_BASE (router daemon), +1 (recreate daemon), host ports
# PORT_BASE+10 … +49. Everything it made is removed at the end.
set -euo pipefail
export LC_ALL=C
SANDBOT=$(realpath "$1")
BASE=$2
RESULTS=$3
ROUTER_RUNS=${ROUTER_RUNS:-40}     # route changes through the router
RECREATE_RUNS=${RECREATE_RUNS:-10} # route changes by recreating, interleaved
SERVICES=5
RUN=rtb$$
DIR=$(mktemp -d /tmp/sandbot-router-route-bench-XXXXXX)
die() {
  echo "router route bench: $*" >&2
  exit 1
}

. "$(dirname "$0")/side_daemon.sh"

cleanup() {
  stop_sides router recreate
  for side in router recreate; do
    for c in $(curl -s --unix-socket /var/run/docker.sock \
      "http://d/containers/json?all=1&filters=%7B%22label%22%3A%5B%22sandbot.sandbox%3D$RUN-$side%22%5D%7D" |
      jq -r '.[].Id' 2>/dev/null); do
      curl -s --unix-socket /var/run/docker.sock -X DELETE "http://d/containers/$c?force=1" >/dev/null
    done
    curl -s --unix-socket /var/run/docker.sock -X DELETE "http://d/networks/sandbox-$RUN-$side" >/dev/null || true
  done
  remove_side_images router recreate
  rm -rf "$DIR"
}
trap cleanup EXIT

start router "$BASE" "$((BASE + 10))-$((BASE + 29))"
start recreate "$((BASE + 1))" "$((BASE + 30))-$((BASE + 49))" --no-router

side_app "$DIR/work"

for side in router recreate; do
  export SANDBOT_DATA=$DIR/$side
  side_repos "$side" "$DIR/work" "$SERVICES"
  spec=""
  for i in $(seq $SERVICES); do spec="$spec s$i@main"; done
  # shellcheck disable=SC2086
  out=$("$SANDBOT" sandbox create "$RUN-$side"$spec --wait 2>&1) || die "sandbox create ($side): $out"
done

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# side, target → prints the wall ms of one route change
change() {
  local side=$1 target=$2 t0 out
  export SANDBOT_DATA=$DIR/$side
  t0=$(now_ms)
  out=$("$SANDBOT" route s1 "$target" in "$RUN-$side" --wait 2>&1) || die "route ($side): $out"
  if [ "$side" = router ] && [[ $out != *"no container recreated"* ]]; then
    die "the router side recreated: $out"
  fi
  echo $(($(now_ms) - t0))
}

: >"$DIR/router.ms"
: >"$DIR/recreate.ms"
every=$((ROUTER_RUNS / RECREATE_RUNS))
target=sandbox
for i in $(seq "$ROUTER_RUNS"); do
  if [ "$target" = sandbox ]; then target=http://s2:8080; else target=sandbox; fi
  change router "$target" >>"$DIR/router.ms"
  if [ $((i % every)) -eq 0 ]; then change recreate "$target" >>"$DIR/recreate.ms"; fi
done

# The daemon's own part: each reroute job from queued to finished (ms).
for side in router recreate; do
  sqlite3 "$DIR/$side/sandbot.db" "SELECT finished_at - created_at FROM jobs
    WHERE kind = 'reroute' ORDER BY id" >"$DIR/$side.job_ms"
done

pct() { # file p → the p-th percentile (nearest rank below)
  sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { i = int(NR * p) + 1; if (i > NR) i = NR; print a[i] }'
}
{
  printf 'router route change applied (%d services, route --wait, CLI start to job end): ' $SERVICES
  printf 'through the router p50 %d ms p99 %d ms (%d changes); ' \
    "$(pct "$DIR/router.ms" 0.5)" "$(pct "$DIR/router.ms" 0.99)" "$ROUTER_RUNS"
  printf 'recreating (no router, same shape, same run) p50 %d ms p99 %d ms (%d changes); load %s\n' \
    "$(pct "$DIR/recreate.ms" 0.5)" "$(pct "$DIR/recreate.ms" 0.99)" "$RECREATE_RUNS" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'router route change, the job alone (queued to finished, from the store): through the router p50 %d ms p99 %d ms; recreating p50 %d ms p99 %d ms\n' \
    "$(pct "$DIR/router.job_ms" 0.5)" "$(pct "$DIR/router.job_ms" 0.99)" \
    "$(pct "$DIR/recreate.job_ms" 0.5)" "$(pct "$DIR/recreate.job_ms" 0.99)"
} | tee "$RESULTS/router_route.txt"
