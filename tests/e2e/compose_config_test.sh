# `sandbot compose config` against Debian's docker-compose (issue 12): the
# fixtures under tests/fixtures/compose/ print the same configuration (both
# normalised by compose_normal.py), sandbot's JSON validates against the
# Compose schema docker-compose ships, each bad file is refused naming its
# file, line and key, and REPO@BRANCH reads the file from the commit.
# No engine and no daemon needed.

COMPOSE_FIXTURES=tests/fixtures/compose
COMPOSE_SCHEMA=/usr/lib/python3/dist-packages/compose/config/compose_spec.json

compose_peer_ready() {
  command -v docker-compose >/dev/null && [ -f "$COMPOSE_SCHEMA" ] &&
    python3 -c 'import jsonschema, yaml' 2>/dev/null
}

test_compose_config_matches_docker_compose() {
  compose_peer_ready || skip "docker-compose or python3-jsonschema missing (scripts/install-deps.sh)"
  local f name ours theirs n=0
  for f in "$COMPOSE_FIXTURES"/good/*.yaml; do
    name=$(basename "$f" .yaml)
    ours=$TEST_DIR/$name.sandbot.json
    theirs=$TEST_DIR/$name.docker-compose.yaml
    # Both read .env beside the file; an unset variable is unset for both.
    (unset SANDBOT_TEST_UNSET; "$SANDBOT" compose config "$f" --json >"$ours" 2>"$TEST_DIR/$name.warnings") ||
      { cat "$TEST_DIR/$name.warnings" >&2; fail "sandbot refused $f"; }
    (cd "$(dirname "$f")" && docker-compose -f "$(basename "$f")" config 2>/dev/null) >"$theirs" ||
      fail "docker-compose refused $f"
    python3 tests/e2e/compose_normal.py --schema "$COMPOSE_SCHEMA" "$ours" >"$ours.norm" ||
      fail "$name: sandbot's output does not validate against $COMPOSE_SCHEMA"
    python3 tests/e2e/compose_normal.py "$theirs" >"$theirs.norm"
    diff -u "$theirs.norm" "$ours.norm" >&2 || fail "$name: sandbot and docker-compose differ (above)"
    n=$((n + 1))
  done
  [ "$n" -ge 6 ] || fail "only $n fixtures compared"
  # The YAML output is the same document.
  "$SANDBOT" compose config "$COMPOSE_FIXTURES/good/migrations.yaml" >"$TEST_DIR/m.yaml"
  python3 tests/e2e/compose_normal.py "$TEST_DIR/m.yaml" >"$TEST_DIR/m.norm"
  diff -u "$TEST_DIR/migrations.sandbot.json.norm" "$TEST_DIR/m.norm" >&2 ||
    fail "the YAML and JSON outputs differ"
}

test_compose_config_refuses_bad_files() {
  local f expect out n=0
  for f in "$COMPOSE_FIXTURES"/bad/*.yaml; do
    expect=$(sed -n '1s/^# expect: //p' "$f")
    [ -n "$expect" ] || fail "$f has no '# expect:' line"
    if out=$("$SANDBOT" compose config "$f" 2>&1); then
      fail "$f was accepted: $out"
    fi
    expect_contains "$out" "$(basename "$f"):$expect" "the refusal of $f"
    n=$((n + 1))
  done
  [ "$n" -ge 10 ] || fail "only $n bad files checked"
}

test_compose_config_reads_repo_at_branch() {
  local work=$TEST_DIR/work out
  git init -q --bare "$TEST_DIR/shop.git"
  git init -q -b main "$work"
  cp -r "$COMPOSE_FIXTURES"/good/. "$work/"
  mkdir -p "$work/deploy"
  mv "$work/web_db_cache.yaml" "$work/compose.yaml"
  cp "$COMPOSE_FIXTURES/bad/privileged.yaml" "$work/deploy/compose.yaml"
  git -C "$work" add -A
  git -C "$work" commit -qm "compose app"
  git -C "$work" push -q "$TEST_DIR/shop.git" main:feature/x
  "$SANDBOT" repo add shop "$TEST_DIR/shop.git" >/dev/null
  # Nothing on disk: the file and its env_file come from the commit.
  rm -rf "$work"
  out=$("$SANDBOT" compose config shop@feature/x --json)
  expect_eq "$(jq -r '.services.db.image' <<<"$out")" "postgres:15" "db image"
  expect_eq "$(jq -r '.services.web.build.context' <<<"$out")" "." "build context"
  out=$("$SANDBOT" compose config shop@feature/x --compose worker.yaml --json)
  expect_eq "$(jq -r '.services.worker.environment.WEB_MODE' <<<"$out")" "production" \
    "env_file read from the commit"
  if out=$("$SANDBOT" compose config shop@feature/x --compose deploy/compose.yaml 2>&1); then
    fail "a privileged service was accepted"
  fi
  expect_contains "$out" "shop@feature/x:deploy/compose.yaml:5: services.web.privileged:"
  if out=$("$SANDBOT" compose config shop@nope 2>&1); then fail "a missing branch was accepted"; fi
  expect_contains "$out" "nope"
}
