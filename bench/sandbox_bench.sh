#!/usr/bin/env bash
# The sandbox benchmark (issue 4): how long a route change takes to be
# answered and applied in a real 5-service sandbox (recreated, and again with
# 5 services that reload on SIGHUP); how fast the daemon
# answers `sandbox list` and `sandbox status` with 200 sandboxes of 3
# services in the store; and the daemon's RSS with those loaded. Prints
# figures beside their targets; it asserts no target (a slow machine is not a
# failure) but fails when what it measures fails: a deploy or route change
# that does not succeed, an answer that does not list every sandbox.
#
#   SANDBOT=build/sandbot bench/sandbox_bench.sh      (or: make bench)
#
# Loopback only, in a scratch folder /tmp/sandbot-sbbench-*: a daemon with
# --listen 127.0.0.1:18093 --ports 19800-19849 --gateway-ports 19850-19869.
# Repos, containers, networks and images carry sbb<pid>; all of them and the
# folder are removed on exit, also on failure or Ctrl-C.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and printf with a '.' separator
cd "$(dirname "$0")/.."

SANDBOT=$(realpath "${SANDBOT:?set SANDBOT to the sandbot binary}")
BENCH_HTTP=${BENCH_HTTP:-127.0.0.1:18093}
BENCH_PORTS=${BENCH_PORTS:-19800-19849}
BENCH_GATEWAY_PORTS=${BENCH_GATEWAY_PORTS:-19850-19869}
ROUTE_RUNS=${ROUTE_RUNS:-15}     # timed route changes, after one warm-up
SEEDED=${SEEDED:-200}            # sandboxes of 3 services seeded into the store
READ_RUNS=${READ_RUNS:-200}      # timed `sandbox list` / `sandbox status` answers each
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}

RUN=sbb$$ # every repo, sandbox, container and image name carries it
SB=$RUN-five
SBH=$RUN-hup # the same 5 services, declared --reload-signal HUP
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

say() { printf '%s\n' "$*" >&2; }
die() {
  say "bench: FAILED: $*"
  exit 1
}
now_us() { echo "${EPOCHREALTIME/./}"; }
engine() { # engine METHOD PATH → body
  curl -sf --unix-socket "$DOCKER_SOCK" -X "$1" "http://engine$2"
}
uri() { jq -rn --arg v "$1" '$v|@uri'; }
db() { sqlite3 "$DATA/sandbot.db" "$@"; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$DAEMON_PID/status"; }

# stats FILE: "median p95" of the numbers in FILE (p95 by nearest rank).
stats() {
  sort -g "$1" | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) exit 1
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      r = int(0.95 * NR); if (r < 0.95 * NR) r++
      printf "%.1f %.1f\n", m, v[r]
    }'
}

