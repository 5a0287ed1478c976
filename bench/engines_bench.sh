# Several engines (issue 15): 20 sandboxes created at once across two
# engines, the main one (its unix socket) and one of the bench's own (a
# second dockerd over mutual TLS, tests/e2e/tls_engine.sh), each with its
# own host port range. One daemon; the 20 `sandbox create` run in parallel.
# Counted from the store and from both engines: sandboxes per engine, none
# lost (20 rows, 20 services running, 20 containers), none placed twice (no
# sandbox's container on both engines), ports unique per engine; and the
# time from the first create to the last job done. Sourced by bench/run.sh
# (BENCH_PARTS=engines).

ENGINES_SANDBOXES=${ENGINES_SANDBOXES:-20}
ENGINES_HTTP=${ENGINES_HTTP:-127.0.0.1:18096}
ENGINES_PORTS_LOCAL=${ENGINES_PORTS_LOCAL:-19800-19849}
ENGINES_PORTS_FAR=${ENGINES_PORTS_FAR:-19850-19899}
ENGINES_PID=

stop_engines_bench() {
  if [ -n "$ENGINES_PID" ]; then
    kill -TERM "$ENGINES_PID" 2>/dev/null || true
    wait "$ENGINES_PID" 2>/dev/null || true
    ENGINES_PID=
  fi
  stop_tls_engine
}

