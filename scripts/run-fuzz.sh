#!/bin/sh
# Runs each libFuzzer harness for a bounded time: `make fuzz` calls
#   scripts/run-fuzz.sh BUILD_DIR SECONDS NAME...
# Each starts from its checked-in seeds fuzz/corpus/NAME (read only: what it
# finds goes to BUILD_DIR/corpus/NAME) with fuzz/NAME.dict when there is one.
# A crash, leak, timeout or sanitizer report fails the run; the input is kept
# as BUILD_DIR/artifacts/NAME-crash-… (replay: BUILD_DIR/NAME_fuzz FILE).
set -eu
cd "$(dirname "$0")/.."
build=$1 seconds=$2
shift 2
failed=""
for name in "$@"; do
  work="$build/corpus/$name"
  mkdir -p "$work" "$build/artifacts"
  dict=""
  [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
  log="$build/$name.log"
  echo "fuzz: $name for ${seconds}s"
  # shellcheck disable=SC2086
  if "$build/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" $dict \
    "$work" "fuzz/corpus/$name" >"$log" 2>&1; then
    # Executions, their rate and the coverage reached, from libFuzzer's last lines.
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$log" | sed 's/^stat::/  /'
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed 's/^/  /'
  else
    tail -n 40 "$log" >&2
    echo "fuzz: $name FAILED (log $log)" >&2
    failed="$failed $name"
  fi
done
if [ -n "$failed" ]; then
  echo "fuzz: findings in:$failed" >&2
  exit 1
fi
echo "fuzz: ok"
