# GET /metrics and GET /readyz on a real daemon (issue 14): the scrape is
# read by a strict parser of the text format (prom_check.py), the job
# counters move after a real deploy, and /readyz says 503 naming the engine
# when the engine's socket does not exist (no engine is stopped).

# scrape: GET /metrics, checked, as {"series": value} JSON.
scrape() {
  local text
  text=$(curl -sf "http://$E2E_HTTP/metrics") || fail "GET /metrics failed"
  printf '%s\n' "$text" | python3 tests/e2e/prom_check.py
}

# series JSON KEY: the value of one series ("" when absent).
series() { jq -r --arg k "$2" '.[$k] // empty' <<<"$1"; }

test_metrics_scrape_parses_and_jobs_move_after_a_deploy() {
  # The checker itself refuses what it must (a checker that cannot fail
  # would prove nothing).
  for bad in '# TYPE x counter\nx 1\n' '# TYPE x_total counter\nx_total{a="b} 1\n' \
    'y 1\n' '# TYPE z gauge\nz 1\nz 2\n' '# TYPE z gauge\nz one\n' \
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n'; do
    if printf "$bad" | python3 tests/e2e/prom_check.py >/dev/null 2>&1; then
      fail "prom_check.py accepted: $bad"
    fi
  done

  start_daemon
  local m0 m1 code
  code=$(curl -s -o "$TEST_DIR/readyz" -w '%{http_code}' "http://$E2E_HTTP/readyz")
  expect_eq "$code" 200 "/readyz with the engine up"
  expect_eq "$(jq -c . "$TEST_DIR/readyz")" \
    '{"engine":"ok","ready":true,"stopping":false,"store":"ok"}' "/readyz body"
  expect_eq "$(curl -sf "http://$E2E_HTTP/healthz")" '{"ok":true}' "/healthz"
  m0=$(scrape)
  expect_eq "$(series "$m0" 'sandbot_jobs_total{kind="deploy",outcome="succeeded"}')" 0 "deploys before"
  expect_eq "$(series "$m0" 'sandbot_engine_up')" 1 "engine up"
  expect_eq "$(series "$m0" 'sandbot_engine_breaker_state')" 0 "breaker closed"
  expect_eq "$(series "$m0" 'sandbot_sandboxes{state="healthy"}')" 0 "healthy sandboxes before"
  [ -n "$(series "$m0" "sandbot_build_info{version=\"$("$SANDBOT" version | awk '{print $2}')\"}")" ] ||
    fail "no sandbot_build_info for this version: $(jq -r 'keys[]' <<<"$m0" | grep build_info)"

  new_app_repo web --auto-branches 'feature/*'
  local out
  out=$(push -o sandbot.wait origin main:feature/metrics)
  expect_contains "$out" "web running"
  m1=$(scrape)
  expect_eq "$(series "$m1" 'sandbot_jobs_total{kind="deploy",outcome="succeeded"}')" 1 "deploys after"
  expect_eq "$(series "$m1" 'sandbot_jobs_total{kind="deploy",outcome="failed"}')" 0 "failed deploys"
  expect_eq "$(series "$m1" 'sandbot_job_duration_seconds_count{kind="deploy"}')" 1 "deploy durations"
  awk -v s="$(series "$m1" 'sandbot_job_duration_seconds_sum{kind="deploy"}')" \
    'BEGIN { exit !(s > 0 && s < 120) }' || fail "deploy duration sum out of range"
  expect_eq "$(series "$m1" 'sandbot_job_stage_duration_seconds_count{stage="building"}')" 1 "building stages"
  expect_eq "$(series "$m1" 'sandbot_job_stage_duration_seconds_count{stage="starting"}')" 1 "starting stages"
  expect_eq "$(series "$m1" 'sandbot_sandboxes{state="healthy"}')" 1 "healthy sandboxes after"
  expect_eq "$(series "$m1" 'sandbot_outbox_depth')" 0 "outbox depth"
  # The requests so far (a /readyz, a /healthz, a scrape): door http, 2xx.
  awk -v a="$(series "$m1" 'sandbot_requests_total{door="http",status="2xx"}')" \
    'BEGIN { exit !(a >= 3) }' || fail "requests_total did not count the probes"
  # No sandbox or branch name is a label anywhere.
  expect_not_contains "$(curl -sf "http://$E2E_HTTP/metrics")" "feature-metrics" "/metrics"
}

test_readyz_is_503_naming_the_engine_when_its_socket_does_not_exist() {
  start_daemon --docker "unix://$TEST_DIR/no-engine.sock"
  local code body m
  code=$(curl -s -o "$TEST_DIR/readyz" -w '%{http_code}' "http://$E2E_HTTP/readyz")
  body=$(cat "$TEST_DIR/readyz")
  expect_eq "$code" 503 "/readyz without an engine"
  expect_eq "$(jq -r .failed <<<"$body")" engine "/readyz failed check"
  expect_eq "$(jq -r .store <<<"$body")" ok "/readyz store"
  expect_not_contains "$body" "no-engine.sock" "/readyz body"
  # Alive all the same.
  expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://$E2E_HTTP/healthz")" 200 "/healthz"
  m=$(scrape)
  expect_eq "$(series "$m" 'sandbot_engine_up')" 0 "engine up"
  expect_eq "$(series "$m" 'sandbot_engine_breaker_state')" 1 "breaker open"
  expect_eq "$(series "$m" 'sandbot_requests_total{door="http",status="5xx"}')" 1 "the 503 counted"
}
