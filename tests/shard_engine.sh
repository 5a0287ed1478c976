# A second dockerd for running the end-to-end suites on two engines at once
# (tests/run-suites.sh). Its containers, networks and images are its own, so
# tests on it never meet the names of tests on the main engine. It is
# started like the TLS and swarm test engines (tests/e2e/second_dockerd.sh:
# its own data and exec roots, socket, bridge and address pool, iptables
# left alone); the one rule it adds lets its containers reach each other
# through the host's FORWARD chain (bridged frames go through iptables here,
# whose policy the main engine set to DROP).

. tests/e2e/second_dockerd.sh

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
  start_second_dockerd "$SHARD_DIR" "$SHARD_BRIDGE" "$SHARD_BRIDGE_ADDR" \
    --default-address-pool "base=$SHARD_POOL,size=24" || { SHARD_WHY=$DOCKERD_WHY; return 2; }
}

# Stops the engine (its containers first) and removes what it made.
stop_shard_engine() {
  [ -n "${SHARD_DIR:-}" ] && [ -d "$SHARD_DIR" ] || return 0
  stop_second_dockerd "$SHARD_DIR"
  [ -z "${SHARD_RULE:-}" ] || shard_rule -D
  SHARD_DIR=
}
