# The store against the engine, on start and on a timer: containers labelled
# sandbot.managed=true that this data folder's store does not know are
# removed; a service whose container vanished is reported and redeployed.
# And /baseline: baselines set from the CLI (admin) reach the containers.

test_orphans_removed_and_vanished_containers_reported() {
  start_daemon --reconcile-seconds 1
  new_app_repo web
  out=$(push -o sandbot.wait origin main:feature/rc)
  expect_contains "$out" "web running"
  url=$(url_from "$out")

  # An orphan: our labels, unknown to the store. A container of another
  # data folder (another daemon on this engine) must be left alone.
  label=$(realpath "$DATA")
  for who in "$label" /somewhere/else; do
    name=rc-orphan-$(basename "$who")
    # A run that failed halfway may have left it behind.
    engine DELETE "/containers/$name?force=1" >/dev/null 2>&1 || true
    body=$(jq -n --arg d "$who" --arg n "$name" '{Image: "sandbot/busybox:latest",
      Cmd: ["sleep", "600"], Labels: {"sandbot.managed": "true", "sandbot.data": $d,
      "sandbot.sandbox": "rc-ghost"}}')
    curl -sf --unix-socket "$DOCKER_SOCK" -X POST -H 'Content-Type: application/json' \
      -d "$body" "http://engine/containers/create?name=$name" >/dev/null
    # The reconciler (every second) may remove our orphan between create
    # and start: then there is nothing to start, which is what is tested.
    engine POST "/containers/$name/start" >/dev/null ||
      [ "$who" = "$label" ] || fail "cannot start $name"
  done
  for _ in $(seq 50); do
    engine GET /containers/rc-orphan-data/json >/dev/null 2>&1 || break
    sleep 0.2
  done
  engine GET /containers/rc-orphan-data/json >/dev/null 2>&1 && fail "the orphan is still there"
  engine GET /containers/rc-orphan-else/json >/dev/null || fail "another folder's container went"
  engine DELETE "/containers/rc-orphan-else?force=1" >/dev/null
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'reconcile.orphan_removed'")" 1 \
    "orphan audit rows"

  # A container removed behind sandbot's back: reported, then redeployed.
  engine DELETE "/containers/sandbox-feature-rc-web?force=1" >/dev/null
  for _ in $(seq 100); do
    [ "$(db "SELECT COUNT(*) FROM audit WHERE action = 'reconcile.vanished'")" -ge 1 ] && break
    sleep 0.2
  done
  expect_contains "$(db "SELECT detail FROM audit WHERE action = 'reconcile.vanished'")" \
    "container sandbox-feature-rc-web vanished"
  wait_for_status feature-rc web running 60
  expect_contains "$(curl -sf "$url/")" "version 1" "page after the repair"
}

test_baseline_set_from_the_cli_reaches_containers() {
  mkdir -p "$DATA"
  # The CLI's user is granted admin by its uid (root would be by default).
  printf '{"roles": {"admin": ["cli:%s"]}, "baseline": {"pay": "https://pay-dev.example.com"}}\n' \
    "$(id -u)" >"$DATA/config.json"
  start_daemon
  new_app_repo web
  # A CGI page: it prints the variables the container received, per request.
  mkdir -p "$WORK/cgi-bin"
  printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\nenv | grep _URL= | sort\ncat /etc/sandbot/routes.json\n' \
    >"$WORK/cgi-bin/urls"
  chmod +x "$WORK/cgi-bin/urls"
  echo ok >"$WORK/index.html"
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY index.html /www/index.html
COPY cgi-bin /www/cgi-bin
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
DOCKERFILE
  git -C "$WORK" add -A
  git -C "$WORK" commit -qm "cgi"
  git -C "$WORK" push -q origin main 2>/dev/null  # the default branch: no sandbox of its own
  "$SANDBOT" sandbox create rc-bl web@main --wait >/dev/null
  url=$("$SANDBOT" sandbox status rc-bl --json | jq -r '.services[0].url')
  # pay is reached through the sandbox's router (its name, whatever the
  # route); the router's table, mounted beside, holds the baseline's URL.
  page=$(curl -sf "$url/cgi-bin/urls")
  expect_contains "$page" "PAY_URL=http://pay:8080"
  expect_eq "$(sed -n '/^{/,$p' <<<"$page" | jq -r .pay.url)" https://pay-dev.example.com "pay's URL"

  out=$("$SANDBOT" baseline list)
  expect_contains "$out" "pay → baseline"
  out=$("$SANDBOT" baseline set pay https://pay-staging.example.com)
  expect_contains "$out" "Baseline of pay: https://pay-staging.example.com"
  expect_eq "$(db "SELECT set_by FROM baselines WHERE service = 'pay'")" "$(me)" "set_by"
  # Applied by the next route change, without a rebuild.
  out=$("$SANDBOT" route pay baseline in rc-bl --wait)
  expect_contains "$out" "routes applied by the router of rc-bl"
  expect_eq "$(curl -sf "$url/cgi-bin/urls" | sed -n '/^{/,$p' | jq -r .pay.url)" \
    https://pay-staging.example.com "pay's URL after baseline set"

  # A chat change survives a restart; the file's value does not come back.
  stop_daemon
  start_daemon
  expect_eq "$(db "SELECT url FROM baselines WHERE service = 'pay'")" \
    https://pay-staging.example.com "after restart"

  out=$("$SANDBOT" baseline set pay sandbox 2>&1) && fail "a baseline of 'sandbox' was taken"
  expect_contains "$out" "a baseline is an http:// or https:// URL"
  out=$("$SANDBOT" baseline unset nope 2>&1) && fail "unset of an unknown baseline"
  expect_contains "$out" "nope has no baseline URL"
  expect_eq "$(db "SELECT status FROM audit WHERE action = 'baseline.set'")" accepted "audit"
  expect_eq "$(db "SELECT status FROM audit WHERE action = 'baseline.unset'")" failed "audit"
}
