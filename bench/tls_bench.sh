# The TLS figure (issue 15): push → page answers through an engine over
# mutual TLS beside the same through its unix socket. One engine of the
# bench's own (tests/e2e/tls_engine.sh: a second dockerd with its own
# folders, socket, address pool, and tcp://127.0.0.1:PORT with --tlsverify),
# so both sides drive the very same engine and only the transport differs.
# Two daemons, each with its own data folder, repo and live sandbox: one
# with --engine local=unix://…, one with --engine far=tcp://… --engine-tls.
# Each round commits twice (a new page each time, so neither side gets the
# other's build cache) and pushes one commit to each side, alternating who
# goes first. Sourced by bench/run.sh (BENCH_PARTS=tls).

TLS_ROUNDS=${TLS_ROUNDS:-10}
TLS_SIDE_HTTP_UNIX=${TLS_SIDE_HTTP_UNIX:-127.0.0.1:18094}
TLS_SIDE_HTTP_TLS=${TLS_SIDE_HTTP_TLS:-127.0.0.1:18095}
TLS_SIDE_PORTS_UNIX=${TLS_SIDE_PORTS_UNIX:-19700-19749}
TLS_SIDE_PORTS_TLS=${TLS_SIDE_PORTS_TLS:-19750-19799}

# tests/e2e/tls_engine.sh reports through fail(); here a failure ends the bench.
fail() { die "$*"; }
. tests/e2e/tls_engine.sh

declare -A TLS_PID TLS_URL

# tls_side SIDE ARGS…: a daemon for SIDE (unix or tls), its repo
# $RUN-SIDE (remote SIDE of $TLS_WORK), and its live sandbox deployed once.
tls_side() {
  local side=$1 http ports
  shift
  if [ "$side" = unix ]; then http=$TLS_SIDE_HTTP_UNIX ports=$TLS_SIDE_PORTS_UNIX; else
    http=$TLS_SIDE_HTTP_TLS ports=$TLS_SIDE_PORTS_TLS; fi
  local data=$DIR/tls-$side/data log=$DIR/tls-$side/daemon.log
  mkdir -p "$data"
  "$SANDBOT" serve --data "$data" --listen "$http" --ports "$ports" --health-timeout 30 "$@" \
    >>"$log" 2>&1 &
  TLS_PID[$side]=$!
  wait_started "${TLS_PID[$side]}" "$log" "the $side daemon" \
    curl -sf --unix-socket "$data/sandbot.sock" http://local/v1/ping
  SANDBOT_DATA=$data "$SANDBOT" repo add "$RUN-$side" "$DIR/tls-$side/$RUN.git" --init \
    --port 8080 --health / >"$DIR/tls-$side/repo-add.out" ||
    die "repo add: $(cat "$DIR/tls-$side/repo-add.out")"
  git -C "$TLS_WORK" remote add "$side" "$DIR/tls-$side/$RUN.git"
  local out
  out=$(git -C "$TLS_WORK" push -o sandbot.wait "$side" "HEAD:feature/$RUN-$side" 2>&1) ||
    die "first deploy on the $side side: $out"
  TLS_URL[$side]=$(printf '%s\n' "$out" | sed -n 's/.* running  \(http:[^ ]*\).*/\1/p' | tail -n 1)
  [ -n "${TLS_URL[$side]}" ] || die "the first deploy on the $side side reported no URL: $out"
}

