# Routes: every container gets {SERVICE}_URL for every known service, and a
# route change reaches the running containers without a rebuild. This is
# the path without a sandbox router (`serve --no-router`, a Swarm engine, a
# service not known to be HTTP): {SERVICE}_URL follows the route and the
# containers are recreated. Through the router (the default):
# tests/e2e/router_test.sh.

test_route_switch_changes_env_without_rebuild() {
  start_fake_chat  # writes the config with the api baseline
  start_daemon --memory 64 --cpus 0.5 --no-router
  new_app_repo api --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/r 2>/dev/null
  new_app_repo web --auto-branches 'auto/*'
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && env | grep _URL= | sort > /www/index.html && cat /etc/sandbot/routes.json >> /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$WORK" commit -qam "print routes"
  git -C "$WORK" push -q origin main:feature/r 2>/dev/null

  out=$("$SANDBOT" sandbox create qa-route web@feature/r --wait)
  expect_contains "$out" "web running"
  url=$("$SANDBOT" sandbox status qa-route --json | jq -r '.services[0].url')
  page=$(curl -sf "$url/")
  expect_contains "$page" "API_URL=https://api-dev.example.com" "page"
  expect_contains "$page" "WEB_URL=http://web:8080" "page"
  # The same table, mounted read-only as JSON.
  json=$(sed -n '/^{/,$p' <<<"$page")
  expect_eq "$(jq -r .api.route <<<"$json")" baseline "routes.json api route"
  expect_eq "$(jq -r .web.url <<<"$json")" http://web:8080 "routes.json web url"
  # Limits from --memory and --cpus, through the Engine API.
  inspect=$(engine GET /containers/sandbox-qa-route-web/json)
  expect_eq "$(jq .HostConfig.Memory <<<"$inspect")" $((64 * 1024 * 1024)) "memory limit"
  expect_eq "$(jq .HostConfig.NanoCpus <<<"$inspect")" 500000000 "cpu limit"
  expect_contains "$(jq -r '.HostConfig.Binds[]' <<<"$inspect")" ":/etc/sandbot:ro"
  before=$(engine GET /containers/sandbox-qa-route-web/json)

  out=$("$SANDBOT" route api sandbox in qa-route 2>&1) && fail "routed to a service not deployed"
  expect_contains "$out" "api is not deployed in qa-route"

  "$SANDBOT" deploy api feature/r to qa-route --wait >/dev/null
  out=$("$SANDBOT" route api sandbox in qa-route --wait)
  expect_contains "$out" "Routed api to sandbox in qa-route"
  expect_contains "$out" "routes applied to 2 containers"
  expect_contains "$(curl -sf "$url/")" "API_URL=http://api:8080"
  expect_eq "$(curl -sf "$url/" | sed -n '/^{/,$p' | jq -r .api.url)" http://api:8080 "routes.json"

  out=$("$SANDBOT" route api http://127.0.0.1:9 in qa-route --wait)
  expect_contains "$(curl -sf "$url/")" "API_URL=http://127.0.0.1:9"
  expect_contains "$("$SANDBOT" route list qa-route)" "api"

  # No rebuild: a new container from the same image.
  after=$(engine GET /containers/sandbox-qa-route-web/json)
  expect_eq "$(jq -r .Image <<<"$after")" "$(jq -r .Image <<<"$before")" "image"
  [ "$(jq -r .Id <<<"$after")" != "$(jq -r .Id <<<"$before")" ] || fail "container not recreated"
  expect_eq "$(db "SELECT COUNT(*) FROM job_events e JOIN jobs j ON j.id = e.job_id
                   WHERE j.kind = 'reroute' AND e.stage = 'building'")" 0 "builds by reroutes"
}
