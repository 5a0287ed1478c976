# Shared by the benches that drive a server with slack_load (chat_bench.sh,
# forge_bench.sh): a scratch folder and the processes to stop on exit, and
# reading slack_load's result line and a server's /proc figures.

# bench_scratch NAME: $work, a fresh /tmp/sandbot-NAME-XXXXXX removed on exit;
# every pid added to the array `pids` is killed on exit.
bench_scratch() {
  work=$(mktemp -d "/tmp/sandbot-$1-XXXXXX")
  pids=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# field LINE KEY: the value after KEY in slack_load's "sent N ok N … p99_ms X" line.
field() { awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$1"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU time (user + system) a process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Microseconds of server CPU per answered request: TICKS_BEFORE TICKS_AFTER LOAD_LINE.
us_per_request() {
  awk -v a="$1" -v b="$2" -v n="$(field "$3" ok)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {if (n > 0) printf "%.0f", (b - a) * 1e6 / hz / n; else print "-"}'
}
