#!/usr/bin/env bash
# Webhook intake: a signed GitHub pull_request.synchronize of real size
# (the @octokit/webhooks-examples delivery, compact JSON, ~23 KB), verified,
# recorded and answered by sandbot's POST /forges/NAME/webhook, beside GitHub's
# own receiver library (@octokit/webhooks, which Probot is built on) doing the
# same verify-and-ack in a minimal Node server (bench/octokit/app.mjs). Both
# are driven by the same load generator (bench/slack_load.cc with
# LOAD_WEBHOOK=…) from a second process on loopback: open loop at 500
# requests/s, then closed loop as fast as answers come.
#
# Targets (issue 11): sandbot ≥ 5× the peer's throughput, p99 < 10 ms at
# 500 req/s. Figures are printed, not asserted; a run fails only when what it
# measures fails (a peer that does not answer 200 to a signed delivery).
#
#   SANDBOT=build/sandbot bench/forge_bench.sh       (make bench runs it)
#   FORGE_BENCH_PARTS=peer bench/forge_bench.sh      (the peer alone)
#   SECONDS_PER_RUN=5 bench/forge_bench.sh           (shorter)
#   RUNS=5 bench/forge_bench.sh                      (rounds, sides alternating; medians)
#
# The sandbot side needs the forge door (`sandbot forge add`, the route
# /forges/NAME/webhook): while the daemon has none, it is skipped with a
# message and only the peer is measured.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
SANDBOT=${SANDBOT:-$PWD/build/sandbot}
BUILD=$(dirname "$SANDBOT")
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
RUNS=${RUNS:-3}
FORGE_BENCH_PARTS=${FORGE_BENCH_PARTS:-peer sandbot}
RATE=${RATE:-500}
CONNS=${CONNS:-8}
SECRET=bench-webhook-secret
SB_PORT=${SB_PORT:-18093}
PEER_PORT=${PEER_PORT:-18094}
FORGE_PORT=${FORGE_PORT:-18095}
FORGE_NAME=bench
FIXTURE=tests/fixtures/forges/github/pull_request.synchronize.json

. bench/load_lib.sh
bench_scratch forgebench
say() { printf '%s\n' "$*" >&2; }

