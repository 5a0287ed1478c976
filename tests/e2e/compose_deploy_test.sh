# Compose apps: a pushed commit with a compose file (here the one `repo add
# --compose` names) deploys all its services (a database with a health check
# and a named volume seeded from a seed, a one-shot migration job, a web app
# built from a subfolder with a secret and a config, the gateway), in
# dependency order.

# compose_app_work DIR: a work tree holding the three-service app in
# compose.qa.yaml, and a compose.yaml that must not be read.
compose_app_work() {
  git init -q -b main "$1"
  mkdir -p "$1/web"
  printf 'services:\n  decoy:\n    image: not/on-the-engine:1\n' >"$1/compose.yaml"
  echo "swordfish" >"$1/api.key"
  echo "colour=blue" >"$1/app.conf"
  echo "SECRET_WORD=open-sesame" >"$1/.env"
  cat >"$1/compose.qa.yaml" <<'YAML'
services:
  db:
    image: sandbot/busybox:latest
    command: ["sh", "-c", "mkdir -p /data && echo ready > /data/ok && exec httpd -f -p 5432 -h /data"]
    expose: ["5432"]
    healthcheck:
      test: ["CMD", "test", "-f", "/data/ok"]
      interval: 1s
      retries: 30
    volumes: [dbdata:/data]
  migrate:
    image: sandbot/busybox:latest
    command: ["sh", "-c", "wget -q -O- http://db:5432/ok && date > /data/migrated"]
    volumes: [dbdata:/data]
    depends_on:
      db: {condition: service_healthy}
  web:
    build: {context: web, args: {FLAVOUR: sandboxed}}
    ports: ["8080"]
    environment:
      GREETING: ${GREETING:-hello}
    tty: true
    depends_on:
      migrate: {condition: service_completed_successfully}
    secrets: [api_key, {source: word, target: passphrase}]
    configs: [{source: app_conf, target: /etc/app.conf}]
volumes:
  dbdata: {}
secrets:
  api_key: {file: ./api.key}
  word: {environment: SECRET_WORD}
configs:
  app_conf: {file: app.conf}
x-sandbot:
  seeds: {dbdata: shop-seed}
  gateway: web
YAML
  cat >"$1/web/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
ARG FLAVOUR=plain
COPY page.txt /page.txt
RUN echo "flavour $FLAVOUR" > /flavour.txt
CMD ["sh", "-c", "mkdir -p /www && { cat /page.txt /flavour.txt; echo \"$GREETING from $SANDBOT_SERVICE\"; wget -q -O- http://db:5432/migrated >/dev/null && echo migrated; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  echo "version 1" >"$1/web/page.txt"
  git -C "$1" add -A
  git -C "$1" commit -qm "compose app v1"
}

test_compose_push_deploys_all_services() {
  # The gateway's port range: just above the test's --ports.
  GW_LO=$((${E2E_PORTS#*-} + 1))
  start_daemon --gateway-ports "$GW_LO-$((GW_LO + 9))"
  # The file's x-sandbot seed: the db's volume starts with its content.
  mkdir -p "$TEST_DIR/dump" && echo "seeded row" >"$TEST_DIR/dump/seed.txt"
  tar -C "$TEST_DIR/dump" -cf "$TEST_DIR/dump.tar" .
  "$SANDBOT" seed create shop-seed --from-file "$TEST_DIR/dump.tar" >/dev/null || fail "seed create"
  wait_seed shop-seed 1
  "$SANDBOT" repo add shop "$TEST_DIR/shop.git" --init --compose ./compose.qa.yaml >/dev/null ||
    fail "repo add"
  expect_contains "$("$SANDBOT" repo list)" "compose compose.qa.yaml" "repo list"
  expect_eq "$("$SANDBOT" repo list --json | jq -r '.[0].compose_file')" compose.qa.yaml
  out=$("$SANDBOT" repo add bad "$TEST_DIR/bad.git" --init --compose ../x.yaml 2>&1) &&
    fail "a compose file outside the repository was accepted"
  expect_contains "$out" "--compose must be a file's path inside the repository"
  WORK=$TEST_DIR/work-shop
  compose_app_work "$WORK"
  git -C "$WORK" remote add origin "$TEST_DIR/shop.git"
  git -C "$WORK" checkout -qb feature/cart

  out=$(push -o sandbot.wait origin feature/cart)
  expect_contains "$out" "compose.qa.yaml at $(git -C "$WORK" rev-parse --short=7 HEAD): 3 services"
  # A key sandbot does not run is named, not dropped in silence.
  expect_contains "$out" "warning: compose.qa.yaml:"
  expect_contains "$out" "services.web.tty"
  expect_contains "$out" "migrate completed (exit code 0)"
  expect_contains "$out" "sandbot: web running  http://127.0.0.1:"
  url=$(url_from "$out")
  page=$(curl -sf "$url/")
  expect_contains "$page" "version 1" "page"
  expect_contains "$page" "flavour sandboxed" "build arg"
  expect_contains "$page" "hello from web" "environment"
  expect_contains "$page" "migrated" "the job ran before the app"
  # The file's gateway has the sandbox's main URL, from the gateway range.
  expect_eq "${url##*:}" "$GW_LO" "the gateway's port"
  status=$("$SANDBOT" sandbox status feature-cart --json)
  expect_eq "$(jq -r '.gateway' <<<"$status")" web "gateway"
  expect_eq "$(jq -r '.main_url' <<<"$status")" "$url" "main URL"
  expect_not_contains "$out" "not deployed by sandbot yet"
  # Secrets and configs: read-only files, as sandbot's own secrets are.
  expect_eq "$(docker exec sandbox-feature-cart-web cat /run/secrets/api_key)" swordfish "secret file"
  expect_eq "$(docker exec sandbox-feature-cart-web cat /run/secrets/passphrase)" open-sesame \
    "secret from a variable"
  expect_eq "$(docker exec sandbox-feature-cart-web cat /etc/app.conf)" colour=blue "config"
  docker exec sandbox-feature-cart-web sh -c 'echo x > /run/secrets/api_key' 2>/dev/null &&
    fail "a secret file is writable"

  status=$("$SANDBOT" sandbox status feature-cart --json)
  expect_eq "$(jq -r '[.services[].name] | sort | join(",")' <<<"$status")" db,migrate,web \
    "services"
  expect_eq "$(jq -r '.services[] | select(.name == "db") | .status' <<<"$status")" running
  expect_eq "$(jq -r '.services[] | select(.name == "migrate") | .status' <<<"$status")" stopped
  expect_eq "$(engine GET /containers/sandbox-feature-cart-db/json | jq -r '.State.Health.Status')" \
    healthy "db health"
  expect_eq "$(engine GET /volumes/sandbox-feature-cart-dbdata | jq -r '.Labels["sandbot.sandbox"]')" \
    feature-cart "volume label"
  expect_eq "$(docker run --rm --network none \
    -v sandbox-feature-cart-dbdata:/d:ro sandbot/busybox:latest cat /d/seed.txt)" "seeded row" \
    "the seeded volume"
  expect_not_contains "$out" "x-sandbot.seeds" "seeds are deployed, not warned about"

  # Suspend and resume: the app answers again; the job is not run again.
  "$SANDBOT" sandbox suspend feature-cart --wait >/dev/null || fail "suspend"
  out=$("$SANDBOT" sandbox resume feature-cart --wait) || fail "resume: $out"
  expect_contains "$(curl -sf "$url/")" "version 1" "page after resume"
  status=$("$SANDBOT" sandbox status feature-cart --json)
  expect_eq "$(jq -r '[.services[] | .status] | sort | join(",")' <<<"$status")" \
    running,running,stopped "statuses after resume"

  # Redeploy: a new page on the same URL; the volume's data stays.
  first=$(engine GET /containers/sandbox-feature-cart-db/json | jq -r '.Id')
  echo "version 2" >"$WORK/web/page.txt"
  git -C "$WORK" commit -qam "compose app v2"
  out=$(push -o sandbot.wait origin feature/cart)
  expect_eq "$(url_from "$out")" "$url" "url after redeploy"
  expect_contains "$(curl -sf "$url/")" "version 2" "page after redeploy"
  [ "$(engine GET /containers/sandbox-feature-cart-db/json | jq -r '.Id')" != "$first" ] ||
    fail "db was not recreated"

  # Several repos, one sandbox: web is a compose service of shop, taken at
  # main (version 1) while the rest follows feature/cart (version 2).
  push -q origin main >/dev/null
  out=$("$SANDBOT" sandbox create qa-mix shop@feature/cart web@main --wait) ||
    fail "create qa-mix: $out"
  expect_contains "$out" "web@main $(git -C "$WORK" rev-parse --short=7 main) (from shop's compose file"
  status=$("$SANDBOT" sandbox status qa-mix --json)
  expect_eq "$(jq -r '[.services[] | .name + "@" + .branch] | sort | join(",")' <<<"$status")" \
    db@feature/cart,migrate@feature/cart,web@main "qa-mix services"
  mix_url=$(jq -r '.main_url' <<<"$status")
  expect_contains "$(curl -sf "$mix_url/")" "version 1" "web@main's page"
  # /deploy and /route act on one compose service of the mixed sandbox.
  out=$("$SANDBOT" deploy web feature/cart to qa-mix --wait 2>&1) || fail "deploy web in qa-mix: $out"
  expect_contains "$(curl -sf "$mix_url/")" "version 2" "web@feature/cart's page in qa-mix"
  expect_eq "$("$SANDBOT" sandbox status qa-mix --json | jq -r '.services[] | select(.name == "web") | .branch')" \
    feature/cart "web's branch after /deploy"
  # A route recreates the services in their file's order (web waits for
  # db again); the migration job, done, is not run again.
  migrate_id=$(engine GET /containers/sandbox-qa-mix-migrate/json | jq -r .Id)
  out=$("$SANDBOT" route db http://127.0.0.1:9 in qa-mix --wait 2>&1) || fail "route db in qa-mix: $out"
  expect_contains "$("$SANDBOT" route list qa-mix)" "http://127.0.0.1:9"
  out=$("$SANDBOT" route db sandbox in qa-mix --wait 2>&1) || fail "route db back in qa-mix: $out"
  expect_not_contains "$("$SANDBOT" route list qa-mix)" "http://127.0.0.1:9"
  expect_contains "$(curl -sf "$mix_url/")" "version 2" "qa-mix's page after the routes"
  expect_eq "$(engine GET /containers/sandbox-qa-mix-migrate/json | jq -r .Id)" "$migrate_id" \
    "the migration job's container after two route changes"
  "$SANDBOT" sandbox destroy qa-mix >/dev/null || fail "destroy qa-mix"

  # Bad input: refused before anything is built, naming file, line and key;
  # what runs stays.
  sed -i 's/^  web:$/  web:\n    privileged: true/' "$WORK/compose.qa.yaml"
  echo "version 3" >"$WORK/web/page.txt"
  git -C "$WORK" commit -qam "privileged"
  out=$(push -o sandbot.wait origin feature/cart)
  expect_contains "$out" "refused: compose.qa.yaml:18: services.web.privileged"
  expect_not_contains "$out" "db failed"
  expect_contains "$(curl -sf "$url/")" "version 2" "page after a refused push"
  [ -z "$(engine GET "/images/sandbot/shop-web:$(git -C "$WORK" rev-parse --short=12 HEAD)/json")" ] ||
    fail "the refused commit was built"

  out=$(push -o sandbot.wait origin :feature/cart)
  expect_contains "$out" "sandbox feature-cart destroyed"
  expect_eq "$(containers_with_label sandbot.sandbox=feature-cart)" "" "containers"
  ! curl -sf --max-time 2 "$url/" >/dev/null || fail "$url still answers"
  # The volume goes with the sandbox; the seed stays.
  ! engine GET /volumes/sandbox-feature-cart-dbdata >/dev/null || fail "the volume outlived destroy"
  expect_contains "$("$SANDBOT" seed show shop-seed)" "ready" "the seed after destroy"
}
