# Sandbox lifecycle on the real engine: clone, snapshot/restore,
# suspend/resume, lock/unlock, idle expiry and the sandbox limit.
# Sandbox names start with "lc" (container names are global on the engine).

# $1 sandbox, $2 service → its host port in the store.
lc_port() {
  "$SANDBOT" sandbox status "$1" --json |
    jq -r --arg s "$2" '.services[] | select(.name == $s) | .port'
}

lc_url() {
  "$SANDBOT" sandbox status "$1" --json |
    jq -r --arg s "$2" '.services[] | select(.name == $s) | .url'
}

# lc_wait_sql SQL EXPECTED [SECONDS]: until the store answers EXPECTED.
lc_wait_sql() {
  local i=0 got
  while [ $i -lt $((${3:-30} * 5)) ]; do
    got=$(db "$1")
    [ "$got" = "$2" ] && return 0
    i=$((i + 1))
    sleep 0.2
  done
  fail "'$1' gave '$got', expected '$2'"
}

lc_commit() {  # lc_commit TEXT: a new page version in $WORK, committed
  echo "$1" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "$1"
}

test_lifecycle_clone_gets_new_ports_same_commits_and_routes() {
  start_daemon
  new_app_repo lcapi --auto-branches 'auto/*'
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  sha=$(git -C "$WORK" rev-parse HEAD)
  "$SANDBOT" sandbox create lc-src lcweb@feature/lc --wait >/dev/null
  "$SANDBOT" route lcapi http://127.0.0.1:9 in lc-src --wait >/dev/null
  # A newer commit on the branch: the clone takes the recorded one, not this.
  lc_commit "version 2"
  git -C "$WORK" push -q -o sandbot.nowait origin main:feature/lc-next 2>/dev/null

  out=$("$SANDBOT" sandbox clone lc-src lc-dst --wait)
  expect_contains "$out" "cloning lc-src into lc-dst"
  expect_contains "$out" "lcweb@feature/lc ${sha:0:7}"
  expect_contains "$out" "lcweb running"
  src=$("$SANDBOT" sandbox status lc-src --json)
  dst=$("$SANDBOT" sandbox status lc-dst --json)
  expect_eq "$(jq -r '.services[0].commit' <<<"$dst")" "$sha" "cloned commit"
  expect_eq "$(jq -r '.services[0].branch' <<<"$dst")" feature/lc "cloned branch"
  [ "$(jq -r '.services[0].port' <<<"$dst")" != "$(jq -r '.services[0].port' <<<"$src")" ] ||
    fail "the clone got the same port"
  page=$(curl -sf "$(jq -r '.services[0].url' <<<"$dst")/")
  expect_contains "$page" "version 1" "clone page"
  expect_contains "$page" "commit $sha" "clone page"
  expect_eq "$(db "SELECT r.target FROM routes r JOIN sandboxes b ON b.id = r.sandbox_id
                   WHERE b.name = 'lc-dst' AND r.service = 'lcapi'")" http://127.0.0.1:9 "route"
  # lcapi is reached through the clone's router: its table has the route.
  env=$(engine GET /containers/sandbox-lc-dst-lcweb/json | jq -r '.Config.Env[]')
  expect_contains "$env" "LCAPI_URL=http://lcapi:8080" "clone env"
  expect_eq "$(jq -r .lcapi.url "$DATA/work/lc-dst/etc-sandbot/routes.json")" http://127.0.0.1:9 \
    "clone's routes.json"
  # The source still runs, on its own port.
  expect_contains "$(curl -sf "$(jq -r '.services[0].url' <<<"$src")/")" "version 1" "source page"
  out=$("$SANDBOT" sandbox clone lc-src lc-dst 2>&1) && fail "cloned onto an existing name"
  expect_contains "$out" "already exists"
}