# tls_round SIDE ROUND: a new commit pushed to SIDE; its milliseconds from
# `git push` to the page answering with it, appended to results/tls_SIDE.ms.
tls_round() {
  local side=$1 round=$2 sha t0 t1 out
  echo "$RUN $side round $round $(date +%s%N)" >"$TLS_WORK/page.txt"
  git -C "$TLS_WORK" commit -qam "$side round $round"
  sha=$(git -C "$TLS_WORK" rev-parse HEAD)
  sleep "$SETTLE"
  t0=$(now_us)
  out=$(git -C "$TLS_WORK" push -o sandbot.wait "$side" "HEAD:feature/$RUN-$side" 2>&1) ||
    die "push to the $side side failed: $out"
  case "$out" in *" running  ${TLS_URL[$side]}"*) ;; *) die "$side side: $out" ;; esac
  expect_page "${TLS_URL[$side]}" "commit $sha"
  t1=$(now_us)
  TLS_MS=$(((t1 - t0) / 1000))
  [ "$round" -gt 0 ] && echo "$TLS_MS" >>"$DIR/results/tls_$side.ms"
  return 0
}

stop_tls_bench() {
  local side
  for side in "${!TLS_PID[@]}"; do
    kill -TERM "${TLS_PID[$side]}" 2>/dev/null || true
    wait "${TLS_PID[$side]}" 2>/dev/null || true
  done
  TLS_PID=()
  stop_tls_engine
}

bench_tls() {
  say "push→healthy through mutual TLS vs the unix socket, one engine of the bench's own: 1 warm-up + $TLS_ROUNDS rounds"
  TLS_ENGINE_DIR=$DIR/tls-engine
  mkdir -p "$TLS_ENGINE_DIR"
  start_tls_engine || die "a second dockerd cannot run here: $TLS_ENGINE_WHY"
  "$SANDBOT" image import --docker "unix://$TLS_ENGINE_SOCK" \
    "$(dirname "$SANDBOT")/busybox-rootfs.tar" sandbot/busybox:latest >/dev/null ||
    die "cannot import sandbot/busybox:latest into the TLS engine"
  TLS_WORK=$DIR/tls-work
  git init -q -b main "$TLS_WORK"
  cat >"$TLS_WORK/Dockerfile" <<'DOCKERFILE'
FROM sandbot/busybox:latest
COPY page.txt /page.txt
CMD ["sh", "-c", "mkdir -p /www && { cat /page.txt; echo \"commit $SANDBOT_COMMIT\"; } > /www/index.html && exec httpd -f -p 8080 -h /www"]
DOCKERFILE
  echo "$RUN tls version 1" >"$TLS_WORK/page.txt"
  git -C "$TLS_WORK" add -A
  git -C "$TLS_WORK" commit -qm "app v1"
  tls_side unix --engine "local=unix://$TLS_ENGINE_SOCK"
  tls_side tls --engine "far=$TLS_ENGINE_URL" --engine-tls "far=$TLS_ENGINE_DIR/certs/client"
  local round ms_unix ms_tls
  for round in $(seq 0 "$TLS_ROUNDS"); do
    # Who goes first alternates: drift and a warm engine favour neither side.
    if [ $((round % 2)) -eq 0 ]; then
      tls_round unix "$round" && ms_unix=$TLS_MS
      tls_round tls "$round" && ms_tls=$TLS_MS
    else
      tls_round tls "$round" && ms_tls=$TLS_MS
      tls_round unix "$round" && ms_unix=$TLS_MS
    fi
    say "$(printf '  round %2d   unix socket %5d ms   mutual TLS %5d ms' "$round" "$ms_unix" "$ms_tls")"
  done
  stop_tls_bench
}

tls_summary() {
  local r=$DIR/results u t
  [ -f "$r/tls_tls.ms" ] || return 0
  u=$(median "$r/tls_unix.ms")
  t=$(median "$r/tls_tls.ms")
  echo "push → page answers, one engine reached two ways ($(wc -l <"$r/tls_tls.ms") rounds each, medians)"
  printf '  %-36s %5.2f s\n' "unix socket" "$(ms_to_s "$u")"
  printf '  %-36s %5.2f s   ratio TLS/unix %.3f   (target <= 1.05)\n' "tcp:// with mutual TLS" \
    "$(ms_to_s "$t")" "$(awk -v a="$t" -v b="$u" 'BEGIN { print a / b }')"
}
