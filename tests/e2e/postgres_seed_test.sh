# A real database in a sandbox (issue 12): PostgreSQL 15 from Debian's own
# package (make postgres-image), its data volume seeded from a seed made
# from a dump, a web page reading a row, in two sandboxes: a DELETE in one
# leaves the other and the seed alone, a redeploy keeps the data, clone
# copies it, destroy removes it.

# The image, built once from the installed postgresql-15 and cached beside
# the binary (scripts/postgres-rootfs.sh).
ensure_postgres_image() {
  engine GET /images/sandbot/postgres:15/json >/dev/null && return 0
  local tar
  tar=$(dirname "$SANDBOT")/postgres-rootfs.tar
  [ -f "$tar" ] || scripts/postgres-rootfs.sh "$tar" || return 1
  "$SANDBOT" image import "$tar" sandbot/postgres:15 >/dev/null
}

# page URL: the web page's rows, retried while the database starts.
rows_page() {
  local i=0 out
  while :; do
    out=$(curl -sf "$1/cgi-bin/rows") && [ "${out#ERR}" = "$out" ] && { echo "$out"; return 0; }
    i=$((i + 1))
    [ $i -lt 150 ] || { echo "no answer: $out"; return 1; }
    sleep 0.2
  done
}

psql_in() {  # psql_in CONTAINER SQL
  docker exec "$1" sh -c "PGPASSWORD=pw /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 \
    -U app -d app -tAc \"$2\""
}

test_postgres_seeded_per_sandbox() {
  command -v docker >/dev/null || { skip "no docker CLI"; return; }
  [ -x /usr/lib/postgresql/15/bin/postgres ] ||
    engine GET /images/sandbot/postgres:15/json >/dev/null ||
    { skip "postgresql-15 is not installed (scripts/install-deps.sh)"; return; }
  ensure_postgres_image || { fail "cannot build sandbot/postgres:15"; return; }
  start_daemon

  # The dump: a data folder with one row, made by the same image.
  local dumpvol="sandbot-e2e-pgdump-$$"
  docker run -d --name "$dumpvol" --network none -v "$dumpvol:/var/lib/postgresql/data" \
    -e POSTGRES_USER=app -e POSTGRES_PASSWORD=pw sandbot/postgres:15 /usr/local/bin/pg-entry \
    >/dev/null
  local i=0
  until psql_in "$dumpvol" "CREATE TABLE t(v text); INSERT INTO t VALUES ('hello from the seed')" \
    >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 150 ] || { fail "the dump's postgres: $(docker logs "$dumpvol" 2>&1 | tail -5)"; break; }
    sleep 0.2
  done
  docker stop -t 20 "$dumpvol" >/dev/null
  docker run --rm --network none -v "$dumpvol:/d:ro" sandbot/busybox:latest tar -C /d -cf - . \
    >"$TEST_DIR/pgdump.tar"
  docker rm -f "$dumpvol" >/dev/null
  docker volume rm "$dumpvol" >/dev/null
  "$SANDBOT" seed create pg-weekly --from-file "$TEST_DIR/pgdump.tar" >/dev/null
  i=0
  until "$SANDBOT" seed show pg-weekly | grep -q "^state: ready"; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "seed: $("$SANDBOT" seed show pg-weekly)"; return; }
    sleep 0.1
  done

  # db: the image as it is; web: busybox httpd with a CGI page running psql.
  "$SANDBOT" repo add db "$TEST_DIR/db.git" --init --port 5432 --health "" >/dev/null
  WORK=$TEST_DIR/work-db
  new_app_work "$WORK"
  git -C "$WORK" remote add origin "$TEST_DIR/db.git"
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/postgres:15
CMD ["/usr/local/bin/pg-entry"]
DOCKERFILE
  git -C "$WORK" commit -qam "postgres"
  git -C "$WORK" push -q origin main 2>/dev/null
  local dbwork=$WORK
  new_app_repo web
  mkdir -p "$WORK/cgi-bin"
  cat >"$WORK/cgi-bin/rows" <<'CGI'
