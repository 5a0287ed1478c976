# What the fuzzers (fuzz/, `make fuzz`) found, replayed against the real
# daemon and hook: each input is in the harness's corpus too.

# fuzz/post_receive_fuzz.cc: git allows any bytes in a ref name and a push
# option, JSON only UTF-8; the hook threw, died and lost the push. Now a ref
# name that is not UTF-8 is refused with a reason, and a push option that is
# not is carried as U+FFFD.
test_bytes_that_are_not_utf8_in_a_push_do_not_kill_the_hook() {
  start_daemon
  new_app_repo web
  out=$(push origin "main:refs/heads/feature/caf$(printf '\351')")
  expect_contains "$out" "cannot read the push"
  expect_not_contains "$out" "signal"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes")" 0 "sandboxes"
  git -C "$TEST_DIR/web.git" config receive.advertisePushOptions true
  out=$(push -o "note=$(printf '\377')" origin main:feature/opt)
  expect_contains "$out" "feature/opt -> sandbox feature-opt"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'feature-opt'")" 1 "sandboxes"
}

# fuzz/command_fuzz.cc: `env set` redaction split words on fewer blanks than
# the parser, so with vertical tabs as separators the value of a command that
# did not parse reached the audit row and the log whole.
test_an_env_value_after_vertical_tabs_never_reaches_the_audit() {
  chat_setup
  local secret=vt-$RANDOM$RANDOM answer
  answer=$(slack /env "$(printf 'set\vsecqa\vAPI_KEY=%s\v--env' "$secret")")
  expect_eq "$(code_of "$answer")" 200 "status"
  expect_contains "$(body_of "$answer")" "--env only applies to --secret"
  expect_contains "$(db "SELECT detail FROM audit WHERE action = 'command.invalid'")" \
    "/env set ••••:"
  db .dump >"$TEST_DIR/store.dump"
  expect_not_contains "$(cat "$TEST_DIR/store.dump")" "$secret" "the store"
  expect_not_contains "$(cat "$TEST_DIR/daemon.log")" "$secret" "the daemon log"
}
