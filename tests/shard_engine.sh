# A second dockerd for running the end-to-end suites on two engines at once
# (tests/run-suites.sh). Its containers, networks and images are its own, so
# tests on it never meet the names of tests on the main engine. Like the TLS
# test engine (tests/e2e/tls_engine.sh) it has its own data and exec roots,
# socket, bridge and address pool, and leaves iptables alone; the one rule it
# adds lets its containers reach each other through the host's FORWARD chain
# (bridged frames go through iptables here, whose policy the main engine set
# to DROP).

SHARD_BRIDGE=${SHARD_BRIDGE:-sbshard0}
SHARD_BRIDGE_ADDR=${SHARD_BRIDGE_ADDR:-10.228.0.1/24}
SHARD_POOL=${SHARD_POOL:-10.229.0.0/16}
SHARD_NETS=${SHARD_NETS:-10.228.0.0/15} # the bridge and the pool, for the rule

shard_rule() { # shard_rule -I|-D
  iptables "$1" DOCKER-USER -s "$SHARD_NETS" -d "$SHARD_NETS" -j ACCEPT 2>/dev/null
}

# start_shard_engine: sets SHARD_DIR and SHARD_SOCK, or returns 2 with the
# reason in SHARD_WHY.
start_shard_engine() {
  SHARD_WHY=
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
    ! command -v iptables >/dev/null 2>&1; then
    SHARD_WHY="dockerd, ip and iptables are needed"
    return 2
  fi
  SHARD_DIR=$(mktemp -d /tmp/sandbot-shard-engine-XXXXXX)
  SHARD_SOCK=$SHARD_DIR/docker.sock
  ip link del "$SHARD_BRIDGE" 2>/dev/null # left by a run that was killed
  ip link add "$SHARD_BRIDGE" type bridge && ip addr add "$SHARD_BRIDGE_ADDR" dev "$SHARD_BRIDGE" &&
    ip link set "$SHARD_BRIDGE" up || {
    SHARD_WHY="cannot make the bridge $SHARD_BRIDGE"
    return 2
  }
  # Without the main engine's chain (it runs with --iptables=false), the
  # FORWARD policy is the host's: ACCEPT needs no rule.
  SHARD_RULE=
  if iptables -S DOCKER-USER >/dev/null 2>&1; then
    shard_rule -I || { SHARD_WHY="cannot add a rule to DOCKER-USER"; return 2; }
    SHARD_RULE=1
  elif ! iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD ACCEPT'; then
    SHARD_WHY="the FORWARD policy drops and there is no DOCKER-USER chain"
    return 2
  fi
  dockerd --data-root "$SHARD_DIR/data" --exec-root "$SHARD_DIR/exec" \
    --pidfile "$SHARD_DIR/dockerd.pid" -H "unix://$SHARD_SOCK" \
    --bridge="$SHARD_BRIDGE" --iptables=false --ip-masq=false --ip6tables=false \
    --default-address-pool "base=$SHARD_POOL,size=24" >"$SHARD_DIR/dockerd.log" 2>&1 &
  echo $! >"$SHARD_DIR/dockerd.shell-pid"
  local i=0
  until curl -sf --unix-socket "$SHARD_SOCK" http://engine/_ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$SHARD_DIR/dockerd.shell-pid")" 2>/dev/null; then
      SHARD_WHY="dockerd did not start: $(tail -n 3 "$SHARD_DIR/dockerd.log")"
      return 2
    fi
    sleep 0.1
  done
}

# Stops the engine (its containers first) and removes what it made.
stop_shard_engine() {
  [ -n "${SHARD_DIR:-}" ] && [ -d "$SHARD_DIR" ] || return 0
  local c pid i=0 deletes=()
  for c in $(curl -sf --unix-socket "$SHARD_SOCK" 'http://engine/containers/json?all=1' 2>/dev/null | jq -r '.[].Id'); do
    curl -sf --unix-socket "$SHARD_SOCK" -X DELETE "http://engine/containers/$c?force=1" >/dev/null 2>&1 &
    deletes+=($!)
  done
  [ ${#deletes[@]} -eq 0 ] || wait "${deletes[@]}"
  pid=$(cat "$SHARD_DIR/dockerd.pid" 2>/dev/null || cat "$SHARD_DIR/dockerd.shell-pid")
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$pid" 2>/dev/null
  [ -z "${SHARD_RULE:-}" ] || shard_rule -D
  ip link del "$SHARD_BRIDGE" 2>/dev/null
  grep -o " $SHARD_DIR/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$SHARD_DIR"
  SHARD_DIR=
}
