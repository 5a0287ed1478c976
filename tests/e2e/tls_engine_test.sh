# An engine over mutual TLS: a second dockerd of the test's own listening on
# tcp://127.0.0.1:PORT with --tlsverify (tests/e2e/tls_engine.sh), driven by
# `sandbot serve --engine NAME=tcp://… --engine-tls NAME=DIR`: a sandbox
# deployed through it runs there (not on the main engine) and answers.
# The refusals (wrong client certificate, server certificate for another
# name, tcp:// without TLS) are tests/security/engine_tls_test.sh.
. tests/e2e/tls_engine.sh

test_tls_engine_deploys_through_mutual_tls() {
  tls_engine_up
  # The right certificates: a sandbox deployed through the TLS engine runs
  # there and answers.
  start_daemon --engine "far=$TLS_ENGINE_URL" --engine-tls "far=$CERTS/client"
  list=$("$SANDBOT" engine list)
  expect_contains "$list" "far   $TLS_ENGINE_URL  mutual  up"
  new_app_repo web
  git -C "$WORK" checkout -qb feature/tls
  out=$(push -o sandbot.wait origin feature/tls)
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  url=$(url_from "$out")
  expect_contains "$(curl -sf "$url/")" "commit $(git -C "$WORK" rev-parse HEAD)" "page"
  # The service's container, beside the sandbox's router (built on that engine).
  expect_eq "$(tls_engine GET '/containers/json' | jq -r '.[].Names[0]' | LC_ALL=C sort | tr '\n' ' ')" \
    "/sandbox-feature-tls-web /sandbox-feature-tls.router " "containers in the TLS engine"
  expect_contains "$("$SANDBOT" engine status far)" "containers  2 running"
  # Handshakes are paid once: the deploy's calls left kept-alive
  # connections to the engine (at most kIdleTlsConnections), not one each.
  kept=$(ss -Htnp state established "( dport = :$TLS_ENGINE_PORT )" | grep -c "pid=$DAEMON_PID,")
  [ "$kept" -ge 1 ] && [ "$kept" -le 8 ] || fail "$kept kept connections to the TLS engine"

  out=$(push -o sandbot.wait origin :feature/tls)
  expect_contains "$out" "sandbox feature-tls destroyed"
  expect_eq "$(tls_engine GET '/containers/json?all=1' | jq -r '.[].Names[0]')" "" \
    "containers left in the TLS engine"
  stop_daemon
}

# Two engines at once: the main one (unix socket) and the TLS one, each with
# its own host ports. New sandboxes spread by room; a sandbox named for an
# engine goes there; the TLS engine stops: its sandbox goes Unhealthy and its
# jobs wait while the main engine keeps deploying; it starts again: the
# reconciler restarts its containers and the sandbox is Healthy again.
# put_marker SOCKET CONTAINER TEXT: /data/marker.txt of the container on
# the engine at SOCKET holds TEXT (through its archive endpoint).
put_marker() {
  mkdir -p "$TEST_DIR/marker"
  echo "$3" >"$TEST_DIR/marker/marker.txt"
  tar -C "$TEST_DIR/marker" -cf "$TEST_DIR/marker.tar" marker.txt
  curl -sf --unix-socket "$1" -X PUT -H 'Content-Type: application/x-tar' \
    --data-binary "@$TEST_DIR/marker.tar" "http://engine/containers/$2/archive?path=/data"
}

