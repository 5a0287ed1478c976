#!/usr/bin/env bash
# Checks the forge test tools without sandbot: fake_forge.js serves clone,
# fetch and push over smart HTTP with real git and refuses them without the
# token; its GitHub API answers a valid call and records an invalid one as a
# violation (checked against @octokit/openapi); its state, faults, Gitea and
# GitLab views work; send_webhook.js signs every fixture so that GitHub's own
# verify() (in receiver.js) accepts it, and a forged signature is refused.
# Takes a few seconds. Prints "N passed, N failed".
#   tests/forge/selftest.sh
set -uo pipefail
cd "$(dirname "$0")"
export LC_ALL=C
source ./lib.sh
./install.sh || exit 1

TOKEN=selftest-token-$$
SECRET="It's a Secret to Everybody"
DIR=$(mktemp -d /tmp/forge-selftest-XXXXXX)
RECV_PID=
cleanup() {
  forge_stop
  [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null && wait "$RECV_PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_TERMINAL_PROMPT=0

passed=0
failed=0
ok() {
  passed=$((passed + 1))
  echo "  ok   $*"
}
bad() {
  failed=$((failed + 1))
  echo "  FAIL $*"
}
expect() { # expect DESCRIPTION ACTUAL WANTED
  if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', wanted '$3'"; fi
}

forge_start "$DIR" 0 "$TOKEN" || exit 1
B=$FORGE_URL
echo "fake forge at $B"
API=(-s -H 'User-Agent: selftest' -H "Authorization: Bearer $TOKEN" -H 'Accept: application/vnd.github+json'
  -H 'X-GitHub-Api-Version: 2022-11-28')

echo "git over smart HTTP"
CLONE=$(forge_repo acme/web)
expect "clone URL" "$CLONE" "$B/acme/web.git"
AUTHED=${CLONE/http:\/\//http://x-access-token:$TOKEN@}
git init -q -b main "$DIR/work"
echo v1 >"$DIR/work/page.txt"
git -C "$DIR/work" add -A && git -C "$DIR/work" commit -qm v1
SHA=$(git -C "$DIR/work" rev-parse HEAD)
if git -C "$DIR/work" push -q "$CLONE" main 2>/dev/null; then bad "push without the token is refused"; else ok "push without the token is refused"; fi
if git -C "$DIR/work" push -q "$AUTHED" main 2>"$DIR/push.err"; then ok "push with the token"; else bad "push with the token: $(cat "$DIR/push.err")"; fi
git clone -q "$AUTHED" "$DIR/clone" 2>"$DIR/clone.err" || bad "clone: $(cat "$DIR/clone.err")"
expect "clone has the pushed commit" "$(git -C "$DIR/clone" rev-parse HEAD 2>/dev/null)" "$SHA"
echo v2 >"$DIR/work/page.txt"
git -C "$DIR/work" commit -qam v2
SHA2=$(git -C "$DIR/work" rev-parse HEAD)
git -C "$DIR/work" push -q "$AUTHED" main:feature 2>/dev/null
forge_pull acme/web 7 "$SHA2" '{"head_ref":"feature","title":"Add v2"}' >/dev/null
expect "refs/pull/7/head points at the PR head" \
  "$(git ls-remote "$AUTHED" refs/pull/7/head | cut -f1)" "$SHA2"
git -C "$DIR/clone" fetch -q origin "refs/pull/7/head" 2>/dev/null
expect "fetch by PR ref" "$(git -C "$DIR/clone" rev-parse FETCH_HEAD 2>/dev/null)" "$SHA2"

# A PR from a fork: the head commit lives in fork/web; the forge copies it
# under acme/web's refs/pull/8/head, as GitHub does.
FORK=$(forge_repo fork/web)
echo fork >"$DIR/work/page.txt"
git -C "$DIR/work" commit -qam fork
SHA3=$(git -C "$DIR/work" rev-parse HEAD)
git -C "$DIR/work" push -q "${FORK/http:\/\//http://x:$TOKEN@}" HEAD:refs/heads/fork-feature 2>/dev/null
git -C "$DIR/work" reset -q --hard "$SHA2"
forge_pull acme/web 8 "$SHA3" '{"head_repo":"fork/web","head_ref":"fork-feature","user":"mallory"}' >/dev/null
expect "fork PR head under refs/pull/8/head" "$(git ls-remote "$AUTHED" refs/pull/8/head | cut -f1)" "$SHA3"

echo "GitHub REST, checked against @octokit/openapi"
code=$(curl "${API[@]}" -o "$DIR/st.json" -w '%{http_code}' -X POST "$B/repos/acme/web/statuses/$SHA2" \
  -d '{"state":"pending","context":"sandbot/preview","target_url":"http://127.0.0.1/log","description":"building"}')
expect "valid status: 201" "$code" 201
expect "status id is a number" "$(jq -r '.id | type' "$DIR/st.json")" number
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/statuses/$SHA2" -d '{"state":"done"}')
expect "invalid status body: 422" "$code" 422
expect "the invalid call is recorded as a violation" \
  "$(forge_calls '[.[] | select(.status == 422 and (.violation // "" | test("state")))] | length')" 1
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' "$B/repos/acme/web/pulls?state=opened")
expect "invalid query (state=opened): 422" "$code" 422
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/issues/7/comment" -d '{"body":"x"}')
expect "no such operation: 404" "$code" 404
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'User-Agent:' -H "Authorization: Bearer $TOKEN" "$B/repos/acme/web")
expect "no User-Agent: 403" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'User-Agent: t' -H 'Authorization: Bearer wrong' "$B/repos/acme/web")
expect "bad token: 401" "$code" 401
expect "violations so far: 5" "$(forge_calls '[.[] | select(.violation != null)] | length')" 5
expect "GET /repos/{o}/{r} gives the clone URL" "$(curl "${API[@]}" "$B/repos/acme/web" | jq -r .clone_url)" "$CLONE"

id=$(curl "${API[@]}" -X POST "$B/repos/acme/web/issues/7/comments" -d '{"body":"<!-- sandbot -->\nqueued"}' | jq -r .id)
curl "${API[@]}" -o /dev/null -X PATCH "$B/repos/acme/web/issues/comments/$id" -d '{"body":"<!-- sandbot -->\nrunning"}'
expect "comment edited in place" "$(curl "${API[@]}" "$B/repos/acme/web/issues/7/comments" | jq -r '[.[].body] | join("|")')" \
  $'<!-- sandbot -->\nrunning'
user_id=$(forge_ctl POST comments '{"repo":"acme/web","number":7,"body":"/preview","user":"alice"}' | jq -r .id)
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/issues/comments/$user_id/reactions" -d '{"content":"eyes"}')
expect "reaction on the user's comment: 201" "$code" 201
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/issues/comments/$user_id/reactions" -d '{"content":"party"}')
expect "reaction that GitHub has not: 422" "$code" 422
forge_ctl PUT permissions '{"repo":"acme/web","user":"alice","permission":"write"}' >/dev/null
expect "permission of alice" "$(curl "${API[@]}" "$B/repos/acme/web/collaborators/alice/permission" | jq -r .permission)" write
expect "permission of a stranger" "$(curl "${API[@]}" "$B/repos/acme/web/collaborators/mallory/permission" | jq -r .permission)" read
expect "open PRs" "$(curl "${API[@]}" "$B/repos/acme/web/pulls?state=open" | jq -r '[.[] | "\(.number):\(.head.sha)"] | join(",")')" "8:$SHA3,7:$SHA2"
expect "the fork PR's head repo" \
  "$(curl "${API[@]}" "$B/repos/acme/web/pulls/8" | jq -r '"\(.head.repo.full_name) \(.head.repo.fork) \(.base.repo.full_name)"')" \
  "fork/web true acme/web"
forge_pull acme/web 8 "$SHA3" '{"state":"closed"}' >/dev/null
expect "closed PRs leave the open list" "$(curl "${API[@]}" "$B/repos/acme/web/pulls?state=open" | jq -r '[.[].number] | join(",")')" 7
dep=$(curl "${API[@]}" -X POST "$B/repos/acme/web/deployments" \
  -d "{\"ref\":\"$SHA2\",\"environment\":\"pr-7\",\"transient_environment\":true,\"auto_merge\":false,\"required_contexts\":[]}" | jq -r .id)
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/deployments/$dep/statuses" \
  -d '{"state":"success","environment_url":"http://127.0.0.1:19500/","log_url":"http://127.0.0.1/log"}')
expect "deployment status: 201" "$code" 201
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/deployments" -d '{"ref":"no-such-branch"}')
expect "deployment of an unknown ref: 422" "$code" 422
expect "state dump holds the deployment" \
  "$(forge_ctl GET repos/acme/web | jq -r ".deployments[\"$dep\"].statuses[0].environment_url")" "http://127.0.0.1:19500/"

expect "compare main...PR head" \
  "$(curl "${API[@]}" "$B/repos/acme/web/compare/$SHA...$SHA2" | jq -r '"\(.status) \(.ahead_by) \(.behind_by) \(.commits[0].sha)"')" \
  "ahead 1 0 $SHA2"
expect "GET /user names the bot" "$(curl "${API[@]}" "$B/user" | jq -r .login)" "sandbot[bot]"
expect "a refused deployment is a violation" \
  "$(forge_calls '[.[] | select(.operation == "repos/create-deployment" and .status == 422 and .violation != null)] | length')" 1

echo "faults"
forge_ctl POST faults '{"path":"/statuses/","count":1,"status":429,"retry_after":2}' >/dev/null
curl "${API[@]}" -D "$DIR/h" -o /dev/null -X POST "$B/repos/acme/web/statuses/$SHA2" -d '{"state":"success","context":"sandbot/preview"}'
expect "injected 429" "$(head -1 "$DIR/h" | cut -d' ' -f2)" 429
expect "with Retry-After" "$(grep -i '^retry-after:' "$DIR/h" | tr -d '\r' | cut -d' ' -f2)" 2
code=$(curl "${API[@]}" -o /dev/null -w '%{http_code}' -X POST "$B/repos/acme/web/statuses/$SHA2" -d '{"state":"success","context":"sandbot/preview"}')
expect "then served again" "$code" 201
forge_ctl POST faults '{"method":"GET","path":"/pulls","count":1,"status":403,"ratelimit_reset":"+30"}' >/dev/null
curl "${API[@]}" -D "$DIR/h" -o /dev/null "$B/repos/acme/web/pulls?state=open"
expect "injected rate limit" "$(grep -i '^x-ratelimit-remaining:' "$DIR/h" | tr -d '\r' | cut -d' ' -f2)" 0
expect "faults are recorded as such" "$(forge_calls '[.[] | select(.fault)] | length')" 2

echo "Gitea and GitLab subsets"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $TOKEN" -H 'Content-Type: application/json' \
  -X POST "$B/api/v1/repos/acme/web/statuses/$SHA2" -d '{"state":"warning","context":"sandbot/preview"}')
expect "Gitea status: 201" "$code" 201
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $TOKEN" -H 'Content-Type: application/json' \
  -X POST "$B/api/v1/repos/acme/web/statuses/$SHA2" -d '{"state":"running"}')
expect "Gitea status with GitLab's state: 422" "$code" 422
code=$(curl -s -o /dev/null -w '%{http_code}' -H "PRIVATE-TOKEN: $TOKEN" -H 'Content-Type: application/json' \
  -X POST "$B/api/v4/projects/acme%2Fweb/statuses/$SHA2" -d '{"state":"running","name":"sandbot/preview"}')
expect "GitLab status: 201" "$code" 201
note=$(curl -s -H "PRIVATE-TOKEN: $TOKEN" -H 'Content-Type: application/json' \
  -X POST "$B/api/v4/projects/acme%2Fweb/merge_requests/7/notes" -d '{"body":"<!-- sandbot -->"}' | jq -r .id)
expect "GitLab note lands in the shared comment list" \
  "$(curl "${API[@]}" "$B/repos/acme/web/issues/7/comments" | jq -r "[.[].id] | index($note) != null")" true
code=$(curl -s -o /dev/null -w '%{http_code}' -H "PRIVATE-TOKEN: $TOKEN" "$B/api/v4/projects/acme%2Fweb/merge_requests?state=open")
expect "GitLab MRs with GitHub's state name: 400" "$code" 400
expect "GitLab open MRs" \
  "$(curl -s -H "PRIVATE-TOKEN: $TOKEN" "$B/api/v4/projects/acme%2Fweb/merge_requests?state=opened" | jq -r '[.[].iid] | join(",")')" 7
expect "Gitea open pulls" \
  "$(curl -s -H "Authorization: token $TOKEN" "$B/api/v1/repos/acme/web/pulls?state=open&limit=50" | jq -r '[.[].number] | join(",")')" 7
expect "GitLab project by numeric id" \
  "$(curl -s -H "PRIVATE-TOKEN: $TOKEN" "$B/api/v4/projects/$(forge_ctl GET repos/acme/web | jq -r .id)" | jq -r .http_url_to_repo)" "$CLONE"

echo "webhooks: signed by @octokit/webhooks-methods, verified by its verify()"
expect "GitHub's test vector" \
  "$(node -e 'import("@octokit/webhooks-methods").then(async ({sign}) => console.log(await sign(process.argv[1], "Hello, World!")))' "$SECRET")" \
  sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
node receiver.js --port 0 --secret "$SECRET" --log "$DIR/recv.jsonl" >"$DIR/recv.out" 2>&1 &
RECV_PID=$!
for _ in $(seq 100); do grep -q listening "$DIR/recv.out" 2>/dev/null && break; sleep 0.05; done
R=$(sed -n 's/.*listening on //p' "$DIR/recv.out")
# Every fixture, four at a time (each is a node process).
i=0
senders=()
for f in "$FORGE_FIXTURES"/*/*.json; do
  i=$((i + 1))
  forge_send --url "$R/hook" --forge "$(basename "$(dirname "$f")")" --secret "$SECRET" --payload "$f" \
    >"$DIR/fixture-$i.out" 2>&1 &
  senders+=($!)
  if [ ${#senders[@]} = 4 ]; then
    wait "${senders[@]}"
    senders=()
  fi
done
[ ${#senders[@]} = 0 ] || wait "${senders[@]}"
i=0
for f in "$FORGE_FIXTURES"/*/*.json; do
  i=$((i + 1))
  expect "$(basename "$(dirname "$f")") $(basename "$f") verified" "$(head -1 "$DIR/fixture-$i.out")" 200
done
sync=$FORGE_FIXTURES/github/pull_request.synchronize.json
out=$(forge_send --url "$R/hook" --secret "$SECRET" --payload "$sync" --number 7 --sha "$SHA2" --repo acme/web \
  --clone-url "$CLONE" --delivery d-1 --out-body "$DIR/sent.json" | head -1)
expect "edited synchronize verified" "$out" 200
expect "edited payload carries the PR" "$(jq -r '"\(.number) \(.pull_request.head.sha) \(.after) \(.repository.clone_url)"' "$DIR/sent.json")" \
  "7 $SHA2 $SHA2 $CLONE"
expect "replayed delivery is a duplicate" \
  "$(forge_send --url "$R/hook" --secret "$SECRET" --payload "$sync" --number 7 --sha "$SHA2" --delivery d-1 | tail -1)" duplicate
forge_send --url "$R/hook" --forge forgejo --secret "$SECRET" --payload "$FORGE_FIXTURES/gitea/push.json" >/dev/null
expect "Forgejo headers" "$(jq -rs 'last | "\(.forge) \(.event) \(.verified)"' "$DIR/recv.jsonl")" "gitea push/push true"
expect "form content type, signed as sent" \
  "$(forge_send --url "$R/hook" --secret "$SECRET" --payload "$FORGE_FIXTURES/github/ping.json" --form | head -1)" 200
expect "forged signature refused" "$(forge_send --url "$R/hook" --secret "$SECRET" --payload "$sync" --bad-signature | head -1)" 401
expect "forged Gitea signature refused" \
  "$(forge_send --url "$R/hook" --forge gitea --secret "$SECRET" --payload "$FORGE_FIXTURES/gitea/pull_request.opened.json" --bad-signature | head -1)" 401
expect "wrong GitLab token refused" \
  "$(forge_send --url "$R/hook" --forge gitlab --secret "$SECRET" --payload "$FORGE_FIXTURES/gitlab/note.merge_request.json" --bad-signature | head -1)" 401
forge_send --url "$R/hook" --forge gitea --secret "$SECRET" --payload "$FORGE_FIXTURES/gitea/pull_request.synchronized.json" >/dev/null
expect "Gitea event type of synchronized" "$(jq -rs '[.[] | select(.forge == "gitea")] | last | .event' "$DIR/recv.jsonl")" \
  pull_request/pull_request_sync
forge_send --url "$R/hook" --forge gitlab --secret "$SECRET" --payload "$FORGE_FIXTURES/gitlab/merge_request.update.oldrev.json" \
  --no-oldrev --number 9 --out-body "$DIR/sent.json" >/dev/null
expect "GitLab --no-oldrev drops oldrev" "$(jq -r '"\(.object_attributes.iid) \(.object_attributes | has("oldrev"))"' "$DIR/sent.json")" "9 false"

echo "GitHub payloads against @octokit/openapi-webhooks"
if out=$(node check_payloads.js "$FORGE_FIXTURES"/github/*.json 2>&1); then ok "every GitHub fixture conforms"; else bad "GitHub fixtures: $out"; fi
forge_send --dry-run --secret "$SECRET" --payload "$FORGE_FIXTURES/github/pull_request.closed.json" --number 8 --sha "$SHA3" \
  --repo acme/web --clone-url "$CLONE" --head-repo fork/web --merged true --out-body "$DIR/edited.json" >/dev/null
if out=$(node check_payloads.js "$DIR/edited.json" 2>&1); then ok "an edited payload (fork, merged) conforms"; else bad "edited payload: $out"; fi
forge_send --dry-run --secret "$SECRET" --payload "$FORGE_FIXTURES/github/pull_request.closed.json" \
  --set 'pull_request.merged="yes"' --out-body "$DIR/wrong.json" >/dev/null
if node check_payloads.js "$DIR/wrong.json" >/dev/null 2>&1; then bad "a wrong type is caught"; else ok "a wrong type is caught"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
