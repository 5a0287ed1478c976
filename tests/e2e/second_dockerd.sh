# A second dockerd of a test's (or bench's) own, beside the main engine:
# its own --data-root, --exec-root, --pidfile, unix socket and default
# bridge (made here with iproute2; never --bridge=none: a dockerd started
# with it deletes docker0), iptables left to the main engine. Used by
# tests/e2e/tls_engine.sh and tests/e2e/swarm_engine.sh; sourced by
# tests/e2e/lib.sh and by tls_engine.sh (the bench loads that one alone).
#
# Why --live-restore on an engine that restarts (the TLS engine): a dockerd
# starting on a data root that holds the default "bridge" network of its
# previous run deletes that network and then, when --default-address-pool
# is set and live restore is off, deletes the interface named docker0 —
# that fixed name, whatever --bridge says (moby 20.10
# daemon/daemon_unix.go: configureNetworking, removeDefaultBridgeInterface).
# docker0 is the main engine's bridge in the network namespace both share:
# each restart of the second engine took it from every container on the
# main one. With live restore on it is left alone. pause_second_dockerd
# stops the containers before the engine, so they still stop with it (live
# restore would keep them running). Swarm refuses live restore, so a swarm
# engine is never started twice on one data root (run_second_dockerd
# refuses that).

# start_second_dockerd DIR BRIDGE CIDR [DOCKERD ARGS…]: makes bridge BRIDGE
# with address CIDR (recorded in DIR/bridge for stop_second_dockerd), saves
# the dockerd arguments in DIR/dockerd.args and starts it
# (run_second_dockerd). Its socket is DIR/docker.sock. Sets DOCKERD_WHY and
# returns 2 when it cannot.
start_second_dockerd() {
  local dir=$1 bridge=$2 cidr=$3
  shift 3
  DOCKERD_WHY=
  mkdir -p "$dir"
  ip link add "$bridge" type bridge 2>/dev/null &&
    ip addr add "$cidr" dev "$bridge" && ip link set "$bridge" up ||
    { DOCKERD_WHY="cannot make the bridge $bridge (ip link add … type bridge)"; return 2; }
  echo "$bridge" >>"$dir/bridge"
  printf '%s\n' --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    -H "unix://$dir/docker.sock" --bridge="$bridge" --iptables=false --ip-masq=false \
    --ip6tables=false "$@" >"$dir/dockerd.args"
  run_second_dockerd "$dir"
}

# run_second_dockerd DIR: starts (or starts again) the dockerd that
# start_second_dockerd set up in DIR; returns once it answers.
run_second_dockerd() {
  local dir=$1 args=()
  DOCKERD_WHY=
  mapfile -t args <"$dir/dockerd.args"
  if [ -e "$dir/data/network/files/local-kv.db" ] && ! grep -qx -- --live-restore "$dir/dockerd.args" &&
    grep -qx -- --default-address-pool "$dir/dockerd.args"; then
    DOCKERD_WHY="refusing to restart a dockerd without --live-restore: it would delete docker0 (tests/e2e/second_dockerd.sh)"
    return 2
  fi
  dockerd "${args[@]}" >>"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.shell-pid"
  local i=0
  until curl -sf --unix-socket "$dir/docker.sock" http://engine/_ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$dir/dockerd.shell-pid")" 2>/dev/null; then
      DOCKERD_WHY="the second dockerd did not start: $(tail -n 5 "$dir/dockerd.log")"
      return 2
    fi
    sleep 0.1
  done
}

# second_dockerd_api DIR METHOD PATH: curl over its unix socket.
second_dockerd_api() {
  curl -sf --unix-socket "$1/docker.sock" -X "$2" "http://engine$3"
}

# Stops dockerd DIR (TERM, then KILL after 15 s).
second_dockerd_kill() {
  local dir=$1 pid
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null || cat "$dir/dockerd.shell-pid" 2>/dev/null)
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local i=0
  while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
    [ $i -lt 150 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/dockerd.pid"
}

# pause_second_dockerd DIR: its running containers stopped, then the
# dockerd; data, certificates and bridge kept for run_second_dockerd.
pause_second_dockerd() {
  local dir=$1 c
  for c in $(second_dockerd_api "$dir" GET /containers/json 2>/dev/null | jq -r '.[].Id'); do
    second_dockerd_api "$dir" POST "/containers/$c/stop?t=0" >/dev/null 2>&1 || true
  done
  second_dockerd_kill "$dir"
}

# stop_second_dockerd DIR: its containers removed, the dockerd stopped, its
# bridges, mounts and folder removed.
stop_second_dockerd() {
  local dir=$1 c
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -S "$dir/docker.sock" ]; then
    for c in $(second_dockerd_api "$dir" GET '/containers/json?all=1' 2>/dev/null | jq -r '.[].Id'); do
      second_dockerd_api "$dir" DELETE "/containers/$c?force=1" >/dev/null 2>&1 || true
    done
  fi
  second_dockerd_kill "$dir"
  if [ -f "$dir/bridge" ]; then
    while read -r b; do ip link del "$b" 2>/dev/null || true; done <"$dir/bridge"
  fi
  # With --live-restore a killed engine leaves its networks' bridges and a
  # finished container's shim behind (seen after the TLS engine test): the
  # bridges are those with an address in this engine's own pool (each test
  # engine has its own), the shims those whose address is in DIR.
  local pool
  pool=$(sed -n 's|^base=\([0-9]*\.[0-9]*\.\)0\.0/16,.*|\1|p' "$dir/dockerd.args" 2>/dev/null)
  if [ -n "$pool" ]; then
    ip -br addr show type bridge 2>/dev/null | awk -v p="$pool" 'index($3, p) == 1 {print $1}' |
      while read -r b; do ip link del "$b" 2>/dev/null || true; done
  fi
  pkill -f -- "-address $dir/" 2>/dev/null || true
  grep -o " $dir/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$dir"
}