bench_engines() {
  say "$ENGINES_SANDBOXES sandboxes created at once across two engines (local socket + mutual TLS)"
  TLS_ENGINE_DIR=$DIR/engines-engine
  mkdir -p "$TLS_ENGINE_DIR"
  start_tls_engine || die "a second dockerd cannot run here: $TLS_ENGINE_WHY"
  local rootfs
  rootfs="$(dirname "$SANDBOT")/busybox-rootfs.tar"
  "$SANDBOT" image import --docker "unix://$TLS_ENGINE_SOCK" "$rootfs" sandbot/busybox:latest \
    >/dev/null || die "cannot import sandbot/busybox:latest into the second engine"
  if ! engine GET /images/sandbot/busybox:latest/json >/dev/null; then
    "$SANDBOT" image import "$rootfs" sandbot/busybox:latest >/dev/null ||
      die "cannot import sandbot/busybox:latest"
  fi
  local data=$DIR/engines/data log=$DIR/engines/daemon.log work=$DIR/engines/work
  mkdir -p "$data"
  cat >"$data/config.json" <<JSON
{"engines": {
  "local": {"url": "unix://$DOCKER_SOCK", "ports": "$ENGINES_PORTS_LOCAL"},
  "far": {"url": "$TLS_ENGINE_URL", "tls": "$TLS_ENGINE_DIR/certs/client", "ports": "$ENGINES_PORTS_FAR"}}}
JSON
  "$SANDBOT" serve --data "$data" --listen "$ENGINES_HTTP" --health-timeout 60 --workers 8 \
    >>"$log" 2>&1 &
  ENGINES_PID=$!
  wait_started "$ENGINES_PID" "$log" "the engines daemon" \
    curl -sf --unix-socket "$data/sandbot.sock" http://local/v1/ping
  export SANDBOT_DATA=$data
  "$SANDBOT" repo add "$RUN" "$DIR/engines/$RUN.git" --init --port 8080 --health / \
    >"$DIR/engines/repo-add.out" || die "repo add: $(cat "$DIR/engines/repo-add.out")"
  git init -q -b main "$work"
  cat >"$work/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
CMD ["sh", "-c", "mkdir -p /www && echo \"commit $SANDBOT_COMMIT\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  git -C "$work" add -A
  git -C "$work" commit -qm "app"
  git -C "$work" push -q "$DIR/engines/$RUN.git" HEAD:main 2>/dev/null
  local i t0 t1 n=$ENGINES_SANDBOXES
  t0=$(now_us)
  # Only the creates are waited for (the daemon and dockerd are children too).
  local pids=()
  for i in $(seq 1 "$n"); do
    "$SANDBOT" sandbox create "feature-$RUN-e$i" "$RUN@main" >"$DIR/engines/create-$i.out" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in $(seq 1 "$n"); do
    grep -q "creating sandbox" "$DIR/engines/create-$i.out" ||
      die "create $i: $(cat "$DIR/engines/create-$i.out")"
  done
  local edb="sqlite3 $data/sandbot.db"
  i=0
  while [ "$($edb "SELECT COUNT(*) FROM jobs WHERE state IN ('queued','running')")" != 0 ]; do
    i=$((i + 1))
    [ $i -lt 3000 ] || die "jobs still pending after 300 s"
    sleep 0.1
  done
  t1=$(now_us)
  local rows running failed per_engine dup_ports local_c far_c both
  rows=$($edb "SELECT COUNT(*) FROM sandboxes WHERE name LIKE 'feature-$RUN-e%'")
  running=$($edb "SELECT COUNT(*) FROM services WHERE status = 'running'")
  failed=$($edb "SELECT COUNT(*) FROM jobs WHERE state = 'failed'")
  per_engine=$($edb "SELECT engine || ' ' || COUNT(*) FROM sandboxes GROUP BY engine ORDER BY engine" | paste -sd, -)
  dup_ports=$($edb "SELECT COUNT(*) FROM (SELECT b.engine, p.port FROM ports p JOIN services s ON s.id = p.service_id
                    JOIN sandboxes b ON b.id = s.sandbox_id GROUP BY b.engine, p.port HAVING COUNT(*) > 1)")
  local_c=$(containers_with_label "sandbot.repo=$RUN" | wc -l)
  far_c=$(tls_engine GET "/containers/json?filters=$(uri "{\"label\":[\"sandbot.repo=$RUN\"]}")" | jq length)
  # A sandbox placed twice would have a container on both engines.
  both=$(comm -12 \
    <(engine GET "/containers/json?filters=$(uri "{\"label\":[\"sandbot.repo=$RUN\"]}")" | jq -r '.[].Names[0]' | sort) \
    <(tls_engine GET "/containers/json?filters=$(uri "{\"label\":[\"sandbot.repo=$RUN\"]}")" | jq -r '.[].Names[0]' | sort) | wc -l)
  jq -n --argjson n "$n" --argjson rows "$rows" --argjson running "$running" --argjson failed "$failed" \
    --arg per "$per_engine" --argjson dup "$dup_ports" --argjson lc "$local_c" --argjson fc "$far_c" \
    --argjson both "$both" --argjson ms "$(((t1 - t0) / 1000))" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{sandboxes: $n, rows: $rows, running: $running, failed_jobs: $failed, per_engine: $per,
      duplicate_ports: $dup, containers_local: $lc, containers_far: $fc, on_both: $both, ms: $ms, load: $load}' \
    >"$DIR/results/engines.json"
  say "  $(jq -c . "$DIR/results/engines.json")"
  pids=()
  for i in $(seq 1 "$n"); do
    "$SANDBOT" sandbox destroy "feature-$RUN-e$i" >/dev/null 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}"
  i=0
  while [ "$($edb "SELECT COUNT(*) FROM jobs WHERE state IN ('queued','running')")" != 0 ] && [ $i -lt 1200 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  unset SANDBOT_DATA
  stop_engines_bench
}

engines_summary() {
  local f=$DIR/results/engines.json
  [ -f "$f" ] || return 0
  echo "$(jq -r .sandboxes "$f") sandboxes created at once across two engines (issue 15)"
  jq -r '"  placed per engine                      \(.per_engine)   (containers: local \(.containers_local), far \(.containers_far); on both: \(.on_both))",
    "  none lost                              \(.rows) rows, \(.running) services running, \(.failed_jobs) jobs failed",
    "  ports unique per engine                \(.duplicate_ports) ports held twice on one engine",
    "  first create → last job done           \(.ms / 1000) s   (load \(.load))"' "$f"
}