test_lifecycle_snapshot_and_restore() {
  start_daemon
  new_app_repo lcapi --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  v1=$(git -C "$WORK" rev-parse HEAD)
  "$SANDBOT" sandbox create lc-snap lcweb@feature/lc --wait >/dev/null
  url=$(lc_url lc-snap lcweb)
  out=$("$SANDBOT" sandbox snapshot lc-snap before)
  expect_contains "$out" "recorded snapshot before of lc-snap"
  expect_contains "$out" "lcweb@feature/lc ${v1:0:7}"
  out=$("$SANDBOT" sandbox snapshot lc-snap before 2>&1) && fail "a snapshot was overwritten"
  expect_contains "$out" "pick another name, e.g. \`/sandbox snapshot lc-snap before-2\`"

  # Move on: a newer commit, another service, a route.
  lc_commit "version 2"
  push -q -o sandbot.wait origin HEAD:feature/lc >/dev/null
  expect_contains "$(curl -sf "$url/")" "version 2" "page after the push"
  "$SANDBOT" deploy lcapi feature/lc to lc-snap --wait >/dev/null
  "$SANDBOT" route lcapi http://127.0.0.1:9 in lc-snap --wait >/dev/null
  expect_eq "$(service_containers sandbot.sandbox=lc-snap | sort | tr '\n' ' ')" \
    "sandbox-lc-snap-lcapi sandbox-lc-snap-lcweb " "containers before restore"

  out=$("$SANDBOT" sandbox restore lc-snap before --wait)
  expect_contains "$out" "restoring lc-snap to snapshot before"
  expect_contains "$out" "removing lcapi"
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 1" "page after restore"
  expect_contains "$page" "commit $v1" "page after restore"
  expect_eq "$(lc_url lc-snap lcweb)" "$url" "url after restore"
  expect_eq "$(service_containers sandbot.sandbox=lc-snap)" sandbox-lc-snap-lcweb "containers"
  expect_eq "$(db "SELECT COUNT(*) FROM routes r JOIN sandboxes b ON b.id = r.sandbox_id
                   WHERE b.name = 'lc-snap'")" 0 "routes after restore"
  # lcapi left the sandbox with its route: the table sends it to the baseline.
  expect_eq "$(jq -r .lcapi.route "$DATA/work/lc-snap/etc-sandbot/routes.json")" baseline \
    "routes.json after restore"
  # The image of the recorded commit was reused, not rebuilt.
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'deploy' AND service = 'lcweb'
                   AND commit_sha = '$v1' AND state = 'succeeded'")" 2 "deploys of v1"
  expect_contains "$(cat "$DATA"/logs/job-*.log)" "image sandbot/lcweb:${v1:0:12} already built"
}

test_lifecycle_rename_keeps_ports_and_moves_everything() {
  start_daemon --reconcile-seconds 1
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  "$SANDBOT" sandbox create lc-old lcweb@feature/lc --wait >/dev/null
  url=$(lc_url lc-old lcweb)
  port=$(lc_port lc-old lcweb)
  sha=$(git -C "$WORK" rev-parse HEAD)
  expect_contains "$(curl -sf "$url/")" "commit $sha" "page before"
  "$SANDBOT" sandbox create lc-other >/dev/null

  # Refusals: NEW taken or not a name, OLD locked.
  out=$("$SANDBOT" sandbox rename lc-old lc-other 2>&1) && fail "renamed onto a taken name"
  expect_contains "$out" "a sandbox named lc-other already exists"
  out=$("$SANDBOT" sandbox rename lc-old Bad_Name 2>&1) && fail "renamed to a bad name"
  expect_contains "$out" "not a valid sandbox name"
  "$SANDBOT" sandbox lock lc-old "testing" >/dev/null
  out=$("$SANDBOT" sandbox rename lc-old lc-new 2>&1) && fail "renamed a locked sandbox"
  expect_contains "$out" "cannot rename lc-old: it is locked by"
  "$SANDBOT" sandbox unlock lc-old >/dev/null

  out=$("$SANDBOT" sandbox rename lc-old lc-new --wait)
  expect_contains "$out" "renaming lc-old to lc-new"
  expect_contains "$out" "sandbox lc-old is now lc-new (1 containers recreated"
  # Same host port, same URL, same commit, under the new name.
  expect_eq "$(lc_port lc-new lcweb)" "$port" "port kept"
  expect_eq "$(lc_url lc-new lcweb)" "$url" "url kept"
  expect_contains "$(curl -sf "$url/")" "commit $sha" "page after"
  expect_eq "$(service_containers sandbot.sandbox=lc-new)" sandbox-lc-new-lcweb "new container"
  expect_eq "$(containers_with_label sandbot.sandbox=lc-old)" "" "old containers"
  network_exists sandbox-lc-new || fail "no network sandbox-lc-new"
  ! network_exists sandbox-lc-old || fail "network sandbox-lc-old is still there"
  expect_eq "$(engine GET /containers/sandbox-lc-new-lcweb/json |
    jq -r '.NetworkSettings.Networks | keys[]')" sandbox-lc-new "container network"
  [ -d "$DATA/work/lc-new" ] || fail "no work folder lc-new"
  [ ! -e "$DATA/work/lc-old" ] || fail "work folder lc-old is still there"
  status=$("$SANDBOT" sandbox status lc-new)
  expect_contains "$status" "lc-new"
  expect_contains "$status" "running"
  out=$("$SANDBOT" sandbox status lc-old 2>&1) && fail "lc-old still exists"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'lc-old'")" 0 "old row"
  expect_eq "$(db "SELECT status FROM audit WHERE action = 'sandbox.rename' ORDER BY id DESC
                   LIMIT 1")" accepted "audit"
  # The reconciler takes nothing of it for an orphan.
  sleep 2
  expect_eq "$(service_containers sandbot.sandbox=lc-new)" sandbox-lc-new-lcweb "after a while"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action LIKE 'reconcile.%'")" 0 "reconciler"
  # Deploys reach it under the new name.
  lc_commit "version 2"
  out=$(push origin HEAD:feature/lc)
  expect_contains "$out" "lc-new"
}

