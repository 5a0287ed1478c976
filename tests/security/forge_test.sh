# Attacks on the forge door (issue 11, SECURITY.md): each delivery is
# replayed against the real daemon and must be refused with the store
# unchanged: nothing recorded as a delivery, no job, no sandbox.

. tests/forge/lib.sh

FORGE_SEC_SECRET="security webhook secret $$"

forge_door_setup() {
  "$FORGE_TOOLS/install.sh" || return 1
  export FORGE_SEC_SECRET
  start_daemon
  "$SANDBOT" forge add github --kind github --api-url https://api.github.com \
    --secret-env FORGE_SEC_SECRET >/dev/null
  "$SANDBOT" forge add gitlab --kind gitlab --api-url https://gitlab.example.com/api/v4 \
    --secret-env FORGE_SEC_SECRET >/dev/null
  "$SANDBOT" forge add nosecret --kind github --api-url https://api.github.com \
    --secret-env FORGE_SEC_UNSET >/dev/null
  "$SANDBOT" repo add web --forge github --forge-repo Codertocat/Hello-World --port 8080 \
    >/dev/null
}

# send FORGE FIXTURE [send_webhook.js ARGS…] → the HTTP status.
send() {
  local forge=$1 fixture=$2
  shift 2
  forge_send --url "http://$E2E_HTTP/forges/$forge/webhook" --payload "$FORGE_FIXTURES/$fixture" \
    --json "$@" | jq -r .status
}

expect_nothing_done() {
  expect_eq "$(db 'SELECT COUNT(*) FROM forge_deliveries')" 0 "deliveries recorded"
  expect_eq "$(db 'SELECT COUNT(*) FROM pull_requests')" 0 "pull requests recorded"
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" 0 "jobs"
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 0 "sandboxes"
}

# A forged or missing signature on a real pull_request.opened: 401, nothing
# done, and the refusal is in the audit.
test_a_forged_forge_signature_is_refused_and_nothing_happens() {
  forge_door_setup
  local f=github/pull_request.opened.json
  expect_eq "$(send github $f --forge github --secret "wrong secret")" 401 "wrong secret"
  expect_eq "$(send github $f --forge github --secret-env FORGE_SEC_SECRET --bad-signature)" 401 \
    "bad signature"
  expect_eq "$(send github $f --forge github --no-signature)" 401 "unsigned"
  # Gitea's bare-hex header on a GitHub forge is no signature there.
  expect_eq "$(send github $f --forge gitea --secret-env FORGE_SEC_SECRET \
    --header 'X-Hub-Signature-256: ')" 401 "bare hex on a github forge"
  # GitLab: a wrong token, and none.
  expect_eq "$(send gitlab gitlab/merge_request.open.json --forge gitlab --secret nope)" 401 \
    "wrong gitlab token"
  expect_eq "$(send gitlab gitlab/merge_request.open.json --forge gitlab --no-signature)" 401 \
    "no gitlab token"
  # A forge whose secret is not set refuses a delivery signed with the
  # empty key, and an unsigned one.
  sig=sha256=$(openssl dgst -sha256 -hmac "" -r "$FORGE_FIXTURES/$f" | cut -d' ' -f1)
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    "http://$E2E_HTTP/forges/nosecret/webhook" -H 'Content-Type: application/json' \
    -H 'X-GitHub-Event: pull_request' -H 'X-GitHub-Delivery: empty-key' \
    -H "X-Hub-Signature-256: $sig" --data-binary "@$FORGE_FIXTURES/$f")" 401 \
    "forge without its secret, signed with the empty key"
  expect_eq "$(send nosecret $f --forge github --no-signature)" 401 "forge without its secret"
  # An unknown forge.
  expect_eq "$(send nobody $f --forge github --secret-env FORGE_SEC_SECRET)" 404 "unknown forge"
  expect_nothing_done
  rejected=$("$SANDBOT" audit --json | jq '[.[] | select(.action == "request.rejected")] | length')
  [ "$rejected" -ge 1 ] || fail "no request.rejected audit row"
  expect_contains "$("$SANDBOT" audit --json | jq -r '.[].detail')" "/forges/github/webhook"

  # The same payload correctly signed is accepted: the refusals were the
  # signatures, not the payload.
  expect_eq "$(send github $f --forge github --secret-env FORGE_SEC_SECRET)" 202 "signed"
  expect_eq "$(db 'SELECT COUNT(*) FROM forge_deliveries')" 1 "deliveries recorded"
}

