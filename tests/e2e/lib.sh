# Shared helpers for the end-to-end tests: a real daemon on a scratch data
# folder, real bare repositories and `git push`, the real Docker engine (via
# its Engine API with curl) and the real SQLite file (via sqlite3).
# Sourced by tests/e2e/run.sh; every test is a shell function `test_*`.

SANDBOT=${SANDBOT:?set SANDBOT to the sandbot binary}
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
E2E_HTTP=${E2E_HTTP:-127.0.0.1:18088}
E2E_PORTS=${E2E_PORTS:-19101-19199}

# --- assertions -------------------------------------------------------------

fail() {
  echo "    FAIL: $*" >&2
  return 1
}

# expect_contains HAYSTACK NEEDLE [what]
expect_contains() {
  case "$1" in
    *"$2"*) return 0 ;;
  esac
  fail "${3:-output} does not contain '$2'; it was:"$'\n'"$1"
}

expect_not_contains() {
  case "$1" in
    *"$2"*) fail "${3:-output} contains '$2'; it was:"$'\n'"$1" ;;
  esac
  return 0
}

expect_eq() {
  [ "$1" = "$2" ] || fail "${3:-value} is '$1', expected '$2'"
}

# --- the engine -------------------------------------------------------------

engine() {  # engine METHOD PATH → body
  curl -sf --unix-socket "$DOCKER_SOCK" -X "$1" "http://engine$2"
}

# Containers with a label: names, one per line.
containers_with_label() {
  local filter
  filter=$(printf '{"label":["%s"]}' "$1" | jq -sRr @uri)
  engine GET "/containers/json?all=1&filters=$filter" | jq -r '.[].Names[0]' | sed 's|^/||'
}

network_exists() {
  curl -s -o /dev/null -w '%{http_code}' --unix-socket "$DOCKER_SOCK" \
    "http://engine/networks/$1" | grep -q 200
}

# --- the daemon -------------------------------------------------------------

new_data() {
  TEST_DIR=$(mktemp -d /tmp/sandbot-e2e-XXXXXX)
  DATA=$TEST_DIR/data
  export SANDBOT_DATA=$DATA
}

start_daemon() {
  "$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" --ports "$E2E_PORTS" \
    --health-timeout 30 "$@" >>"$TEST_DIR/daemon.log" 2>&1 &
  DAEMON_PID=$!
  local i=0
  until curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
      cat "$TEST_DIR/daemon.log" >&2
      fail "the daemon did not start"
      return 1
    fi
    sleep 0.1
  done
}

stop_daemon() {
  [ -n "${DAEMON_PID:-}" ] || return 0
  kill -TERM "$DAEMON_PID" 2>/dev/null
  wait "$DAEMON_PID" 2>/dev/null
  DAEMON_PID=
}

# Removes everything the test's sandboxes left in the engine, then the folder.
cleanup() {
  stop_daemon
  if [ -f "$DATA/sandbot.db" ]; then
    for sb in $(sqlite3 "$DATA/sandbot.db" "SELECT name FROM sandboxes" 2>/dev/null); do
      for c in $(containers_with_label "sandbot.sandbox=$sb"); do
        engine DELETE "/containers/$c?force=1" >/dev/null || true
      done
      engine DELETE "/networks/sandbox-$sb" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$TEST_DIR"
}

db() { sqlite3 "$DATA/sandbot.db" "$@"; }

# --- git --------------------------------------------------------------------

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.com

# new_app_repo NAME: a bare repo registered with sandbot, and a clone in $WORK
# holding the tiny app (busybox httpd serving a page that names its commit).
new_app_repo() {
  local name=$1
  shift
  "$SANDBOT" repo add "$name" "$TEST_DIR/$name.git" --init --port 8080 --health / "$@" \
    >"$TEST_DIR/repo-add.out" || { cat "$TEST_DIR/repo-add.out"; return 1; }
  WORK=$TEST_DIR/work-$name
  git init -q -b main "$WORK"
  git -C "$WORK" remote add origin "$TEST_DIR/$name.git"
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY page.txt /page.txt
CMD ["sh", "-c", "mkdir -p /www && { cat /page.txt; echo \"commit $SANDBOT_COMMIT\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  echo "version 1" >"$WORK/page.txt"
  git -C "$WORK" add -A
  git -C "$WORK" commit -qm "app v1"
}

# push ARGS…: git push from $WORK, output with `remote: ` and padding removed.
push() {
  git -C "$WORK" push "$@" 2>&1 | sed -e 's/^remote: //' -e 's/[[:space:]]*$//'
}

# The URL the push output names for a service.
url_from() {
  printf '%s\n' "$1" | sed -n 's/.* running  \(http:[^ ]*\).*/\1/p' | tail -n 1
}

# wait_for_status SANDBOX SERVICE STATUS [SECONDS]
wait_for_status() {
  local i=0 got
  while [ $i -lt $((${4:-60} * 5)) ]; do
    got=$("$SANDBOT" sandbox status "$1" --json 2>/dev/null |
      jq -r --arg s "$2" '.services[] | select(.name == $s) | .status')
    [ "$got" = "$3" ] && return 0
    i=$((i + 1))
    sleep 0.2
  done
  fail "$1/$2 did not reach '$3' (last: '$got')"
}
