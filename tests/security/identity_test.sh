# Who you are comes from something you cannot type (issue 16 items 1, 2, 3
# and 14): each attack is replayed against the real daemon and must get the
# attacker's own role, with the store unchanged.

# slack_as TEAM USER_ID USER_NAME COMMAND TEXT: a signed slash command.
slack_as() {
  local ts body sig
  ts=$(date +%s)
  body="token=x&team_id=$1&channel_id=C0QA&user_id=$2&user_name=$(jq -rn --arg v "$3" '$v|@uri')"
  body="$body&command=$(jq -rn --arg v "$4" '$v|@uri')&text=$(jq -rn --arg v "$5" '$v|@uri')"
  body="$body&response_url=$(jq -rn --arg v "$FAKE/response/$2" '$v|@uri')&trigger_id=$RANDOM$RANDOM"
  sig=v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
  curl -s -X POST "http://$E2E_HTTP/slack/commands" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$body"
}

# Item 1: a config that grants roles to names is refused at start, saying
# which form to use.
test_roles_granted_to_display_names_are_refused_at_start() {
  mkdir -p "$DATA"
  printf '{"roles": {"admin": ["alice"]}}\n' >"$DATA/config.json"
  if "$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" --ports "$E2E_PORTS" \
    >"$TEST_DIR/daemon.log" 2>&1; then
    fail "the daemon started with a role granted to a name"
  fi
  expect_contains "$(cat "$TEST_DIR/daemon.log")" 'roles: "alice" is not a fixed identity'
  expect_contains "$(cat "$TEST_DIR/daemon.log")" \
    "grant roles to slack:TEAM/USER, mattermost:USERID, teams:AAD-OBJECT-ID, cli:UID or forge:NAME/LOGIN"
  [ ! -S "$DATA/sandbot.sock" ] || fail "the socket was bound"
}

# Item 1: a Slack user who names themselves after the admin, or has the
# admin's user id in another workspace, is not the admin.
test_a_slack_user_named_like_the_admin_does_not_get_the_role() {
  chat_setup
  local answer
  for who in "T1 U0EVE U0ADMIN" "T1 U0EVE slack:T1/U0ADMIN" "T9 U0ADMIN admin"; do
    set -- $who
    answer=$(slack_as "$1" "$2" "$3" /baseline "set api https://evil.example.com")
    expect_contains "$answer" "needs the admin role; you are a deployer" "answer to $who"
  done
  expect_eq "$(db "SELECT url FROM baselines WHERE service = 'api'")" \
    "https://api-dev.example.com" "baseline"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'baseline.set' AND status = 'refused'")" \
    3 "refusals audited"
  # The admin itself, from its own workspace, may.
  answer=$(slack_as T1 U0ADMIN "whatever name" /baseline "set api https://api-2.example.com")
  expect_not_contains "$answer" "needs the admin role"
  expect_eq "$(db "SELECT url FROM baselines WHERE service = 'api'")" \
    "https://api-2.example.com" "baseline set by the admin"
  expect_eq "$(db "SELECT set_by FROM baselines WHERE service = 'api'")" \
    "whatever name (slack:T1/U0ADMIN)" "set_by"
}

