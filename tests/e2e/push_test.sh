# The push door: a real `git push` deploys a branch into its own sandbox.

test_push_deploys_and_redeploys_and_delete_destroys() {
  start_daemon
  new_app_repo web
  git -C "$WORK" checkout -qb feature/hello

  out=$(push -o sandbot.wait origin feature/hello)
  expect_contains "$out" "sandbot: feature/hello -> sandbox feature-hello (job"
  expect_contains "$out" "sandbot: web building $(git -C "$WORK" rev-parse --short=7 HEAD) ..."
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  url=$(url_from "$out")
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 1" "page"
  expect_contains "$page" "commit $(git -C "$WORK" rev-parse HEAD)" "page"

  # The store says the same, in the documented JSON shape.
  status=$("$SANDBOT" sandbox status feature-hello --json)
  expect_eq "$(jq -r '.services[0].status' <<<"$status")" running "status"
  expect_eq "$(jq -r '.services[0].url' <<<"$status")" "$url" "url"
  expect_eq "$(jq -r '.services[0].branch' <<<"$status")" feature/hello "branch"
  expect_eq "$(jq -r '.services[0].commit' <<<"$status")" "$(git -C "$WORK" rev-parse HEAD)"
  expect_eq "$(jq -r '.services[0].route' <<<"$status")" sandbox "route"
  expect_eq "$(service_containers sandbot.sandbox=feature-hello)" sandbox-feature-hello-web
  # Beside it, the sandbox's router (on by default: serve --no-router).
  expect_eq "$(engine GET /containers/sandbox-feature-hello.router/json | jq -r .State.Running)" \
    true "the sandbox's router"

  # A second push changes the page, on the same URL.
  echo "version 2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "app v2"
  out=$(push -o sandbot.wait origin feature/hello)
  expect_eq "$(url_from "$out")" "$url" "url after redeploy"
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 2" "page after redeploy"
  expect_contains "$page" "commit $(git -C "$WORK" rev-parse HEAD)" "page after redeploy"

  # Deleting the branch removes container, network and port.
  out=$(push -o sandbot.wait origin :feature/hello)
  expect_contains "$out" "feature/hello deleted -> destroying sandbox feature-hello"
  expect_contains "$out" "sandbox feature-hello destroyed"
  expect_eq "$(containers_with_label sandbot.sandbox=feature-hello)" "" "containers"
  ! network_exists sandbox-feature-hello || fail "network sandbox-feature-hello left behind"
  expect_eq "$(db 'SELECT COUNT(*) FROM ports')" 0 "ports held"
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 0 "sandboxes"
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url still answers"

  # Every push and job outcome is in the audit trail, with the OS user.
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq '[.[] | select(.action == "push")] | length' <<<"$audit")" 2 "push rows"
  expect_eq "$(jq '[.[] | select(.action == "deploy" and .status == "succeeded")] | length' \
    <<<"$audit")" 2 "deploy rows"
  expect_eq "$(jq -r '[.[] | select(.action == "destroy")] | map(.status) | join(",")' \
    <<<"$audit")" started,succeeded "destroy rows"
  expect_eq "$(jq -r '.[0].actor' <<<"$audit")" "$(me)" "actor"
}

test_push_without_wait_returns_at_once() {
  start_daemon
  new_app_repo web
  out=$(push origin main:feature/quick)
  expect_contains "$out" "feature/quick -> sandbox feature-quick (job"
  expect_contains "$out" "deploying in the background"
  expect_not_contains "$out" "running"
  wait_for_status feature-quick web running
  url=$("$SANDBOT" sandbox status feature-quick --json | jq -r '.services[0].url')
  expect_contains "$(curl -sf "$url/")" "version 1"
}

test_default_branch_deploys_nothing() {
  start_daemon
  new_app_repo web
  out=$(push -o sandbot.wait origin main)
  expect_contains "$out" "main is the default branch of web"
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" 0 "jobs"
}

test_push_while_daemon_is_down_is_spooled_then_deployed() {
  start_daemon
  new_app_repo web
  stop_daemon
  out=$(push origin main:feature/offline)
  expect_contains "$out" "the daemon is not running; the push is saved"
  expect_eq "$(ls "$DATA/spool" | wc -l)" 1 "spool files"
  start_daemon
  wait_for_status feature-offline web running
  expect_eq "$(ls "$DATA/spool" | wc -l)" 0 "spool files after start"
  url=$("$SANDBOT" sandbox status feature-offline --json | jq -r '.services[0].url')
  expect_contains "$(curl -sf "$url/")" "commit $(git -C "$WORK" rev-parse main)"
}

test_hostile_branch_names_run_nothing() {
  start_daemon
  new_app_repo web
  marker=$TEST_DIR/pwned
  long=feature/$(printf 'x%.0s' $(seq 1 240))
  # No spaces in ref names, so ${IFS} separates the words a shell would run.
  for branch in "feature/\$(touch\${IFS}$marker)" "feature/\`touch\${IFS}$marker\`" \
    "feature/ünïcödé-ブランチ" "$long"; do
    git -C "$WORK" branch -f "$branch" main
    push origin "$branch" >/dev/null
  done
  [ ! -e "$marker" ] || fail "a branch name was executed"
  names=$("$SANDBOT" sandbox list --json | jq -r '.[].name' | sort)
  expect_eq "$(wc -l <<<"$names")" 4 "sandbox count"
  while read -r n; do
    [[ "$n" =~ ^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$ ]] || fail "bad sandbox name '$n'"
  done <<<"$names"
  expect_contains "$names" "feature-n-c-d"
  for n in $names; do wait_for_status "$n" web running; done
  [ ! -e "$marker" ] || fail "a branch name was executed"
}

test_failed_deploy_shows_last_log_lines() {
  start_daemon
  new_app_repo web
  printf 'FROM sandbot/busybox:latest\nCMD ["sh", "-c", "echo boom-before-exit; exit 3"]\n' \
    >"$WORK/Dockerfile"
  git -C "$WORK" commit -qam "broken app"
  out=$(push -o sandbot.wait origin main:feature/broken)
  expect_contains "$out" "web failed: the container stopped"
  expect_contains "$out" "boom-before-exit"
  status=$("$SANDBOT" sandbox status feature-broken --json)
  expect_eq "$(jq -r '.services[0].status' <<<"$status")" failed
  expect_eq "$(db "SELECT state FROM jobs ORDER BY id DESC LIMIT 1")" failed
}

test_buildless_commit_runs_in_the_runtime_image() {
  start_daemon
  new_app_repo static --image sandbot/busybox:latest --cmd httpd --cmd -f --cmd -p \
    --cmd 8080 --cmd -h --cmd /src
  git -C "$WORK" rm -q Dockerfile
  echo "served from the checkout" >"$WORK/index.html"
  git -C "$WORK" add index.html
  git -C "$WORK" commit -qm "static site, no Dockerfile"
  out=$(push -o sandbot.wait origin main:feature/static)
  expect_contains "$out" "static running  http://127.0.0.1:"
  expect_contains "$(curl -sf "$(url_from "$out")/")" "served from the checkout"
  sha=$(git -C "$WORK" rev-parse main)
  [ -f "$DATA/work/feature-static/static-${sha:0:12}/index.html" ] || fail "no work folder"
  # Podman lists the binds in its own order and adds its options after ro.
  mounts=$(engine GET /containers/sandbox-feature-static-static/json |
    jq -r '.HostConfig.Binds[] | select(contains(":/src:"))')
  expect_eq "${mounts%%,*}" "$DATA/work/feature-static/static-${sha:0:12}:/src:ro" "bind"
}
