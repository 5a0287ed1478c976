# The forge test tools themselves (tests/forge), without sandbot: the fake
# forge serves git over smart HTTP and records a GitHub call that does not
# validate against @octokit/openapi as a violation; webhooks signed by
# send_webhook.js pass @octokit/webhooks-methods verify(). The forge door's
# own e2e tests build on these, so a broken tool fails here first.
test_forge_tools() {
  local out
  if ! out=$(tests/forge/selftest.sh 2>&1); then
    fail "tests/forge/selftest.sh failed:"$'\n'"$(grep -E 'FAIL|passed|rror' <<<"$out")"
  fi
  expect_contains "$out" " 0 failed" "selftest summary"
}