# Item 1: on Teams the role follows the Azure AD object id, not the name;
# a message without one acts for nobody. Slack buttons follow team and user.
test_a_teams_or_button_user_named_like_the_admin_does_not_get_the_role() {
  start_fake_chat
  jq '.roles.admin += ["teams:aad-boss"]' "$DATA/config.json" >"$TEST_DIR/c.json"
  mv "$TEST_DIR/c.json" "$DATA/config.json"
  start_daemon
  local msg answer
  teams_send() {
    curl -s -X POST "http://$E2E_HTTP/teams/messages" -H "Authorization: $(teams_sign "$1")" \
      -H 'Content-Type: application/json' --data-raw "$1"
  }
  msg='{"type":"message","text":"<at>sandbot</at> baseline set api https://evil.example.com","from":{"id":"29:2","name":"aad-boss","aadObjectId":"aad-eve"},"conversation":{"id":"19:chan"}}'
  expect_contains "$(teams_send "$msg")" "needs the admin role; you are a deployer"
  msg='{"type":"message","text":"<at>sandbot</at> baseline set api https://evil2.example.com","from":{"id":"aad-boss","name":"Boss"},"conversation":{"id":"19:chan"}}'
  expect_contains "$(teams_send "$msg")" "names no usable user id"
  expect_eq "$(db "SELECT url FROM baselines WHERE service = 'api'")" \
    "https://api-dev.example.com" "baseline"
  msg='{"type":"message","text":"<at>sandbot</at> baseline set api https://api-3.example.com","from":{"id":"29:3","name":"Boss","aadObjectId":"aad-boss"},"conversation":{"id":"19:chan"}}'
  expect_not_contains "$(teams_send "$msg")" "needs the admin role"
  expect_eq "$(db "SELECT set_by FROM baselines WHERE service = 'api'")" \
    "Boss (teams:aad-boss)" "set by the admin"

  # A Destroy button clicked by the viewer's user id from another workspace
  # is that other user's click (a deployer here), and the viewer's own is refused.
  "$SANDBOT" sandbox create qa-btn >/dev/null
  click() {
    local ts payload body sig
    ts=$(date +%s)
    payload=$(jq -cn --arg t "$1" --arg u "$2" '{type: "block_actions", user: {id: $u, username: "viewer", team_id: $t}, team: {id: $t}, channel: {id: "C0QA"}, actions: [{action_id: "sandbox.destroy", value: "qa-btn"}]}')
    body="payload=$(jq -rn --arg v "$payload" '$v|@uri')"
    sig=v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
    curl -s -o /dev/null -w '%{http_code}' -X POST "http://$E2E_HTTP/slack/interactions" \
      -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
      -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$body"
  }
  expect_eq "$(click T1 U0VIEWER)" 200 "viewer's click"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'destroy'")" 0 "destroy jobs"
  expect_eq "$(db "SELECT actor || ' ' || status FROM audit WHERE action = 'sandbox.destroy'")" \
    "viewer (slack:T1/U0VIEWER) refused" "viewer's click audited"
  expect_eq "$(click T9 U0VIEWER)" 200 "another workspace's click"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'destroy'")" 1 "destroy jobs"
}

