# Shell helpers for tests that use the forge stand-in (source it; bash).
# tests/forge/README.md shows them in use.
#
#   forge_start DIR [PORT] [TOKEN]  start fake_forge.js; sets FORGE_URL, FORGE_LOG,
#                                   FORGE_REPOS, FORGE_PID (PORT 0 or empty: any free port)
#   forge_stop                      stop it (also safe when not started)
#   forge_ctl METHOD PATH [JSON]    the control API (/_fake/PATH), prints the answer
#   forge_repo OWNER/NAME           create a bare repo on the forge, prints its clone URL
#   forge_pull OWNER/NAME N SHA [JSON-extra]   open/update PR N at SHA (refs/pull/N/head)
#   forge_calls [JQ-FILTER]         the recorded calls as a JSON array, filtered (jq -s)
#   forge_violations                print the violations; status 1 when there is any
#   forge_send ARGS…                tests/forge/send_webhook.js ARGS…
#   forge_wait_call JQ-COND [SECS]  wait until a recorded call matches (jq -e select)

FORGE_TOOLS=${FORGE_TOOLS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
FORGE_FIXTURES=${FORGE_FIXTURES:-$(cd "$FORGE_TOOLS/../fixtures/forges" && pwd)}

forge_start() {
  local dir=$1 port=${2:-0} token=${3:-}
  "$FORGE_TOOLS/install.sh" || return 1
  mkdir -p "$dir"
  FORGE_REPOS=$dir/repos
  FORGE_LOG=$dir/forge-calls.jsonl
  : >"$FORGE_LOG"
  rm -f "$dir/forge.port"
  node "$FORGE_TOOLS/fake_forge.js" --repos "$FORGE_REPOS" --log "$FORGE_LOG" --port "$port" \
    --port-file "$dir/forge.port" ${token:+--token "$token"} >"$dir/forge.out" 2>&1 &
  FORGE_PID=$!
  local i=0
  until [ -s "$dir/forge.port" ]; do
    i=$((i + 1))
    # The 13 MB OpenAPI description takes 2-4 s to load, more on a busy machine.
    if [ $i -gt 1200 ] || ! kill -0 "$FORGE_PID" 2>/dev/null; then
      cat "$dir/forge.out" >&2
      echo "forge_start: fake_forge.js did not start" >&2
      return 1
    fi
    sleep 0.05
  done
  FORGE_URL=http://127.0.0.1:$(cat "$dir/forge.port")
  export FORGE_URL FORGE_LOG FORGE_REPOS FORGE_PID
}

forge_stop() {
  [ -n "${FORGE_PID:-}" ] || return 0
  kill "$FORGE_PID" 2>/dev/null || true
  wait "$FORGE_PID" 2>/dev/null || true
  FORGE_PID=
}

forge_ctl() {
  local method=$1 path=$2 body=${3:-}
  curl -sS -X "$method" ${body:+-H 'Content-Type: application/json' --data-binary "$body"} "$FORGE_URL/_fake/$path"
}

forge_repo() {
  forge_ctl POST repos "{\"repo\":\"$1\"}" | jq -r .clone_url
}

forge_pull() {
  local repo=$1 n=$2 sha=$3 extra=${4:-'{}'}
  forge_ctl PUT pulls "$(jq -cn --arg r "$repo" --argjson n "$n" --arg s "$sha" --argjson x "$extra" \
    '{repo: $r, number: $n, head_sha: $s} + $x')"
}

forge_calls() {
  jq -s "${1:-.}" "$FORGE_LOG"
}

forge_violations() {
  local v
  v=$(jq -r 'select(.violation != null) | "\(.method) \(.path) -> \(.status): \(.violation)"' "$FORGE_LOG")
  [ -z "$v" ] && return 0
  printf '%s\n' "$v"
  return 1
}

forge_send() {
  node "$FORGE_TOOLS/send_webhook.js" "$@"
}

forge_wait_call() {
  local cond=$1 secs=${2:-10} i=0
  while ! jq -e "select($cond)" "$FORGE_LOG" >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt $((secs * 20)) ] || return 1
    sleep 0.05
  done
}
