# Attacks on the chat doors (issue 16, SECURITY.md): each is replayed against
# the real daemon and must be refused with the store unchanged.

# Issue 16 item 8: a signed command naming a reply URL that is neither
# Slack's nor an allowed origin (here a loopback port standing in for the
# Engine API on TCP) is refused, runs nothing, and nothing is sent there.
test_a_response_url_off_the_allowed_hosts_is_refused_and_nothing_is_sent() {
  chat_setup
  local victim_port=$((E2E_FAKE_PORT + 1)) victim_pid body ts sig answer
  python3 tests/e2e/fake_chat.py "$victim_port" "$TEST_DIR/victim.jsonl" &
  victim_pid=$!
  until curl -s -o /dev/null -X POST "http://127.0.0.1:$victim_port/ping"; do sleep 0.05; done
  : >"$TEST_DIR/victim.jsonl"
  ts=$(date +%s)
  body="token=x&team_id=T1&channel_id=C0QA&user_id=U0ANA&user_name=ana&command=%2Fsandbox"
  body="$body&text=$(jq -rn '"create qa-ssrf web@feature/chat"|@uri')"
  body="$body&response_url=$(jq -rn --arg v "http://127.0.0.1:$victim_port/v1.41/containers/create" '$v|@uri')"
  sig=v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
  answer=$(curl -s -w '\n%{http_code}' -X POST "http://$E2E_HTTP/slack/commands" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$body")
  expect_eq "$(code_of "$answer")" 200 "status"
  expect_contains "$(body_of "$answer")" "reply URL refused"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'qa-ssrf'")" 0 "sandboxes created"
  expect_eq "$(db "SELECT COUNT(*) FROM outbox WHERE url LIKE '%$victim_port%'")" 0 "outbox rows"
  sleep 1
  kill "$victim_pid" 2>/dev/null || true
  wait "$victim_pid" 2>/dev/null || true
  expect_eq "$(grep -c . "$TEST_DIR/victim.jsonl" || true)" 0 "requests that reached the victim"
  # The configured webhooks are named in the outbox, never copied.
  expect_eq "$(db "SELECT COUNT(*) FROM outbox WHERE url LIKE 'http%webhook%'")" 0 "webhook URLs copied"
}

# Issue 16 item 4: the same signed Teams message sent three times acts once,
# also across a daemon restart (Teams signs only the body).
test_a_replayed_teams_message_is_refused_even_after_a_restart() {
  chat_setup
  msg='{"type":"message","text":"<at>sandbot</at> sandbox create qa-replay","from":{"id":"29:1","name":"Tom","aadObjectId":"aad-tom"},"conversation":{"id":"19:chan"}}'
  send() {
    curl -s -o /dev/null -w '%{http_code}' -X POST "http://$E2E_HTTP/teams/messages" \
      -H "Authorization: $(teams_sign "$msg")" -H 'Content-Type: application/json' --data-raw "$msg"
  }
  expect_eq "$(send)" 200 "first"
  expect_eq "$(send)" 401 "second"
  stop_daemon
  start_daemon
  expect_eq "$(send)" 401 "after a restart"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'sandbox.create'")" 1 "creates audited"
  # A message stamped long ago is refused even the first time.
  msg='{"type":"message","timestamp":"2020-01-01T00:00:00.000Z","text":"<at>sandbot</at> sandbox list","from":{"id":"29:1","aadObjectId":"aad-tom"},"conversation":{"id":"19:chan"}}'
  expect_eq "$(send)" 401 "stale"
}

# Issue 16 item 5: a flood of unsigned requests costs the daemon a counter,
# not an audit row and a log line each.
test_a_flood_of_unsigned_requests_does_not_fill_the_store_or_the_log() {
  chat_setup
  local rows_before log_before
  rows_before=$(db "SELECT COUNT(*) FROM audit")
  log_before=$(wc -c <"$TEST_DIR/daemon.log")
  python3 - "$E2E_HTTP" <<'PY'
import socket, sys
host, port = sys.argv[1].split(":")
body = b"token=nope&text=sandbox+list"
req = (b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
       b"Content-Length: %d\r\n\r\n" % len(body)) + body
for _ in range(10):
    s = socket.create_connection((host, int(port)))
    s.sendall(req * 500)
    got = b""
    while got.count(b"HTTP/1.1 401") < 500:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    assert got.count(b"HTTP/1.1 401") == 500, got[:200]
PY
  added=$(($(db "SELECT COUNT(*) FROM audit") - rows_before))
  [ "$added" -le 2 ] || fail "5000 rejections added $added audit rows"
  grown=$(($(wc -c <"$TEST_DIR/daemon.log") - log_before))
  [ "$grown" -lt 2000 ] || fail "5000 rejections added $grown bytes of log"
  # A good request is still answered.
  expect_eq "$(code_of "$(slack /sandbox list)")" 200 "signed request after the flood"
  # Only the chat routes are recorded: a 413 elsewhere writes nothing.
  curl -s -o /dev/null -X POST "http://$E2E_HTTP/$(head -c 3000 /dev/zero | tr '\0' a)" \
    -H 'Content-Length: 9999999' --data-raw x || true
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE detail LIKE '/aaa%'")" 0 "413 on an unknown path"
  # What the sampler left out is counted: GET /metrics, by door and reason.
  local metrics
  metrics=$(curl -sf "http://$E2E_HTTP/metrics")
  expect_contains "$metrics" 'sandbot_requests_rejected_total{door="mattermost",reason="bad_signature"} 5000' "/metrics"
  expect_contains "$metrics" 'sandbot_requests_rejected_total{door="http",reason="too_large"} 1' "/metrics"
  expect_contains "$metrics" 'sandbot_requests_rejected_total{door="slack",reason="bad_signature"} 0' "/metrics"
  # Counts only: no secret, token, address or URL.
  local word
  for word in "$SLACK_SECRET" "$MM_TOKEN" nope 127.0.0.1 http: aaa; do
    expect_not_contains "$metrics" "$word" "/metrics"
  done
}
