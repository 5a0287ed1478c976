# Volumes and data seeds on the real engine: a seed from a tar file, two
# sandboxes from a template each get their own copy, a write in one leaves
# the other and the seed alone, a redeploy keeps it, a refresh changes no
# existing copy, clone copies, destroy removes, a seed from a sandbox's
# volume. (A file the caller does not own: tests/security/seed_test.sh.)

# The content of rows.txt in VOLUME, read by a throwaway busybox.
volume_rows() {
  docker run --rm --network none -v "$1:/d:ro" sandbot/busybox:latest cat /d/rows.txt
}

# wait_seed NAME GENERATION: until `seed show` says ready at that generation.
wait_seed() {
  local i=0 out
  while :; do
    out=$("$SANDBOT" seed show "$1" 2>&1)
    if grep -q "generation: $2" <<<"$out" && grep -q "^state: ready" <<<"$out"; then return 0; fi
    if grep -q "^state: failed" <<<"$out" || [ $i -gt 300 ]; then
      fail "seed $1 generation $2 not ready: $out"
      return 1
    fi
    i=$((i + 1))
    sleep 0.1
  done
}

# wait_destroyed NAME: until the destroy job of sandbox NAME succeeded.
wait_destroyed() {
  local i=0
  until [ "$(db "SELECT state FROM jobs WHERE kind = 'destroy' AND sandbox = '$1'")" = succeeded ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "the destroy of $1 did not finish"; return 1; }
    sleep 0.1
  done
}

