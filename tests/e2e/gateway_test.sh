# Gateways, Traefik labels, container limits and the health roll-up, on the
# real engine: a sandbox's gateway service gets a port from --gateway-ports
# and its URL is the sandbox's main URL; with --domain every container
# carries Traefik labels; limits come from the sandbox, the config file's
# per-service "limits" and the global flags; status answers roll the health
# monitor's facts up into Healthy / Degraded / Unhealthy.

GW_PORTS=19400-19419

# local_command FAMILY TEXT: the grammar through the daemon's socket, as the
# CLI sends it; prints the answer's text.
local_command() {
  curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/command \
    -d "$(jq -n --arg f "$1" --arg t "$2" '{family: $f, text: $t, user: "tester"}')" | jq -r .text
}

in_range() {  # in_range PORT LO-HI
  [ "$1" -ge "${2%-*}" ] && [ "$1" -le "${2#*-}" ] || fail "port $1 is not in $2"
}

test_gateway_main_url_traefik_labels_and_limits() {
  mkdir -p "$DATA"
  echo '{"limits": {"api": {"memory_mb": 48, "cpus": 0.125}}}' >"$DATA/config.json"
  start_daemon --gateway-ports "$GW_PORTS" --domain sandbox.test --memory 200 --cpus 1
  new_app_repo api
  git -C "$WORK" push -q origin main 2>/dev/null
  new_app_repo web
  git -C "$WORK" push -q origin main 2>/dev/null

  out=$("$SANDBOT" sandbox create gwa web@main api@main --gateway web --memory 96 --cpus 0.25 \
    --wait)
  expect_contains "$out" "web running"
  expect_contains "$out" "api running"
  json=$("$SANDBOT" sandbox status gwa --json)
  main_url=$(jq -r .main_url <<<"$json")
  web_port=$(jq -r '.services[] | select(.name == "web") | .port' <<<"$json")
  api_port=$(jq -r '.services[] | select(.name == "api") | .port' <<<"$json")
  in_range "$web_port" "$GW_PORTS"
  in_range "$api_port" "$E2E_PORTS"
  expect_eq "$main_url" "http://127.0.0.1:$web_port" "main_url"
  expect_eq "$(jq -r .gateway <<<"$json")" web "gateway"
  expect_eq "$(jq -r .health <<<"$json")" Healthy "health"
  expect_contains "$(curl -sf "$main_url/")" "version 1" "the main URL's page"
  # Shown first, in the CLI's status and in the daemon's answers alike.
  status=$("$SANDBOT" sandbox status gwa)
  expect_contains "$status" "sandbox gwa · Healthy"
  expect_eq "$(sed -n 2p <<<"$status")" "  main URL: $main_url (gateway web)" "second line"
  answer=$(local_command sandbox "status gwa")
  expect_contains "$answer" "sandbox gwa · Healthy"
  expect_contains "$answer" "main URL: $main_url (gateway web)"

  # Traefik labels for {service}.{sandbox}.{domain}, on every container.
  labels=$(engine GET /containers/sandbox-gwa-web/json | jq .Config.Labels)
  expect_eq "$(jq -r '.["traefik.enable"]' <<<"$labels")" true "traefik.enable"
  expect_eq "$(jq -r '.["traefik.http.routers.gwa-web.rule"]' <<<"$labels")" \
    'Host(`web.gwa.sandbox.test`)' "router rule"
  expect_eq "$(jq -r '.["traefik.http.services.gwa-web.loadbalancer.server.port"]' <<<"$labels")" \
    8080 "service port"
  expect_eq "$(jq -r '.["traefik.docker.network"]' <<<"$labels")" sandbox-gwa "network"
  expect_eq "$(engine GET /containers/sandbox-gwa-api/json |
    jq -r '.Config.Labels["traefik.http.routers.gwa-api.rule"]')" 'Host(`api.gwa.sandbox.test`)'

  # Limits: the sandbox's beat the configured per-service and global ones.
  for svc in web api; do
    inspect=$(engine GET "/containers/sandbox-gwa-$svc/json")
    expect_eq "$(jq .HostConfig.Memory <<<"$inspect")" $((96 * 1024 * 1024)) "$svc memory"
    expect_eq "$(jq .HostConfig.NanoCpus <<<"$inspect")" 250000000 "$svc cpus"
  done
  # Without sandbox limits: api gets its configured ones, web the global ones.
  "$SANDBOT" sandbox create gwb web@main api@main --wait >/dev/null
  inspect=$(engine GET /containers/sandbox-gwb-api/json)
  expect_eq "$(jq .HostConfig.Memory <<<"$inspect")" $((48 * 1024 * 1024)) "configured memory"
  expect_eq "$(jq .HostConfig.NanoCpus <<<"$inspect")" 125000000 "configured cpus"
  inspect=$(engine GET /containers/sandbox-gwb-web/json)
  expect_eq "$(jq .HostConfig.Memory <<<"$inspect")" $((200 * 1024 * 1024)) "global memory"
  expect_eq "$(jq .HostConfig.NanoCpus <<<"$inspect")" 1000000000 "global cpus"
  # No gateway: no main URL, every port from the normal range.
  json=$("$SANDBOT" sandbox status gwb --json)
  expect_eq "$(jq -r .main_url <<<"$json")" "" "main_url without a gateway"
  for p in $(jq -r '.services[].port' <<<"$json"); do in_range "$p" "$E2E_PORTS"; done
  expect_not_contains "$("$SANDBOT" sandbox status gwb)" "main URL"

  out=$("$SANDBOT" sandbox create gwc web@main --memory lots 2>&1) && fail "accepted --memory lots"
  expect_contains "$out" "is not a number"
}

