# The chat front doors: signed requests through the real daemon and a real
# engine, answers checked byte for byte where Slack or Teams would read them.

test_slack_create_status_deploy_destroy() {
  chat_setup
  sha=$(git -C "$WORK" rev-parse main)
  answer=$(slack /sandbox "create qa-chat web@feature/chat")
  expect_eq "$(code_of "$answer")" 200 "status"
  body=$(body_of "$answer")
  expect_eq "$(jq -r .response_type <<<"$body")" ephemeral "response_type"
  expect_contains "$(jq -r .text <<<"$body")" "qa-chat"
  expect_contains "$body" "web@feature/chat ${sha:0:7} (job"

  # The job reports to the response_url: first a new message, then edits.
  wait_received /response/U0ANA '.text | test("succeeded")'
  posts=$(received /response/U0ANA)
  expect_eq "$(jq -r '.[0] | fromjson | .response_type' <<<"$posts")" in_channel
  expect_eq "$(jq -r '.[0] | fromjson | has("replace_original")' <<<"$posts")" false
  expect_eq "$(jq -r '.[-1] | fromjson | .replace_original' <<<"$posts")" true
  last=$(jq -r '.[-1]' <<<"$posts")
  expect_contains "$last" "feature/chat@${sha:0:7}"
  expect_eq "$(jq -r '.blocks[0].type' <<<"$last")" header
  expect_contains "$(jq -c '[.blocks[] | select(.type == "actions") | .elements[].action_id]' <<<"$last")" \
    sandbox.destroy
  [ "$(jq length <<<"$posts")" -le 5 ] || fail "more than 5 posts to one response_url"
  url=$("$SANDBOT" sandbox status qa-chat --json | jq -r '.services[0].url')
  expect_contains "$(curl -sf "$url/")" "commit $sha"

  # Status answers name branch@commit, status and URL.
  body=$(body_of "$(slack /sandbox "status qa-chat")")
  expect_contains "$body" "feature/chat@${sha:0:7}"
  expect_contains "$body" "$url"
  expect_contains "$body" running

  # /sandbox use, then /deploy without "to".
  slack /sandbox "use qa-chat" >/dev/null
  echo "version chat-2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam v2
  git -C "$WORK" push -q origin HEAD:feature/two 2>/dev/null
  body=$(body_of "$(slack /deploy "web feature/two")")
  expect_contains "$body" "deploying web@feature/two"
  expect_contains "$body" "qa-chat"
  wait_for_status qa-chat web running
  wait_received /response/U0ANA '.text | test("feature/two")'
  expect_contains "$(curl -sf "$url/")" "version chat-2"

  # Notifications on the incoming webhooks name who did what.
  wait_received /slack-webhook '.text | test("succeeded")'
  expect_contains "$(received /slack-webhook)" "ana (slack:T1/U0ANA)"
  wait_received /teams-webhook '.attachments[0].contentType == "application/vnd.microsoft.card.adaptive"'

  body=$(body_of "$(slack /sandbox "destroy qa-chat")")
  expect_contains "$body" "destroying sandbox qa-chat"
  wait_received /response/U0ANA '.text | test("destroy qa-chat\\): succeeded")'
  expect_eq "$(containers_with_label sandbot.sandbox=qa-chat)" "" "containers after destroy"
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq -r '[.[] | select(.action == "sandbox.create")][0].actor' <<<"$audit")" "ana (slack:T1/U0ANA)"
  expect_eq "$(jq -r '[.[] | select(.action == "sandbox.create")][0].source' <<<"$audit")" slack
}

test_slack_rejects_bad_stale_missing_and_replayed_signatures() {
  chat_setup
  url="http://$E2E_HTTP/slack/commands"
  body="command=%2Fsandbox&text=list&user_id=U0ANA"
  ts=$(date +%s)
  good=v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
  code() { curl -s -o /dev/null -w '%{http_code}' -X POST "$url" "$@" --data-raw "$body"; }
  expect_eq "$(code)" 401 "unsigned"
  # The good signature with its last hex digit changed (appending a fixed
  # digit would be the good one whenever it already ends with it: 1 in 16).
  last=${good: -1}
  bad=${good:0:66}$([ "$last" = 0 ] && echo 1 || echo 0)
  [ "$bad" != "$good" ] || fail "the bad signature is the good one"
  expect_eq "$(code -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $bad")" 401 "bad"
  old=$((ts - 301))
  stale=v0=$(printf 'v0:%s:%s' "$old" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
  expect_eq "$(code -H "X-Slack-Request-Timestamp: $old" -H "X-Slack-Signature: $stale")" 401 "stale"
  expect_eq "$(code -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $good")" 200 "good"
  expect_eq "$(code -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $good")" 401 "replayed"
  big=$(head -c 70000 /dev/zero | tr '\0' a)
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" --data-raw "text=$big")" 413 "large"
  rows=$(db "SELECT COUNT(*) FROM audit WHERE action = 'request.rejected'")
  expect_eq "$rows" 5 "rejections audited"
  expect_contains "$(db "SELECT group_concat(detail, '|') FROM audit WHERE action = 'request.rejected'")" "stale"
  expect_contains "$(db "SELECT actor FROM audit WHERE action = 'request.rejected' LIMIT 1")" "remote:127.0.0.1"
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" 0 "jobs"
}