test_two_engines_place_fail_and_heal() {
  tls_engine_up
  local lo=${E2E_PORTS%-*} hi=${E2E_PORTS#*-}
  local mid=$(((lo + hi) / 2))
  mkdir -p "$DATA"
  cat >"$DATA/config.json" <<JSON
{"engines": {
  "local": {"url": "unix:///var/run/docker.sock", "ports": "$lo-$mid"},
  "far": {"url": "$TLS_ENGINE_URL", "tls": "$CERTS/client", "ports": "$((mid + 1))-$hi"}}}
JSON
  start_daemon --health-interval 1 --reconcile-seconds 1
  list=$("$SANDBOT" engine list)
  expect_contains "$list" "local"
  expect_contains "$list" "far    $TLS_ENGINE_URL"
  new_app_repo web
  git -C "$WORK" checkout -qb feature/one
  out=$(push -o sandbot.wait origin feature/one)
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  git -C "$WORK" checkout -qb feature/two
  out=$(push -o sandbot.wait origin feature/two)
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  # Placement spread them: one on each engine (the config file's engines in
  # name order: far is the default, and a tie goes to it), each with a port
  # of its engine's range.
  engine_of() { "$SANDBOT" sandbox status "$1" --json | jq -r .engine; }
  port_of() { "$SANDBOT" sandbox status "$1" --json | jq -r '.services[0].port'; }
  expect_eq "$(engine_of feature-one) $(engine_of feature-two)" "far local" "placement"
  expect_contains "$("$SANDBOT" sandbox status feature-one)" "engine: far"
  # The dashboard says where each lives, on its page and in the list.
  link=$("$SANDBOT" web-login | tail -n 1)
  cookie=$(curl -s -D - -o /dev/null -d "t=${link#*t=}" "http://$E2E_HTTP/ui/login" |
    sed -n 's/^Set-Cookie: sandbot_session=\([0-9a-f]*\);.*/\1/p')
  expect_contains "$(curl -sf -b "sandbot_session=$cookie" "http://$E2E_HTTP/ui/sandboxes/feature-one")" \
    'on engine <span class="engine">far</span>'
  expect_contains "$(curl -sf -b "sandbot_session=$cookie" "http://$E2E_HTTP/ui/")" \
    '<small class="engine">on local</small>'
  # The service's container, beside the sandbox's router (built on that engine).
  expect_eq "$(tls_engine GET '/containers/json' | jq -r '.[].Names[0]' | LC_ALL=C sort | tr '\n' ' ')" \
    "/sandbox-feature-one-web /sandbox-feature-one.router " "containers in the far engine"
  [ "$(port_of feature-one)" -gt "$mid" ] || fail "far's sandbox got port $(port_of feature-one)"
  [ "$(port_of feature-two)" -le "$mid" ] || fail "local's sandbox got port $(port_of feature-two)"
  url_far=$("$SANDBOT" sandbox status feature-one --json | jq -r '.services[0].url')
  # Named: --engine puts it there whatever the room. Its template gives web
  # a named volume, which a move below copies.
  cat >"$TEST_DIR/voltpl.json" <<'JSON'
{"sandbot_template": 1, "name": "voltpl",
 "services": {"web": {"branch": "feature/one", "volumes": {"data": {"target": "/data"}}}}}
JSON
  "$SANDBOT" template import "$TEST_DIR/voltpl.json" >/dev/null || fail "template import"
  out=$("$SANDBOT" sandbox create pinned from voltpl --engine far 2>&1)
  expect_contains "$out" "creating sandbox pinned"
  wait_for_status pinned web running 60
  expect_eq "$(engine_of pinned)" far "the engine it was created for"
  # Something in its volume on far.
  put_marker "$TLS_ENGINE_SOCK" sandbox-pinned-web "kept across engines" ||
    fail "cannot write into pinned's volume on far"
  out=$("$SANDBOT" sandbox create bad web@feature/one --engine nowhere 2>&1 || true)
  expect_contains "$out" "no engine named 'nowhere'"

  # far goes away: its sandboxes go Unhealthy, local keeps deploying.
  pause_tls_engine
  local i=0
  # (Its containers stop just before it: the health pass may first see them
  # exited, then the engine gone.)
  until "$SANDBOT" sandbox status feature-one | grep -q "engine 'far' does not answer"; do
    i=$((i + 1))
    [ $i -lt 150 ] || fail "feature-one did not go Unhealthy: $("$SANDBOT" sandbox status feature-one)"
    sleep 0.2
  done
  expect_contains "$("$SANDBOT" sandbox status feature-one)" "Unhealthy"
  # /readyz names each engine and stays ready: local still takes work.
  code=$(curl -s -o "$TEST_DIR/readyz" -w '%{http_code}' "http://$E2E_HTTP/readyz")
  expect_eq "$code" 200 "/readyz while far is down"
  expect_eq "$(jq -c .engines "$TEST_DIR/readyz")" '{"far":"unreachable","local":"ok"}' \
    "/readyz engines while far is down"
  "$SANDBOT" engine list | grep -Eq "^far +$TLS_ENGINE_URL +mutual +down " ||
    fail "engine list does not say far is down: $("$SANDBOT" engine list)"
  git -C "$WORK" checkout -qb feature/three
  out=$(timeout 120 git -C "$WORK" push -o sandbot.wait origin feature/three 2>&1)
  expect_contains "$out" "web running  http://127.0.0.1:"
  expect_eq "$(engine_of feature-three)" local "placement while far is down"
  expect_contains "$("$SANDBOT" sandbox status feature-two)" "Healthy"

  # far is back: the reconciler starts what stopped with it.
  run_tls_dockerd || fail "the far engine did not start again: $TLS_ENGINE_WHY"
  i=0
  until "$SANDBOT" sandbox status feature-one | grep -q "· Healthy"; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "feature-one did not heal: $("$SANDBOT" sandbox status feature-one)"
    sleep 0.2
  done
  expect_contains "$(curl -sf "$url_far/")" "commit" "far's page after it came back"
  expect_contains "$(db "SELECT action FROM audit WHERE action LIKE 'engine.%'")" "engine.unavailable"

  # Drain and move: far takes no new sandbox; pinned moves to local.
  expect_contains "$("$SANDBOT" engine drain far)" "takes no new sandboxes"
  expect_contains "$("$SANDBOT" engine list)" "up, drained"
  out=$("$SANDBOT" sandbox create bad2 web@feature/one --engine far 2>&1 || true)
  expect_contains "$out" "is drained"
  out=$("$SANDBOT" sandbox move pinned --to local)
  expect_contains "$out" "moving sandbox pinned from engine 'far' to 'local'"
  expect_contains "$out" "1 named volumes copied from 'far'"
  wait_for_status pinned web running 60
  expect_eq "$(engine_of pinned)" local "engine after the move"
  # The volume's content came along (read on the main engine, once the
  # move's deploy has made the container there).
  i=0
  until engine GET '/containers/sandbox-pinned-web/archive?path=/data/marker.txt' \
    >"$TEST_DIR/moved.tar" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "no marker.txt in pinned's volume on local: $("$SANDBOT" sandbox status pinned)"
    sleep 0.2
  done
  expect_eq "$(tar -xOf "$TEST_DIR/moved.tar")" "kept across engines" "the moved volume's file"
  i=0
  until [ -z "$(tls_engine GET '/containers/json?all=1' | jq -r '.[].Names[0]' | grep pinned)" ]; do
    i=$((i + 1))
    [ $i -lt 150 ] || fail "the moved sandbox's container stayed on far"
    sleep 0.2
  done

  # Data follows across engines for seeds and clones too. pinned's volume
  # now lives on local (far keeps the copy it left, stale after this).
  put_marker "$DOCKER_SOCK" sandbox-pinned-web "written on local" ||
    fail "cannot write into pinned's volume on local"
  # A seed of it is made where seeds live (the default engine, far): copied
  # across from local, not from the stale copy far holds.
  expect_contains "$("$SANDBOT" seed create pinseed --from pinned web:data)" "volume pinned web:data"
  i=0
  until "$SANDBOT" seed show pinseed | grep -q "ready"; do
    i=$((i + 1))
    [ $i -lt 300 ] || fail "seed pinseed not ready: $("$SANDBOT" seed show pinseed 2>&1)"
    sleep 0.2
  done
  # A sandbox on local seeded from it gets its copy from far: the data, not
  # an empty volume local would make for a name it lacks.
  cat >"$TEST_DIR/seedtpl.json" <<'JSON'
{"sandbot_template": 1, "name": "seedtpl",
 "services": {"web": {"branch": "feature/one",
  "volumes": {"data": {"target": "/data", "seed": "pinseed"}}}}}
JSON
  "$SANDBOT" template import "$TEST_DIR/seedtpl.json" >/dev/null || fail "template import seedtpl"
  out=$("$SANDBOT" sandbox create seeded from seedtpl --engine local 2>&1)
  expect_contains "$out" "creating sandbox seeded"
  wait_for_status seeded web running 60
  engine GET '/containers/sandbox-seeded-web/archive?path=/data/marker.txt' >"$TEST_DIR/seeded.tar" ||
    fail "no marker.txt in seeded's volume on local"
  expect_eq "$(tar -xOf "$TEST_DIR/seeded.tar")" "written on local" "the seeded volume's file"
  # A clone goes where there is most room (far, undrained), its volume
  # copied from pinned's on local.
  "$SANDBOT" engine undrain far >/dev/null || fail "engine undrain far"
  expect_contains "$("$SANDBOT" sandbox clone pinned twin)" "cloning pinned into twin"
  wait_for_status twin web running 60
  expect_eq "$(engine_of twin)" far "where the clone was placed"
  tls_engine GET '/containers/sandbox-twin-web/archive?path=/data/marker.txt' >"$TEST_DIR/twin.tar" ||
    fail "no marker.txt in twin's volume on far"
  expect_eq "$(tar -xOf "$TEST_DIR/twin.tar")" "written on local" "the clone's volume's file"
  for s in feature-two feature-one feature-three pinned seeded twin; do
    "$SANDBOT" sandbox destroy "$s" >/dev/null
  done
  stop_daemon
}
