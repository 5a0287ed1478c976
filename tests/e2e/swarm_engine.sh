# A single-node Docker Swarm of the test's own: a second dockerd
# (tests/e2e/second_dockerd.sh: its own folders, socket and bridge), then
# `docker swarm init` on it. The main engine is never touched: this
# one leaves iptables alone (--iptables=false: two dockerds writing the same
# chains would fight), its docker_gwbridge is a bridge of its own name made
# before the swarm, and its swarm listens on a port of the test's range.
# Sourced by tests/e2e/swarm_test.sh.
#
# The routing mesh (ports published in ingress mode) needs IPVS in the
# kernel and iptables rules; without them (no CONFIG_IP_VS, or
# --iptables=false as here) the test publishes in host mode
# (sandbot serve --swarm-publish host) and says so.
. tests/e2e/tls_engine.sh  # free_port, start_second_dockerd

# start_swarm_engine: sets SWARM_SOCK, SWARM_DIR, SWARM_WHY (why it cannot
# run, returning 2).
start_swarm_engine() {
  SWARM_DIR=${SWARM_DIR:-$(mktemp -d /tmp/sandbot-swarm-XXXXXX)}
  SWARM_WHY=
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    SWARM_WHY="dockerd and the docker CLI are needed (Debian's docker.io)"
    return 2
  fi
  SWARM_SOCK=$SWARM_DIR/docker.sock
  local port
  port=$(free_port)
  SWARM_BRIDGE=sbsw$port
  SWARM_GW=sbgw$port
  # Never started twice on its data root: Swarm refuses --live-restore,
  # without which a restart deletes docker0 (tests/e2e/second_dockerd.sh).
  start_second_dockerd "$SWARM_DIR" "$SWARM_BRIDGE" "10.225.$((port % 250)).1/24" \
    --default-address-pool "base=10.226.0.0/16,size=24" || { SWARM_WHY=$DOCKERD_WHY; return 2; }
  # The swarm's bridge to the host, under a name of ours (the default,
  # docker_gwbridge, would be shared with any other engine on the host).
  swarm_docker network create --driver bridge --subnet "10.227.$((port % 250)).0/24" \
    --opt com.docker.network.bridge.name="$SWARM_GW" \
    --opt com.docker.network.bridge.enable_icc=false \
    --opt com.docker.network.bridge.enable_ip_masquerade=false docker_gwbridge \
    >"$SWARM_DIR/gwbridge.out" 2>&1 ||
    { SWARM_WHY="cannot make docker_gwbridge: $(cat "$SWARM_DIR/gwbridge.out")"; return 2; }
  echo "$SWARM_GW" >>"$SWARM_DIR/bridge"
  local listen
  listen=$(free_port)
  swarm_docker swarm init --advertise-addr 127.0.0.1 --listen-addr "127.0.0.1:$listen" \
    --data-path-port "$(free_udp_port)" --default-addr-pool 10.228.0.0/16 \
    >"$SWARM_DIR/init.out" 2>&1 ||
    { SWARM_WHY="docker swarm init failed: $(cat "$SWARM_DIR/init.out")"; return 2; }
  # Overlay networks need the swarm's ingress network (VXLAN in the kernel).
  local i=0
  until swarm_docker network inspect ingress >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] || { SWARM_WHY="the swarm's ingress network did not come up"; return 2; }
    sleep 0.1
  done
  if ! swarm_docker network create -d overlay --attachable sbprobe >"$SWARM_DIR/probe.out" 2>&1; then
    SWARM_WHY="no overlay network here (VXLAN?): $(cat "$SWARM_DIR/probe.out")"
    return 2
  fi
  swarm_docker network rm sbprobe >/dev/null 2>&1 || true
}

# A free UDP port below 49152 (Swarm refuses a data path port above).
free_udp_port() {
  python3 -c '
import random, socket
while True:
    p = random.randint(30000, 49151)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("0.0.0.0", p)); print(p); break
    except OSError:
        pass'
}

swarm_docker() { docker -H "unix://$SWARM_SOCK" "$@"; }
swarm_engine() { curl -sf --unix-socket "$SWARM_SOCK" -X "$1" "http://engine$2"; }

# Why the routing mesh cannot work here, or "" when it may.
routing_mesh_missing() {
  if [ ! -d /proc/sys/net/ipv4/vs ]; then
    echo "the kernel has no IPVS (CONFIG_IP_VS; /proc/sys/net/ipv4/vs is absent)"
  else
    echo "the test engine runs with --iptables=false (the main engine owns the host's chains)"
  fi
}

# Leaves the swarm, stops the engine (its services and containers first),
# removes its bridges and folder.
stop_swarm_engine() {
  [ -n "${SWARM_DIR:-}" ] && [ -d "$SWARM_DIR" ] || return 0
  [ -S "${SWARM_SOCK:-}" ] && { swarm_docker swarm leave --force >/dev/null 2>&1 || true; }
  stop_second_dockerd "$SWARM_DIR"
  SWARM_DIR=
}

# For tests: the swarm up with the base image; stopped when the test's
# subshell exits. Skips loudly, saying why, when a swarm cannot run here.
swarm_engine_up() {
  trap stop_swarm_engine EXIT
  start_swarm_engine || skip "Docker Swarm cannot run here: $SWARM_WHY"
  "$SANDBOT" image import --docker "unix://$SWARM_SOCK" "$ROOTFS" sandbot/busybox:latest \
    >"$TEST_DIR/import.out" || { cat "$TEST_DIR/import.out"; fail "image import into the swarm"; }
}
