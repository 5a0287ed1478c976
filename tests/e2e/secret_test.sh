# Environments and secrets: variables, secret files and files reach the
# containers on deploy (and at once on a change), and a secret never appears
# in an answer, the daemon's log, the store, a job log, a chat post or
# `docker inspect`.

# secret_cli ARGS…: runs the CLI, keeps its answer (stdout and stderr) for
# the final search, and prints it.
secret_cli() {
  local out rc=0
  out=$("$SANDBOT" "$@" 2>&1) || rc=$?
  printf '%s\n' "$out" >>"$TEST_DIR/answers.txt"
  printf '%s\n' "$out"
  return $rc
}

# expect_nowhere SECRET: not in any answer, log, store dump, job log, chat
# post or engine inspection gathered so far.
expect_nowhere() {
  local where
  for where in "$TEST_DIR/answers.txt" "$TEST_DIR/daemon.log" "$TEST_DIR/chat.jsonl" \
    "$TEST_DIR/store.dump" "$TEST_DIR/inspect.json" "$DATA"/logs/*; do
    [ -f "$where" ] || continue
    if grep -qF -- "$1" "$where"; then
      fail "the secret appears in $where: $(grep -nF -- "$1" "$where" | head -3)"
      return 1
    fi
  done
}

test_env_secrets_reach_containers_and_nothing_else() {
  E2E_FAKE_PORT=19299 start_fake_chat
  # The OS user is an admin (for rotate-key); everything else as in chat_test.
  jq --arg u "cli:$(id -u)" '.roles.admin += [$u]' "$DATA/config.json" >"$TEST_DIR/config.json"
  mv "$TEST_DIR/config.json" "$DATA/config.json"
  start_daemon
  : >"$TEST_DIR/answers.txt"
  expect_eq "$(stat -c %a "$DATA/secret.key")" 600 "key file mode"
  expect_eq "$(stat -c %s "$DATA/secret.key")" 32 "key file size"
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "back it up"

  new_app_repo secweb
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && { env | sort; echo '-- secrets'; for f in /run/secrets/*; do echo \"$f=$(cat $f)\"; done; echo '-- files'; cat /etc/app/app.conf /etc/app/key.pem; ls -l /run/secrets/API_TOKEN; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$WORK" commit -qam "print env, secrets and files"
  git -C "$WORK" push -q origin main 2>/dev/null

  secret="S3cr3t-$(openssl rand -hex 12)"
  chat_secret="Sl4ck-$(openssl rand -hex 12)"
  out=$(secret_cli env create secqa)
  expect_contains "$out" "Created environment secqa"
  secret_cli env set secqa GREETING=hello >/dev/null
  out=$(secret_cli env set secqa "API_TOKEN=$secret" --secret)
  expect_contains "$out" "Set API_TOKEN in environment secqa (secret)"
  echo cfg-line | secret_cli env set-file secqa /etc/app/app.conf >/dev/null
  printf 'pem-%s\n' "$secret" | secret_cli env set-file secqa /etc/app/key.pem --secret >/dev/null
  # A mistyped set: the answer does not repeat the words.
  out=$(secret_cli env set secqa "$secret" --secret) && fail "a set without KEY= was accepted"
  expect_contains "$out" "expected KEY=VALUE"

  out=$(secret_cli env show secqa)
  expect_contains "$out" "API_TOKEN=•••• (secret: /run/secrets/API_TOKEN)"
  expect_contains "$out" "GREETING=hello"
  expect_contains "$out" "/etc/app/app.conf (file, 9 bytes)"
  expect_contains "$out" "/etc/app/key.pem (secret file, $((${#secret} + 5)) bytes) ••••"

  out=$(secret_cli env attach secqa secsb 2>&1) && fail "attached to a missing sandbox"
  expect_contains "$out" "no sandbox named 'secsb'"
  secret_cli sandbox create secsb >/dev/null
  out=$(secret_cli env attach secqa secsb)
  expect_contains "$out" "applies at the next deploy of secsb"
  out=$(secret_cli deploy secweb main to secsb --wait)
  expect_contains "$out" "secweb running"
  url=$("$SANDBOT" sandbox status secsb --json | jq -r '.services[0].url')
  page=$(curl -sf "$url/")
  expect_contains "$page" "GREETING=hello" "page"
  expect_contains "$page" "/run/secrets/API_TOKEN=$secret" "page"
  expect_contains "$page" "cfg-line" "page"
  expect_contains "$page" "pem-$secret" "page"
  expect_contains "$page" "-r--r--r--" "page (secret file mode)"
  env_part=$(sed '/^-- secrets/,$d' <<<"$page")
  expect_not_contains "$env_part" "$secret" "the container's variables"
  expect_not_contains "$env_part" "API_TOKEN" "the container's variables"
  expect_eq "$(stat -c %a "$DATA/secrets/secsb/secweb")" 700 "secrets folder mode"

  # A change to an attached environment applies at once, without a rebuild.
  out=$(secret_cli env set secqa GREETING=bonjour --wait)
  expect_contains "$out" "applying now to secsb"
  expect_contains "$(curl -sf "$url/")" "GREETING=bonjour"

  # Rotation: a new key file, the same secrets after a redeploy.
  old_key=$(od -An -tx1 "$DATA/secret.key")
  out=$(secret_cli env rotate-key)
  expect_contains "$out" "2 secrets re-encrypted"
  [ "$(od -An -tx1 "$DATA/secret.key")" != "$old_key" ] || fail "the key file did not change"
  expect_eq "$(stat -c %a "$DATA/secret.key")" 600 "key file mode after rotation"
  [ ! -e "$DATA/secret.key.new" ] || fail "secret.key.new left behind"
  secret_cli deploy secweb main to secsb --wait >/dev/null
  expect_contains "$(curl -sf "$url/")" "/run/secrets/API_TOKEN=$secret" "page after rotation"
  # And after a restart, the new key file opens the store.
  stop_daemon
  start_daemon
  secret_cli deploy secweb main to secsb --wait >/dev/null
  expect_contains "$(curl -sf "$url/")" "/run/secrets/API_TOKEN=$secret" "page after restart"

  # From Slack: a signed /env set, and a malformed one (audited as invalid).
  answer=$(slack /env "set secqa SLACK_TOKEN=$chat_secret --secret" U0ADMIN)
  expect_eq "$(code_of "$answer")" 200 "slack /env set"
  expect_contains "$(body_of "$answer")" "SLACK_TOKEN"
  expect_contains "$(body_of "$answer")" "applying now to secsb (job"
  job=$(body_of "$answer" | grep -o 'secsb (job [0-9]*' | head -n 1 | grep -o '[0-9]*$')
  printf '%s\n' "$answer" >>"$TEST_DIR/answers.txt"
  answer=$(slack /env "set secqa $chat_secret --secret" U0ADMIN)
  expect_contains "$(body_of "$answer")" "expected KEY=VALUE"
  printf '%s\n' "$answer" >>"$TEST_DIR/answers.txt"
  answer=$(slack /env "set-file secqa /etc/x.conf" U0ADMIN)
  expect_contains "$(body_of "$answer")" "sandbot env set-file secqa /etc/x.conf &lt; FILE"
  # The reroute queued by the Slack change runs (and reports back to chat).
  i=0
  until [ "$(db "SELECT state FROM jobs WHERE id = $job")" = succeeded ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "job $job did not succeed: $(db "SELECT state, detail FROM jobs WHERE id = $job")"
    sleep 0.1
  done
  expect_contains "$(curl -sf "$url/")" "/run/secrets/SLACK_TOKEN=$chat_secret" "page after chat"

  # Nowhere: answers, daemon log, the store, job logs, chat posts, the engine.
  db .dump >"$TEST_DIR/store.dump"
  engine GET /containers/sandbox-secsb-secweb/json >"$TEST_DIR/inspect.json"
  expect_contains "$(cat "$TEST_DIR/inspect.json")" "/run/secrets/API_TOKEN" "docker inspect"
  expect_contains "$(cat "$TEST_DIR/store.dump")" "API_TOKEN (secret)" "audit detail"
  expect_nowhere "$secret"
  expect_nowhere "$chat_secret"
  expect_contains "$(db "SELECT detail FROM audit WHERE action = 'command.invalid'")" \
    "/env set ••••:"

  # Deleting is refused while attached; destroying the sandbox removes its files.
  out=$(secret_cli env delete secqa 2>&1) && fail "deleted an attached environment"
  expect_contains "$out" "/env detach secqa secsb"
  secret_cli sandbox destroy secsb >/dev/null
  i=0
  while [ -n "$(db "SELECT name FROM sandboxes WHERE name = 'secsb'")" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "sandbox secsb was not destroyed"
    sleep 0.1
  done
  [ ! -e "$DATA/secrets/secsb" ] || fail "the sandbox's secrets folder is still there"
  out=$(secret_cli env list)
  expect_contains "$out" "secqa: 1 variables, 2 secrets, 2 files; not attached"
  secret_cli env delete secqa >/dev/null
}