test_slack_unknown_commands_services_and_roles() {
  chat_setup
  body=$(body_of "$(slack /sandbox "creat qa")")
  expect_contains "$body" "Did you mean 'sandbox create'"
  expect_eq "$(jq -r .response_type <<<"$body")" ephemeral
  body=$(body_of "$(slack /sandbox "create qa wbe@feature/chat")")
  expect_contains "$body" "Did you mean 'web'"
  body=$(body_of "$(slack /deploy "web no/such/branch to nowhere")")
  expect_contains "$body" "no sandbox named 'nowhere'"
  slack /sandbox "create qa-roles" >/dev/null
  body=$(body_of "$(slack /sandbox "destroy qa-roles" U0VIEWER)")
  expect_contains "$body" "needs the deployer role; you are a viewer"
  expect_eq "$(db "SELECT status FROM audit WHERE action = 'sandbox.destroy'")" refused
  body=$(body_of "$(slack /sandbox "list" U0VIEWER)")
  expect_contains "$body" "qa-roles"
  body=$(body_of "$(slack /sandbox "")")
  expect_contains "$body" "/sandbox create NAME"
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 1 "sandboxes"
}

test_teams_hmac_both_ways_and_mattermost_token() {
  chat_setup
  msg='{"type":"message","text":"<at>sandbot</at> sandbox&nbsp;create qa-teams","from":{"id":"29:1","name":"Tom","aadObjectId":"aad-tom"},"conversation":{"id":"19:chan"}}'
  out=$(curl -s -w '\n%{http_code}' -X POST "http://$E2E_HTTP/teams/messages" \
    -H "Authorization: $(teams_sign "$msg")" -H 'Content-Type: application/json' --data-raw "$msg")
  expect_eq "$(code_of "$out")" 200 "signed teams"
  expect_eq "$(body_of "$out" | jq -r .type)" message
  expect_contains "$(body_of "$out" | jq -r .text)" "qa-teams"
  bad=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$E2E_HTTP/teams/messages" \
    -H "Authorization: $(teams_sign "$msg x")" --data-raw "$msg")
  expect_eq "$bad" 401 "badly signed teams"
  expect_eq "$(db "SELECT created_by FROM sandboxes WHERE name = 'qa-teams'")" "Tom (teams:aad-tom)"

  mm="token=$MM_TOKEN&user_id=mm1&user_name=maria&channel_id=town&command=%2Fsandbox&text=status+qa-teams"
  out=$(curl -s -w '\n%{http_code}' -X POST "http://$E2E_HTTP/slack/commands" --data-raw "$mm")
  expect_eq "$(code_of "$out")" 200 "mattermost"
  expect_contains "$(body_of "$out" | jq -r .text)" "qa-teams"
  out=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$E2E_HTTP/slack/commands" \
    --data-raw "${mm/$MM_TOKEN/wrong}")
  expect_eq "$out" 401 "bad mattermost token"
}

test_cli_speaks_the_same_grammar() {
  chat_setup
  out=$("$SANDBOT" sandbox create qa-cli web@feature/chat --wait)
  expect_contains "$out" "creating sandbox qa-cli"
  expect_contains "$out" "web running  http://127.0.0.1:"
  out=$("$SANDBOT" sandbox logs qa-cli web 5)
  expect_contains "$out" "qa-cli"
  out=$("$SANDBOT" deploy web nope to qa-cli 2>&1) && fail "deploy of a missing branch succeeded"
  expect_contains "$out" "branch 'nope' does not exist in repo web"
  expect_eq "$(jq -r '[.[] | select(.action == "sandbox.create")][0].source' <<<"$("$SANDBOT" audit --json)")" cli
}

test_listener_takes_a_burst_of_connections() {
  # A chat service may open many connections at once. With a short listen
  # backlog the kernel drops the extra SYNs and those clients wait a full
  # second for the retry; every one of 64 must connect well before that.
  start_daemon
  out=$(python3 - "$E2E_HTTP" 64 <<'PY'
import select, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
n = int(sys.argv[2])
socks, t0 = [], time.monotonic()
for _ in range(n):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((host, int(port)))
    socks.append(s)
pending, slowest = set(socks), 0.0
while pending and time.monotonic() - t0 < 5:
    _, writable, _ = select.select([], list(pending), [], 0.05)
    for s in writable:
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            slowest = time.monotonic() - t0
        pending.discard(s)
print("%d %d" % (n - len(pending), int(slowest * 1000)))
PY
  )
  read -r connected slowest_ms <<<"$out"
  expect_eq "$connected" 64 "connections made"
  [ "$slowest_ms" -lt 500 ] || fail "the slowest of 64 connections took $slowest_ms ms"
  expect_eq "$(curl -s "http://$E2E_HTTP/healthz")" '{"ok":true}' "healthz after the burst"
}

test_a_second_daemon_on_a_taken_port_says_so_and_exits() {
  # Another data folder, the same --listen: the second daemon must not share
  # the port (no SO_REUSEPORT), must say why, and must exit at once.
  start_daemon
  other=$TEST_DIR/other
  set +e
  timeout 10 "$SANDBOT" serve --data "$other" --listen "$E2E_HTTP" --ports "$E2E_PORTS" \
    >"$TEST_DIR/second.log" 2>&1
  status=$?
  set -e
  expect_eq "$status" 1 "the second daemon's exit status (124: it hung)"
  expect_contains "$(cat "$TEST_DIR/second.log")" "cannot listen on $E2E_HTTP"
  expect_contains "$(cat "$TEST_DIR/second.log")" "is another sandbot running?"
  expect_eq "$(curl -s "http://$E2E_HTTP/healthz")" '{"ok":true}' "the first still answers"
}
