# Docker Swarm: `sandbot serve --swarm` against a single-node swarm of the
# test's own (tests/e2e/swarm_engine.sh; a single-node swarm is a real
# swarm): a sandbox becomes Swarm services on an attachable overlay network,
# its secrets Swarm secrets; deploy, route, suspend/resume and destroy work
# on services as on containers. Skips loudly when a swarm cannot run here.
. tests/e2e/swarm_engine.sh

# service_of NAME: the service standing for container NAME (its Swarm name
# may carry a suffix after a redeploy: the name sandbot knows is a label).
service_of() {
  swarm_engine GET "/services?filters=$(jq -rn --arg n "$1" '{label: ["sandbot.swarm.name=" + $n]} | @uri')" |
    jq '.[0]'
}

test_swarm_sandbox_lifecycle() {
  swarm_engine_up
  # Refused when the engine is not a swarm manager (the main engine, read
  # only: GET /info).
  serve_fails --engine plain=unix:///var/run/docker.sock --swarm
  expect_contains "$out" "is not in a swarm (LocalNodeState inactive)"
  expect_contains "$out" "docker swarm init"

  publish=ingress
  why=$(routing_mesh_missing)
  if [ -n "$why" ]; then
    # Said, not hidden: the ports are then published on the manager itself.
    echo "NOTE: no routing mesh here ($why): ports published in host mode" >&2
    publish=host
  fi
  start_daemon --engine "swarm=unix://$SWARM_SOCK" --swarm --swarm-publish "$publish" \
    --reconcile-seconds 1
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "(Swarm manager "

  # Deploy: two services of one sandbox, their secret a Swarm secret.
  new_app_repo api
  git -C "$WORK" push -q origin main 2>/dev/null
  new_app_repo web
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && { env | grep _URL= | sort; echo \"token=$(cat /run/secrets/TOKEN)\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$WORK" commit -qam "print routes and the secret"
  git -C "$WORK" push -q origin main 2>/dev/null
  secret="Sw4rm-$(openssl rand -hex 8)"
  "$SANDBOT" sandbox create feature-sw >/dev/null
  "$SANDBOT" env create swqa >/dev/null
  "$SANDBOT" env set swqa "TOKEN=$secret" --secret >/dev/null
  "$SANDBOT" env attach swqa feature-sw >/dev/null
  out=$("$SANDBOT" deploy web main to feature-sw --wait)
  expect_contains "$out" "web running"
  out=$("$SANDBOT" deploy api main to feature-sw --wait)
  expect_contains "$out" "api running"
  url=$("$SANDBOT" sandbox status feature-sw --json | jq -r '.services[] | select(.name == "web") | .url')
  page=$(curl -sf "$url/")
  expect_contains "$page" "token=$secret" "page (the Swarm secret)"

  services=$(swarm_engine GET /services | jq -r '.[].Spec.Labels["sandbot.swarm.name"]' | sort | tr '\n' ' ')
  expect_eq "$services" "sandbox-feature-sw-api sandbox-feature-sw-web " "services in the swarm"
  expect_eq "$(swarm_engine GET /containers/json | jq -r '.[].Names[0]' | grep -c '^/sandbox-feature-sw-')" \
    2 "task containers"
  net=$(swarm_engine GET /networks/sandbox-feature-sw)
  expect_eq "$(jq -r '.Driver, .Scope, .Attachable' <<<"$net" | tr '\n' ' ')" "overlay swarm true " \
    "network"
  spec=$(service_of sandbox-feature-sw-web | jq .Spec)
  expect_eq "$(jq -r .Name <<<"$spec")" sandbox-feature-sw-web "Swarm name"
  expect_eq "$(jq -r '.Labels["sandbot.sandbox"]' <<<"$spec")" feature-sw "service label"
  expect_eq "$(jq -r '.TaskTemplate.ContainerSpec.Secrets[0].File.Name' <<<"$spec")" \
    /run/secrets/TOKEN "secret target"
  expect_eq "$(swarm_engine GET /secrets | jq length)" 1 "swarm secrets"
  expect_not_contains "$(swarm_engine GET /services)" "$secret" "the specs"

  # Route: web's API_URL points at the api service of the sandbox, whose
  # name answers on the overlay network.
  out=$("$SANDBOT" route api sandbox in feature-sw --wait)
  expect_contains "$out" "Routed api to sandbox in feature-sw"
  # No sandbox router on a Swarm engine (the services above are the app's
  # only): the route is applied by updating the services.
  expect_contains "$out" "recreated)" "route change by recreating"
  expect_not_contains "$out" "routes applied by the router"
  expect_contains "$(curl -sf "$url/")" "API_URL=http://api:8080"
  task=$(swarm_engine GET '/containers/json' | jq -r '.[] | select(.Labels["sandbot.service"] == "web") | .Id')
  expect_contains "$(swarm_docker exec "$task" wget -qO- http://api:8080/)" "commit " "api over the overlay"

  # Suspend: replicas 0, the port closed; resume: the same URL again.
  out=$("$SANDBOT" sandbox suspend feature-sw --wait)
  expect_contains "$out" "sandbox feature-sw suspended (2 containers stopped"
  expect_eq "$(service_of sandbox-feature-sw-web | jq .Spec.Mode.Replicated.Replicas)" 0 \
    "replicas while suspended"
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url answers while suspended"
  out=$("$SANDBOT" sandbox resume feature-sw --wait)
  expect_contains "$out" "sandbox feature-sw resumed (2 containers started)"
  expect_contains "$(curl -sf "$url/")" "token=$secret" "page after resume"

  # The reconciler: a task that died is started again.
  task=$(swarm_engine GET '/containers/json' | jq -r '.[] | select(.Labels["sandbot.service"] == "web") | .Id')
  swarm_engine POST "/containers/$task/kill" >/dev/null
  i=0
  until [ "$(db "SELECT COUNT(*) FROM audit WHERE action = 'reconcile.restarted'")" -ge 1 ] &&
    curl -sf --max-time 2 "$url/" >/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the killed task was not started again: $(db "SELECT detail FROM audit WHERE action LIKE 'reconcile%'")"
    sleep 0.3
  done

  # Destroy: services, network and secrets gone.
  "$SANDBOT" sandbox destroy feature-sw >/dev/null
  i=0
  until [ "$(swarm_engine GET /services | jq length)" = 0 ] &&
    ! swarm_engine GET /networks/sandbox-feature-sw >/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || break
    sleep 0.3
  done
  expect_eq "$(swarm_engine GET /services | jq length)" 0 "services left"
  expect_eq "$(swarm_engine GET /secrets | jq length)" 0 "secrets left"
  swarm_engine GET /networks/sandbox-feature-sw >/dev/null && fail "network left"
  stop_daemon
}