#!/bin/sh
echo "Content-Type: text/plain"
echo
PGPASSWORD=pw /usr/lib/postgresql/15/bin/psql -h db -U app -d app -tAc \
  "SELECT v FROM t ORDER BY v" 2>&1 || echo "ERR"
CGI
  chmod +x "$WORK/cgi-bin/rows"
  cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/postgres:15
COPY cgi-bin /www/cgi-bin
CMD ["sh", "-c", "echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$WORK" add -A
  git -C "$WORK" commit -qm "web page reading a row"
  git -C "$WORK" push -q origin main 2>/dev/null
  cat >"$TEST_DIR/pgapp.json" <<'JSON'
{"sandbot_template": 1, "name": "pgapp", "gateway": "web",
 "services": {"web": {"branch": "main"},
              "db": {"branch": "main",
                     "volumes": {"pgdata": {"target": "/var/lib/postgresql/data",
                                            "seed": "pg-weekly"}}}}}
JSON
  "$SANDBOT" template import "$TEST_DIR/pgapp.json" >/dev/null
  out=$("$SANDBOT" sandbox create pg-a from pgapp --wait)
  expect_contains "$out" "db running"
  out=$("$SANDBOT" sandbox create pg-b from pgapp --wait)
  expect_contains "$out" "web running"
  local url_a url_b
  url_a=$("$SANDBOT" sandbox status pg-a --json | jq -r '.services[] | select(.name == "web") | .url')
  url_b=$("$SANDBOT" sandbox status pg-b --json | jq -r '.services[] | select(.name == "web") | .url')
  expect_eq "$(rows_page "$url_a")" "hello from the seed" "pg-a's page"
  expect_eq "$(rows_page "$url_b")" "hello from the seed" "pg-b's page"

  # A destructive DELETE in pg-a: pg-b and the seed keep the row.
  psql_in sandbox-pg-a-db "DELETE FROM t" >/dev/null
  expect_eq "$(curl -sf "$url_a/cgi-bin/rows")" "" "pg-a's page after DELETE"
  expect_eq "$(rows_page "$url_b")" "hello from the seed" "pg-b's page after pg-a's DELETE"

  # Redeploying pg-a's database keeps its (emptied) data.
  echo "# again" >>"$dbwork/Dockerfile"
  git -C "$dbwork" commit -qam "db again"
  git -C "$dbwork" push -q origin main 2>/dev/null
  out=$("$SANDBOT" deploy db main to pg-a --wait)
  expect_contains "$out" "db running"
  i=0
  until [ "$(psql_in sandbox-pg-a-db "SELECT count(*) FROM t" 2>/dev/null)" = 0 ]; do
    i=$((i + 1))
    [ $i -lt 150 ] || { fail "pg-a's table after the redeploy"; break; }
    sleep 0.2
  done

  # Clone copies pg-b's data; destroy removes pg-a's volume.
  "$SANDBOT" sandbox suspend pg-b --wait >/dev/null # a consistent copy: its postgres stopped
  out=$("$SANDBOT" sandbox clone pg-b pg-c --wait)
  expect_contains "$out" "db running"
  url_c=$("$SANDBOT" sandbox status pg-c --json | jq -r '.services[] | select(.name == "web") | .url')
  expect_eq "$(rows_page "$url_c")" "hello from the seed" "the clone's page"
  "$SANDBOT" sandbox destroy pg-a >/dev/null
  i=0
  until [ "$(db "SELECT state FROM jobs WHERE kind = 'destroy' AND sandbox = 'pg-a'")" = succeeded ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "the destroy of pg-a did not finish"; break; }
    sleep 0.1
  done
  engine GET /volumes/sandbox-pg-a-pgdata >/dev/null && fail "pg-a's volume outlived it"
  expect_contains "$(db "SELECT group_concat(e.message) FROM job_events e JOIN jobs j ON j.id = e.job_id
                         WHERE j.kind = 'destroy' AND j.sandbox = 'pg-a'")" "1 volumes removed"
  # A new sandbox still starts from the seed's row.
  "$SANDBOT" sandbox resume pg-b --wait >/dev/null
  expect_eq "$(rows_page "$url_b")" "hello from the seed" "pg-b after resume"
}