test_lifecycle_suspend_and_resume() {
  start_daemon
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  "$SANDBOT" sandbox create lc-sus lcweb@feature/lc --wait >/dev/null
  url=$(lc_url lc-sus lcweb)
  port=$(lc_port lc-sus lcweb)

  out=$("$SANDBOT" sandbox suspend lc-sus --wait)
  expect_contains "$out" "suspending lc-sus"
  expect_contains "$out" "sandbox lc-sus suspended (1 containers stopped"
  expect_eq "$(engine GET /containers/sandbox-lc-sus-lcweb/json | jq -r .State.Running)" false \
    "container running"
  expect_eq "$(db "SELECT state FROM sandboxes WHERE name = 'lc-sus'")" suspended "state"
  expect_eq "$(lc_port lc-sus lcweb)" "$port" "port kept"
  expect_eq "$(db "SELECT COUNT(*) FROM ports WHERE port = $port")" 1 "port held"
  expect_eq "$(jq -r '.services[0].status' <<<"$("$SANDBOT" sandbox status lc-sus --json)")" \
    suspended "service status"
  expect_contains "$("$SANDBOT" sandbox status lc-sus)" "suspended: containers stopped"
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url answers while suspended"

  # A push while suspended waits in the queue; resume applies it.
  lc_commit "version 2"
  out=$(push origin HEAD:feature/lc)
  expect_contains "$out" "queued; applied when lc-sus is resumed"
  job=$(db "SELECT MAX(id) FROM jobs WHERE kind = 'deploy'")
  sleep 2
  expect_eq "$(db "SELECT state FROM jobs WHERE id = $job")" queued "deploy while suspended"

  # The reconciler leaves a suspended sandbox's stopped container alone.
  sleep 1
  expect_eq "$(engine GET /containers/sandbox-lc-sus-lcweb/json | jq -r .State.Running)" false

  # The queued deploy starts as soon as the resume ends, so the page is not
  # looked at in between: it may be changing containers at that moment.
  out=$("$SANDBOT" sandbox resume lc-sus --wait)
  expect_contains "$out" "resuming lc-sus"
  expect_contains "$out" "sandbox lc-sus resumed (1 containers started)"
  lc_wait_sql "SELECT state FROM jobs WHERE id = $job" succeeded 60
  expect_eq "$(lc_url lc-sus lcweb)" "$url" "url after the queued deploy"
  expect_contains "$(curl -sf "$url/")" "version 2" "page after the queued deploy"
  expect_eq "$(db "SELECT state FROM sandboxes WHERE name = 'lc-sus'")" active "state"

  # A resume with nothing queued: the same URL serves the same page again.
  "$SANDBOT" sandbox suspend lc-sus --wait >/dev/null
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url answers while suspended again"
  "$SANDBOT" sandbox resume lc-sus --wait >/dev/null
  expect_contains "$(curl -sf "$url/")" "version 2" "page after the second resume"
}

