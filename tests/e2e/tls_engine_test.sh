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
  expect_eq "$(tls_engine GET '/containers/json' | jq -r '.[].Names[0]')" /sandbox-feature-tls-web \
    "containers in the TLS engine"
  expect_contains "$("$SANDBOT" engine status far)" "containers  1 running"

  out=$(push -o sandbot.wait origin :feature/tls)
  expect_contains "$out" "sandbox feature-tls destroyed"
  expect_eq "$(tls_engine GET '/containers/json?all=1' | jq -r '.[].Names[0]')" "" \
    "containers left in the TLS engine"
  stop_daemon
}