test_seeds_and_sandbox_volumes() {
  mkdir -p "$DATA"
  start_daemon
  new_app_repo web
  git -C "$WORK" push -q origin main 2>/dev/null

  mkdir -p "$TEST_DIR/seed-data"
  echo "row 1" >"$TEST_DIR/seed-data/rows.txt"
  tar -C "$TEST_DIR/seed-data" -cf "$TEST_DIR/dump.tar" .
  # A relative path: the CLI makes it absolute.
  out=$(cd "$TEST_DIR" && "$SANDBOT" seed create s1 --from-file dump.tar)
  expect_contains "$out" "copying file $TEST_DIR/dump.tar into seed s1"
  wait_seed s1 1
  expect_eq "$(volume_rows sandbot-seed-s1-1)" "row 1" "seed s1's content"
  expect_contains "$("$SANDBOT" seed list)" "s1: ready, sandbot-seed-s1-1, from file"

  cat >"$TEST_DIR/seeded.json" <<'JSON'
{"sandbot_template": 1, "name": "seeded",
 "services": {"web": {"branch": "main",
                      "volumes": {"data": {"target": "/data", "seed": "s1"}}}}}
JSON
  expect_contains "$("$SANDBOT" template import "$TEST_DIR/seeded.json")" "created by import"
  expect_eq "$("$SANDBOT" template export seeded | jq -Sc .services.web.volumes)" \
    '{"data":{"seed":"s1","target":"/data"}}' "exported volumes"
  out=$("$SANDBOT" sandbox create qa-1 from seeded --wait)
  expect_contains "$out" "web running"
  out=$("$SANDBOT" sandbox create qa-2 from seeded --wait)
  expect_contains "$out" "web running"
  expect_eq "$(volume_rows sandbox-qa-1-data)" "row 1" "qa-1's copy"
  expect_eq "$(volume_rows sandbox-qa-2-data)" "row 1" "qa-2's copy"
  expect_eq "$(engine GET /volumes/sandbox-qa-1-data | jq -r '.Labels["sandbot.sandbox"]')" \
    "qa-1" "qa-1's volume label"
  mounts=$(engine GET /containers/sandbox-qa-1-web/json | jq -r '.Mounts[] | "\(.Name) \(.Destination)"')
  expect_contains "$mounts" "sandbox-qa-1-data /data"

  # A write in qa-1 stays there; a redeploy keeps it.
  docker run --rm --network none -v sandbox-qa-1-data:/d sandbot/busybox:latest \
    sh -c 'echo changed > /d/rows.txt'
  expect_eq "$(volume_rows sandbox-qa-2-data)" "row 1" "qa-2 after qa-1's write"
  expect_eq "$(volume_rows sandbot-seed-s1-1)" "row 1" "the seed after qa-1's write"
  echo "version 2" >"$WORK/page.txt"
  git -C "$WORK" commit -qam "app v2"
  git -C "$WORK" push -q origin main 2>/dev/null
  out=$("$SANDBOT" deploy web main to qa-1 --wait)
  expect_contains "$out" "web running"
  expect_eq "$(volume_rows sandbox-qa-1-data)" "changed" "qa-1 after its redeploy"

  # A refresh: generation 2; existing copies do not move, a new sandbox gets it.
  echo "row 2" >"$TEST_DIR/seed-data/rows.txt"
  tar -C "$TEST_DIR/seed-data" -cf "$TEST_DIR/dump.tar" .
  expect_contains "$("$SANDBOT" seed refresh s1)" "generation 2 of seed s1"
  wait_seed s1 2
  expect_eq "$(volume_rows sandbox-qa-2-data)" "row 1" "qa-2 after the refresh"
  expect_eq "$(volume_rows sandbot-seed-s1-2)" "row 2" "generation 2"
  expect_eq "$(volumes_with_label sandbot.seed=s1)" "sandbot-seed-s1-2" "seed s1's volumes"

  # Clone copies qa-1's volume as it is now.
  out=$("$SANDBOT" sandbox clone qa-1 qa-c --wait)
  expect_contains "$out" "web running"
  expect_eq "$(volume_rows sandbox-qa-c-data)" "changed" "the clone's copy"
  expect_eq "$(db "SELECT origin FROM sandbox_volumes v JOIN sandboxes s ON s.id = v.sandbox_id
                   WHERE s.name = 'qa-c'")" "sandbox:sandbox-qa-1-data" "the clone's origin"

  # A seed from a sandbox's volume.
  expect_contains "$("$SANDBOT" seed create s2 --from qa-1 web:data)" "volume qa-1 web:data"
  wait_seed s2 1
  expect_eq "$(volume_rows sandbot-seed-s2-1)" "changed" "seed s2"
  out=$("$SANDBOT" seed create s3 --from qa-1 web:nope 2>&1) && fail "seeded from a missing volume"
  expect_contains "$out" "Its volumes: data"

  # Destroy removes the sandbox's volume, not the others'.
  "$SANDBOT" sandbox destroy qa-1 >/dev/null
  wait_destroyed qa-1
  engine GET /volumes/sandbox-qa-1-data >/dev/null && fail "qa-1's volume outlived it"
  expect_contains "$(db "SELECT group_concat(e.message) FROM job_events e JOIN jobs j ON j.id = e.job_id
                         WHERE j.kind = 'destroy' AND j.sandbox = 'qa-1'")" "1 volumes removed"
  expect_eq "$(volume_rows sandbox-qa-c-data)" "changed" "the clone after qa-1's destroy"

  # A snapshot with its data: restored after a destructive write; the
  # copies go with the sandbox.
  out=$("$SANDBOT" sandbox snapshot qa-2 before --with-data)
  expect_contains "$out" "its content is being copied into seed snapshot-"
  i=0
  until "$SANDBOT" seed list | grep -q "snapshot-[0-9]*-before.data: ready"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "the snapshot's copy: $("$SANDBOT" seed list)"; break; }
    sleep 0.1
  done
  docker run --rm --network none -v sandbox-qa-2-data:/d sandbot/busybox:latest \
    sh -c 'echo wiped > /d/rows.txt'
  out=$("$SANDBOT" sandbox restore qa-2 before --wait)
  expect_contains "$out" "1 volumes filled from the snapshot's copies"
  restored=$(db "SELECT engine_volume FROM sandbox_volumes v JOIN sandboxes s ON s.id = v.sandbox_id
                 WHERE s.name = 'qa-2'")
  expect_eq "$(volume_rows "$restored")" "row 1" "qa-2's volume after the restore"
  mounts=$(engine GET /containers/sandbox-qa-2-web/json | jq -r '.Mounts[] | "\(.Name) \(.Destination)"')
  expect_contains "$mounts" "$restored /data"
  "$SANDBOT" sandbox destroy qa-2 >/dev/null
  wait_destroyed qa-2
  i=0
  while [ -n "$(volumes_with_label sandbot.seed | grep 'snapshot-.*before.data' || true)" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "the snapshot's copy outlived qa-2"; break; }
    sleep 0.1
  done
  for v in sandbox-qa-2-data "$restored"; do
    engine GET "/volumes/$v" >/dev/null && fail "$v outlived qa-2"
  done

  # A deleted seed's volume goes; sandboxes keep their copies.
  expect_contains "$("$SANDBOT" seed delete s2)" "seed s2 deleted"
  i=0
  while engine GET /volumes/sandbot-seed-s2-1 >/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || { fail "seed s2's volume outlived it"; break; }
    sleep 0.1
  done
  expect_eq "$(docker ps -a --filter label=sandbot.role=copy --format '{{.Names}}' |
    grep -c "qa-\|seed-s" || true)" "0" "copy helpers left"
}
