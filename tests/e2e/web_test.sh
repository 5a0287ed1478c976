# The dashboard (/ui/) in a real browser: Debian's chromium driven by
# puppeteer-core (tests/web/web_test.js). Screenshots go to
# ${E2E_SHOTS:-/tmp/sandbot-e2e-shots}/web/.

test_web_dashboard_in_a_browser() {
  [ -x /usr/bin/chromium ] || { skip "no /usr/bin/chromium (scripts/install-deps.sh installs it)"; return 0; }
  tests/web/install.sh || { fail "tests/web: npm ci failed"; return 1; }
  mkdir -p "$DATA"
  # nobody (another local user) is a viewer; the test's user is an admin on
  # its own socket; web has a baseline to route to.
  printf '{"roles": {"viewer": ["cli:%s"]}, "baseline": {"web": "https://web-dev.example.com"}}\n' \
    "$(id -u nobody)" >"$DATA/config.json"
  start_daemon --gateway-ports 23190-23199
  new_app_repo web --auto-branches 'auto/*'
  local branch='feature/<script>window.pwned=1</script>'
  git -C "$WORK" push -q origin "main:refs/heads/$branch" 2>/dev/null
  out=$("$SANDBOT" sandbox create qa-web "web@$branch" --gateway web --wait)
  expect_contains "$out" "web running"

  # A build that prints a line every 0.4 s, for the live log.
  local slow=$TEST_DIR/work-slow
  new_app_work "$slow"
  sed -i '1a RUN for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "tick $i"; sleep 0.4; done' "$slow/Dockerfile"
  git -C "$slow" commit -qam "a build that prints as it goes"
  git -C "$slow" remote add origin "$TEST_DIR/web.git"

  local shots=${E2E_SHOTS:-/tmp/sandbot-e2e-shots}/web
  mkdir -p "$shots"
  admin=$("$SANDBOT" web-login | tail -n 1)
  viewer=$(as_nobody "$SANDBOT" web-login | tail -n 1)
  expect_contains "$admin" "http://$E2E_HTTP/ui/login?t="
  expect_contains "$viewer" "http://$E2E_HTTP/ui/login?t="
  SANDBOT="$SANDBOT" DATA="$DATA" BASE="http://$E2E_HTTP" ADMIN_LINK="$admin" \
    VIEWER_LINK="$viewer" SANDBOX=qa-web SERVICE=web LIVE=qa-live SLOW_WORK="$slow" SHOTS="$shots" \
    node tests/web/web_test.js
  # The action ran through the grammar and the audit, by the door web.
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE source = 'web' AND action = 'route.set'
                   AND status = 'accepted' AND sandbox = 'qa-web'")" 1 "web route audit rows"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE source = 'web' AND action = 'route.set'
                   AND status = 'refused'")" 1 "refused viewer audit rows"
  # The deploy's log as Server-Sent Events: the whole log, then its end;
  # from a Last-Event-ID on, only what came after.
  link=$("$SANDBOT" web-login | tail -n 1)
  cookie=$(curl -s -D - -o /dev/null -d "t=${link#*t=}" "http://$E2E_HTTP/ui/login" | sed -n 's/^Set-Cookie: sandbot_session=\([0-9a-f]*\);.*/\1/p')
  sse=$(curl -s -m 10 -D - -b "sandbot_session=$cookie" "http://$E2E_HTTP/ui/jobs/1/events")
  expect_contains "$sse" "Content-Type: text/event-stream"
  expect_contains "$sse" "data: web running"
  expect_contains "$sse" $'event: end\ndata: succeeded'
  last=$(grep '^id: ' <<<"$sse" | tail -n 1 | cut -d' ' -f2)
  first=$(grep '^id: ' <<<"$sse" | head -n 1 | cut -d' ' -f2)
  rest=$(curl -s -m 10 -b "sandbot_session=$cookie" -H "Last-Event-ID: $first" \
    "http://$E2E_HTTP/ui/jobs/1/events")
  expect_not_contains "$rest" "id: $first"$'\n'
  expect_contains "$rest" "id: $last"
  expect_contains "$rest" "event: end"
  # No session, no log.
  expect_contains "$(curl -s -D - "http://$E2E_HTTP/ui/jobs/1/events")" "Location: /ui/signin"
}

# `/sandbox web` in Slack answers the caller alone (ephemeral) with a link
# that signs in as their Slack identity, with its configured role.
test_web_sign_in_link_from_chat() {
  start_fake_chat
  start_daemon --public-url "https://sandbot.example.com/"
  answer=$(slack /sandbox web U0VIEWER)
  expect_eq "$(code_of "$answer")" 200 "status"
  body=$(body_of "$answer")
  expect_eq "$(jq -r .response_type <<<"$body")" ephemeral "response type"
  link=$(grep -o 'https://sandbot.example.com/ui/login?t=[0-9a-f.]*' <<<"$body" | head -n 1)
  [ -n "$link" ] || fail "no link in: $body"
  # Opened on the listener (the public URL is the proxy in front of it).
  expect_contains "$(curl -s "http://$E2E_HTTP/ui/login?t=${link#*t=}")" "slack:T1/U0VIEWER"
  head=$(curl -s -D - -o /dev/null -d "t=${link#*t=}" "http://$E2E_HTTP/ui/login")
  expect_contains "$head" "Location: /ui/"
  expect_contains "$head" "HttpOnly; SameSite=Strict; Secure"
  expect_contains "$("$SANDBOT" web-sessions list)" "slack:T1/U0VIEWER (ana, viewer)"
  # Audited as made, without the link.
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'sandbox.web' AND source = 'slack'")" 1 "rows"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE detail LIKE '%${link#*t=}%'")" 0 "token in audit"
}
