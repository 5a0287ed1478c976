# The audit trail's hash chain from the CLI (issue 16 item 5): whole after
# real pushes and commands, broken — with the row named — after someone
# edits the SQLite file behind sandbot's back.
test_audit_verify_finds_an_edited_row() {
  start_daemon
  new_app_repo web
  push origin main:feature/audit >/dev/null
  "$SANDBOT" sandbox list >/dev/null
  "$SANDBOT" baseline set pay https://pay-dev.example.com >/dev/null 2>&1 || true
  # The push's job audits as it runs: stop the daemon so that nothing is
  # written between counting the rows and verifying them (verify reads the
  # store directly).
  stop_daemon
  out=$("$SANDBOT" audit verify)
  expect_contains "$out" "audit chain whole"
  rows=$(db "SELECT COUNT(*) FROM audit")
  [ "$rows" -ge 2 ] || fail "expected audit rows, got $rows"
  expect_eq "$("$SANDBOT" audit verify --json | jq .rows)" "$rows" "rows checked"
  # The attacker: triggers dropped, an actor rewritten.
  id=$(db "SELECT MIN(id) FROM audit")
  db "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone-else' WHERE id = $id"
  if out=$("$SANDBOT" audit verify); then fail "verify passed an edited trail: $out"; fi
  expect_contains "$out" "BROKEN at row $id"
}
