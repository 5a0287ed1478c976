# Fault tests: a real daemon, real git and a real Docker engine, hurt on
# purpose — kill -9 at known moments (failpoints, bot/failpoint.h), the
# engine stopped and started, a burst of concurrent pushes and commands, a
# data folder that fills up or turns read-only. After each: the store passes
# PRAGMA integrity_check, no audit row recorded before the fault is missing,
# containers, networks and ports are consistent.
#
# Each test appends "faults N jobs N lost N" to $FAULT_REPORT; run.sh sums them.

FAULT_REPORT=${FAULT_REPORT:-/tmp/sandbot-fault-report}

report() { echo "faults $1 jobs $2 lost $3" >>"$FAULT_REPORT"; }

integrity_ok() {
  expect_eq "$(db 'PRAGMA integrity_check')" ok "integrity_check"
}

# Audit ids now, to check later that none went missing.
audit_ids() { db 'SELECT id FROM audit ORDER BY id'; }
# lost_rows BEFORE: how many of the ids in BEFORE are gone now.
lost_rows() {
  comm -23 <(sort <<<"$1") <(audit_ids | sort) | grep -c . || true
}

job_state() { db "SELECT state FROM jobs WHERE id = $1"; }

# wait_job_final JOB [SECONDS]
wait_job_final() {
  local i=0 state
  while [ $i -lt $((${2:-90} * 5)) ]; do
    state=$(job_state "$1")
    case "$state" in succeeded | failed | cancelled) return 0 ;; esac
    i=$((i + 1))
    sleep 0.2
  done
  fail "job $1 did not end (state '$state')"
}

wait_log() {  # wait_log TEXT [SECONDS]
  local i=0
  until grep -q "$1" "$TEST_DIR/daemon.log"; do
    i=$((i + 1))
    [ $i -lt $((${2:-60} * 10)) ] || { fail "the daemon never logged '$1'"; return 1; }
    sleep 0.1
  done
}

# One container per service, networks only for known sandboxes, each port
# held once in the store and published once by the engine.
engine_consistent() {
  local sandboxes dup published
  sandboxes=$(db "SELECT name FROM sandboxes ORDER BY name")
  for sb in $sandboxes; do
    local want have
    want=$(db "SELECT COUNT(*) FROM services s JOIN sandboxes b ON b.id = s.sandbox_id
               WHERE b.name = '$sb' AND s.status = 'running'")
    have=$(service_containers "sandbot.sandbox=$sb" | wc -l)
    expect_eq "$have" "$want" "containers of $sb"
    network_exists "sandbox-$sb" || fail "network sandbox-$sb missing"
    local nets
    nets=$(engine GET /networks | jq --arg n "sandbox-$sb" '[.[] | select(.Name == $n)] | length')
    expect_eq "$nets" 1 "networks named sandbox-$sb"
  done
  dup=$(db "SELECT port FROM ports GROUP BY port HAVING COUNT(*) > 1")
  expect_eq "$dup" "" "ports held twice in the store"
  published=$(engine GET '/containers/json?filters=%7B%22label%22%3A%5B%22sandbot.managed%3Dtrue%22%5D%7D' |
    jq -r '.[].Ports[].PublicPort' | sort | uniq -d)
  expect_eq "$published" "" "host ports published twice"
}

# Adds a slow build step so a test can kill the daemon mid-build.
slow_build() {
  sed -i '1a RUN sleep 4' "$WORK/Dockerfile"
  git -C "$WORK" commit -qam "slow build"
}

# kill9_at WHEN: push, kill -9 the daemon at WHEN, start it again, check.
kill9_at() {
  local when=$1 out job before
  case "$when" in
    build) slow_build ;;
    *) FAILPOINTS="container.$when=6000" ;;
  esac
  SANDBOT_FAILPOINTS=${FAILPOINTS:-} start_daemon --reconcile-seconds 2
  before=$(audit_ids)
  out=$(push origin "main:feature/$when")
  job=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
  [ -n "$job" ] || fail "no job in: $out"
  case "$when" in
    build) wait_log "job $job building" && sleep 1.5 ;;
    *) wait_log "failpoint container.$when" ;;
  esac
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  expect_eq "$(job_state "$job")" running "job state right after kill -9"
  integrity_ok
  FAILPOINTS= start_daemon --reconcile-seconds 2
  wait_job_final "$job" 120
  expect_eq "$(job_state "$job")" succeeded \
    "job after the restart ($(db "SELECT detail FROM jobs WHERE id = $job" | head -c 600))"
  wait_for_status "feature-$when" web running
  url=$("$SANDBOT" sandbox status "feature-$when" --json | jq -r '.services[0].url')
  curl -sf "$url/" >/dev/null || fail "$url does not answer"
  engine_consistent
  expect_eq "$(service_containers sandbot.sandbox=feature-$when)" "sandbox-feature-$when-web"
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq '[.[] | select(.status == "resumed")] | length' <<<"$audit")" 1 "resumed rows"
  expect_eq "$(jq '[.[] | select(.action == "deploy" and .status == "succeeded")] | length' \
    <<<"$audit")" 1 "succeeded rows"
  integrity_ok
  lost=$(lost_rows "$before")
  expect_eq "$lost" 0 "audit rows lost"
  report 1 1 "$lost"
}

