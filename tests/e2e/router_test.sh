# The sandbox router (`sandbot router`, image from `sandbot image
# build-router`) on the real engine: busybox services whose pages name
# themselves, reached through the router by their plain names; a route
# switched sandbox → baseline → URL → sandbox by rewriting routes.json while
# a client keeps requesting. Every answer after the router acknowledges a
# table comes from that table's target, the acknowledgement comes within
# 100 ms, no request fails and no container is recreated.

RT_NET=sandbox-rt-e2e

rt_create() {  # rt_create NAME BODY-JSON
  curl -sf --unix-socket "$DOCKER_SOCK" -X POST -H 'Content-Type: application/json' \
    -d "$2" "http://engine/containers/create?name=$1" >/dev/null || fail "cannot create $1"
  engine POST "/containers/$1/start" >/dev/null || fail "cannot start $1"
}

# A busybox httpd on 8080 whose page is "$2", known on the network as $3.
rt_page() {
  rt_create "$1" "$(jq -n --arg n "$RT_NET" --arg page "$2" --arg alias "$3" '{
    Image: "sandbot/busybox:latest", Labels: {"sandbot.e2e": "router"},
    Cmd: ["sh", "-c", "mkdir -p /www && echo \"$0\" > /www/index.html && exec httpd -f -p 8080 -h /www", $page],
    HostConfig: {NetworkMode: $n},
    NetworkingConfig: {EndpointsConfig: {($n): {Aliases: [$alias]}}}}')"
}

rt_cleanup() {
  for c in $(containers_with_label sandbot.e2e=router); do
    engine DELETE "/containers/$c?force=1" >/dev/null || true
  done
  engine DELETE "/networks/$RT_NET" >/dev/null 2>&1 || true
}

rt_ip() {  # the container's address on the test network
  engine GET "/containers/$1/json" | jq -r --arg n "$RT_NET" '.NetworkSettings.Networks[$n].IPAddress'
}

# rt_table ROUTE URL: payment routed there, web stays in the sandbox;
# written beside the table (renamed in by rt_swap), its version in $version.
rt_table() {
  jq -n --arg r "$1" --arg u "$2" '{payment: {route: $r, url: $u, port: 8080},
    web: {route: "sandbox", url: "http://web:8080"}}' >"$TEST_DIR/routes/routes.json.tmp"
  version=$(python3 -c 'import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read(): h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$TEST_DIR/routes/routes.json.tmp")
}
# rt_swap [ROUTER VERSION]: renames the new table in; with a router, asks it
# for that version and prints "t0-ns t1-ns status": from just before the
# rename to its acknowledgement (one process, so no fork is timed).
rt_swap() {
  python3 - "$TEST_DIR/routes" "$@" <<'PY'
import http.client, os, sys, time
d = sys.argv[1]
t0 = time.time_ns()
os.rename(d + "/routes.json.tmp", d + "/routes.json")
if len(sys.argv) > 2:
    c = http.client.HTTPConnection(sys.argv[2], 7199, timeout=5)
    c.request("GET", "/_sandbot/table-version?want=" + sys.argv[3])
    status = c.getresponse().status
    print(t0, time.time_ns(), status)
PY
}

# rt_bad_answers ACKS LOG: the requests of LOG ("start-ns end-ns code body")
# that failed, or whose body does not start with what ACKS ("t0-ns t1-ns
# want") says: one sent after an acknowledgement (and done before the next
# switch) is answered by that target; one in flight during a switch by the
# old or the new one. Before the first switch: the sandbox's payment.
rt_bad_answers() {
  awk 'NR == FNR { t0[NR] = $1; t1[NR] = $2; w[NR] = substr($0, length($1 $2) + 3); n = NR; next }
    $3 != 200 { print "failed: " $0; next }
    { body = substr($0, length($1 $2 $3) + 4)
      want = "payment from the sandbox"; also = ""
      for (i = 1; i <= n; i++) {
        if ($1 > t1[i]) want = w[i]
        else if ($2 >= t0[i]) { also = w[i]; break }
      }
      if (index(body, want) != 1 && (also == "" || index(body, also) != 1)) print "wrong: " $0 " (want " want ")" }' \
    "$1" "$2"
}

