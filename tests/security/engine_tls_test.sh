# Engines over the network (SECURITY.md, "Engines over the network"),
# replayed against a real second dockerd with --tlsverify on
# tcp://127.0.0.1:PORT (tests/e2e/tls_engine.sh): a client certificate from
# another CA is refused by the engine and said so; a server certificate for
# another name (signed by the right CA: a man in the middle holding one of
# our CA's certificates) is refused by sandbot and said so; a tcp:// engine
# without TLS, or with a folder missing its key, stops the daemon at start
# unless --insecure-engine names it. The engine and the listeners are the
# test's own.
. tests/e2e/tls_engine.sh

test_engine_tls_refuses_wrong_certificates_and_plain_tcp() {
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
  # Nothing ran anywhere: no sandbox, no container in the engine.
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 0 "sandboxes"
  expect_eq "$(tls_engine GET '/containers/json?all=1' | jq -r '.[].Names[0]')" "" \
    "containers in the TLS engine"
}
