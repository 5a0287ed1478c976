# The forge door (issue 11): a pull request on a forge gets its own sandbox.
# The forge is tests/forge/fake_forge.js on loopback (real git over smart
# HTTP, behind a token); the webhooks are the real GitHub payloads of
# @octokit/webhooks-examples, signed by @octokit/webhooks-methods
# (tests/forge/send_webhook.js).

. tests/forge/lib.sh

FORGE_E2E_SECRET="e2e webhook secret $$"
FORGE_E2E_TOKEN="e2e-forge-token-$$"

# A forge `github` at the stand-in (forge_kind_setup).
forge_setup() { forge_kind_setup github ""; }

# forge_hook FIXTURE [send_webhook.js ARGS…]: one signed delivery of PR 7 to
# the daemon; prints send_webhook.js's JSON (status, body, delivery), the
# daemon's JSON answer parsed in .body.
forge_hook() {
  local fixture=$1
  shift
  forge_send --url "http://$E2E_HTTP/forges/github/webhook" --forge github \
    --payload "$FORGE_FIXTURES/github/$fixture.json" --secret-env FORGE_E2E_SECRET \
    --repo acme/web --number 7 --clone-url "$CLONE" --json "$@" |
    jq -c '.body = (.body | fromjson? // .)'
}

page_of() { curl -sf "$("$SANDBOT" sandbox status "$1" --json | jq -r '.services[0].url')/"; }