test_router_switches_routes_without_recreate() {
  rt_cleanup
  out=$("$SANDBOT" image build-router 2>&1) || fail "build-router: $out"
  image=$(sed -n 's/^built //p' <<<"$out")
  [ -n "$image" ] || fail "no image tag in: $out"
  curl -sf --unix-socket "$DOCKER_SOCK" -X POST -H 'Content-Type: application/json' \
    -d "{\"Name\": \"$RT_NET\", \"Labels\": {\"sandbot.e2e\": \"router\"}}" \
    http://engine/networks/create >/dev/null || fail "cannot create the network"
  gateway=$(engine GET "/networks/$RT_NET" | jq -r '.IPAM.Config[0].Gateway')

  rt_page rt-e2e-payment "payment from the sandbox" payment.local
  rt_page rt-e2e-web "web from the sandbox" web.local
  rt_page rt-e2e-elsewhere "payment from a URL" elsewhere
  # The baseline: a page the test serves on the host, where the sandbox's
  # network reaches it (its gateway address).
  mkdir -p "$TEST_DIR/baseline" "$TEST_DIR/routes"
  echo "payment from the baseline" >"$TEST_DIR/baseline/index.html"
  base_port=${E2E_PORTS%-*}
  python3 -m http.server "$base_port" --bind "$gateway" -d "$TEST_DIR/baseline" \
    >/dev/null 2>&1 &
  echo $! >"$TEST_DIR/baseline.pid"
  # The test runs in a subshell of its own: this runs however it ends.
  trap 'kill "$(cat "$TEST_DIR/baseline.pid")" 2>/dev/null; rt_cleanup' EXIT
  chmod 755 "$TEST_DIR/routes"
  rt_table sandbox http://payment:8080
  rt_swap
  rt_create rt-e2e-router "$(jq -n --arg n "$RT_NET" --arg img "$image" \
    --arg b "$TEST_DIR/routes:/etc/sandbot:ro" '{Image: $img,
    Labels: {"sandbot.e2e": "router"}, Cmd: ["--listen", "7199"],
    HostConfig: {NetworkMode: $n, Binds: [$b]},
    NetworkingConfig: {EndpointsConfig: {($n): {Aliases: ["payment", "web"]}}}}')"
  router=$(rt_ip rt-e2e-router)
  for _ in $(seq 50); do
    curl -sf "http://$router:7199/_sandbot/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  ids_before=$(for c in payment web elsewhere router; do
    engine GET "/containers/rt-e2e-$c/json" | jq -r .Id; done)

  # By the service's name in Host, as an app on the network calls it.
  expect_eq "$(curl -sf -H 'Host: payment:8080' "http://$router:8080/")" \
    "payment from the sandbox" "payment through the router"
  expect_eq "$(curl -sf -H 'Host: web:8080' "http://$router:8080/")" \
    "web from the sandbox" "web through the router"
  # Forwarded headers reach the upstream; an unknown name is a 404.
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: nobody:8080' \
    "http://$router:8080/")" 404 "unknown Host"

  # A client requesting all along: "start-ns end-ns code body" per request.
  (
    while [ ! -f "$TEST_DIR/stop" ]; do
      s=$(date +%s%N)
      r=$(curl -s -m 2 -w ' %{http_code}' -H 'Host: payment:8080' "http://$router:8080/")
      body=${r% *}
      echo "$s $(date +%s%N) ${r##* } ${body%$'\n'}"
    done
  ) >"$TEST_DIR/client.log" &
  client=$!
  sleep 0.3
  : >"$TEST_DIR/acks"
  for step in "baseline http://$gateway:$base_port|payment from the baseline" \
    "http://elsewhere:8080|payment from a URL" \
    "sandbox http://payment:8080|payment from the sandbox"; do
    target=${step%|*}
    route=${target%% *}
    url=${target##* }
    want=${step#*|}
    rt_table "$route" "$url"
    read -r t0 t1 code < <(rt_swap "$router" "$version")
    expect_eq "$code" 200 "router acknowledged $route"
    echo "$t0 $t1 $want" >>"$TEST_DIR/acks"
    [ $(((t1 - t0) / 1000000)) -lt 100 ] || fail "route $route acknowledged after $(((t1 - t0) / 1000000)) ms"
    sleep 0.3
  done
  touch "$TEST_DIR/stop"
  wait "$client"

  # A request sent after an acknowledgement (and done before the next
  # switch) is answered by that target; one in flight during a switch by the
  # old or the new one; none fails.
  total=$(wc -l <"$TEST_DIR/client.log")
  [ "$total" -gt 20 ] || fail "only $total requests made"
  bad=$(rt_bad_answers "$TEST_DIR/acks" "$TEST_DIR/client.log")
  [ -z "$bad" ] || fail "answers: $(head -5 <<<"$bad")"
  echo "    $total requests through 3 switches, none failed" >&2

  # A bad table keeps the last good one, and the log says so.
  echo '{"payment": ' >"$TEST_DIR/routes/routes.json"
  sleep 0.2
  expect_eq "$(curl -sf -H 'Host: payment:8080' "http://$router:8080/")" \
    "payment from the sandbox" "after a bad table"
  for _ in $(seq 20); do
    engine GET "/containers/rt-e2e-router/logs?stderr=1&stdout=1" | grep -aq "bad table" && break
    sleep 0.1
  done
  expect_contains "$(engine GET "/containers/rt-e2e-router/logs?stderr=1&stdout=1" | tr -d '\0')" \
    "keeping table"

  ids_after=$(for c in payment web elsewhere router; do
    engine GET "/containers/rt-e2e-$c/json" | jq -r .Id; done)
  expect_eq "$ids_after" "$ids_before" "container ids"
}

# What passes through the router, on loopback (tests/e2e/router_upstream.py):
# a 3 MB Content-Length body and a chunked one whole, a chunked answer
# streamed (its first chunk before its last is sent), an answer whose
# header lines end in LF alone (a CGI behind busybox httpd), X-Forwarded-*, a
# kept-alive upstream connection reused, a 101 Upgrade tunnelled both ways;
# an https:// upstream with a test CA: reached with --ca (SNI, Host, one
# TLS connection kept alive), refused (502, nothing sent) by IP when the
# certificate names another host and without the CA.
test_router_streams_bodies_and_upgrades() {
  base_port=$((${E2E_PORTS%-*} + 10))
  out=$(python3 tests/e2e/router_upstream.py "$SANDBOT" "$base_port" "$TEST_DIR" 2>&1) ||
    fail "$out; router logs: $(tail -5 "$TEST_DIR"/router-*.log)"
  expect_contains "$out" "router_upstream: ok"
}

# The daemon (router on by default) starts the sandbox's router, which holds the
# HTTP services' names and publishes the main URL (payment is the gateway);
# /route payment baseline → URL → sandbox switches while a client keeps
# requesting through the router by name and another through the main URL,
# answered when the router uses the new table: no request fails, every one
# sent after a route answer reaches the new target on both, no service
# container is recreated, and {SERVICE}_URL stays the router's name. A
# killed router comes back.
test_router_in_sandbox_switches_routes() {
  mkdir -p "$DATA"
  printf '{"roles": {"admin": ["cli:%s"]}}\n' "$(id -u)" >"$DATA/config.json"
  lo=${E2E_PORTS%-*}
  start_daemon --reconcile-seconds 1 --gateway-ports "$((lo + 95))-$((lo + 98))"
  new_app_repo other --auto-branches 'auto/*'
  echo "payment from a URL" >"$WORK/page.txt"
  git -C "$WORK" commit -qam other
  git -C "$WORK" push -q origin main:feature/rt 2>/dev/null
  new_app_repo payment --auto-branches 'auto/*'
  echo "payment from the sandbox" >"$WORK/page.txt"
  git -C "$WORK" commit -qam payment
  git -C "$WORK" push -q origin main:feature/rt 2>/dev/null
  out=$("$SANDBOT" sandbox create feature-rt payment@feature/rt other@feature/rt --gateway payment \
    --wait 2>&1) || fail "create: $out"
  expect_contains "$out" "payment running"
  router=sandbox-feature-rt.router
  # The main URL is the router's: it publishes the gateway's port.
  main_url=$("$SANDBOT" sandbox status feature-rt --json | jq -r .main_url)
  main_port=${main_url##*:}
  [ "$main_port" -ge $((lo + 95)) ] && [ "$main_port" -le $((lo + 98)) ] ||
    fail "main URL $main_url is not in the gateway ports"
  expect_eq "$(engine GET "/containers/$router/json" |
    jq -r '.HostConfig.PortBindings[]?[]?.HostPort')" "$main_port" "the router's published port"
  expect_eq "$(engine GET /containers/sandbox-feature-rt-payment/json |
    jq -r '[.HostConfig.PortBindings[]?[]?.HostPort] | length')" 0 "the gateway container's ports"
  expect_contains "$(curl -sf "$main_url/")" "payment from the sandbox" "the main URL"
  inspect=$(engine GET "/containers/$router/json") || fail "no router container"
  if [ "$(jq -r .State.Running <<<"$inspect")" != true ]; then
    fail "the router is not running: $(jq -c .State <<<"$inspect"); its log: $(engine GET "/containers/$router/logs?stdout=1&stderr=1&tail=20" | tr -d '\000-\010')"
  fi
  ip=$(jq -r '.NetworkSettings.Networks["sandbox-feature-rt"].IPAddress' <<<"$inspect")
  env=$(engine GET /containers/sandbox-feature-rt-payment/json | jq -r '.Config.Env[]')
  expect_contains "$env" "PAYMENT_URL=http://payment:8080"
  expect_contains "$env" "OTHER_URL=http://other:8080"
  for _ in $(seq 50); do
    curl -sf -H 'Host: payment:8080' "http://$ip:8080/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  expect_contains "$(curl -sf -H 'Host: payment:8080' "http://$ip:8080/")" "payment from the sandbox"
  ids_before=$(for s in payment other; do
    engine GET "/containers/sandbox-feature-rt-$s/json" | jq -r .Id; done)

  gateway=$(engine GET /networks/sandbox-feature-rt | jq -r '.IPAM.Config[0].Gateway')
  base_port=${E2E_PORTS%-*}
  base_port=$((base_port + 90))
  mkdir -p "$TEST_DIR/baseline"
  echo "payment from the baseline" >"$TEST_DIR/baseline/index.html"
  python3 -m http.server "$base_port" --bind "$gateway" -d "$TEST_DIR/baseline" \
    >/dev/null 2>&1 &
  echo $! >"$TEST_DIR/baseline.pid"
  trap 'kill "$(cat "$TEST_DIR/baseline.pid")" 2>/dev/null' EXIT
  for _ in $(seq 50); do
    curl -sf "http://$gateway:$base_port/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$SANDBOT" baseline set payment "http://$gateway:$base_port" >/dev/null

  (
    while [ ! -f "$TEST_DIR/stop" ]; do
      s=$(date +%s%N)
      r=$(curl -s -m 2 -w ' %{http_code}' -H 'Host: payment:8080' "http://$ip:8080/")
      body=${r% *}
      echo "$s $(date +%s%N) ${r##* } ${body%%$'\n'*}"
    done
  ) >"$TEST_DIR/client.log" &
  client=$!
  # A phone on the main URL, as a browser sends it (Host: 127.0.0.1:PORT).
  (
    while [ ! -f "$TEST_DIR/stop" ]; do
      s=$(date +%s%N)
      r=$(curl -s -m 2 -w ' %{http_code}' "$main_url/")
      body=${r% *}
      echo "$s $(date +%s%N) ${r##* } ${body%%$'\n'*}"
    done
  ) >"$TEST_DIR/main.log" &
  main_client=$!
  sleep 0.3
  : >"$TEST_DIR/acks"
  for step in "baseline|payment from the baseline" "http://other:8080|payment from a URL" \
    "sandbox|payment from the sandbox"; do
    t0=$(date +%s%N)
    out=$("$SANDBOT" route payment "${step%|*}" in feature-rt --wait 2>&1) || fail "route: $out"
    t1=$(date +%s%N)
    expect_contains "$out" "routes applied by the router of feature-rt"
    expect_contains "$out" "no container recreated"
    echo "$t0 $t1 ${step#*|}" >>"$TEST_DIR/acks"
    echo "    route payment ${step%|*}: answered in $(((t1 - t0) / 1000000)) ms" >&2
    sleep 0.3
  done
  touch "$TEST_DIR/stop"
  wait "$client" "$main_client"
  for log in client main; do
    bad=$(rt_bad_answers "$TEST_DIR/acks" "$TEST_DIR/$log.log")
    [ -z "$bad" ] || fail "answers ($log): $(head -5 <<<"$bad")"
    [ "$(wc -l <"$TEST_DIR/$log.log")" -gt 10 ] || fail "only $(wc -l <"$TEST_DIR/$log.log") requests ($log)"
    echo "    $log: $(wc -l <"$TEST_DIR/$log.log") requests through 3 route changes, none failed" >&2
  done
  ids_after=$(for s in payment other; do
    engine GET "/containers/sandbox-feature-rt-$s/json" | jq -r .Id; done)
  expect_eq "$ids_after" "$ids_before" "service container ids"

  # Killed: the reconciler starts it again, and it routes as the table says.
  "$SANDBOT" route payment baseline in feature-rt --wait >/dev/null
  engine POST "/containers/$router/kill" >/dev/null
  for _ in $(seq 100); do
    [ "$(engine GET "/containers/$router/json" | jq -r .State.Running)" = true ] && break
    sleep 0.1
  done
  expect_eq "$(engine GET "/containers/$router/json" | jq -r .State.Running)" true "router restarted"
  # A restarted container may get another address.
  ip=$(engine GET "/containers/$router/json" |
    jq -r '.NetworkSettings.Networks["sandbox-feature-rt"].IPAddress')
  for _ in $(seq 50); do
    curl -sf -H 'Host: payment:8080' "http://$ip:8080/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  expect_contains "$(curl -sf -H 'Host: payment:8080' "http://$ip:8080/")" "payment from the baseline"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'reconcile.restarted'")" 1 \
    "restart audit rows"

  # The daemon stops: the router keeps serving the table it has. Started
  # again on the same data, a route change is a new table the router acks;
  # even with --no-router (new sandboxes only): a sandbox that has a router
  # keeps it, so no name is split between it and a container.
  stop_daemon
  expect_contains "$(curl -sf -H 'Host: payment:8080' "http://$ip:8080/")" "payment from the baseline"
  # No reconcile after the first for an hour: the health check below sees
  # the killed router for sure.
  start_daemon --no-router --reconcile-seconds 3600 --health-interval 1
  expect_contains "$(curl -sf -H 'Host: payment:8080' "http://$ip:8080/")" "payment from the baseline"
  out=$("$SANDBOT" route payment sandbox in feature-rt --wait 2>&1) || fail "route after restart: $out"
  expect_contains "$out" "routes applied by the router of feature-rt"
  expect_contains "$(curl -sf -H 'Host: payment:8080' "http://$ip:8080/")" "payment from the sandbox"
  expect_eq "$(engine GET "/containers/$router/json" | jq -r .State.Running)" true "router after restart"

  # Killed, and no reconciler to start it: the sandbox is Degraded, naming
  # its router; started again, Healthy.
  engine POST "/containers/$router/kill" >/dev/null
  status=""
  for _ in $(seq 100); do
    status=$("$SANDBOT" sandbox status feature-rt 2>&1)
    grep -q "router $router" <<<"$status" && break
    sleep 0.1
  done
  expect_contains "$status" "feature-rt · Degraded"
  expect_contains "$status" "Degraded: router $router: its container is"
  engine POST "/containers/$router/start" >/dev/null
  # The gateway's health is checked through the router's main URL too: it
  # recovers at the monitor's next look (--health-interval 1).
  for _ in $(seq 100); do
    status=$("$SANDBOT" sandbox status feature-rt 2>&1)
    grep -q "feature-rt · Healthy" <<<"$status" && break
    sleep 0.1
  done
  expect_contains "$status" "feature-rt · Healthy"
  expect_not_contains "$status" "router $router"
}
