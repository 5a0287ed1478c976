#!/usr/bin/env bash
# PR opened → URL in the comment (issue 11's second figure), beside the
# engine's own build+start of the same app.
#
# sandbot: the forge stand-in (tests/forge/fake_forge.js, real git over smart
# HTTP) serves acme/web; each round pushes a new commit under the PR's ref,
# sends a signed pull_request.opened (@octokit/webhooks-methods signature)
# and waits until the stand-in holds the preview comment with the running
# sandbox's URL: intake, mirror fetch, build, start, health check, comment
# through the outbox. The PR is then closed (its sandbox destroyed, not
# timed). Timed from curl sending the pre-signed webhook to the moment the
# stand-in recorded the comment call that says running with the URL (its
# call log), so neither node's start-up nor this script's 50 ms polling is
# counted against sandbot.
# The peer: the same commit built and started straight on the engine with
# the docker CLI (bench/docker_cli_deploy.sh --no-cache: git archive, docker
# build, docker run, curl until it answers).
#
# Target: sandbot's median ≤ 1.1× the peer's. Printed, not asserted.
#
#   SANDBOT=build/sandbot bench/pr_bench.sh          (make bench runs it)
#   PR_ROUNDS=3 bench/pr_bench.sh                    (fewer rounds)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
SANDBOT=$(realpath "${SANDBOT:-build/sandbot}")
PR_ROUNDS=${PR_ROUNDS:-5}
PR_HTTP=${PR_HTTP:-127.0.0.1:18096}
PR_PORTS=${PR_PORTS:-19700-19749}
PEER_PORT=${PR_PEER_PORT:-19750}
SECRET=pr-bench-secret-$$
TOKEN=pr-bench-token-$$
RUN=prbench$$
if [ -z "${DOCKER:-}" ]; then
  if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker); fi
fi
export DOCKER DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com GIT_TERMINAL_PROMPT=0

. bench/load_lib.sh
. tests/forge/lib.sh
bench_scratch prbench
say() { printf '%s\n' "$*" >&2; }
die() {
  say "pr_bench: FAILED: $*"
  exit 1
}
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
cleanup_engine() {
  # The previews a failed run left (sandbot is stopped first), then the peer's.
  "$DOCKER" ps -aq --filter "name=^sandbox-pr-[0-9]*-$RUN" | xargs -r "$DOCKER" rm -f \
    >/dev/null 2>&1 || true
  "$DOCKER" network ls -q --filter "name=^sandbox-pr-[0-9]*-$RUN" | xargs -r "$DOCKER" network rm \
    >/dev/null 2>&1 || true
  "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' "sandbot/$RUN" | xargs -r "$DOCKER" rmi -f \
    >/dev/null 2>&1 || true
  "$DOCKER" rm -f "devenv-$RUN" >/dev/null 2>&1 || true
  "$DOCKER" network rm "devenv-$RUN" >/dev/null 2>&1 || true
  "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' "devenv/$RUN" | xargs -r "$DOCKER" rmi -f \
    >/dev/null 2>&1 || true
}
# PR_BENCH_KEEP=DIR: the daemon's log, its store and the stand-in's recorded
# calls are copied there on exit, to see where the time went.
keep() {
  [ -n "${PR_BENCH_KEEP:-}" ] || return 0
  mkdir -p "$PR_BENCH_KEEP"
  cp -r "$work/sandbot.log" "$work/rounds.txt" "$work/forge" "$work/data" "$PR_BENCH_KEEP/" 2>/dev/null || true
}
trap 'keep; bench_cleanup; cleanup_engine' EXIT

export SANDBOT_DATA=$work/data PR_BENCH_SECRET=$SECRET PR_BENCH_TOKEN=$TOKEN
forge_start "$work/forge" 0 "$TOKEN" >/dev/null
pids+=("$FORGE_PID")
"$SANDBOT" serve --listen "$PR_HTTP" --ports "$PR_PORTS" --log-level "${PR_LOG_LEVEL:-warn}" >"$work/sandbot.log" 2>&1 &
sb_pid=$!
pids+=("$sb_pid")
i=0
until curl -s -o /dev/null "http://$PR_HTTP/"; do
  i=$((i + 1))
  [ $i -lt 100 ] || die "sandbot did not start: $(tail -n 5 "$work/sandbot.log")"
  sleep 0.1
done
if ! "$DOCKER" image inspect sandbot/busybox:latest >/dev/null 2>&1; then
  "$SANDBOT" image import "$(dirname "$SANDBOT")/busybox-rootfs.tar" sandbot/busybox:latest \
    >/dev/null || die "cannot import sandbot/busybox:latest"
fi
"$SANDBOT" forge add github --kind github --api-url "$FORGE_URL" --token-env PR_BENCH_TOKEN \
  --secret-env PR_BENCH_SECRET >/dev/null
CLONE=$(forge_repo acme/web)
"$SANDBOT" repo add "$RUN" --forge github --forge-repo acme/web --clone-url "$CLONE" \
  --port 8080 --health / >/dev/null
