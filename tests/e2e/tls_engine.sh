# A second Docker engine of the test's own, reached over mutual TLS: its own
# dockerd with --data-root, --exec-root, --pidfile and a unix socket under
# $TLS_ENGINE_DIR, listening on tcp://127.0.0.1:$TLS_ENGINE_PORT with
# --tlsverify and certificates made here with openssl. The main engine
# (/var/run/docker.sock) is never touched: this one is a second dockerd of
# tests/e2e/second_dockerd.sh (its own bridge; iptables left alone, so
# published ports go through docker-proxy), with its own address pool.
# Sourced by tests/e2e/tls_engine_test.sh and bench/run.sh.
. tests/e2e/second_dockerd.sh

# A free TCP port on the loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# make_tls_certs DIR: in DIR
#   ca/            ca.pem and ca-key.pem: the CA the engine trusts
#   server/        the engine's certificate for IP 127.0.0.1 (and its key)
#   client/        ca.pem, cert.pem, key.pem: a good client folder
#   wrong-client/  the same layout, the certificate signed by another CA
#   wrong-name/    a server certificate for engine.example.com (the right CA)
make_tls_certs() {
  local d=$1
  mkdir -p "$d/ca" "$d/other-ca" "$d/server" "$d/client" "$d/wrong-client" "$d/wrong-name"
  local ossl="openssl"
  $ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sandbot-test-ca \
    -keyout "$d/ca/ca-key.pem" -out "$d/ca/ca.pem" 2>/dev/null
  $ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=some-other-ca \
    -keyout "$d/other-ca/ca-key.pem" -out "$d/other-ca/ca.pem" 2>/dev/null
  # sign OUTDIR CN CA EXT
  sign() {
    $ossl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1/key.pem" -out "$1/req.csr" \
      2>/dev/null
    printf '%s\n' "$4" >"$1/ext.cnf"
    $ossl x509 -req -in "$1/req.csr" -CA "$3/ca.pem" -CAkey "$3/ca-key.pem" -CAcreateserial \
      -days 2 -extfile "$1/ext.cnf" -out "$1/cert.pem" 2>/dev/null
    rm -f "$1/req.csr" "$1/ext.cnf"
  }
  sign "$d/server" 127.0.0.1 "$d/ca" $'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'
  sign "$d/client" sandbot "$d/ca" 'extendedKeyUsage=clientAuth'
  sign "$d/wrong-client" sandbot "$d/other-ca" 'extendedKeyUsage=clientAuth'
  sign "$d/wrong-name" engine.example.com "$d/ca" \
    $'subjectAltName=DNS:engine.example.com\nextendedKeyUsage=serverAuth'
  # Client folders as DOCKER_CERT_PATH lays them out: the CA that signed the
  # engine's certificate beside our own.
  cp "$d/ca/ca.pem" "$d/client/ca.pem"
  cp "$d/ca/ca.pem" "$d/wrong-client/ca.pem"
  chmod 600 "$d"/*/key.pem
}

# start_tls_engine: certificates in $TLS_ENGINE_DIR/certs, then the engine;
# sets TLS_ENGINE_SOCK (its unix socket, for the test's own checks),
# TLS_ENGINE_PORT and TLS_ENGINE_URL. Returns 2 with the reason in
# $TLS_ENGINE_WHY when dockerd cannot start here.
start_tls_engine() {
  TLS_ENGINE_DIR=${TLS_ENGINE_DIR:-$(mktemp -d /tmp/sandbot-tls-engine-XXXXXX)}
  TLS_ENGINE_WHY=
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    TLS_ENGINE_WHY="dockerd and openssl are needed (Debian's docker.io and openssl)"
    return 2
  fi
  make_tls_certs "$TLS_ENGINE_DIR/certs" || { TLS_ENGINE_WHY="openssl failed"; return 2; }
  TLS_ENGINE_SOCK=$TLS_ENGINE_DIR/docker.sock
  TLS_ENGINE_PORT=${TLS_ENGINE_PORT:-$(free_port)}
  TLS_ENGINE_URL=tcp://127.0.0.1:$TLS_ENGINE_PORT
  local c=$TLS_ENGINE_DIR/certs
  TLS_ENGINE_BRIDGE=sbtls$TLS_ENGINE_PORT
  # --live-restore: this engine is stopped and started again (see
  # tests/e2e/second_dockerd.sh: without it a restart deletes docker0).
  start_second_dockerd "$TLS_ENGINE_DIR" "$TLS_ENGINE_BRIDGE" \
    "10.218.$((TLS_ENGINE_PORT % 250)).1/24" -H "$TLS_ENGINE_URL" --tlsverify \
    --tlscacert "$c/ca/ca.pem" --tlscert "$c/server/cert.pem" --tlskey "$c/server/key.pem" \
    --live-restore --default-address-pool "base=${TLS_ENGINE_POOL:-10.219.0.0/16},size=24" ||
    { TLS_ENGINE_WHY=$DOCKERD_WHY; return 2; }
}

# Starts the second dockerd again after pause_tls_engine.
run_tls_dockerd() {
  run_second_dockerd "$TLS_ENGINE_DIR" || { TLS_ENGINE_WHY=$DOCKERD_WHY; return 2; }
}

# pause_tls_engine: stops the second dockerd (its containers first),
# keeping its data, certificates and bridge for run_tls_dockerd.
pause_tls_engine() {
  pause_second_dockerd "$TLS_ENGINE_DIR"
}

# tls_engine ARGS…: curl over the engine's unix socket (METHOD PATH).
tls_engine() {
  curl -sf --unix-socket "$TLS_ENGINE_SOCK" -X "$1" "http://engine$2"
}

# Stops the second engine (its containers first) and removes its folder:
# mounts its overlays and network namespaces left included.
stop_tls_engine() {
  [ -n "${TLS_ENGINE_DIR:-}" ] && [ -d "$TLS_ENGINE_DIR" ] || return 0
  [ -f "$TLS_ENGINE_DIR/s_server.pid" ] && kill "$(cat "$TLS_ENGINE_DIR/s_server.pid")" 2>/dev/null
  stop_second_dockerd "$TLS_ENGINE_DIR"
  TLS_ENGINE_DIR=
}

# start_wrong_name_server: a TLS server on the loopback whose certificate,
# signed by the right CA, is for engine.example.com, not 127.0.0.1; it
# asks for a client certificate as dockerd does. Sets WRONG_NAME_URL.
start_wrong_name_server() {
  local c=$TLS_ENGINE_DIR/certs port
  port=$(free_port)
  openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$c/wrong-name/cert.pem" \
    -key "$c/wrong-name/key.pem" -CAfile "$c/ca/ca.pem" -Verify 1 -www \
    >"$TLS_ENGINE_DIR/s_server.log" 2>&1 &
  echo $! >"$TLS_ENGINE_DIR/s_server.pid"
  local i=0
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 50 ] || { fail "openssl s_server did not start"; return 1; }
    sleep 0.1
  done
  WRONG_NAME_URL=tcp://127.0.0.1:$port
}

# For tests (tests/e2e/lib.sh loaded, $ROOTFS set): the engine up, the base
# image imported into it, CERTS its certificate folders; stopped and removed
# when the test's subshell exits. Skips, saying why, only when a second
# dockerd cannot run on this machine.
tls_engine_up() {
  trap stop_tls_engine EXIT
  start_tls_engine || skip "a second dockerd cannot run here: $TLS_ENGINE_WHY"
  "$SANDBOT" image import --docker "unix://$TLS_ENGINE_SOCK" "$ROOTFS" sandbot/busybox:latest \
    >"$TEST_DIR/import.out" || { cat "$TEST_DIR/import.out"; fail "image import into the TLS engine"; }
  CERTS=$TLS_ENGINE_DIR/certs
}

# serve_fails ARGS…: `sandbot serve` must exit at once, non-zero; its output
# in $out.
serve_fails() {
  set +e
  out=$(timeout 20 "$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" --ports "$E2E_PORTS" "$@" 2>&1)
  local code=$?
  set -e
  [ "$code" -ne 0 ] && [ "$code" -ne 124 ] || fail "serve $* exited $code; output: $out"
}