DAEMON_PID=
DIR=
cleanup() {
  local rc=$?
  set +e
  if [ -n "$DAEMON_PID" ]; then
    kill -TERM "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID" 2>/dev/null
  fi
  if [ $rc -ne 0 ] && [ -f "${DIR:-}/daemon.log" ]; then
    say "--- last daemon log lines"
    tail -n 20 "$DIR/daemon.log" >&2
  fi
  local f c
  local sb
  for sb in "$SB" "$SBH"; do
    f=$(uri "{\"label\":[\"sandbot.sandbox=$sb\"]}")
    for c in $(engine GET "/containers/json?all=1&filters=$f" | jq -r '.[].Id'); do
      engine DELETE "/containers/$c?force=1&v=1" >/dev/null
    done
    engine DELETE "/networks/sandbox-$sb" >/dev/null 2>&1
  done
  for c in 1 2 3 4 5; do engine DELETE "/containers/$RUN-floor-$c?force=1" >/dev/null 2>&1; done
  engine DELETE "/networks/$RUN-floor" >/dev/null 2>&1
  f=$(uri "{\"reference\":[\"sandbot/$RUN-*\"]}")
  for c in $(engine GET "/images/json?filters=$f" | jq -r '.[].RepoTags[]?'); do
    engine DELETE "/images/$c?force=1" >/dev/null
  done
  [ -n "${DIR:-}" ] && rm -rf "$DIR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in git curl jq sqlite3 awk; do
  command -v "$tool" >/dev/null || die "$tool is missing (make deps installs it)"
done
engine GET /_ping >/dev/null || die "no Docker engine answers on $DOCKER_SOCK"
if ! engine GET /images/sandbot/busybox:latest/json >/dev/null; then
  "$SANDBOT" image import "$(dirname "$SANDBOT")/busybox-rootfs.tar" sandbot/busybox:latest \
    >/dev/null || die "cannot import sandbot/busybox:latest"
fi

DIR=$(mktemp -d /tmp/sandbot-sbbench-XXXXXX)
DATA=$DIR/data
RESULTS=$(dirname "$SANDBOT")/bench-results
mkdir -p "$DATA" "$RESULTS"
export SANDBOT_DATA=$DATA

# Five services, each with a baseline URL (never contacted) so a route can
# go back and forth between the sandbox and the baseline.
SERVICES="$RUN-s1 $RUN-s2 $RUN-s3 $RUN-s4 $RUN-s5"
HUP_SERVICES="$RUN-h1 $RUN-h2 $RUN-h3 $RUN-h4 $RUN-h5"
baselines=$(for s in $SERVICES $HUP_SERVICES; do printf '"%s": "https://%s-dev.example.com",' "$s" "$s"; done)
echo "{\"baseline\": {${baselines%,}}}" >"$DATA/config.json"

# --- (a) route change → answered and applied, 5 services ----------------------

"$SANDBOT" serve --data "$DATA" --listen "$BENCH_HTTP" --ports "$BENCH_PORTS" \
  --gateway-ports "$BENCH_GATEWAY_PORTS" --reconcile-seconds 0 --health-timeout 30 \
  --log-level warn >>"$DIR/daemon.log" 2>&1 &
DAEMON_PID=$!
i=0
until curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/ping >/dev/null 2>&1; do
  i=$((i + 1))
  { [ $i -lt 100 ] && kill -0 "$DAEMON_PID" 2>/dev/null; } || die "the daemon did not start"
  sleep 0.1
done

rss_start=$(rss_mb)

# The e2e tests' tiny app: busybox httpd serving a page that names its commit.
create_args=()
for s in $SERVICES; do
  "$SANDBOT" repo add "$s" "$DIR/$s.git" --init --port 8080 --health / >/dev/null
  work=$DIR/work-$s
  git init -q -b main "$work"
  cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && { env | grep _URL=; echo \"commit $SANDBOT_COMMIT\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$work" add -A
  git -C "$work" commit -qm app
  git -C "$work" push -q "$DIR/$s.git" main 2>/dev/null
  create_args+=("$s@main")
done
say "deploying $SB: 5 services"
out=$("$SANDBOT" sandbox create "$SB" "${create_args[@]}" --gateway "$RUN-s1" --wait) ||
  die "sandbox create failed: $out"
[ "$(db "SELECT COUNT(*) FROM services WHERE status = 'running'")" = 5 ] ||
  die "not every service runs: $(db "SELECT name, status, detail FROM services")"

: >"$RESULTS/route_change.ms"
route_to=baseline
for n in $(seq 0 "$ROUTE_RUNS"); do
  t0=$(now_us)
  out=$("$SANDBOT" route "$RUN-s2" "$route_to" in "$SB" --wait 2>&1) || die "route change failed: $out"
  t1=$(now_us)
  case "$out" in
    *"routes applied to 5 containers"*) ;;
    *) die "the route change did not apply to the 5 containers: $out" ;;
  esac
  # The new table is what the containers now serve.
  want=$([ "$route_to" = baseline ] && echo "https://$RUN-s2-dev.example.com" || echo "http://$RUN-s2:8080")
  page=$(curl -sf "$(db "SELECT url FROM services WHERE name = '$RUN-s3'")/")
  case "$page" in
    *"_URL=$want"*) ;;
    *) die "after routing $RUN-s2 to $route_to, $RUN-s3 does not see $want: $page" ;;
  esac
  [ "$n" -eq 0 ] || awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }' \
    >>"$RESULTS/route_change.ms"
  route_to=$([ "$route_to" = baseline ] && echo sandbox || echo baseline)