AUTHED=${CLONE/http:\/\//http://x-access-token:$TOKEN@}
WORK=$work/app
git init -q -b main "$WORK"
cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY page.txt /page.txt
CMD ["sh", "-c", "mkdir -p /www && { cat /page.txt; echo \"commit $SANDBOT_COMMIT\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
echo "main" >"$WORK/page.txt"
git -C "$WORK" add -A
git -C "$WORK" commit -qm main
git -C "$WORK" push -q "$AUTHED" main

# comment_url N: the URL in PR N's preview comment once it says running, else "".
comment_url() {
  forge_ctl GET state | jq -r --argjson n "$1" '[.repos["acme/web"].comments[] |
    select(.number == $n and (.body | test("running")))] | first | .body // ""' |
    grep -o 'http://127\.0\.0\.1:[0-9]*' | head -n 1 || true
}

hook() { # hook ACTION FIXTURE N SHA [--dry-run --out-body FILE]
  forge_send --url "http://$PR_HTTP/forges/github/webhook" --forge github \
    --payload "tests/fixtures/forges/github/$2.json" --secret-env PR_BENCH_SECRET \
    --repo acme/web --number "$3" --sha "$4" --clone-url "$CLONE" \
    --set "pull_request.updated_at=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"" "${@:5}" | head -n 1
}

# The timed webhook is signed beforehand (send_webhook.js --dry-run: node's
# start-up is the harness's, not sandbot's) and sent by curl at t0.
# signed_args HEADERS_JSON: fills `curl_args` with its headers (before t0).
signed_args() {
  curl_args=()
  while IFS= read -r h; do curl_args+=(-H "$h"); done < <(jq -r 'to_entries[] | "\(.key): \(.value)"' "$1")
}
# send_signed BODY_FILE: the HTTP status.
send_signed() {
  curl -s -o /dev/null -w '%{http_code}' "${curl_args[@]}" --data-binary "@$1" \
    "http://$PR_HTTP/forges/github/webhook"
}

# comment_ms N: when (ms since the epoch) the stand-in took PR N's comment
# saying running with the URL (its record of the call), else "".
comment_ms() {
  jq -r --arg n "pr-$1-" 'select((.method == "PATCH" or .method == "POST") and
      (.path | test("/comments")) and ((.body.body // "") | contains("`" + $n) and
      test(": running") and test("http://127[.]0[.]0[.]1:[0-9]+"))) | .time' "$FORGE_LOG" |
    head -n 1 | { read -r t && date -d "$t" +%s%3N; } || true
}

sb_times=() peer_times=()
# Round 0 warms up (mirror clone, base layers). A round whose PR the
# daemon's periodic sweep (every minute) found open before the webhook came
# is not counted: its deploy began before t0.
round=0 n=99
while [ "$round" -le "$PR_ROUNDS" ]; do
  n=$((n + 1))
  echo "pr $n $(date +%s%N)" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "pr $n"
  sha=$(git -C "$WORK" rev-parse HEAD)
  git -C "$WORK" push -q -f "$AUTHED" "HEAD:refs/pull/$n/head"
  forge_pull acme/web "$n" "$sha" >/dev/null
  hook opened pull_request.opened "$n" "$sha" --dry-run --out-body "$work/body.json" \
    >"$work/headers.json"
  signed_args "$work/headers.json"
  sleep 0.5 # quiet before the timed part
  t0=$(now_ms)
  code=$(send_signed "$work/body.json")
  [ "$code" = 202 ] || die "pull_request.opened #$n answered $code"
  url=""
  until [ -n "$url" ]; do
    [ $(($(now_ms) - t0)) -lt 120000 ] || die "no URL in the comment of #$n after 120 s"
    sleep 0.05
    url=$(comment_url "$n")
  done
  t_seen=$(now_ms)       # when this script saw it (polling every 50 ms)
  t1=$(comment_ms "$n") # when the forge took the comment
  [ -n "$t1" ] || die "the stand-in recorded no running comment for #$n"
  curl -sf "$url/" | grep -q "commit $sha" || die "$url does not serve $sha"

  sleep 0.5
  p0=$(now_ms)
  bench/docker_cli_deploy.sh --no-cache "$WORK/.git" "$sha" "$RUN" "$PEER_PORT" \
    >/dev/null 2>"$work/peer.log" || die "the docker CLI deploy failed: $(tail -n 5 "$work/peer.log")"
  p1=$(now_ms)
  forge_pull acme/web "$n" "$sha" '{"state":"closed"}' >/dev/null # on the forge too
  [ "$(hook closed pull_request.closed "$n" "$sha")" = 202 ] || die "closing #$n"
  swept=$(sqlite3 "$work/data/sandbot.db" "SELECT COUNT(*) FROM forge_deliveries
    WHERE delivery LIKE 'sweep:acme/web#$n:%' AND outcome = 'accepted'")
  if [ "$swept" != 0 ]; then
    say "  (PR #$n: the periodic sweep saw it before its webhook; not counted, run again)"
    continue
  fi
  if [ "$round" -gt 0 ]; then
    sb_times+=($((t1 - t0)))
    peer_times+=($((p1 - p0)))
    echo "round $n t0 $t0 t1 $t1 seen $t_seen p0 $p0 p1 $p1 peer $(grep timing: "$work/peer.log")" \
      >>"$work/rounds.txt"
    say "  round $round: sandbot $((t1 - t0)) ms (PR opened → URL in the comment), engine $((p1 - p0)) ms"
  fi
  round=$((round + 1))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
sb=$(median "${sb_times[@]}")
peer=$(median "${peer_times[@]}")
printf '\n%-46s %10s %10s\n' "PR opened → URL in the comment ($PR_ROUNDS rounds)" sandbot engine
printf '%-46s %10s %10s   ratio %sx (target <= 1.1x)\n' "median (ms)" "$sb" "$peer" \
  "$(awk -v a="$sb" -v b="$peer" 'BEGIN {printf "%.2f", a / b}')"
printf '%-46s %10s %10s\n' "all rounds (ms)" "${sb_times[*]// /,}" "${peer_times[*]// /,}"