# A signed delivery replayed (same delivery id) acts once.
test_a_replayed_forge_delivery_acts_once() {
  forge_door_setup
  local f=github/pull_request.opened.json
  expect_eq "$(send github $f --forge github --secret-env FORGE_SEC_SECRET --delivery d-1)" 202 \
    "first"
  expect_eq "$(send github $f --forge github --secret-env FORGE_SEC_SECRET --delivery d-1)" 200 \
    "replay"
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" 1 "jobs"
  expect_eq "$(db 'SELECT COUNT(*) FROM forge_deliveries')" 1 "deliveries"
}

# A comment whose signed payload says author_association OWNER, by someone
# the forge says may only read (a read-only collaborator, an org member
# without write): the forge's word decides, so /preview is refused with a
# reply and nothing runs. The permission call is checked against GitHub's
# OpenAPI description by the stand-in.
test_a_read_only_commenter_cannot_command_previews() {
  forge_start "$TEST_DIR/forge" 0 "forge-sec-token-$$" || return 1
  trap forge_stop EXIT
  export FORGE_SEC_SECRET FORGE_SEC_TOKEN="forge-sec-token-$$"
  start_daemon
  "$SANDBOT" forge add github --kind github --api-url "$FORGE_URL" \
    --token-env FORGE_SEC_TOKEN --secret-env FORGE_SEC_SECRET >/dev/null
  clone=$(forge_repo acme/web)
  "$SANDBOT" repo add web --forge github --forge-repo acme/web --clone-url "$clone" \
    --port 8080 --previews comment >/dev/null
  forge_ctl PUT permissions '{"repo":"acme/web","user":"mallory","permission":"read"}' >/dev/null
  local sha=0123456789abcdef0123456789abcdef01234567 hook=(--forge github --repo acme/web
    --number 7 --secret-env FORGE_SEC_SECRET)
  expect_eq "$(send github github/pull_request.opened.json "${hook[@]}" --sha "$sha")" 200 "opened"
  expect_eq "$(jq -r .comment.author_association \
    "$FORGE_FIXTURES/github/issue_comment.created.pr.json")" OWNER "the payload's claim"
  expect_eq "$(send github github/issue_comment.created.pr.json "${hook[@]}" --user mallory \
    --comment /preview)" 202 "comment: answered, then checked"
  refused() {
    forge_ctl GET state | jq -r '[.repos["acme/web"].comments[] |
      select(.body | contains("@mallory may not command sandbot"))] | length'
  }
  local i=0
  until [ "$(refused)" = 1 ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "no refusal reply"
    sleep 0.1
  done
  expect_eq "$(db 'SELECT COUNT(*) FROM jobs')" 0 "jobs"
  expect_eq "$(db 'SELECT COUNT(*) FROM sandboxes')" 0 "sandboxes"
  expect_eq "$("$SANDBOT" audit --json | jq -r '[.[] | select(.action == "forge.comment")] |
    last | .status')" refused "audit"
  forge_violations || fail "calls GitHub's OpenAPI description refuses"
}

# A delivery over the body limit (chat.max_body_bytes, 64 KB by default) is
# answered 413 without being read: nothing recorded, and the refusal is in
# the audit under the forge's name (an unknown forge's name is not echoed).
test_an_oversized_forge_delivery_is_413_and_audited() {
  forge_door_setup
  local big="$TEST_DIR/big.json" sig
  jq -c --arg pad "$(head -c 70000 /dev/zero | tr '\0' x)" '.pull_request.body = $pad' \
    "$FORGE_FIXTURES/github/pull_request.opened.json" >"$big"
  sig=sha256=$(openssl dgst -sha256 -hmac "$FORGE_SEC_SECRET" -r "$big" | cut -d' ' -f1)
  for forge in github nobody; do
    expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
      "http://$E2E_HTTP/forges/$forge/webhook" -H 'Content-Type: application/json' \
      -H 'X-GitHub-Event: pull_request' -H "X-GitHub-Delivery: big-$forge" \
      -H "X-Hub-Signature-256: $sig" --data-binary "@$big")" 413 "oversized to $forge"
  done
  expect_nothing_done
  local details
  details=$("$SANDBOT" audit --json | jq -r '.[] | select(.action == "request.rejected") | .detail')
  expect_contains "$details" "/forges/github/webhook: forge github: delivery over the"
  expect_contains "$details" "/forges/nobody/webhook: unknown forge: delivery over the"
  # Under the limit, the same door still works.
  expect_eq "$(send github github/pull_request.opened.json --forge github \
    --secret-env FORGE_SEC_SECRET)" 202 "signed, under the limit"
}