done
read -r route_med route_p95 < <(stats "$RESULTS/route_change.ms")
# Where the time goes, from the store: queue pickup, and the job itself.
read -r pickup_med _ < <(db "SELECT started_at - created_at FROM jobs WHERE kind = 'reroute'
                             ORDER BY id LIMIT -1 OFFSET 1" >"$DIR/pickup" && stats "$DIR/pickup")
read -r job_med _ < <(db "SELECT finished_at - started_at FROM jobs WHERE kind = 'reroute'
                          ORDER BY id LIMIT -1 OFFSET 1" >"$DIR/job" && stats "$DIR/job")
# The last reroute's stages, ms after it started (bench-results/route_change_events.txt).
db "SELECT e.time - j.started_at, e.stage, e.message FROM job_events e JOIN jobs j
    ON j.id = e.job_id WHERE j.id = (SELECT MAX(id) FROM jobs WHERE kind = 'reroute')
    ORDER BY e.id" >"$RESULTS/route_change_events.txt"
say "route change, answered and applied (5 services): median $route_med ms, p95 $route_p95 ms"
say "  of which: queue pickup median $pickup_med ms, reroute job median $job_med ms"

# The same change when the 5 services declare --reload-signal HUP: routes.json
# is rewritten in place and each running container gets a SIGHUP. The app's
# main process (sh) counts the signals and keeps httpd up; a CGI page prints
# the mounted table (its _URL variables keep their old values by design).
hup_args=()
for s in $HUP_SERVICES; do
  "$SANDBOT" repo add "$s" "$DIR/$s.git" --init --port 8080 --health / --reload-signal HUP \
    >/dev/null
  work=$DIR/work-$s
  git init -q -b main "$work"
  mkdir -p "$work/www/cgi-bin"
  echo ok >"$work/www/index.html"
  printf '#!/bin/sh\necho "Content-Type: application/json"\necho\ncat /etc/sandbot/routes.json\n' \
    >"$work/www/cgi-bin/routes"
  chmod +x "$work/www/cgi-bin/routes"
  cat >"$work/start.sh" <<'SH'
trap 'echo reloaded >> /tmp/reloads' HUP
httpd -f -p 8080 -h /www &
pid=$!
trap 'kill $pid; exit 0' TERM
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
SH
  cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY www /www
COPY start.sh /start.sh
CMD ["sh", "/start.sh"]
DOCKERFILE
  git -C "$work" add -A
  git -C "$work" commit -qm app
  git -C "$work" push -q "$DIR/$s.git" main 2>/dev/null
  hup_args+=("$s@main")
done
say "deploying $SBH: 5 services that reload on SIGHUP"
out=$("$SANDBOT" sandbox create "$SBH" "${hup_args[@]}" --wait) || die "sandbox create failed: $out"
ids_before=$(for s in $HUP_SERVICES; do engine GET "/containers/sandbox-$SBH-$s/json" | jq -r .Id; done)
h3_url=$(db "SELECT url FROM services WHERE name = '$RUN-h3'")
last_job=$(db "SELECT MAX(id) FROM jobs")
: >"$RESULTS/route_change_hup.ms"
route_to=baseline
for n in $(seq 0 "$ROUTE_RUNS"); do
  t0=$(now_us)
  out=$("$SANDBOT" route "$RUN-h2" "$route_to" in "$SBH" --wait 2>&1) || die "route change failed: $out"
  t1=$(now_us)
  case "$out" in
    *"routes applied to 5 containers of $SBH (5 signalled, 0 recreated)"*) ;;
    *) die "the route change did not signal the 5 containers: $out" ;;
  esac
  want=$([ "$route_to" = baseline ] && echo "https://$RUN-h2-dev.example.com" || echo "http://$RUN-h2:8080")
  got=$(curl -sf "$h3_url/cgi-bin/routes" | jq -r --arg s "$RUN-h2" '.[$s].url')
  [ "$got" = "$want" ] || die "after routing $RUN-h2 to $route_to, $RUN-h3 reads $got, not $want"
  [ "$n" -eq 0 ] || awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }' \
    >>"$RESULTS/route_change_hup.ms"
  route_to=$([ "$route_to" = baseline ] && echo sandbox || echo baseline)
