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

# skip REASON: ends the test as skipped, not passed; run.sh counts and names
# it. Only for a machine that cannot run what the test needs.
skip() {
  echo "$*" >"$TEST_DIR/skipped"
  exit 0
}

expect_eq() {
  [ "$1" = "$2" ] || fail "${3:-value} is '$1', expected '$2'"
}

# True while process $1 runs. A process that exited stays a zombie until its
# parent reaps it, and a stopped daemon's parent is often PID 1 (the test's
# subshell has ended), which on some machines reaps only every second or so:
# `kill -0` would wait for that.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# --- the engine -------------------------------------------------------------

# The main engine's default bridge interface (docker0) vanished during
# tests that restart a second dockerd: a dockerd started again on its data
# root with --default-address-pool and without --live-restore deletes the
# interface named docker0 (tests/e2e/second_dockerd.sh, which now avoids
# it). Should anything take it again, builds' RUN steps and containers
# without a network need it, so the runner puts it back, as the engine made
# it, and says so.
ensure_default_bridge() {
  [ "$E2E_ENGINE" = docker ] || return 0
  local net name subnet gw
  net=$(engine GET /networks/bridge 2>/dev/null) || return 0
  name=$(jq -r '.Options["com.docker.network.bridge.name"] // "docker0"' <<<"$net")
  ip link show "$name" >/dev/null 2>&1 && return 0
  subnet=$(jq -r '.IPAM.Config[0].Subnet // empty' <<<"$net")
  [ -n "$subnet" ] || return 0
  gw=$(jq -r '.IPAM.Config[0].Gateway // empty' <<<"$net")
  [ -n "$gw" ] || gw="${subnet%.*/*}.$((${subnet##*.} + 1))"
  gw=${gw%%/*}
  echo "NOTE: the engine's bridge $name was gone (after ${1:-an earlier test}); made again as $gw/${subnet#*/}"
  ip link add "$name" type bridge && ip addr add "$gw/${subnet#*/}" dev "$name" &&
    ip link set "$name" up
}

. tests/e2e/second_dockerd.sh  # start_second_dockerd, for the engines of tests

engine() {  # engine METHOD PATH → body
  curl -sf --unix-socket "$DOCKER_SOCK" -X "$1" "http://engine$2"
}

# Volumes with a label: names, one per line.
volumes_with_label() {
  local filter
  filter=$(printf '{"label":["%s"]}' "$1" | jq -sRr @uri)
  engine GET "/volumes?filters=$filter" | jq -r '(.Volumes // [])[].Name'
}

# Containers with a label: names, one per line.
containers_with_label() {
  local filter
  filter=$(printf '{"label":["%s"]}' "$1" | jq -sRr @uri)
  engine GET "/containers/json?all=1&filters=$filter" | jq -r '.[].Names[0]' | sed 's|^/||'
}

# service_containers LABEL: containers_with_label without the sandboxes'
# routers (sandbox-NAME.router, one in each sandbox beside its services).
service_containers() {
  containers_with_label "$1" | grep -v '\.router$'
}

network_exists() {
  curl -s -o /dev/null -w '%{http_code}' --unix-socket "$DOCKER_SOCK" \
    "http://engine/networks/$1" | grep -q 200
}

# --- a Podman engine of the test's own ----------------------------------------

# PODMAN: the podman command with the test's own storage, run state and
# network definitions, all under $TEST_DIR.
podman_args() {
  local p=$TEST_DIR/podman
  PODMAN=(podman --root "$p/root" --runroot "$p/run" --tmpdir "$p/tmp" --network-config-dir "$p/net"
    --cgroup-manager cgroupfs --events-backend file)
}

# start_podman: `podman system service` on $TEST_DIR/podman.sock over
# PODMAN's folders, so neither dockerd nor the machine's own Podman is
# touched; sets PODMAN_SOCK. Returns 2 with the reason in $PODMAN_WHY when
# Podman cannot run on this machine.
start_podman() {
  PODMAN_SOCK=$TEST_DIR/podman.sock
  PODMAN_WHY=
  if ! command -v podman >/dev/null 2>&1; then
    PODMAN_WHY="podman is not installed (make e2e, or scripts/install-deps.sh podman, installs Debian's podman)"
    return 2
  fi
  mkdir -p "$TEST_DIR/podman/net"
  # Rootful Podman raises each container's nofile and nproc limits to their
  # maximum, which needs CAP_SYS_RESOURCE; where the test runs without it
  # (a container, a sandboxed CI), containers start at limits Podman can set:
  # our own nofile, and nproc no higher than the 32768 Podman 4 sets on
  # itself (seen with strace).
  local nproc
  nproc=$(ulimit -Hu)
  [ "$nproc" != unlimited ] && [ "$nproc" -le 32768 ] || nproc=32768
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
    "$(ulimit -Hn)" "$(ulimit -Hn)" "$nproc" "$nproc" >"$TEST_DIR/podman/containers.conf"
  podman_args
  CONTAINERS_CONF=$TEST_DIR/podman/containers.conf \
    "${PODMAN[@]}" system service --time=0 "unix://$PODMAN_SOCK" >"$TEST_DIR/podman.log" 2>&1 &
  echo $! >"$TEST_DIR/podman.pid"
  local i=0
  until curl -sf --unix-socket "$PODMAN_SOCK" http://engine/_ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$(cat "$TEST_DIR/podman.pid")" 2>/dev/null; then
      PODMAN_WHY="podman system service did not start: $(tail -n 3 "$TEST_DIR/podman.log")"
      return 2
    fi
    sleep 0.1
  done
}