g++ -std=c++17 -O2 -Wall -Wextra -o "$BUILD/slack_load" bench/slack_load.cc -lcrypto
tests/forge/install.sh
if [ ! -f bench/octokit/node_modules/.package-lock.json ] ||
  [ bench/octokit/package-lock.json -nt bench/octokit/node_modules/.package-lock.json ]; then
  (cd bench/octokit && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# The delivery both servers get: the example synchronize, on acme/web PR 7,
# as compact JSON as GitHub sends it.
node tests/forge/send_webhook.js --dry-run --compact --secret "$SECRET" --payload "$FIXTURE" \
  --repo acme/web --number 7 --sha 7a3c1e5b9d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c \
  --clone-url "http://127.0.0.1:$FORGE_PORT/acme/web.git" --out-body "$work/sync.json" >/dev/null
BYTES=$(wc -c <"$work/sync.json")

load() { # load PORT PATH rate|max [RATE]
  LOAD_WEBHOOK=$work/sync.json LOAD_PATH=$2 \
    "$BUILD/slack_load" 127.0.0.1 "$1" "$SECRET" "$3" "$SECONDS_PER_RUN" "$CONNS" "${4:-}"
}
wait_port() {
  local i=0
  until curl -s -o /dev/null "http://127.0.0.1:$1/"; do
    i=$((i + 1))
    [ $i -lt 100 ] || return 1
    sleep 0.1
  done
}

# measure NAME PORT PATH PID: appends this run's figures to the arrays
# NAME_p99, NAME_p50, NAME_err, NAME_rps, NAME_cpu; sets NAME_rss.
measure() {
  local name=$1 port=$2 path=$3 pid=$4 t0 r m
  say "  $name: open loop, $RATE requests/s for $SECONDS_PER_RUN s, $CONNS connections"
  r=$(load "$port" "$path" rate "$RATE")
  say "  $name: closed loop, as fast as answers come, $SECONDS_PER_RUN s"
  t0=$(cpu_ticks "$pid")
  m=$(load "$port" "$path" max)
  eval "${name}_p99+=(\"$(field "$r" p99_ms)\") ${name}_p50+=(\"$(field "$r" p50_ms)\")"
  eval "${name}_err+=(\"$(field "$r" errors)\") ${name}_rps+=(\"$(field "$m" rps)\")"
  eval "${name}_cpu+=(\"$(us_per_request "$t0" "$(cpu_ticks "$pid")" "$m")\")"
  printf -v "${name}_rss" '%s' "$(awk -v k="$(rss_kb "$pid")" 'BEGIN {printf "%.1f", k / 1024}')"
  say "    rate: $r"
  say "    max:  $m   (load average $(cut -d' ' -f1-3 /proc/loadavg))"
}
# median V…: of numbers ("-" when none).
median() {
  # (grep finds nothing when a side was not run: not a failure of the run)
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g |
    awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
                           else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

peer_p99=() peer_p50=() peer_err=() peer_rps=() peer_cpu=() peer_rss="-"
sb_p99=() sb_p50=() sb_err=() sb_rps=() sb_cpu=() sb_rss="-"
sb_note="" peer_up="" sb_up=""

case " $FORGE_BENCH_PARTS " in *" peer "*)
  say "peer: @octokit/webhooks $(node -p 'require("./bench/octokit/node_modules/@octokit/webhooks/package.json").version')"
  GITHUB_WEBHOOK_SECRET=$SECRET node bench/octokit/app.mjs "$PEER_PORT" /forges/github/webhook \
    >"$work/peer.log" 2>&1 &
  peer_pid=$!
  pids+=("$peer_pid")
  wait_port "$PEER_PORT" || { cat "$work/peer.log" >&2; say "the peer did not start"; exit 1; }
  # A signed delivery must be accepted, or the figures mean nothing.
  code=$(node tests/forge/send_webhook.js --url "http://127.0.0.1:$PEER_PORT/forges/github/webhook" \
    --secret "$SECRET" --payload "$work/sync.json" | head -1)
  [ "$code" = 200 ] || { say "the peer answered $code to a signed delivery"; exit 1; }
  peer_up=1
  ;;
esac

sb_path=/forges/$FORGE_NAME/webhook
case " $FORGE_BENCH_PARTS " in *" sandbot "*)
  export SANDBOT_DATA=$work/data BENCH_FORGE_TOKEN=bench-forge-token BENCH_FORGE_SECRET=$SECRET
  # The forge's API is the stand-in, so nothing leaves this machine; acme/web
  # is not a sandbot repo, so each delivery is verified, recorded, audited
  # as ignored and answered: the intake alone, no deploy job.
  . tests/forge/lib.sh
  forge_start "$work/forge" "$FORGE_PORT" "$BENCH_FORGE_TOKEN" >/dev/null
  pids+=("$FORGE_PID")
  forge_repo acme/web >/dev/null
  if ! "$SANDBOT" forge add "$FORGE_NAME" --kind github --api-url "$FORGE_URL" \
    --token-env BENCH_FORGE_TOKEN --secret-env BENCH_FORGE_SECRET >"$work/forge-add.out" 2>&1; then
    sb_note="skipped: this sandbot has no forge door yet ('sandbot forge add' failed: $(head -c 200 "$work/forge-add.out" | tr '\n' ' '))"
  else
    "$SANDBOT" serve --listen "127.0.0.1:$SB_PORT" --ports 19800-19899 --log-level warn \
      >"$work/sandbot.log" 2>&1 &
    sb_pid=$!
    pids+=("$sb_pid")
    wait_port "$SB_PORT" || { tail -n 20 "$work/sandbot.log" >&2; say "sandbot did not start"; exit 1; }
    code=$(node tests/forge/send_webhook.js --url "http://127.0.0.1:$SB_PORT$sb_path" --secret "$SECRET" \
      --payload "$work/sync.json" | head -1)
    case "$code" in
      2??) sb_up=1 ;;
      404) sb_note="skipped: the daemon answers 404 on POST $sb_path (no forge route yet)" ;;
      *)
        tail -n 20 "$work/sandbot.log" >&2
        say "sandbot answered $code to a signed delivery on $sb_path"
        exit 1
        ;;
    esac
  fi
  [ -z "$sb_note" ] || say "sandbot: $sb_note"
  ;;