done
ids_after=$(for s in $HUP_SERVICES; do engine GET "/containers/sandbox-$SBH-$s/json" | jq -r .Id; done)
[ "$ids_before" = "$ids_after" ] || die "a container of $SBH was recreated by a route change"
read -r hup_med hup_p95 < <(stats "$RESULTS/route_change_hup.ms")
read -r hup_job_med _ < <(db "SELECT finished_at - started_at FROM jobs WHERE kind = 'reroute'
                              AND id > $last_job ORDER BY id LIMIT -1 OFFSET 1" >"$DIR/hupjob" &&
  stats "$DIR/hupjob")
say "route change with SIGHUP reloads (5 services): median $hup_med ms, p95 $hup_p95 ms"

# The engine's floor for the same work: 5 busybox httpd containers removed,
# created and started again in parallel straight through the Engine API
# (curl), no health wait — what any recreate-based route change pays here.
# Host ports: the last five of BENCH_PORTS, which 10 services never reach.
floor_body() {
  jq -cn --arg p "$1" --arg n "$RUN-floor" '{Image: "sandbot/busybox:latest",
    Cmd: ["httpd", "-f", "-p", "8080"], ExposedPorts: {"8080/tcp": {}},
    HostConfig: {NetworkMode: $n, PortBindings: {"8080/tcp": [{HostIp: "127.0.0.1", HostPort: $p}]}}}'
}
floor_cycle() {
  engine DELETE "/containers/$RUN-floor-$1?force=1" >/dev/null 2>&1 || true
  curl -sf --unix-socket "$DOCKER_SOCK" -X POST "http://engine/containers/create?name=$RUN-floor-$1" \
    -H 'Content-Type: application/json' -d "$(floor_body $((${BENCH_PORTS#*-} - 5 + $1)))" >/dev/null &&
    engine POST "/containers/$RUN-floor-$1/start" >/dev/null
}
curl -sf --unix-socket "$DOCKER_SOCK" -X POST http://engine/networks/create \
  -H 'Content-Type: application/json' -d "{\"Name\": \"$RUN-floor\"}" >/dev/null ||
  die "cannot create the network $RUN-floor"
for k in 1 2 3 4 5; do floor_cycle "$k" || die "the engine cannot run a container"; done
: >"$RESULTS/engine_recreate5.ms"
for _ in 1 2 3 4 5; do
  t0=$(now_us)
  pids=()
  for k in 1 2 3 4 5; do floor_cycle "$k" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || die "the engine failed to recreate a container"; done
  t1=$(now_us)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1000 }' >>"$RESULTS/engine_recreate5.ms"
done
read -r floor_med floor_p95 < <(stats "$RESULTS/engine_recreate5.ms")
say "engine floor, 5 containers recreated in parallel: median $floor_med ms"

# --- (b) list and status with 200 sandboxes × 3 services in the store ----------

rss_routes=$(rss_mb)

now=$(($(date +%s) * 1000))
db <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SEEDED)
INSERT INTO sandboxes(name, created_by, state, created_at, updated_at, last_active_at)
  SELECT printf('$RUN-seed-%03d', i), 'bench', 'active', $now, $now, $now FROM n;
INSERT INTO services(sandbox_id, name, repo, branch, commit_sha, status, url, updated_at)
  SELECT b.id, s.name, s.name, 'feature/' || b.name, lower(hex(randomblob(20))), 'running',
         'http://127.0.0.1:' || (20000 + b.id * 3 + s.k), $now
  FROM sandboxes b JOIN (SELECT '$RUN-s1' AS name, 0 AS k UNION ALL SELECT '$RUN-s2', 1
                         UNION ALL SELECT '$RUN-s3', 2) s
  WHERE b.name LIKE '$RUN-seed-%';
