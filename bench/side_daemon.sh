# Shared by the benches that compare two daemons side by side on the real
# engine (router_route_bench.sh, router_sandbox_cost.sh): each side is a
# `sandbot serve` with its own data folder under $DIR/SIDE, an admin config
# for this user, its log in $DIR/SIDE.log and its pid in $DIR/SIDE.pid.
# Needs SANDBOT, DIR and a function `die`.

# start SIDE LISTEN_PORT HOST_PORT_RANGE [serve flags…]: returns once the
# daemon answers on its local socket.
start() {
  local side=$1 port=$2 ports=$3
  shift 3
  mkdir -p "$DIR/$side"
  printf '{"roles": {"admin": ["cli:%s"]}}\n' "$(id -u)" >"$DIR/$side/config.json"
  "$SANDBOT" serve --data "$DIR/$side" --listen "127.0.0.1:$port" --ports "$ports" \
    --health-timeout 30 --reconcile-seconds 3600 "$@" >>"$DIR/$side.log" 2>&1 &
  echo $! >"$DIR/$side.pid"
  for _ in $(seq 100); do
    curl -sf --unix-socket "$DIR/$side/sandbot.sock" http://local/v1/ping >/dev/null 2>&1 && return
    sleep 0.1
  done
  cat "$DIR/$side.log" >&2
  die "the $side daemon did not start"
}

# stop_sides SIDE…: SIGTERM to each side's daemon, then a second for them to go.
stop_sides() {
  local side
  for side in "$@"; do
    [ -f "$DIR/$side.pid" ] && kill -TERM "$(cat "$DIR/$side.pid")" 2>/dev/null || true
  done
  sleep 1
}

# remove_side_images SIDE…: the images each side's services ran.
remove_side_images() {
  local side img
  for side in "$@"; do
    for img in $(sqlite3 "$DIR/$side/sandbot.db" "SELECT DISTINCT image FROM services" 2>/dev/null); do
      curl -s --unix-socket /var/run/docker.sock -X DELETE "http://d/images/$img?force=1" >/dev/null || true
    done
  done
}

# side_repos SIDE WORK N: repos s1…sN on SIDE (port 8080, health /), each
# given WORK's main.
side_repos() {
  local side=$1 work=$2 n=$3 i
  for i in $(seq "$n"); do
    SANDBOT_DATA=$DIR/$side "$SANDBOT" repo add "s$i" "$DIR/$side-s$i.git" --init --port 8080 \
      --health / >/dev/null || die "repo add s$i ($side)"
    git -C "$work" push -q "$DIR/$side-s$i.git" main 2>/dev/null
  done
}

# side_app WORK: a git work tree at WORK whose main is a busybox httpd
# answering "ok" on 8080.
side_app() {
  mkdir -p "$1"
  git init -q -b main "$1"
  cat >"$1/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$1" add -A
  git -C "$1" commit -qm app
}