esac

# Warm-up (the JIT, caches, connections), then RUNS rounds, the order of the
# two sides alternating, so that a load that comes and goes on a shared
# machine weighs on both alike; the figures are the medians of the rounds.
[ -z "$peer_up" ] || load "$PEER_PORT" /forges/github/webhook rate 200 >/dev/null
[ -z "$sb_up" ] || load "$SB_PORT" "$sb_path" rate 200 >/dev/null
for ((run = 1; run <= RUNS; run++)); do
  say "round $run of $RUNS"
  if ((run % 2)); then order="peer sb"; else order="sb peer"; fi
  for side in $order; do
    case $side in
      peer) [ -z "$peer_up" ] || measure peer "$PEER_PORT" /forges/github/webhook "$peer_pid" ;;
      sb) [ -z "$sb_up" ] || measure sb "$SB_PORT" "$sb_path" "$sb_pid" ;;
    esac
  done
done

printf '\n%-46s %10s %10s   (medians of %s rounds)\n' "webhook intake ($BYTES-byte synchronize)" sandbot octokit "$RUNS"
printf '%-46s %10s %10s   target: sandbot < 10 ms\n' "p99 ack latency at $RATE req/s (ms)" \
  "$(median "${sb_p99[@]}")" "$(median "${peer_p99[@]}")"
printf '%-46s %10s %10s\n' "p50 ack latency at $RATE req/s (ms)" \
  "$(median "${sb_p50[@]}")" "$(median "${peer_p50[@]}")"
printf '%-46s %10s %10s\n' "errors at $RATE req/s" "$(median "${sb_err[@]}")" "$(median "${peer_err[@]}")"
sb_max=$(median "${sb_rps[@]}") peer_max=$(median "${peer_rps[@]}")
ratio=-
if [ "$sb_max" != - ] && [ "$peer_max" != - ]; then
  ratio=$(awk -v a="$sb_max" -v b="$peer_max" 'BEGIN {printf "%.1f", a / b}')
fi
printf '%-46s %10s %10s   ratio %sx (target >= 5x)\n' "max throughput (req/s)" "$sb_max" "$peer_max" "$ratio"
printf '%-46s %10s %10s\n' "server CPU per request, closed loop (us)" \
  "$(median "${sb_cpu[@]}")" "$(median "${peer_cpu[@]}")"
printf '%-46s %10s %10s\n' "RSS after the runs (MB)" "$sb_rss" "$peer_rss"
printf '%-46s %s\n' "rounds, sandbot (rps p99_ms cpu_us)" \
  "$(for i in "${!sb_rps[@]}"; do printf '%s/%s/%s ' "${sb_rps[$i]}" "${sb_p99[$i]}" "${sb_cpu[$i]}"; done)"
printf '%-46s %s\n' "rounds, octokit (rps p99_ms cpu_us)" \
  "$(for i in "${!peer_rps[@]}"; do printf '%s/%s/%s ' "${peer_rps[$i]}" "${peer_p99[$i]}" "${peer_cpu[$i]}"; done)"
printf '%-46s %s\n' "load average at the end" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$sb_note" ] || echo "sandbot: $sb_note"