INSERT INTO ports(port, service_id)
  SELECT 20000 + s.sandbox_id * 3 + (s.id % 3), s.id FROM services s
  JOIN sandboxes b ON b.id = s.sandbox_id WHERE b.name LIKE '$RUN-seed-%';
SQL
total=$(db "SELECT COUNT(*) FROM sandboxes")
[ "$(db "SELECT COUNT(*) FROM services")" = $((SEEDED * 3 + 10)) ] || die "seeding failed"

# time_command FILE TEXT WANT: READ_RUNS answers of /v1/command through the
# daemon's socket, as the CLI sends them; each must say WANT.
time_command() {
  local file=$1 text=$2 want=$3 body answer
  body=$(jq -cn --arg t "$text" '{family: "sandbox", text: $t, user: "bench"}')
  answer=$(curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/command -d "$body") ||
    die "sandbox $text: no answer"
  case "$(jq -r .text <<<"$answer")" in
    *"$want"*) ;;
    *) die "sandbox $text does not say '$want': $(head -c 400 <<<"$answer")" ;;
  esac
  : >"$file"
  for _ in $(seq "$READ_RUNS"); do
    curl -sf -o /dev/null -w '%{time_total}\n' --unix-socket "$DATA/sandbot.sock" \
      http://local/v1/command -d "$body" || die "sandbox $text: no answer"
  done | awk '{ printf "%.2f\n", $1 * 1000 }' >"$file"
}
say "timing sandbox list and status with $total sandboxes ($READ_RUNS answers each)"
time_command "$RESULTS/sandbox_list.ms" list "$total sandboxes"
time_command "$RESULTS/sandbox_status.ms" "status $RUN-seed-100" "sandbox $RUN-seed-100"
read -r list_med list_p95 < <(stats "$RESULTS/sandbox_list.ms")
read -r status_med status_p95 < <(stats "$RESULTS/sandbox_status.ms")
list_bytes=$(curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/command \
  -d '{"family":"sandbox","text":"list","user":"bench"}' | wc -c)

# --- (c) daemon RSS with those loaded -------------------------------------------

rss_loaded=$(rss_mb)

summary=$(
  printf '\n%-58s %9s %9s   %s\n' "sandbox benchmark" median p95 target
  printf '%-58s %9s %9s   %s\n' "route change, answered and applied, 5 services (ms)" \
    "$route_med" "$route_p95" "< 1000 median"
  printf '%-58s %9s %9s\n' "  reroute job alone (ms)" "$job_med" ""
  printf '%-58s %9s %9s   %s\n' "same change, 5 services reload on SIGHUP (ms)" \
    "$hup_med" "$hup_p95" "< 1000 median"
  printf '%-58s %9s %9s\n' "  reroute job alone, SIGHUP (ms)" "$hup_job_med" ""
  printf '%-58s %9s %9s\n' "  engine floor: 5 containers recreated in parallel (ms)" \
    "$floor_med" "$floor_p95"
  printf '%-58s %9s %9s   %s\n' "sandbox list via the daemon, $total sandboxes (ms)" \
    "$list_med" "$list_p95" "< 20"
  printf '%-58s %9s %9s   %s\n' "sandbox status via the daemon, $total in the store (ms)" \
    "$status_med" "$status_p95" "< 20"
  printf '%-58s %9s %9s   %s\n' "daemon RSS after the list/status loops (MB)" "$rss_loaded" "" "< 30"
  printf '%-58s %9s\n' "  RSS at start / after the route changes (MB)" "$rss_start / $rss_routes"
  printf '(list answer: %s bytes; %s route changes, %s answers each for list and status)\n' \
    "$list_bytes" "$ROUTE_RUNS" "$READ_RUNS"
)
echo "$summary"
echo "$summary" >"$RESULTS/sandbox_summary.txt"
