# Issue 16 item 13: `env set-file` at `/.`, `/etc/.` or `/var/run/secrets/…`
# was accepted, and attaching such an environment removed a running
# container and never recreated it. Paths are refused in every spelling of a
# reserved folder; and a container the engine will not create or start
# never costs the running one.

# The id and state of a container ("" when absent).
container_id() { engine GET "/containers/$1/json" 2>/dev/null | jq -r '.Id // empty'; }
container_running() { engine GET "/containers/$1/json" 2>/dev/null | jq -r '.State.Running'; }

# wait_job_done ID: until the job succeeded or failed; prints its state.
wait_job_done() {
  local i=0 state
  while [ $i -lt 600 ]; do
    state=$(db "SELECT state FROM jobs WHERE id = $1")
    case "$state" in succeeded | failed) echo "$state"; return 0 ;; esac
    i=$((i + 1))
    sleep 0.1
  done
  echo "$state"
}

last_job() { db "SELECT MAX(id) FROM jobs"; }

# expect_kept ID URL WHAT: the container that ran still runs, under its
# name, with the same id, and answers; no standby is left.
expect_kept() {
  expect_eq "$(container_id sandbox-qa-files-web)" "$1" "the container after $3"
  expect_eq "$(container_running sandbox-qa-files-web)" true "running after $3"
  curl -sf "$2/" >/dev/null || fail "the service stopped answering after $3"
  expect_eq "$(db "SELECT status FROM services WHERE name = 'web'")" running "the row after $3"
  expect_eq "$(container_id sandbox-qa-files-web.old)" "" "a standby left after $3"
}

test_env_files_at_reserved_paths_are_refused_and_a_refused_recreate_keeps_the_container() {
  chat_setup
  local p out before id url job env_id
  "$SANDBOT" env create files >/dev/null
  for p in /. /etc/. /etc /etc/ /var/run/secrets/TOKEN /var/run/secrets /run/secrets/x \
    /run//secrets/x /run/./secrets/x /etc/./passwd /etc/../shadow /proc/self/environ /sys/x \
    /dev/x /etc/sandbot/routes.json /usr; do
    out=$(echo x | "$SANDBOT" env set-file files "$p" 2>&1) && fail "set-file $p was accepted"
    case "$out" in
      *"not a valid file path"* | *"reserved folder"* | *"system folder"*) ;;
      *) fail "set-file $p: no clear answer: $out" ;;
    esac
  done
  expect_eq "$(db "SELECT COUNT(*) FROM env_entries")" 0 "entries stored"
  out=$(echo x | "$SANDBOT" env set-file files /etc/app/app.conf 2>&1)
  expect_contains "$out" "Set file /etc/app/app.conf"

  out=$("$SANDBOT" sandbox create qa-files web@feature/chat 2>&1)
  wait_for_status qa-files web running || return 1
  before=$(container_id sandbox-qa-files-web)
  url=$("$SANDBOT" sandbox status qa-files --json | jq -r '.services[0].url')
  curl -sf "$url/" >/dev/null || fail "the service does not answer"

  # An entry stored before the rules tightened (written straight into the
  # store): the recreate stops before anything is removed.
  env_id=$(db "SELECT id FROM environments WHERE name = 'files'")
  db "INSERT INTO env_entries(env_id, key, kind, value, as_env, updated_at)
      VALUES($env_id, '/etc/.', 'file', 'x', 0, 0)"
  "$SANDBOT" env attach files qa-files >/dev/null 2>&1
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" failed "the reroute with /etc/."
  expect_contains "$(db "SELECT detail FROM jobs WHERE id = $job")" "/env unset"
  expect_kept "$before" "$url" "/etc/."
  # It can be removed with the usual command.
  out=$("$SANDBOT" env unset files /etc/. 2>&1)
  expect_contains "$out" "Removed /etc/. from environment files"
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" succeeded "the reroute after the unset"
  before=$(container_id sandbox-qa-files-web)

  # A setting the real engine refuses at create (a memory limit under its
  # 6 MB minimum, written straight into the store): the running container
  # is kept, the row says running, the job fails saying so.
  db "UPDATE sandboxes SET memory_mb = 1 WHERE name = 'qa-files'"
  "$SANDBOT" env set files A=1 >/dev/null 2>&1
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" failed "the reroute the engine refuses"
  expect_contains "$(db "SELECT detail FROM jobs WHERE id = $job")" "the running one"
  expect_kept "$before" "$url" "a refused create"
  db "UPDATE sandboxes SET memory_mb = 0 WHERE name = 'qa-files'"

  # A file the engine can only find wrong when the container starts: /www
  # is a folder in the image, and a file cannot be mounted over it. The new
  # container goes, the one that ran gets its name back and runs.
  out=$(echo x | "$SANDBOT" env set-file files /www 2>&1)
  expect_contains "$out" "Set file /www"
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" failed "the reroute with a file over /www"
  expect_contains "$(db "SELECT detail FROM jobs WHERE id = $job")" "the running one"
  expect_kept "$before" "$url" "a refused start"
  "$SANDBOT" env unset files /www >/dev/null 2>&1
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" succeeded "the reroute after removing /www"
  before=$(container_id sandbox-qa-files-web)

  # Fixed, the next change replaces it.
  "$SANDBOT" env set files A=2 >/dev/null 2>&1
  job=$(last_job)
  expect_eq "$(wait_job_done "$job")" succeeded "the reroute after the fix"
  [ "$(container_id sandbox-qa-files-web)" != "$before" ] || fail "the container was not recreated"
  curl -sf "$url/" >/dev/null || fail "the recreated service does not answer"
}
