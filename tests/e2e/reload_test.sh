# Reload signals: a repo declared with --reload-signal HUP gets a route change
# as a rewritten /etc/sandbot/routes.json and a SIGHUP, in the same container.

# An app whose main process (sh) notes each SIGHUP in /tmp/reloads and keeps
# httpd running; its CGI page prints routes.json and the reload count.
write_reloading_app() {
  mkdir -p "$WORK/www/cgi-bin"
  echo ok >"$WORK/www/index.html"
  cat >"$WORK/www/cgi-bin/routes" <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
cat /etc/sandbot/routes.json
echo "reloads $(cat /tmp/reloads 2>/dev/null | wc -l)"
CGI
  chmod +x "$WORK/www/cgi-bin/routes"
  cat >"$WORK/start.sh" <<'SH'
trap 'echo reloaded >> /tmp/reloads' HUP
httpd -f -p 8080 -h /www &
pid=$!
trap 'kill $pid; exit 0' TERM
# A trapped signal ends `wait` early: wait again while httpd runs.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
SH
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY www /www
COPY start.sh /start.sh
CMD ["sh", "/start.sh"]
DOCKERFILE
  git -C "$WORK" add -A
  git -C "$WORK" commit -qm "reloading app"
}

test_route_change_signals_a_reloading_service_in_place() {
  mkdir -p "$DATA"
  printf '{"baseline": {"api": "https://api-dev.example.com"}}\n' >"$DATA/config.json"
  # Without a router: through one, an HTTP service's route change needs no
  # signal (tests/e2e/router_test.sh).
  start_daemon --no-router

  out=$("$SANDBOT" repo add bad "$TEST_DIR/bad.git" --init --reload-signal KILL 2>&1) &&
    fail "--reload-signal KILL was accepted"
  expect_contains "$out" "--reload-signal must be HUP, USR1 or USR2"

  new_app_repo api --auto-branches 'none'
  git -C "$WORK" push -q origin main 2>/dev/null
  new_app_repo web --auto-branches 'none' --reload-signal HUP
  expect_contains "$("$SANDBOT" repo list)" "reload-signal HUP"
  expect_eq "$("$SANDBOT" repo list --json | jq -r '.[] | select(.name == "web") | .reload_signal')" \
    HUP "repo list --json"
  write_reloading_app
  git -C "$WORK" push -q origin main 2>/dev/null

  out=$("$SANDBOT" sandbox create hup-a web@main api@main --wait)
  expect_contains "$out" "web running"
  url=$("$SANDBOT" sandbox status hup-a --json | jq -r '.services[] | select(.name == "web") | .url')
  page=$(curl -sf "$url/cgi-bin/routes")
  expect_eq "$(sed '$d' <<<"$page" | jq -r .api.route)" sandbox "routes.json before"
  expect_contains "$page" "reloads 0"
  inspect=$(engine GET /containers/sandbox-hup-a-web/json)
  expect_contains "$(jq -r '.HostConfig.Binds[]' <<<"$inspect")" ":/etc/sandbot:ro"
  web_before=$(jq -r .Id <<<"$inspect")
  api_before=$(engine GET /containers/sandbox-hup-a-api/json | jq -r .Id)

  out=$("$SANDBOT" route api baseline in hup-a --wait)
  expect_contains "$out" "web reloaded routes (SIGHUP)"
  expect_contains "$out" "routes applied to 2 containers of hup-a (1 signalled, 1 recreated)"
  # The same container, the new table, and the signal seen by its process.
  expect_eq "$(engine GET /containers/sandbox-hup-a-web/json | jq -r .Id)" "$web_before" \
    "web container Id"
  page=$(curl -sf "$url/cgi-bin/routes")
  expect_eq "$(sed '$d' <<<"$page" | jq -r .api.route)" baseline "routes.json after"
  expect_eq "$(sed '$d' <<<"$page" | jq -r .api.url)" https://api-dev.example.com "api url"
  expect_contains "$page" "reloads 1"
  # api declares no signal: recreated as before.
  [ "$(engine GET /containers/sandbox-hup-a-api/json | jq -r .Id)" != "$api_before" ] ||
    fail "api was not recreated"

  # A new commit replaces the container; the next route change signals it.
  echo "v2" >"$WORK/www/index.html"
  git -C "$WORK" commit -qam v2
  git -C "$WORK" push -q origin main 2>/dev/null
  "$SANDBOT" deploy web main to hup-a --wait >/dev/null
  web_v2=$(engine GET /containers/sandbox-hup-a-web/json | jq -r .Id)
  [ "$web_v2" != "$web_before" ] || fail "the deploy did not replace web"
  out=$("$SANDBOT" route api sandbox in hup-a --wait)
  expect_contains "$out" "(1 signalled, 1 recreated)"
  expect_eq "$(engine GET /containers/sandbox-hup-a-web/json | jq -r .Id)" "$web_v2" "web v2 Id"
  page=$(curl -sf "$url/cgi-bin/routes")
  expect_eq "$(sed '$d' <<<"$page" | jq -r .api.url)" http://api:8080 "routes.json back"
  expect_contains "$page" "reloads 1"
}