# Stops the service start_podman started and removes what it stored.
stop_podman() {
  [ -f "$TEST_DIR/podman.pid" ] || return 0
  local pid
  pid=$(cat "$TEST_DIR/podman.pid")
  # Containers first (with their network namespaces and mounts), while the
  # service still runs; then the service; then the mounts its storage left.
  podman_args
  "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || true
  local i=0
  while running "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  grep -o " $TEST_DIR/podman[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -f "$TEST_DIR/podman.pid"
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
  # Tests run in a subshell: the PID file lets cleanup find the daemon.
  echo "$DAEMON_PID" >"$TEST_DIR/daemon.pid"
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
  local pid=${DAEMON_PID:-}
  [ -n "$pid" ] || pid=$(cat "$TEST_DIR/daemon.pid" 2>/dev/null) || return 0
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  # Not necessarily our child (cleanup runs outside the test's subshell).
  local i=0
  while running "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$TEST_DIR/daemon.pid"
  DAEMON_PID=
}

# Removes everything the test's sandboxes left in the engine (or its own
# Podman), then the folder.
cleanup() {
  stop_daemon
  stop_fake_chat
  # A test on its own Podman left nothing in dockerd; stop_podman removes
  # everything it had.
  if [ -f "$DATA/sandbot.db" ] && [ ! -f "$TEST_DIR/podman.pid" ]; then
    # The engine removes containers in parallel well: one request each, all
    # at once, then each sandbox's network once its containers are gone.
    # Waits name their jobs: a test calling cleanup may run others.
    local jobs=() c
    for sb in $(sqlite3 "$DATA/sandbot.db" "SELECT name FROM sandboxes" 2>/dev/null); do
      (
        local deletes=()
        for c in $(containers_with_label "sandbot.sandbox=$sb"); do
          engine DELETE "/containers/$c?force=1" >/dev/null 2>&1 &
          deletes+=($!)
        done
        [ ${#deletes[@]} -eq 0 ] || wait "${deletes[@]}"
        engine DELETE "/networks/sandbox-$sb" >/dev/null 2>&1 || true
      ) &
      jobs+=($!)
    done
    [ ${#jobs[@]} -eq 0 ] || wait "${jobs[@]}"
    jobs=()
    # Images the test built (sandbot/{repo}:{sha12}), once no container uses
    # them; shared base images stay.
    for img in $(sqlite3 "$DATA/sandbot.db" "SELECT DISTINCT image FROM services UNION
                   SELECT DISTINCT image FROM deployments" 2>/dev/null | grep '^sandbot/' |
                   grep -v '^sandbot/busybox'); do
      engine DELETE "/images/$img?force=1" >/dev/null 2>&1 &
      jobs+=($!)
    done
    [ ${#jobs[@]} -eq 0 ] || wait "${jobs[@]}"
  fi
  # Sandbox and seed volumes of this data folder (copy helpers first).
  if [ -d "$DATA" ] && [ ! -f "$TEST_DIR/podman.pid" ]; then
    local label
    label="sandbot.data=$(realpath -m "$DATA")"
    for c in $(containers_with_label "$label"); do
      engine DELETE "/containers/$c?force=1" >/dev/null 2>&1 || true
    done
    for v in $(volumes_with_label "$label"); do
      engine DELETE "/volumes/$v" >/dev/null 2>&1 || true
    done
  fi
  stop_podman
  # The fault tests mount a tiny tmpfs on the data folder.
  if mountpoint -q "$DATA" 2>/dev/null; then umount "$DATA"; fi
  rm -rf "$TEST_DIR"
}

db() { sqlite3 "$DATA/sandbot.db" "$@"; }

# The actor the daemon records for this test's own CLI and pushes: the OS
# user's name and its fixed identity (the socket's peer uid).
me() { printf '%s (cli:%s)' "$(id -un)" "$(id -u)"; }

# as_nobody CMD…: runs CMD as the unprivileged user nobody (another local
# user), with the daemon's socket reachable by it: the socket's group is
# nobody's and the folders on the way may be traversed.
as_nobody() {
  chmod o+x "$TEST_DIR" "$DATA"
  [ -S "$DATA/sandbot.sock" ] && chgrp nogroup "$DATA/sandbot.sock"
  setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp SANDBOT_DATA="$DATA" "$@"
}

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
  new_app_work "$WORK"
  git -C "$WORK" remote add origin "$TEST_DIR/$name.git"
}

# new_app_work DIR: a git work tree holding the tiny app, committed on main.
new_app_work() {
  git init -q -b main "$1"
  cat >"$1/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY page.txt /page.txt
CMD ["sh", "-c", "mkdir -p /www && { cat /page.txt; echo \"commit $SANDBOT_COMMIT\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  echo "version 1" >"$1/page.txt"
  git -C "$1" add -A
  git -C "$1" commit -qm "app v1"
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

# --- chat -------------------------------------------------------------------

E2E_FAKE_PORT=${E2E_FAKE_PORT:-18077}
SLACK_SECRET=8f742231b10e8888abcd99yyyzzz85a5
TEAMS_KEY=vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=
MM_TOKEN=mattermost-e2e-token

# Starts the stand-in for Slack/Teams (records to $TEST_DIR/chat.jsonl) and
# writes a config with every transport pointing at it.
start_fake_chat() {
  FAKE=http://127.0.0.1:$E2E_FAKE_PORT
  : >"$TEST_DIR/chat.jsonl"
  python3 tests/e2e/fake_chat.py "$E2E_FAKE_PORT" "$TEST_DIR/chat.jsonl" &
  FAKE_PID=$!
  echo "$FAKE_PID" >"$TEST_DIR/fake.pid"
  local i=0
  until curl -s -o /dev/null -X POST "$FAKE/ping"; do
    i=$((i + 1))
    [ $i -lt 200 ] || { fail "the chat stand-in did not start on $FAKE"; return 1; }
    sleep 0.05
  done
  # The answer must come from this stand-in, not from the last test's.
  kill -0 "$FAKE_PID" 2>/dev/null || { fail "the chat stand-in could not bind $FAKE"; return 1; }
  : >"$TEST_DIR/chat.jsonl"
  mkdir -p "$DATA"
  cat >"$DATA/config.json" <<JSON
{
  "slack": {"signing_secret": "$SLACK_SECRET", "webhook_url": "$FAKE/slack-webhook"},
  "teams": {"hmac_key": "$TEAMS_KEY", "webhook_url": "$FAKE/teams-webhook"},
  "mattermost": {"token": "$MM_TOKEN"},
  "reply_origins": ["$FAKE"],
  "roles": {"viewer": ["slack:T1/U0VIEWER"], "admin": ["slack:T1/U0ADMIN"]},
  "baseline": {"api": "https://api-dev.example.com"${EXTRA_BASELINE:-}}
}
JSON
}

stop_fake_chat() {
  local pid=${FAKE_PID:-}
  [ -n "$pid" ] || pid=$(cat "$TEST_DIR/fake.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Not necessarily our child (cleanup runs outside the test's subshell), so
  # `wait` may not have waited: the next test must find the port free.
  local i=0
  while running "$pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$TEST_DIR/fake.pid"
  FAKE_PID=
  return 0
}

# slack COMMAND TEXT [USER_ID] [TIMESTAMP]: a signed slash command; prints
# the HTTP status, a newline, and the body.
slack() {
  local user=${3:-U0ANA} ts=${4:-$(date +%s)} body sig
  body="token=x&team_id=T1&team_domain=acme&channel_id=C0QA&channel_name=qa&user_id=$user"
  body="$body&user_name=ana&command=$(jq -rn --arg v "$1" '$v|@uri')"
  body="$body&text=$(jq -rn --arg v "$2" '$v|@uri')"
  body="$body&response_url=$(jq -rn --arg v "$FAKE/response/$user" '$v|@uri')"
  body="$body&trigger_id=$RANDOM.$RANDOM"
  sig=v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SLACK_SECRET" -r | cut -d' ' -f1)
  curl -s -w '\n%{http_code}' -X POST "http://$E2E_HTTP/slack/commands" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-raw "$body"
}

# The body and status of a curl -w '\n%{http_code}' answer.
body_of() { sed '$d' <<<"$1"; }
code_of() { tail -n 1 <<<"$1"; }

# Records the stand-in got on PATH, as a JSON array of bodies.
received() {
  jq -s --arg p "$1" '[.[] | select(.path == $p) | .body]' "$TEST_DIR/chat.jsonl"
}

# wait_received PATH JQ_FILTER: until a body sent to PATH matches the filter.
wait_received() {
  local i=0
  while [ $i -lt 300 ]; do
    if jq -s -e --arg p "$1" "[.[] | select(.path == \$p) | .body | fromjson | select($2)] | length > 0" \
      "$TEST_DIR/chat.jsonl" >/dev/null 2>&1; then
      return 0
    fi
    i=$((i + 1))
    sleep 0.1
  done
  fail "nothing matching '$2' was posted to $1; got: $(received "$1")"
}

teams_sign() {
  local hexkey
  hexkey=$(printf '%s' "$TEAMS_KEY" | base64 -d | od -An -tx1 | tr -d ' \n')
  printf 'HMAC %s' "$(printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64)"
}

# A repo whose branches never auto-deploy, so chat commands decide.
chat_setup() {
  start_fake_chat
  start_daemon
  new_app_repo web --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main 2>/dev/null
  git -C "$WORK" push -q origin main:feature/chat 2>/dev/null
}