test_gateway_range_exhausted() {
  start_daemon --gateway-ports 19419-19419
  new_app_repo web
  git -C "$WORK" push -q origin main 2>/dev/null
  "$SANDBOT" sandbox create gwx1 web@main --gateway web --wait >/dev/null
  expect_eq "$("$SANDBOT" sandbox status gwx1 --json | jq -r .main_url)" http://127.0.0.1:19419
  out=$("$SANDBOT" sandbox create gwx2 web@main --gateway web --wait 2>&1) && fail "no port left"
  expect_contains "$out" "every gateway port in 19419-19419 is taken"
  expect_contains "$out" "--gateway-ports"
  expect_eq "$("$SANDBOT" sandbox status gwx2 --json | jq -r .health)" Unhealthy "health"
}

test_gateway_health_rollup() {
  start_daemon --gateway-ports "$GW_PORTS" --health-interval 1 --reconcile-seconds 0
  new_app_repo web
  git -C "$WORK" push -q origin main 2>/dev/null
  "$SANDBOT" sandbox create gwh web@main --gateway web --wait >/dev/null
  # Checked by the monitor, not only by the deploy.
  i=0
  until [ "$(db "SELECT health_checked_at > 0 FROM services WHERE name = 'web'")" = 1 ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "the health monitor never checked web"
    sleep 0.1
  done
  expect_eq "$(db "SELECT health FROM services WHERE name = 'web'")" healthy "verdict"
  expect_contains "$(local_command sandbox "status gwh")" "sandbox gwh · Healthy"

  # Stopped behind sandbot's back: Unhealthy within a monitor period or two.
  engine POST "/containers/sandbox-gwh-web/stop?t=1" >/dev/null
  i=0
  until [ "$("$SANDBOT" sandbox status gwh --json | jq -r .health)" = Unhealthy ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "still '$("$SANDBOT" sandbox status gwh --json | jq -r .health)'"
    sleep 0.2
  done
  answer=$(local_command sandbox "status gwh")
  expect_contains "$answer" "sandbox gwh · Unhealthy"
  expect_contains "$answer" "Unhealthy: its container is exited"
  expect_contains "$("$SANDBOT" sandbox list)" "sandbox gwh · Unhealthy"
  json=$("$SANDBOT" sandbox status gwh --json)
  expect_contains "$(jq -r '.services[0].health_detail' <<<"$json")" "its container is exited"

  # Started again: Healthy again.
  engine POST "/containers/sandbox-gwh-web/start" >/dev/null
  i=0
  until [ "$("$SANDBOT" sandbox status gwh --json | jq -r .health)" = Healthy ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "not Healthy again after a start"
    sleep 0.2
  done
}
