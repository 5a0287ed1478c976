# Seeds from files (SECURITY.md, "Seeds and volumes"): the daemon reads the
# file with its own rights, so a caller may only name a file it owns.

test_seed_from_a_file_the_caller_does_not_own() {
  mkdir -p "$DATA"
  # nobody is a deployer: it may make seeds, from its own files.
  printf '{"roles": {"admin": ["cli:%s"], "deployer": ["cli:65534"]}}\n' "$(id -u)" \
    >"$DATA/config.json"
  start_daemon
  # The attack: a deployer names a file only the daemon may read (its store).
  out=$(as_nobody "$SANDBOT" seed create evil --from-file "$DATA/sandbot.db")
  expect_contains "$out" "copying file"
  local i=0
  until "$SANDBOT" seed show evil | grep -q "^state: failed"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { fail "seed evil: $("$SANDBOT" seed show evil)"; return; }
    sleep 0.1
  done
  expect_contains "$("$SANDBOT" seed show evil)" "belongs to uid 0, not to the caller (uid 65534)"
  expect_eq "$(volumes_with_label sandbot.seed=evil)" "" "volumes of seed evil"
  out=$(as_nobody "$SANDBOT" seed delete evil 2>&1) && fail "a deployer deleted a seed"
  expect_contains "$out" "needs the admin role"

  # nor through a symbolic link of its own to it
  ln -s "$DATA/sandbot.db" "$TEST_DIR/link.tar"
  chmod o+rx "$TEST_DIR"
  out=$(as_nobody "$SANDBOT" seed create evil2 --from-file "$TEST_DIR/link.tar")
  i=0
  until "$SANDBOT" seed show evil2 | grep -q "^state: failed"; do
    i=$((i + 1))
    [ $i -lt 100 ] || { fail "seed evil2: $("$SANDBOT" seed show evil2)"; return; }
    sleep 0.1
  done
  expect_contains "$("$SANDBOT" seed show evil2)" "cannot open $TEST_DIR/link.tar"
  expect_eq "$(db "SELECT count(*) FROM seeds WHERE volume != ''")" "0" "seeds with content"
}