test_lifecycle_lock_queues_pushes_and_unlock_applies_the_newest() {
  start_daemon
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  "$SANDBOT" sandbox create lc-lock lcweb@feature/lc --wait >/dev/null
  url=$(lc_url lc-lock lcweb)
  me=$(me)

  out=$("$SANDBOT" sandbox lock lc-lock QA regression run)
  expect_contains "$out" "locked by $me since "
  expect_contains "$out" "UTC: QA regression run"

  lc_commit "version 2"
  out=$(push origin HEAD:feature/lc)
  expect_contains "$out" "feature/lc -> sandbox lc-lock (job"
  expect_contains "$out" "queued; applied when unlocked (🔒 locked by $me since "
  first=$(db "SELECT MAX(id) FROM jobs WHERE kind = 'deploy'")
  sleep 3
  expect_eq "$(db "SELECT state FROM jobs WHERE id = $first")" queued "deploy while locked"
  expect_contains "$(curl -sf "$url/")" "version 1" "page while locked"

  # Every answer about it says who holds the lock, since when and why.
  expect_contains "$("$SANDBOT" sandbox status lc-lock)" "locked by $me since "
  expect_contains "$("$SANDBOT" sandbox status lc-lock --json | jq -r .lock.reason)" \
    "QA regression run"
  out=$("$SANDBOT" deploy lcweb feature/lc to lc-lock)
  expect_contains "$out" "queued; applied when unlocked"
  expect_contains "$out" ": QA regression run"
  out=$("$SANDBOT" route lcweb http://127.0.0.1:9 in lc-lock)
  expect_contains "$out" "queued; applied when unlocked"
  expect_contains "$out" "locked by $me"

  lc_commit "version 3"
  v3=$(git -C "$WORK" rev-parse HEAD)
  push origin HEAD:feature/lc >/dev/null
  newest=$(db "SELECT MAX(id) FROM jobs WHERE kind = 'deploy'")
  expect_eq "$(db "SELECT state FROM jobs WHERE id = $first")" cancelled "older push"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'deploy' AND state = 'queued'")" 1 \
    "queued deploys"
  expect_eq "$(db "SELECT state FROM jobs WHERE kind = 'reroute'")" queued "route change"

  out=$("$SANDBOT" sandbox unlock lc-lock --wait)
  expect_contains "$out" "unlocked lc-lock"
  expect_contains "$out" "lcweb@feature/lc ${v3:0:7} (job $newest)"
  expect_contains "$out" "lcweb running"
  expect_contains "$out" "routes applied by the router of lc-lock"
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 3" "page after unlock"
  expect_eq "$(jq -r .lcweb.url "$DATA/work/lc-lock/etc-sandbot/routes.json")" \
    http://127.0.0.1:9 "the router's table after unlock"
  expect_eq "$(db "SELECT COUNT(*) FROM deployments WHERE sandbox = 'lc-lock'")" 2 \
    "deployments (create + the newest only)"
  expect_eq "$(db "SELECT locked_by FROM sandboxes WHERE name = 'lc-lock'")" "" "lock cleared"
}

test_lifecycle_expiry_suspends_then_destroys() {
  E2E_FAKE_PORT=${LC_FAKE_PORT:-19349} start_fake_chat
  start_daemon --idle-suspend 3s --retention 6s
  new_app_repo lcweb --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/lc 2>/dev/null
  "$SANDBOT" sandbox create lc-exp lcweb@feature/lc --wait >/dev/null
  lc_wait_sql "SELECT state FROM sandboxes WHERE name = 'lc-exp'" suspended 20
  lc_wait_sql "SELECT services.status FROM services JOIN sandboxes b ON b.id = sandbox_id
               WHERE b.name = 'lc-exp'" suspended 20
  expect_eq "$(engine GET /containers/sandbox-lc-exp-lcweb/json | jq -r .State.Running)" false \
    "container running"
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq -r '[.[] | select(.action == "sandbox.expire")][0] | .actor + " " + .status' \
    <<<"$audit")" "sandbot suspending" "expire audit row"
  wait_received /slack-webhook '.text | test("lc-exp suspended")'

  lc_wait_sql "SELECT COUNT(*) FROM sandboxes WHERE name = 'lc-exp'" 0 30
  expect_eq "$(containers_with_label sandbot.sandbox=lc-exp)" "" "containers"
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq -r '[.[] | select(.action == "sandbox.expire") | .status] | join(",")' \
    <<<"$audit")" suspending,destroying "expire audit rows"
  expect_eq "$(jq -r '[.[] | select(.action == "destroy" and .status == "succeeded")] | length' \
    <<<"$audit")" 1 "destroy job"
  wait_received /slack-webhook '.text | test("lc-exp destroyed")'
  # The owner's next command tells them, once (a refused one does not count).
  out=$("$SANDBOT" route list lc-none 2>&1) && fail "listed routes of a missing sandbox"
  expect_not_contains "$out" "your sandbox lc-exp"
  out=$("$SANDBOT" sandbox create lc-after)
  expect_contains "$out" "your sandbox lc-exp was idle for more than 3 seconds"
  expect_contains "$out" "sandbot destroyed it"
  out=$("$SANDBOT" route list lc-after)
  expect_not_contains "$out" "your sandbox lc-exp"
}

test_lifecycle_max_sandboxes() {
  start_daemon --max-sandboxes 1
  new_app_repo lcweb --auto-branches 'lc-*'
  "$SANDBOT" sandbox create lc-max1 >/dev/null
  out=$("$SANDBOT" sandbox create lc-max2 2>&1) && fail "created past the limit"
  expect_contains "$out" "this sandbot already has 1 sandboxes, its limit (max_sandboxes 1;"
  expect_contains "$out" "/sandbox destroy NAME"
  out=$("$SANDBOT" sandbox clone lc-max1 lc-max3 2>&1) && fail "cloned past the limit"
  expect_contains "$out" "its limit"
  out=$(push origin main:lc-auto)
  expect_contains "$out" "no sandbox created for lc-auto: this sandbot already has 1 sandboxes"
  expect_eq "$(db "SELECT name FROM sandboxes")" lc-max1 "sandboxes"
  expect_eq "$(db "SELECT status FROM audit WHERE action = 'push'")" refused "push audit"
}