test_kill9_during_build_then_restart_resumes() {
  new_app_repo web
  kill9_at build
}

test_kill9_during_container_creation_then_restart_resumes() {
  new_app_repo web
  kill9_at created
}

test_kill9_during_container_start_then_restart_resumes() {
  new_app_repo web
  kill9_at started
}

# A deploy that crashes the daemon itself (its worker thread takes SIGABRT
# at the failpoint, as a poison job would) is given up after three crashes,
# and only then (issue 16 item 15): the crash record names it, its service
# says `failed` with the command that deploys it again, never `starting` with
# no job to move it on; the chat thread that asked and the deploy webhook are
# told, and the asker finds a notice in their next answer.
test_a_deploy_that_crashes_the_daemon_three_times_is_given_up_and_told() {
  start_fake_chat
  SANDBOT_FAILPOINTS=container.started=crash start_daemon
  new_app_repo web --auto-branches 'auto/*'
  git -C "$WORK" push -q origin main:feature/poison 2>/dev/null
  local answer job n status
  answer=$(slack /sandbox "create poison web@feature/poison")
  expect_eq "$(code_of "$answer")" 200 "create"
  job=$(db "SELECT id FROM jobs WHERE sandbox = 'poison'")
  for n in 1 2 3; do
    status=0
    wait "$DAEMON_PID" || status=$?
    expect_eq "$status" 134 "exit status at crash $n (SIGABRT)"
    expect_eq "$(cat "$DATA/crashed-jobs")" "job $job" "crash record $n"
    expect_eq "$(db "SELECT s.status FROM services s JOIN sandboxes b ON b.id = s.sandbox_id
                     WHERE b.name = 'poison'")" starting "service status at crash $n"
    SANDBOT_FAILPOINTS=container.started=crash start_daemon
  done
  expect_eq "$(job_state "$job")" failed "job after three crashes"
  [ ! -e "$DATA/crashed-jobs" ] || fail "the crash record was not taken"
  status=$("$SANDBOT" sandbox status poison --json)
  expect_eq "$(jq -r '.services[0].status' <<<"$status")" failed "service status"
  expect_contains "$(jq -r '.services[0].detail' <<<"$status")" "crashed the daemon 3 times"
  expect_contains "$(jq -r '.services[0].detail' <<<"$status")" "/deploy web feature/poison to poison"
  wait_received /response/U0ANA '.text | test("failed")'
  expect_contains "$(received /response/U0ANA)" "/deploy web feature/poison to poison" "chat thread"
  wait_received /slack-webhook '.text | test("failed")'
  body=$(body_of "$(slack /sandbox list)")
  expect_contains "$body" "was given up" "the asker's next answer"
  # Given up means not run again: the failpoint would crash this daemon too.
  sleep 3
  kill -0 "$DAEMON_PID" || fail "the daemon crashed again on a given-up job"
  # The hint works once whatever crashed is gone.
  stop_daemon
  start_daemon
  body=$(body_of "$(slack /deploy "web feature/poison to poison")")
  expect_contains "$body" "deploying web@feature/poison"
  wait_for_status poison web running
  engine_consistent
  integrity_ok
  report 3 2 0
}