# The forge's record of acme/web: its comments and statuses (fake_forge.js state).
forge_comments() { forge_ctl GET state | jq -c '[.repos["acme/web"].comments[]]'; }
# forge_status SHA: the newest sandbot/preview status of a commit, "" when none.
forge_status() {
  forge_ctl GET state |
    jq -r --arg s "$1" '[.repos["acme/web"].statuses[$s][]? | select(.context == "sandbot/preview")] |
      last | .state // ""'
}
# The forge's deployments of acme/web, and the newest state of the newest
# deployment of SHA ("" when none).
forge_deployments() { forge_ctl GET state | jq -c '[.repos["acme/web"].deployments[]]'; }
deployment_state() {
  forge_deployments | jq -r --arg s "$1" '[.[] | select(.sha == $s)] | last | .statuses // [] |
    last | .state // ""'
}
# wait_forge COMMAND EXPECTED: until COMMAND prints EXPECTED (10 s).
wait_forge() {
  local i=0 got
  until got=$($1) && [ "$got" = "$2" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "$1 is '$got', expected '$2'"
    sleep 0.1
  done
}

test_forge_pull_request_opened_synchronized_redelivered_closed() {
  forge_setup

  # opened → pr-7-web runs exactly the PR's head, fetched by its ref.
  out=$(forge_hook pull_request.opened --sha "$SHA1" \
    --set 'pull_request.updated_at="2026-01-01T10:00:00Z"')
  expect_eq "$(jq -r .status <<<"$out")" 202 "opened: status"
  expect_eq "$(jq -r .body.sandbox <<<"$out")" pr-7-web "opened: sandbox"
  delivery=$(jq -r .delivery <<<"$out")
  wait_for_status pr-7-web web running
  expect_contains "$(page_of pr-7-web)" "commit $SHA1" "page"
  expect_contains "$(page_of pr-7-web)" "pr version 1" "page"
  status=$("$SANDBOT" sandbox status pr-7-web --json)
  expect_eq "$(jq -r .pr.forge <<<"$status")" github "pr.forge"
  expect_eq "$(jq -r .pr.repo <<<"$status")" acme/web "pr.repo"
  expect_eq "$(jq -r .pr.number <<<"$status")" 7 "pr.number"
  expect_eq "$(jq -r .pr.head_sha <<<"$status")" "$SHA1" "pr.head_sha"
  expect_eq "$(jq -r .pr.deployed_sha <<<"$status")" "$SHA1" "pr.deployed_sha"
  expect_eq "$(jq -r .services[0].commit <<<"$status")" "$SHA1" "service commit"
  expect_eq "$(jq -r .pr.url <<<"$status")" \
    "$(jq -r .pull_request.html_url "$FORGE_FIXTURES/github/pull_request.opened.json")" "pr.url"

  # Posted back: a success status on the head, and one comment with the URL.
  url=$("$SANDBOT" sandbox status pr-7-web --json | jq -r '.services[0].url')
  wait_forge "forge_status $SHA1" success
  one_comment() { forge_comments | jq -r 'length'; }
  wait_forge one_comment 1
  comment=$(forge_comments | jq -r '.[0].body')
  expect_contains "$comment" "<!-- sandbot:preview -->" "comment"
  expect_contains "$comment" "running" "comment"
  expect_contains "$comment" "$url" "comment"
  expect_contains "$comment" "${SHA1:0:7}" "comment"
  expect_contains "$comment" "Suspended if idle after" "comment"
  # It said "queued" first, when the delivery was recorded, before any
  # build: the stand-in's record of the call that made it.
  made=$(forge_calls '[.[] | select(.method == "POST" and (.path | test("/issues/7/comments$")))]')
  expect_eq "$(jq -r 'length' <<<"$made")" 1 "calls that made a comment"
  expect_contains "$(jq -r '.[0].response.body' <<<"$made")" "\`pr-7-web\`: queued" \
    "the comment as first posted"

  # A GitHub deployment of the head to the transient environment pr-7:
  # in_progress, then success with the preview's URL.
  wait_forge "deployment_state $SHA1" success
  dep=$(forge_deployments | jq -c --arg s "$SHA1" '[.[] | select(.sha == $s)] | last')
  expect_eq "$(jq -r .environment <<<"$dep")" pr-7 "deployment environment"
  expect_eq "$(jq -r .transient_environment <<<"$dep")" true "deployment transient"
  expect_eq "$(jq -r '[.statuses[].state] | join(" ")' <<<"$dep")" "in_progress success" \
    "deployment statuses"
  expect_eq "$(jq -r '.statuses | last | .environment_url' <<<"$dep")" "$url" "environment_url"

  # The same delivery again: answered, nothing done twice.
  jobs=$(db 'SELECT COUNT(*) FROM jobs')
  out=$(forge_hook pull_request.opened --sha "$SHA1" --delivery "$delivery" \
    --set 'pull_request.updated_at="2026-01-01T10:00:00Z"')
  expect_eq "$(jq -r .status <<<"$out")" 200 "redelivery: status"
  expect_eq "$(jq -r .body.outcome <<<"$out")" duplicate "redelivery: outcome"
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" "$jobs" "jobs after the redelivery"
  expect_eq "$(db "SELECT COUNT(*) FROM forge_deliveries WHERE delivery = '$delivery'")" 1 \
    "delivery rows"

  # synchronize → the new head, on the same sandbox.
  echo "pr version 2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "pr v2"
  SHA2=$(git -C "$WORK" rev-parse HEAD)
  git -C "$WORK" push -q -f "$AUTHED" HEAD:refs/pull/7/head
  forge_pull acme/web 7 "$SHA2" >/dev/null
  out=$(forge_hook pull_request.synchronize --sha "$SHA2" \
    --set 'pull_request.updated_at="2026-01-01T10:05:00Z"')
  expect_eq "$(jq -r .status <<<"$out")" 202 "synchronize: status"
  i=0
  until [ "$("$SANDBOT" sandbox status pr-7-web --json | jq -r .pr.deployed_sha)" = "$SHA2" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "pr-7-web did not deploy $SHA2"
    sleep 0.2
  done
  wait_for_status pr-7-web web running
  expect_contains "$(page_of pr-7-web)" "commit $SHA2" "page after synchronize"

  # The same comment, edited in place; the new head has its status.
  wait_forge "forge_status $SHA2" success
  comment_on() { forge_comments | jq -r --arg s "${SHA2:0:7}" '[.[] | select(.body | contains($s))] | length'; }
  wait_forge comment_on 1
  expect_eq "$(forge_comments | jq -r 'length')" 1 "comments after synchronize"

  # A late delivery of an older event does not move the preview back.
  out=$(forge_hook pull_request.synchronize --sha "$SHA1" \
    --set 'pull_request.updated_at="2026-01-01T10:01:00Z"')
  expect_eq "$(jq -r .body.outcome <<<"$out")" ignored "older event"
  expect_eq "$(jq -r '.body.jobs | length' <<<"$out")" 0 "older event: jobs"
  expect_contains "$(page_of pr-7-web)" "commit $SHA2" "page after the older event"

  # closed → gone.
  out=$(forge_hook pull_request.closed --sha "$SHA2" \
    --set 'pull_request.updated_at="2026-01-01T10:10:00Z"')
  expect_eq "$(jq -r .status <<<"$out")" 202 "closed: status"
  wait_gone pr-7-web
  expect_eq "$(containers_with_label sandbot.sandbox=pr-7-web)" "" "containers after close"
  expect_eq "$(db "SELECT state FROM pull_requests WHERE number = 7")" closed "pr state"

  destroyed() { forge_comments | jq -r '.[0].body | contains("destroyed")'; }
  wait_forge destroyed true
  expect_eq "$(forge_comments | jq -r 'length')" 1 "comments after close"
  # Each head had its deployment; the older went inactive when the newer
  # came, the newer when the PR closed.
  wait_forge "deployment_state $SHA2" inactive
  expect_eq "$(deployment_state "$SHA1")" inactive "first deployment after close"
  expect_eq "$(forge_deployments | jq -r 'length')" 2 "deployments"
  # Every call sandbot made is one the real GitHub API accepts.
  forge_violations || fail "calls GitHub's OpenAPI description refuses"
  expect_not_contains "$(cat "$FORGE_LOG")" "$FORGE_E2E_TOKEN" "forge call record"

  # The audit says what each delivery did; the token is nowhere.
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq -r '[.[] | select(.action | startswith("forge.pull_request")) | .status] | join(",")' \
    <<<"$audit" | tr ',' '\n' | sort | tr '\n' ' ')" "accepted accepted accepted ignored " \
    "forge audit rows"
  expect_not_contains "$audit" "$FORGE_E2E_TOKEN" "audit"
  expect_not_contains "$(cat "$TEST_DIR/daemon.log")" "$FORGE_E2E_TOKEN" "daemon log"
  expect_not_contains "$(db .dump)" "$FORGE_E2E_TOKEN" "store"
  expect_not_contains "$("$SANDBOT" forge list --json)" "$FORGE_E2E_TOKEN" "forge list"
  expect_eq "$("$SANDBOT" forge list --json | jq -r '.[0].repos[0].forge_repo')" acme/web \
    "forge list"
}

# forge_kind_setup KIND API_PATH [REPO ADD ARGS…]: a forge KIND of kind KIND whose API is the
# stand-in's view at API_PATH ("" for GitHub's, /api/v1 Gitea's, /api/v4
# GitLab's), repo `web` from acme/web, the app's first commit on main and
# $SHA1 only under the PR's refs (refs/pull/7/head, refs/merge-requests/7/head);
# the daemon running with the token and secret in its environment.
forge_kind_setup() {
  local kind=$1 api=$2
  shift 2
  forge_start "$TEST_DIR/forge" 0 "$FORGE_E2E_TOKEN"
  trap forge_stop EXIT
  export FORGE_E2E_SECRET FORGE_E2E_TOKEN GIT_TERMINAL_PROMPT=0
  start_daemon
  "$SANDBOT" forge add "$kind" --kind "$kind" --api-url "$FORGE_URL$api" \
    --token-env FORGE_E2E_TOKEN --secret-env FORGE_E2E_SECRET >/dev/null
  CLONE=$(forge_repo acme/web)
  "$SANDBOT" repo add web --forge "$kind" --forge-repo acme/web --clone-url "$CLONE" \
    --port 8080 --health / "$@" >/dev/null
  WORK=$TEST_DIR/work-web
  new_app_work "$WORK"
  AUTHED=${CLONE/http:\/\//http://x-access-token:$FORGE_E2E_TOKEN@}
  git -C "$WORK" push -q "$AUTHED" main
  echo "pr version 1" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "pr v1"
  SHA1=$(git -C "$WORK" rev-parse HEAD)
  # Only under the PR's ref: the mirror must fetch it by ref.
  git -C "$WORK" push -q "$AUTHED" HEAD:refs/pull/7/head
  forge_pull acme/web 7 "$SHA1" >/dev/null
}

# wait_gone SANDBOX: until the store has no such sandbox (60 s).
wait_gone() {
  local i=0
  while [ "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = '$1'")" != 0 ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "$1 was not destroyed"
    sleep 0.2
  done
}

# kind_hook KIND EVENT FIXTURE [ARGS…]: a signed delivery of PR 7.
kind_hook() {
  local kind=$1 event=$2 fixture=$3
  shift 3
  forge_send --url "http://$E2E_HTTP/forges/$kind/webhook" --forge "$kind" --event "$event" \
    --payload "$FORGE_FIXTURES/$kind/$fixture.json" --secret-env FORGE_E2E_SECRET \
    --repo acme/web --number 7 --clone-url "$CLONE" --json "$@" |
    jq -c '.body = (.body | fromjson? // .)'
}

# open → running at the head with a success status; closed → gone.
forge_kind_open_and_close() {
  local kind=$1 opened=$2 closed=$3 event=$4
  out=$(kind_hook "$kind" "$event" "$opened" --sha "$SHA1")
  expect_eq "$(jq -r .status <<<"$out")" 202 "$kind opened: status"
  expect_eq "$(jq -r .body.sandbox <<<"$out")" pr-7-web "$kind opened: sandbox"
  wait_for_status pr-7-web web running
  expect_contains "$(page_of pr-7-web)" "commit $SHA1" "page"
  expect_eq "$("$SANDBOT" sandbox status pr-7-web --json | jq -r .pr.forge)" "$kind" "pr.forge"
  wait_forge "forge_status $SHA1" success
  one_comment() { forge_comments | jq -r 'length'; }
  wait_forge one_comment 1
  expect_contains "$(forge_comments | jq -r '.[0].body')" "<!-- sandbot:preview -->" "comment"
  out=$(kind_hook "$kind" "$event" "$closed" --sha "$SHA1")
  expect_eq "$(jq -r .status <<<"$out")" 202 "$kind closed: status"
  wait_gone pr-7-web
  expect_eq "$(containers_with_label sandbot.sandbox=pr-7-web)" "" "containers after close"
  forge_violations || fail "calls the $kind API subset refuses"
  expect_not_contains "$(cat "$TEST_DIR/daemon.log" "$FORGE_LOG")" "$FORGE_E2E_TOKEN" "logs"
}

test_forge_gitea_pull_request_opened_and_closed() {
  forge_kind_setup gitea /api/v1
  forge_kind_open_and_close gitea pull_request.opened pull_request.closed pull_request
}

test_forge_gitlab_merge_request_opened_and_closed() {
  forge_kind_setup gitlab /api/v4
  forge_kind_open_and_close gitlab merge_request.open merge_request.close "Merge Request Hook"
  # The MR's environment pr-7 had the preview's URL, and was stopped on close.
  env_state() { forge_ctl GET state | jq -r '[.repos["acme/web"].environments[]] | map(.name + " " + .state) | join(",")'; }
  wait_forge env_state "pr-7 stopped"
  expect_contains "$(forge_ctl GET state | jq -r '.repos["acme/web"].environments[].external_url')" \
    "http://" "environment URL"
}

# A PR closed while the daemon was down loses its preview once the daemon is
# back; while the forge's API fails, nothing is destroyed.
test_forge_pull_request_closed_while_down_is_swept_after_restart() {
  forge_setup
  out=$(forge_hook pull_request.opened --sha "$SHA1")
  expect_eq "$(jq -r .status <<<"$out")" 202 "opened: status"
  wait_for_status pr-7-web web running
  stop_daemon
  forge_pull acme/web 7 "$SHA1" '{"state":"closed"}' >/dev/null
  forge_ctl POST faults '{"method":"GET","path":"/pulls/7$","count":1000,"status":500}' >/dev/null
  start_daemon
  sleep 3
  expect_eq "$(db "SELECT state FROM sandboxes WHERE name = 'pr-7-web'")" active \
    "preview while the forge fails"
  expect_eq "$(service_containers sandbot.sandbox=pr-7-web)" \
    sandbox-pr-7-web-web "container while the forge fails"
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "left alone" "daemon log"
  stop_daemon
  forge_ctl DELETE faults >/dev/null
  start_daemon
  wait_gone pr-7-web
  expect_eq "$(containers_with_label sandbot.sandbox=pr-7-web)" "" "containers after the sweep"
  expect_eq "$(db "SELECT state FROM pull_requests WHERE number = 7")" closed "pr state"
  expect_eq "$(db "SELECT outcome FROM forge_deliveries WHERE delivery LIKE 'sweep:%'")" accepted \
    "sweep delivery"
  destroyed() { forge_comments | jq -r '.[0].body | contains("destroyed")'; }
  wait_forge destroyed true
}

# A /preview comment gets 👀 when accepted and 🚀 when its deploy is done;
# the forge answering 429 with Retry-After delays the reaction, loses nothing.
test_forge_comment_command_gets_reactions_through_a_429() {
  forge_setup
  forge_ctl PUT permissions '{"repo":"acme/web","user":"octocat","permission":"write"}' >/dev/null
  out=$(forge_hook pull_request.opened --sha "$SHA1")
  expect_eq "$(jq -r .status <<<"$out")" 202 "opened: status"
  wait_for_status pr-7-web web running
  id=$(forge_ctl POST comments '{"repo":"acme/web","number":7,"body":"/preview","user":"octocat"}' |
    jq -r .id)
  forge_ctl POST faults '{"method":"POST","path":"/reactions$","count":1,"status":429,"retry_after":2}' \
    >/dev/null
  out=$(forge_hook issue_comment.created.pr --sha "$SHA1" --comment /preview --comment-id "$id" \
    --user octocat)
  expect_eq "$(jq -r .body.outcome <<<"$out")" accepted "comment: outcome"
  reactions() {
    forge_ctl GET state | jq -r --arg id "$id" '[.repos["acme/web"].reactions[$id][]?.content] | join(" ")'
  }
  i=0
  until [ "$(reactions)" = "eyes rocket" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "reactions on the comment: '$(reactions)', expected 'eyes rocket'"
    sleep 0.2
  done
  # The 429 was answered, and the retry came after the time it asked for.
  calls=$(forge_calls '[.[] | select(.path | endswith("/reactions"))]')
  expect_eq "$(jq -r '[.[].status] | join(" ")' <<<"$calls")" "429 201 201" "reaction calls"
  gap=$(jq -r '((.[1].time | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.[0].time | sub("\\.[0-9]+Z$"; "Z") | fromdate))' \
    <<<"$calls")
  [ "$gap" -ge 1 ] || fail "the reaction was retried ${gap}s after a Retry-After of 2 s"
  forge_violations || fail "calls GitHub's OpenAPI description refuses"
}

# A PR opened while the daemon was down gets its preview from the sweep once
# the daemon is back; while the forge cannot list the PRs, nothing is made.
test_forge_pull_request_opened_while_down_is_created_by_the_sweep() {
  forge_setup
  stop_daemon
  forge_ctl POST faults '{"method":"GET","path":"/pulls$","count":1000,"status":500}' >/dev/null
  start_daemon
  i=0
  until grep -q "open PRs of acme/web" "$TEST_DIR/daemon.log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "no sweep of the open PRs"
    sleep 0.1
  done
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes")" 0 "sandboxes while the forge fails"
  stop_daemon
  forge_ctl DELETE faults >/dev/null
  start_daemon
  wait_for_status pr-7-web web running
  expect_contains "$(page_of pr-7-web)" "commit $SHA1" "page"
  expect_eq "$(db "SELECT delivery || ' ' || outcome FROM forge_deliveries")" \
    "sweep:acme/web#7:open:$SHA1 accepted" "sweep delivery"
  wait_forge "forge_status $SHA1" success
}

# Comment commands: the forge is asked who may give them (Gitea's collaborator
# permission); without write access, or when the forge cannot answer, the
# comment is refused with a reply and nothing is deployed. `/route` in a
# comment acts on the PR's preview and shows in its comment.
test_forge_comment_commands_need_write_access_on_the_forge() {
  mkdir -p "$DATA"
  echo '{"baseline": {"payment": "http://127.0.0.1:9/"}}' >"$DATA/config.json"
  forge_kind_setup gitea /api/v1 --previews comment
  forge_ctl PUT permissions '{"repo":"acme/web","user":"reader","permission":"read"}' >/dev/null
  forge_ctl PUT permissions '{"repo":"acme/web","user":"dev","permission":"write"}' >/dev/null
  out=$(kind_hook gitea pull_request pull_request.opened --sha "$SHA1")
  expect_eq "$(jq -r .body.outcome <<<"$out")" ignored "opened under the comment policy"
  comment() {
    kind_hook gitea issue_comment issue_comment.created.pr --user "$1" --comment "$2"
  }
  with_text() { forge_comments | jq -r --arg t "$1" '[.[] | select(.body | contains($t))] | length'; }
  refused_reader() { with_text "@reader may not command sandbot"; }
  refused_check() { with_text "could not check @dev's permission on the forge"; }
  routed() { with_text "| payment | | | baseline |"; }

  out=$(comment reader /preview)
  expect_eq "$(jq -r .status <<<"$out")" 202 "comment: answered before the check"
  wait_forge refused_reader 1
  # The forge's permission endpoint fails: refused, nothing deployed.
  forge_ctl POST faults '{"method":"GET","path":"collaborators/dev/permission","count":1,"status":500}' \
    >/dev/null
  comment dev /preview >/dev/null
  wait_forge refused_check 1
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'pr-7-web'")" 0 "after a failed check"
  # Write access: the preview; then /route in a comment, in the PR's preview.
  comment dev /preview >/dev/null
  wait_for_status pr-7-web web running
  comment dev "/route payment baseline" >/dev/null
  wait_forge routed 1
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq -r '[.[] | select(.action == "route.set")] | last | .source' <<<"$audit")" \
    forge:gitea "audit: the door"
  expect_eq "$(forge_calls '[.[] | select(.path | endswith("collaborators/dev/permission"))] | length')" \
    2 "permission asked once per answer kept (the 500, then once)"
  forge_violations || fail "calls the gitea API subset refuses"
}

# A comment command is done exactly once even when the daemon is killed
# (SIGKILL) while it runs: its effects and its leaving the queue commit
# together, so the kill undoes them and the restarted daemon runs it again.
# Then, on the same daemon, a fork's PR waits for a maintainer's /approve.
test_forge_comment_command_killed_midway_runs_once_after_restart() {
  forge_kind_setup github "" --previews comment
  forge_ctl PUT permissions '{"repo":"acme/web","user":"octocat","permission":"write"}' >/dev/null
  stop_daemon
  SANDBOT_FAILPOINTS=forge.comment.ran=30000 start_daemon
  out=$(forge_hook pull_request.opened --sha "$SHA1")
  expect_eq "$(jq -r .body.outcome <<<"$out")" ignored "opened under the comment policy"
  id=$(forge_ctl POST comments '{"repo":"acme/web","number":7,"body":"/preview","user":"octocat"}' |
    jq -r .id)
  out=$(forge_hook issue_comment.created.pr --sha "$SHA1" --comment /preview --comment-id "$id" \
    --user octocat)
  expect_eq "$(jq -r .status <<<"$out")" 202 "comment: answered before it runs"
  i=0
  until grep -q "failpoint forge.comment.ran: pausing" "$TEST_DIR/daemon.log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the comment did not reach its failpoint"
    sleep 0.1
  done
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=
  # Killed after /preview ran, before the commit: nothing of it is left, the
  # comment is still queued, its run counted.
  expect_eq "$(db "SELECT COUNT(*) FROM jobs")" 0 "jobs after the kill"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes")" 0 "sandboxes after the kill"
  expect_eq "$(db "SELECT attempts FROM forge_comment_jobs")" 1 "the queued comment's runs"
  start_daemon
  wait_for_status pr-7-web web running
  expect_contains "$(page_of pr-7-web)" "commit $SHA1" "page"
  expect_eq "$(db "SELECT COUNT(*) FROM forge_comment_jobs")" 0 "queue after the run"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'deploy'")" 1 "deploy jobs: exactly one"
  expect_eq "$(db "SELECT outcome FROM forge_deliveries WHERE event LIKE 'issue_comment%'")" \
    accepted "the comment's delivery"
  reactions() {
    forge_ctl GET state | jq -r --arg id "$id" '[.repos["acme/web"].reactions[$id][]?.content] | join(" ")'
  }
  wait_forge reactions "eyes rocket"

  # A fork's PR (#8, head in other/web): a maintainer's /preview is refused
  # until /approve pins the head (this repo's previews start on /preview);
  # the fork's next push revokes it (nothing redeployed). The fork's head is under the base
  # repo's refs/pull/8/head, as GitHub keeps it.
  echo "fork version 1" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "fork v1"
  fsha1=$(git -C "$WORK" rev-parse HEAD)
  git -C "$WORK" push -q "$AUTHED" HEAD:refs/pull/8/head
  forge_pull acme/web 8 "$fsha1" '{"head_repo":"other/web"}' >/dev/null
  fork() { forge_hook "$1" --number 8 --head-repo other/web --sha "$2" "${@:3}"; }
  fork pull_request.opened "$fsha1" >/dev/null
  outcome_of() { db "SELECT outcome FROM forge_deliveries WHERE delivery = '$1'"; }
  fork_comment() { # BODY: waits until the worker ran it; prints its outcome and reason
    local d
    d=$(fork issue_comment.created.pr "$fsha1" --comment "$1" --user octocat | jq -r .delivery)
    i=0
    until [ "$(outcome_of "$d")" != accepted ] ||
      [ "$(db "SELECT COUNT(*) FROM forge_comment_jobs")" = 0 ]; do
      i=$((i + 1))
      [ $i -lt 100 ] || fail "comment $1 on the fork's PR did not run"
      sleep 0.1
    done
    db "SELECT outcome || ': ' || reason FROM forge_deliveries WHERE delivery = '$d'"
  }
  expect_contains "$(fork_comment /preview)" "never deployed automatically" "fork: /preview"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'pr-8-web'")" 0 "fork: no preview"
  expect_contains "$(fork_comment /approve)" "approved ${fsha1:0:12}" "fork: /approve"
  expect_contains "$(fork_comment /preview)" "deploying ${fsha1:0:12} into pr-8-web" \
    "fork: /preview once approved"
  wait_for_status pr-8-web web running
  expect_contains "$(page_of pr-8-web)" "commit $fsha1" "fork: page"
  # Secrets are never attached to a fork's preview, even by a maintainer.
  "$SANDBOT" env create fork-secrets >/dev/null
  printf 's3cret' | "$SANDBOT" env set-file fork-secrets /etc/app/token --secret >/dev/null
  expect_contains "$(fork_comment "/env attach fork-secrets")" "refused" "fork: /env attach"
  expect_eq "$(db "SELECT COUNT(*) FROM env_attachments a JOIN sandboxes s ON s.id = a.sandbox_id
    WHERE s.name = 'pr-8-web'")" 0 "fork: no environment attached"
  echo "fork version 2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "fork v2"
  fsha2=$(git -C "$WORK" rev-parse HEAD)
  git -C "$WORK" push -q -f "$AUTHED" HEAD:refs/pull/8/head
  forge_pull acme/web 8 "$fsha2" '{"head_repo":"other/web"}' >/dev/null
  out=$(fork pull_request.synchronize "$fsha2" --set 'pull_request.updated_at="2030-01-01T00:00:00Z"')
  expect_contains "$(jq -r .body.reason <<<"$out")" "new commits on the fork since the approval" \
    "fork: push after the approval"
  expect_contains "$(page_of pr-8-web)" "commit $fsha1" "fork: still the approved head"
  forge_violations || fail "calls GitHub's OpenAPI description refuses"
}

# GitLab is asked by the note's user id (members/all/{id}): a Reporter is
# refused with a reply; a Developer's command runs (here `/sandbox status`
# before any preview exists, answered in a reply, nothing deployed).
test_forge_gitlab_note_commands_ask_the_member_access_level() {
  forge_kind_setup gitlab /api/v4 --previews comment
  guest=$(forge_ctl PUT permissions '{"repo":"acme/web","user":"guest","permission":"read"}' |
    jq -r .user_id)
  dev=$(forge_ctl PUT permissions '{"repo":"acme/web","user":"dev","permission":"write"}' |
    jq -r .user_id)
  kind_hook gitlab "Merge Request Hook" merge_request.open --sha "$SHA1" >/dev/null
  note() {
    kind_hook gitlab "Note Hook" note.merge_request --user "$1" --set "user.id=$2" --comment "$3"
  }
  with_text() { forge_comments | jq -r --arg t "$1" '[.[] | select(.body | contains($t))] | length'; }
  refused_guest() { with_text "@guest may not command sandbot"; }
  no_preview() { with_text "has no preview (\`pr-7-web\`) yet"; }
  out=$(note guest "$guest" /preview)
  expect_eq "$(jq -r .status <<<"$out")" 202 "note: answered before the check"
  wait_forge refused_guest 1
  note dev "$dev" "/sandbox status" >/dev/null
  wait_forge no_preview 1
  expect_eq "$(forge_calls "[.[] | select(.path | endswith(\"/members/all/$dev\"))] | length")" 1 \
    "the developer's access level asked"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes")" 0 "nothing deployed"
  forge_violations || fail "calls the gitlab API subset refuses"
}