# Item 2: on the local socket the caller is the peer's uid, whatever name it
# sends (SANDBOT_PUSHER, or raw JSON); root is admin on a fresh install.
test_a_cli_request_claiming_another_user_gets_its_own_role() {
  mkdir -p "$DATA"
  printf '{"default_role": "viewer"}\n' >"$DATA/config.json"
  chmod o+r "$DATA/config.json"
  start_daemon
  # Root: admin without any grant, so an operator can set a baseline.
  out=$("$SANDBOT" baseline set api https://api-dev.example.com) || fail "root refused: $out"
  "$SANDBOT" sandbox create qa-id >/dev/null || fail "root could not create a sandbox"

  out=$(as_nobody env SANDBOT_PUSHER=root "$SANDBOT" baseline set api https://evil.example.com 2>&1) &&
    fail "nobody set a baseline"
  expect_contains "$out" "needs the admin role; you are a viewer"
  answer=$(as_nobody curl -s --unix-socket "$DATA/sandbot.sock" -X POST http://local/v1/command \
    -H 'Content-Type: application/json' \
    -d '{"family":"sandbox","text":"destroy qa-id","user":"root"}')
  expect_contains "$answer" "needs the deployer role; you are a viewer"
  out=$(as_nobody "$SANDBOT" sandbox destroy qa-id 2>&1) && fail "nobody destroyed through the daemon"
  expect_contains "$out" "you are a viewer"
  expect_eq "$(db "SELECT url FROM baselines WHERE service = 'api'")" \
    "https://api-dev.example.com" "baseline"
  expect_eq "$(db "SELECT state FROM sandboxes WHERE name = 'qa-id'")" active "sandbox"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'destroy'")" 0 "destroy jobs"
  # The refusals name the real caller.
  expect_eq "$(db "SELECT DISTINCT actor FROM audit WHERE status = 'refused'")" \
    "nobody (cli:65534)" "refused actor"
}

# Item 3: with the daemon down, the direct-store path checks the same role
# for the same caller (here a local user who can even write the store).
test_a_viewer_cannot_destroy_through_the_direct_store_path() {
  mkdir -p "$DATA"
  printf '{"default_role": "viewer"}\n' >"$DATA/config.json"
  start_daemon
  "$SANDBOT" sandbox create qa-off >/dev/null || fail "root could not create a sandbox"
  stop_daemon
  chmod o+rwx "$TEST_DIR" "$DATA"
  chmod o+rw "$DATA"/sandbot.db* "$DATA/config.json"
  out=$(as_nobody env SANDBOT_PUSHER=root "$SANDBOT" sandbox destroy qa-off 2>&1) &&
    fail "nobody destroyed through the store: $out"
  expect_contains "$out" "needs the deployer role; you are a viewer"
  expect_eq "$(db "SELECT state FROM sandboxes WHERE name = 'qa-off'")" active "sandbox"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'destroy'")" 0 "destroy jobs"
  expect_eq "$(db "SELECT actor FROM audit WHERE action = 'sandbox.destroy'")" \
    "nobody (cli:65534)" "audited as"
  # The same path works for an admin (root): the refusal above is the role's.
  out=$("$SANDBOT" sandbox destroy qa-off) || fail "root could not destroy: $out"
  expect_contains "$out" "the daemon is not running: the job runs when it starts"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE kind = 'destroy'")" 1 "destroy jobs"
}

# Items 2 and 14: a pusher name from anyone but the git service account is
# ignored (on the socket and in the spool); from it, control characters
# cannot forge log lines, list rows or chat text.
test_a_forged_pusher_name_neither_counts_nor_forges_lines() {
  start_fake_chat
  start_daemon
  new_app_repo web
  SANDBOT_PUSHER=$'mallory\nFAKE' GITEA_PUSHER_NAME=admin \
    git -C "$WORK" push -q origin main:feature/one 2>/dev/null
  expect_eq "$(db "SELECT actor FROM audit WHERE action = 'push'")" "$(me)" "pusher not vouched"
  # The same push spooled while the daemon is down is judged by the file's owner.
  stop_daemon
  SANDBOT_PUSHER=admin git -C "$WORK" push -q origin main:feature/spooled 2>/dev/null
  start_daemon
  local i=0
  while [ "$(db "SELECT COUNT(*) FROM audit WHERE action = 'push'")" -lt 2 ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  expect_eq "$(db "SELECT actor FROM audit WHERE action = 'push' ORDER BY id DESC LIMIT 1")" \
    "$(me)" "spooled pusher"
  expect_not_contains "$(cat "$TEST_DIR/daemon.log")" "mallory"
  stop_daemon

  # Now this user is the git service account: the name is believed, stripped.
  jq --arg u "$(id -un)" '.git_service_user = $u' "$DATA/config.json" >"$TEST_DIR/c.json"
  mv "$TEST_DIR/c.json" "$DATA/config.json"
  start_daemon
  SANDBOT_PUSHER=$'mallory\nFAKE' git -C "$WORK" push -q origin main:feature/two 2>/dev/null
  expect_eq "$(db "SELECT actor FROM audit WHERE action = 'push' ORDER BY id DESC LIMIT 1")" \
    "malloryFAKE (forge:git/malloryFAKE)" "vouched pusher"
  # Announced when its job starts, after the two spooled deploys: up to 30 s
  # under sanitizers at load.
  i=0
  until grep -q malloryFAKE "$TEST_DIR/chat.jsonl" || [ $i -ge 300 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  expect_contains "$(cat "$TEST_DIR/chat.jsonl")" "malloryFAKE" "chat announcements"
  # No line anywhere begins with the forged text.
  if grep -q '^FAKE' "$TEST_DIR/daemon.log"; then fail "a forged log line"; fi
  if "$SANDBOT" sandbox list | grep -q '^FAKE'; then fail "a forged list row"; fi
  if "$SANDBOT" audit | grep -q '^FAKE'; then fail "a forged audit row"; fi
  if jq -r '.body' "$TEST_DIR/chat.jsonl" | jq -r '.. | strings' 2>/dev/null | grep -q '^FAKE'; then
    fail "a forged line in chat text"
  fi
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE actor LIKE '%'||char(10)||'%'")" 0 \
    "actors with a newline"
}
