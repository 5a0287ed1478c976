# Issue 16 item 10: secrets must not reach the permanent audit. `env set`
# values typed with every separator the parser accepts (and ones it does
# not), with a forgotten NAME, a mistyped verb or a missing '=', through
# Slack and the CLI: the value is in no audit row, answer, chat post, log
# line, job log or store page afterwards.

# Bytes of each separator tried: ASCII white space, then Unicode spaces
# (no-break, figure, narrow no-break, ideographic …), then characters that
# are no separator (zero-width space, BOM, a file separator).
secrets_separators() {
  printf '%s\n' '\x20' '\t' '\v' '\f' '\r' '\n' '\xc2\xa0' '\xc2\x85' '\xe2\x80\x80' \
    '\xe2\x80\x87' '\xe2\x80\x8a' '\xe2\x80\xa8' '\xe2\x80\xaf' '\xe2\x81\x9f' '\xe3\x80\x80' \
    '\xe2\x80\x8b' '\xef\xbb\xbf' '\x1c'
}

test_env_set_values_never_reach_the_audit_whatever_separates_the_words() {
  chat_setup
  local base sep n=0 v text answer out
  base="Zq$(openssl rand -hex 8)"
  : >"$TEST_DIR/answers.txt"
  answer=$(slack /env "create secqa")
  expect_contains "$(body_of "$answer")" "Created environment secqa"
  answer=$(slack /env "set secqa API_KEY=$base-first --secret")
  expect_contains "$(body_of "$answer")" "Set API_KEY in environment secqa (secret)"
  printf '%s\n' "$answer" >>"$TEST_DIR/answers.txt"
  while read -r code; do
    sep=$(printf "$code")
    [ "$code" = '\n' ] && sep=$'\n'  # $(…) drops a trailing newline
    n=$((n + 1))
    v="$base-$n"
    for text in \
      "set${sep}secqa${sep}K$n=$v${sep}--secret" \
      "set${sep}K$n=$v${sep}--secret" \
      "set${sep}K$n=$v" \
      "set${sep}$v" \
      "set${sep}secqa${sep}$v${sep}--secret" \
      "set${sep}secqa${sep}9K=$v" \
      "set${sep}secqa${sep}A=x${sep}$v${sep}--secret" \
      "set${sep}secqa${sep}API_KEY=$v" \
      "set${sep}nosuch${sep}API_KEY=$v${sep}--secret" \
      "sett${sep}secqa${sep}API_KEY=$v" \
      "set$v"; do
      answer=$(slack /env "$text")
      expect_eq "$(code_of "$answer")" 200 "status of /env $(printf '%q' "$text")"
      printf '%s\n' "$answer" >>"$TEST_DIR/answers.txt"
    done
    # And from the CLI, the separator inside one argument.
    out=$("$SANDBOT" env set "secqa${sep}C$n=$v" --secret 2>&1) || true
    printf '%s\n' "$out" >>"$TEST_DIR/answers.txt"
    out=$("$SANDBOT" env set "C$n=$v${sep}--secret" 2>&1) || true
    printf '%s\n' "$out" >>"$TEST_DIR/answers.txt"
  done < <(secrets_separators)
  # Nowhere: audit rows, the whole store, answers, chat posts, logs.
  db "SELECT * FROM audit" >"$TEST_DIR/audit.txt"
  db .dump >"$TEST_DIR/store.dump"
  local where
  for where in "$TEST_DIR/audit.txt" "$TEST_DIR/store.dump" "$TEST_DIR/answers.txt" \
    "$TEST_DIR/chat.jsonl" "$TEST_DIR/daemon.log" "$DATA"/logs/*; do
    [ -f "$where" ] || continue
    if grep -qaF -- "$base" "$where"; then
      fail "a value appears in $where: $(grep -naF -- "$base" "$where" | head -3)"
    fi
  done
  # The well-formed ones under a separator the parser accepts were set, as secrets.
  out=$("$SANDBOT" env show secqa)
  expect_contains "$out" "K1=•••• (secret"
  expect_contains "$out" "K7=•••• (secret"   # U+00A0
  expect_contains "$out" "K15=•••• (secret"  # U+3000
  expect_contains "$out" "C7=•••• (secret"
  expect_not_contains "$out" "K16=" "an entry split at a zero-width space"
  # Refusals were recorded (as rows with the command masked after the verb).
  expect_contains "$(db "SELECT detail FROM audit WHERE action = 'command.invalid'")" \
    "/env set ••••:"
  [ "$(db "SELECT COUNT(*) FROM audit WHERE action = 'command.invalid'")" -ge 30 ] ||
    fail "too few refusals audited"
}