# wait_failpoints NAME N: until the daemon has paused at failpoint NAME N
# times (its log says so each time).
wait_failpoints() {
  local i=0
  until [ "$(grep -c "failpoint $1:" "$TEST_DIR/daemon.log")" -ge "$2" ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { fail "failpoint $1 was not reached $2 times"; return 1; }
    sleep 0.1
  done
}

# The status of every sandbox's service, "name status" per line.
service_states() {
  db "SELECT b.name || ' ' || s.status FROM services s JOIN sandboxes b ON b.id = s.sandbox_id
      ORDER BY b.name"
}

# Issue 16 item 15, the reported scenario: eight pushes of new feature
# branches, kill -9 and a restart after every second push, then every
# sandbox runs within 60 s. In the report one run in thirty left a sandbox
# at `starting`: the oldest jobs were running at three kills in a row
# (a restart and two pushes took less than a deploy) and recovery took that
# for a job that crashes the daemon, gave it up and left its service behind.
# Here each daemon holds every job at a failpoint for longer than a round,
# each round at another place (claimed, building, container created,
# container started, deployed but not yet recorded as ended), so every kill
# lands in a running job and the two oldest are interrupted at all four: the
# race happens on every run. Two passes, in a different order of places,
# the second reaching a deploy that is done but not yet recorded as ended.
test_eight_pushes_with_a_kill9_after_every_second_push_all_end_running() {
  new_app_repo web
  local pass n round out job before
  local -a rounds
  before=$(audit_ids)
  for pass in a b; do
    if [ $pass = a ]; then
      rounds=(job.claimed build.started container.created container.started)
    else
      rounds=(container.created container.started job.ran job.claimed)
    fi
    local -a jobs=()
    round=0
    SANDBOT_FAILPOINTS=${rounds[0]}=30000 start_daemon --reconcile-seconds 2
    for n in 1 2 3 4 5 6 7 8; do
      out=$(push origin "main:feature/$pass$n")
      job=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
      [ -n "$job" ] || { fail "no job in: $out"; return 1; }
      jobs+=("$job")
      [ $((n % 2)) = 0 ] || continue
      # Both workers hold a job at this round's failpoint, then kill -9.
      wait_failpoints "${rounds[$round]}" 2
      kill -KILL "$DAEMON_PID"
      wait "$DAEMON_PID" 2>/dev/null || true
      # Each daemon's log apart: the failpoint counts are per daemon.
      mv "$TEST_DIR/daemon.log" "$TEST_DIR/daemon-$pass$n.log"
      round=$((round + 1))
      if [ $round -lt ${#rounds[@]} ]; then
        SANDBOT_FAILPOINTS=${rounds[$round]}=30000 start_daemon --reconcile-seconds 2
      else
        start_daemon --reconcile-seconds 2
      fi
    done
    # Every sandbox runs within 60 s of the last restart.
    local i=0 states
    while :; do
      states=$(service_states | grep "^feature-$pass")
      [ "$(grep -c ' running$' <<<"$states")" = 8 ] && break
      i=$((i + 1))
      [ $i -lt 300 ] || { fail "pass $pass: not all running 60 s after the last restart:"$'\n'"$states"; return 1; }
      sleep 0.2
    done
    for job in "${jobs[@]}"; do
      wait_job_final "$job" 30
      expect_eq "$(job_state "$job")" succeeded "pass $pass: job $job"
    done
    # The two oldest were interrupted by all four kills, and still ran.
    expect_eq "$(db "SELECT COUNT(*) FROM job_events WHERE job_id = ${jobs[0]} AND stage = 'queued'
                     AND message LIKE 'interrupted by a daemon restart%'")" 4 \
      "pass $pass: restarts that interrupted job ${jobs[0]}"
    # No kill counted against any job: each used one attempt, the last.
    expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE sandbox LIKE 'feature-$pass%' AND attempts != 1")" \
      0 "pass $pass: jobs charged for a kill"
    stop_daemon
    mv "$TEST_DIR/daemon.log" "$TEST_DIR/daemon-$pass.log"
  done
  start_daemon --reconcile-seconds 2
  engine_consistent
  integrity_ok
  lost=$(lost_rows "$before")
  expect_eq "$lost" 0 "audit rows lost"
  report 8 16 "$lost"
}

# The store held by another process (a backup, the CLI's offline path) just
# as the daemon recovers after a kill -9: the interrupted job cannot be put
# back in the queue. The daemon serves all the same, and its workers wait
# until recovery is written: before, the job stayed `running` with no worker
# (its sandbox held, its service at `starting`) until some later restart.
test_a_store_locked_during_recovery_delays_the_workers_not_the_job() {
  new_app_repo web
  local out job i=0
  SANDBOT_FAILPOINTS=container.started=30000 start_daemon
  out=$(push origin main:feature/locked)
  job=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
  [ -n "$job" ] || { fail "no job in: $out"; return 1; }
  wait_failpoints container.started 1
  kill -KILL "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  # Not start_daemon: this start is slower than its wait (the store's 10 s
  # busy timeout).
  SANDBOT_FAILPOINTS=recovery.started=3000 "$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" \
    --ports "$E2E_PORTS" --health-timeout 30 >>"$TEST_DIR/daemon.log" 2>&1 &
  DAEMON_PID=$!
  echo "$DAEMON_PID" >"$TEST_DIR/daemon.pid"
  wait_log "failpoint recovery.started"
  python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(15)
c.execute("ROLLBACK")
' "$DATA/sandbot.db" "$TEST_DIR/locked" &
  local locker=$!
  until [ -e "$TEST_DIR/locked" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || { fail "the store was not locked"; return 1; }
    sleep 0.1
  done
  wait_log "cannot put back the jobs the last run left running" 30
  expect_eq "$(job_state "$job")" running "job while the store is held"
  i=0
  until curl -sf --unix-socket "$DATA/sandbot.sock" http://local/v1/ping >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] || { fail "the daemon does not serve while recovery waits"; return 1; }
    sleep 0.1
  done
  wait "$locker"
  wait_job_final "$job" 60
  expect_eq "$(job_state "$job")" succeeded "job once the store is free"
  wait_for_status feature-locked web running
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE status = 'resumed'")" 1 "resumed rows"
  engine_consistent
  integrity_ok
  report 2 1 0
}

# The engine goes away with a sandbox running and a push queued; the answer
# says so at once; when the engine is back the job runs and the reconciler
# restarts what died with it.
test_engine_stopped_and_started_while_jobs_are_queued() {
  start_daemon --reconcile-seconds 2
  new_app_repo web
  out=$(push -o sandbot.wait origin main:feature/before)
  expect_contains "$out" "web running"
  before=$(audit_ids)

  local docker_pid
  docker_pid=$(cat /var/run/docker.pid)
  kill -TERM "$docker_pid"
  local i=0
  while kill -0 "$docker_pid" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 600 ] || { fail "dockerd did not stop"; return 1; }
    sleep 0.1
  done

  out=$(push origin main:feature/during)
  expect_contains "$out" "feature/during -> sandbox feature-during (job"
  job=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
  wait_log "the Docker engine is unreachable" 30
  # Commands that need the engine answer at once.
  t0=$(date +%s%N)
  logs=$("$SANDBOT" sandbox logs feature-before web 2>&1 || true)
  t1=$(date +%s%N)
  expect_contains "$logs" "unreachable" "logs while the engine is down"
  [ $(((t1 - t0) / 1000000)) -lt 3000 ] || fail "logs took $(((t1 - t0) / 1000000)) ms"
  out=$(push origin main:feature/during2)
  expect_contains "$out" "the Docker engine is unreachable right now" "push answer"
  job2=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
  expect_eq "$(job_state "$job2")" queued "job pushed while the engine is down"

  scripts/ensure-docker.sh >/dev/null
  wait_job_final "$job" 120
  wait_job_final "$job2" 120
  expect_eq "$(job_state "$job")" succeeded "job queued before the outage"
  expect_eq "$(job_state "$job2")" succeeded "job queued during the outage"
  # The container that died with dockerd runs again.
  i=0
  until [ "$(engine GET /containers/sandbox-feature-before-web/json | jq -r .State.Running)" = true ]; do
    i=$((i + 1))
    [ $i -lt 300 ] || { fail "sandbox-feature-before-web was not restarted"; return 1; }
    sleep 0.2
  done
  audit=$("$SANDBOT" audit --json)
  expect_eq "$(jq '[.[] | select(.action == "engine.unavailable")] | length' <<<"$audit")" 1
  expect_eq "$(jq '[.[] | select(.action == "engine.available")] | length' <<<"$audit")" 1
  expect_contains "$(jq -r '.[].action' <<<"$audit")" "reconcile.restarted"
  engine_consistent
  integrity_ok
  lost=$(lost_rows "$before")
  expect_eq "$lost" 0 "audit rows lost"
  report 1 2 "$lost"
}

# 20 pushes and 20 chat commands at once: every job ends, ports are unique,
# and the audit trail has a row for every request.
test_twenty_pushes_and_twenty_chat_commands_at_once() {
  start_fake_chat
  start_daemon --workers 4
  new_app_repo web
  for n in $(seq 1 20); do git -C "$WORK" branch "feature/p$n"; done
  push -o sandbot.wait origin main:feature/base >/dev/null  # the branch chat deploys
  before=$(audit_ids)
  local pids=()
  for n in $(seq 1 20); do
    git -C "$WORK" push -q origin "feature/p$n" >"$TEST_DIR/push-$n.out" 2>&1 &
    pids+=($!)
    slack /sandbox "create chat-$n web@feature/base" >"$TEST_DIR/chat-$n.out" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a request failed (pid $p)"; done
  for n in $(seq 1 20); do
    expect_eq "$(code_of "$(cat "$TEST_DIR/chat-$n.out")")" 200 "chat $n status"
  done
  # All 40 deploys end.
  local i=0
  while [ "$(db "SELECT COUNT(*) FROM jobs WHERE state IN ('queued','running')")" != 0 ]; do
    i=$((i + 1))
    [ $i -lt 900 ] || { fail "jobs still active: $(db "SELECT id, state FROM jobs WHERE state IN ('queued','running')")"; return 1; }
    sleep 0.2
  done
  # 40, and the one that deployed feature/base first.
  expect_eq "$(db "SELECT COUNT(*) FROM jobs")" 41 "jobs"
  expect_eq "$(db "SELECT COUNT(*) FROM jobs WHERE state = 'succeeded'")" 41 "jobs succeeded"
  expect_eq "$(db "SELECT COUNT(DISTINCT port) FROM ports")" 41 "distinct ports"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'push'")" 21 "push rows"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'sandbox.create'")" 20 "command rows"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'deploy' AND status = 'succeeded'")" 41
  engine_consistent
  integrity_ok
  lost=$(lost_rows "$before")
  expect_eq "$lost" 0 "audit rows lost"
  report 1 41 "$lost"
}

# The data folder on a tiny tmpfs that fills up, then turns read-only: every
# request gets a clear answer, nothing half-written, and all is well again
# once there is room.
test_full_and_read_only_data_folder() {
  mkdir -p "$DATA"
  mount -t tmpfs -o size=6m sandbot-fault "$DATA"  # cleanup unmounts it
  start_fake_chat
  start_daemon
  new_app_repo web
  out=$(slack /sandbox "create before-full")
  expect_eq "$(code_of "$out")" 200
  before=$(audit_ids)
  rows_before=$(db 'SELECT COUNT(*) FROM audit')

  # The write-ahead log's pages are reused once checkpointed, so a write can
  # still land in room the log already holds: empty it first, then every
  # write needs new room.
  db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  dd if=/dev/zero of="$DATA/filler" bs=64k >/dev/null 2>&1 || true
  # A command that must write: refused with a reason, not a hang or a 500.
  out=$(slack /sandbox "create while-full")
  expect_eq "$(code_of "$out")" 200 "chat status on a full disk"
  expect_contains "$(body_of "$out")" "full" "chat answer on a full disk"
  out=$("$SANDBOT" sandbox create while-full-cli 2>&1) && fail "create succeeded on a full disk: $out"
  expect_contains "$out" "full" "CLI answer on a full disk"
  out=$(push origin main:feature/full)
  expect_contains "$out" "full" "push answer on a full disk"
  grep -q "full" "$TEST_DIR/daemon.log" || true  # the log may itself be out of room
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name LIKE 'while-full%'")" 0 "half-created"

  rm -f "$DATA/filler"
  out=$(slack /sandbox "create after-full")
  expect_contains "$(body_of "$out")" "after-full" "chat answer with room again"
  expect_eq "$(db "SELECT COUNT(*) FROM sandboxes WHERE name = 'after-full'")" 1

  # Read-only (a remount needs no file open for writing, so the daemon is
  # stopped first): it refuses to start and says why.
  stop_daemon
  mount -o remount,ro "$DATA"
  out=$("$SANDBOT" serve --data "$DATA" --listen "$E2E_HTTP" 2>&1) &&
    fail "the daemon started on a read-only data folder"
  expect_contains "$out" "writable" "serve on a read-only folder"
  mount -o remount,rw "$DATA"
  start_daemon
  "$SANDBOT" sandbox create after-ro >/dev/null
  integrity_ok
  lost=$(lost_rows "$before")
  expect_eq "$lost" 0 "audit rows lost"
  [ "$(db 'SELECT COUNT(*) FROM audit')" -gt "$rows_before" ] || fail "nothing audited after"
  report 2 0 "$lost"
}

# SIGTERM mid-job: systemd hears READY=1 then STOPPING=1, the job stops at a
# safe point and goes back to the queue, the daemon exits 0, and the next
# start finishes the job.
test_sigterm_mid_job_requeues_and_systemd_hears_ready_and_stopping() {
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
        out.flush()
' "$TEST_DIR/notify.sock" "$TEST_DIR/notify.log" &
  notify_pid=$!
  i=0
  until [ -S "$TEST_DIR/notify.sock" ]; do i=$((i + 1)); [ $i -lt 50 ] || break; sleep 0.1; done
  NOTIFY_SOCKET=$TEST_DIR/notify.sock SANDBOT_FAILPOINTS=container.started=3000 \
    start_daemon --stop-timeout 20
  expect_contains "$(cat "$TEST_DIR/notify.log")" "READY=1" "notify socket"
  new_app_repo web
  out=$(push origin main:feature/term)
  job=$(sed -n 's/.*(job \([0-9]*\)).*/\1/p' <<<"$out" | head -n 1)
  wait_log "failpoint container.started"
  kill -TERM "$DAEMON_PID"
  status=0
  wait "$DAEMON_PID" || status=$?
  expect_eq "$status" 0 "exit status after SIGTERM"
  expect_contains "$(cat "$TEST_DIR/notify.log")" "STOPPING=1" "notify socket"
  kill "$notify_pid" 2>/dev/null || true
  expect_eq "$(job_state "$job")" queued "job after SIGTERM"
  expect_contains "$(db "SELECT message FROM job_events WHERE job_id = $job")" \
    "interrupted by a daemon stop"
  integrity_ok
  start_daemon
  wait_job_final "$job" 60
  expect_eq "$(job_state "$job")" succeeded \
    "job after the restart ($(db "SELECT detail FROM jobs WHERE id = $job" | head -c 600))"
  engine_consistent
  report 1 1 0
}
