# An engine over mutual TLS: a second dockerd of the test's own listening on
# tcp://127.0.0.1:PORT with --tlsverify (tests/e2e/tls_engine.sh), driven by
# `sandbot serve --engine NAME=tcp://… --engine-tls NAME=DIR`. A sandbox
# deployed through it runs there (not on the main engine) and answers; a
# client certificate from another CA and a server certificate for another
# name are refused, each with a message that says which; a tcp:// engine
# without TLS is refused at start unless --insecure-engine names it.
. tests/e2e/tls_engine.sh

tls_engine_up() {
  trap stop_tls_engine EXIT
  start_tls_engine || skip "a second dockerd cannot run here: $TLS_ENGINE_WHY"
  "$SANDBOT" image import --docker "unix://$TLS_ENGINE_SOCK" "$ROOTFS" sandbot/busybox:latest \
    >"$TEST_DIR/import.out" || { cat "$TEST_DIR/import.out"; fail "image import into the TLS engine"; }
  CERTS=$TLS_ENGINE_DIR/certs
}

# serve_fails ARGS…: `sandbot serve` must exit at once, non-zero; its output
# in $out.
serve_fails() {
  set +e
  out=$(timeout 20 "$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" --ports "$E2E_PORTS" "$@" 2>&1)
  local code=$?
  set -e
  [ "$code" -ne 0 ] && [ "$code" -ne 124 ] || fail "serve $* exited $code; output: $out"
}

test_tls_engine_deploys_and_refuses_bad_certificates() {
  tls_engine_up

  # tcp:// without TLS: refused at start, naming both ways out.
  serve_fails --engine "far=$TLS_ENGINE_URL"
  expect_contains "$out" "engine 'far' ($TLS_ENGINE_URL): a tcp:// engine without TLS"
  expect_contains "$out" "--insecure-engine far"
  # A TLS folder without its key: refused at start too.
  mkdir -p "$TEST_DIR/half" && cp "$CERTS/client/ca.pem" "$CERTS/client/cert.pem" "$TEST_DIR/half/"
  serve_fails --engine "far=$TLS_ENGINE_URL" --engine-tls "far=$TEST_DIR/half"
  expect_contains "$out" "cannot read $TEST_DIR/half/key.pem"

  # --insecure-engine: allowed, and said (plain HTTP to a TLS port then
  # finds no engine, which is the engine's business).
  start_daemon --engine "far=$TLS_ENGINE_URL" --insecure-engine far
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "speaks plain HTTP (--insecure-engine)"
  stop_daemon

  # A client certificate from another CA: the engine refuses it, and the
  # message says so.
  start_daemon --engine "far=$TLS_ENGINE_URL" --engine-tls "far=$CERTS/wrong-client"
  set +e
  status=$("$SANDBOT" engine status far)
  code=$?
  set -e
  expect_eq "$code" 6 "engine status exit code (down)"
  expect_contains "$status" "state       down"
  expect_contains "$status" "the engine refused our client certificate ($CERTS/wrong-client/cert.pem)"
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "refused our client certificate"
  stop_daemon

  # A server certificate for another name (signed by the right CA).
  start_wrong_name_server
  start_daemon --engine "far=$WRONG_NAME_URL" --engine-tls "far=$CERTS/client"
  set +e
  status=$("$SANDBOT" engine status far)
  set -e
  expect_contains "$status" "the engine's certificate is not issued for 127.0.0.1"
  stop_daemon

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
  expect_eq "$(tls_engine GET '/containers/json' | jq -r '.[].Names[0]')" /sandbox-feature-tls-web \
    "containers in the TLS engine"
  expect_contains "$("$SANDBOT" engine status far)" "containers  1 running"

  out=$(push -o sandbot.wait origin :feature/tls)
  expect_contains "$out" "sandbox feature-tls destroyed"
  expect_eq "$(tls_engine GET '/containers/json?all=1' | jq -r '.[].Names[0]')" "" \
    "containers left in the TLS engine"
  stop_daemon
}
