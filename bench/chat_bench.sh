#!/usr/bin/env bash
# Acknowledgement latency and throughput of POST /slack/commands: sandbot's
# daemon and a minimal Slack Bolt app (bench/bolt) that verifies and
# acknowledges the same requests, measured side by side in one run by the same
# load generator (bench/slack_load.cc) from a second process on loopback.
#
# Targets (issue 3): p99 under 10 ms at 500 requests/s; at least 5x Bolt's
# throughput; daemon RSS under 20 MB. Figures are printed, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
SANDBOT=${SANDBOT:-$PWD/build/sandbot}
BUILD=$(dirname "$SANDBOT")
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
SECRET=bench-signing-secret
SB_PORT=18091
BOLT_PORT=18092

. bench/load_lib.sh
bench_scratch chatbench

g++ -std=c++17 -O2 -Wall -Wextra -o "$BUILD/slack_load" bench/slack_load.cc -lcrypto
if [ ! -d bench/bolt/node_modules/@slack/bolt ]; then
  (cd bench/bolt && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# sandbot with only what a chat answer needs: one repo, three sandboxes.
export SANDBOT_DATA=$work/data SANDBOT_SLACK_SIGNING_SECRET=$SECRET
"$SANDBOT" repo add web "$work/web.git" --init >/dev/null
"$SANDBOT" serve --listen "127.0.0.1:$SB_PORT" --ports 19700-19799 --log-level warn \
  >"$work/sandbot.log" 2>&1 &
sb_pid=$!
pids+=("$sb_pid")
SLACK_SIGNING_SECRET=$SECRET node bench/bolt/app.js "$BOLT_PORT" >"$work/bolt.log" 2>&1 &
bolt_pid=$!
pids+=("$bolt_pid")
for port in $SB_PORT $BOLT_PORT; do
  until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.1; done
done
for n in qa-1 qa-2 qa-3; do "$SANDBOT" sandbox create "$n" >/dev/null; done

load() { "$BUILD/slack_load" 127.0.0.1 "$1" "$SECRET" "$2" "$SECONDS_PER_RUN" "$3" "${4:-}"; }

echo "warming up both servers"
load $SB_PORT rate 4 200 >/dev/null
load $BOLT_PORT rate 4 200 >/dev/null

echo "open loop, 500 requests/s for ${SECONDS_PER_RUN} s, 8 connections"
sb_rate=$(load $SB_PORT rate 8 500)
bolt_rate=$(load $BOLT_PORT rate 8 500)
echo "  sandbot  $sb_rate"
echo "  bolt     $bolt_rate"

echo "closed loop, as fast as answers come, ${SECONDS_PER_RUN} s, 8 connections"
t0=$(cpu_ticks "$sb_pid")
sb_max=$(load $SB_PORT max 8)
sb_cpu=$(us_per_request "$t0" "$(cpu_ticks "$sb_pid")" "$sb_max")
t0=$(cpu_ticks "$bolt_pid")
bolt_max=$(load $BOLT_PORT max 8)
bolt_cpu=$(us_per_request "$t0" "$(cpu_ticks "$bolt_pid")" "$bolt_max")
echo "  sandbot  $sb_max"
echo "  bolt     $bolt_max"

sb_rss=$(rss_kb "$sb_pid")
bolt_rss=$(rss_kb "$bolt_pid")
# Diagnostic, after the RSS reading: the same server with no command to run.
t0=$(cpu_ticks "$sb_pid")
sb_ceiling=$(SLACK_LOAD_SSL_CHECK=1 load $SB_PORT max 8)
sb_ceiling_cpu=$(us_per_request "$t0" "$(cpu_ticks "$sb_pid")" "$sb_ceiling")
echo "  sandbot, signature check only (ssl_check, no command run)  $sb_ceiling"
ratio=$(awk -v a="$(field "$sb_max" rps)" -v b="$(field "$bolt_max" rps)" 'BEGIN {printf "%.1f", a / b}')
printf '\n%-44s %10s %10s\n' "/slack/commands (signed, acknowledged)" sandbot bolt
printf '%-44s %10s %10s   target: sandbot < 10 ms\n' "p99 ack latency at 500 req/s (ms)" \
  "$(field "$sb_rate" p99_ms)" "$(field "$bolt_rate" p99_ms)"
printf '%-44s %10s %10s\n' "p50 ack latency at 500 req/s (ms)" \
  "$(field "$sb_rate" p50_ms)" "$(field "$bolt_rate" p50_ms)"
printf '%-44s %10s %10s   ratio %sx (target >= 5x)\n' "max throughput (req/s)" \
  "$(field "$sb_max" rps)" "$(field "$bolt_max" rps)" "$ratio"
printf '%-44s %10s %10s\n' "server CPU per request, closed loop (us)" "$sb_cpu" "$bolt_cpu"
printf '%-44s %10s %10s   (HTTP + signature ceiling of this server)\n' \
  "max throughput, ssl_check only (req/s)" "$(field "$sb_ceiling" rps)" "-"
printf '%-44s %10s %10s\n' "server CPU per request, ssl_check only (us)" "$sb_ceiling_cpu" "-"
printf '%-44s %10s %10s   target: sandbot < 20 MB\n' "RSS after the runs (MB)" \
  "$(awk -v k="$sb_rss" 'BEGIN {printf "%.1f", k / 1024}')" \
  "$(awk -v k="$bolt_rss" 'BEGIN {printf "%.1f", k / 1024}')"
