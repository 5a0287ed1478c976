# Files readable by everyone (issue 16 item 12): the data folder is the
# daemon's and its group's. After a deploy with secrets, nothing in it that
# others could read holds the store, its WAL, a log, the key or a secret;
# what is open to others is only what containers mount, behind 0750 folders.

# Prints the paths under $DATA that others can read and that are not the
# container mounts (work/{sandbox}/… checkouts and routes, secret files in
# their 0700 folders) — what must never be there.
readable_by_others() {
  find "$DATA" -perm -o+r ! -type l | while read -r p; do
    case "$p" in
      "$DATA"/work/*/*) ;;                 # bind-mounted at /src, /etc/sandbot
      "$DATA"/secrets/*/*/run/* | "$DATA"/secrets/*/*/files/*) ;; # 0444 in 0700 folders
      *) echo "$p" ;;
    esac
  done
}

test_after_a_deploy_nothing_sensitive_in_the_data_folder_is_readable_by_others() {
  umask 022 # what a shell or an old unit gives
  mkdir -p "$DATA"
  echo '{"baseline": {"api": "https://api-dev.example.com"}}' >"$DATA/config.json"
  start_daemon
  # A non-root container: busybox httpd drops to uid 1234 and serves the
  # checkout (/src) and the routes (/etc/sandbot) it reads as that user.
  "$SANDBOT" repo add site "$TEST_DIR/site.git" --init --port 8080 --health /src/index.html \
    --image sandbot/busybox:latest --cmd httpd --cmd -f --cmd -p --cmd 8080 --cmd -u \
    --cmd 1234:1234 --cmd -h --cmd / >/dev/null
  WORK=$TEST_DIR/work-site
  git init -q -b main "$WORK"
  git -C "$WORK" remote add origin "$TEST_DIR/site.git"
  echo "served to uid 1234" >"$WORK/index.html"
  git -C "$WORK" add index.html
  git -C "$WORK" commit -qm "static site"
  git -C "$WORK" push -q origin main 2>/dev/null
  "$SANDBOT" env create files >/dev/null
  "$SANDBOT" env set files "API_TOKEN=t0p-$RANDOM" --secret >/dev/null
  "$SANDBOT" sandbox create files-sb >/dev/null
  "$SANDBOT" env attach files files-sb >/dev/null
  out=$("$SANDBOT" deploy site main to files-sb --wait)
  expect_contains "$out" "site running"
  pid=$(engine GET /containers/sandbox-files-sb-site/json | jq .State.Pid)
  expect_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 1234 "the server's uid"
  url=$("$SANDBOT" sandbox status files-sb --json | jq -r '.services[0].url')
  expect_eq "$(curl -sf "$url/src/index.html")" "served to uid 1234" "the checkout, read as uid 1234"
  curl -sf "$url/etc/sandbot/routes.json" | jq -e . >/dev/null ||
    fail "the routes file is not readable by uid 1234"
  "$SANDBOT" sandbox list >/dev/null # and the store has been written
  [ -f "$DATA/sandbot.db-wal" ] || fail "no WAL to check"
  ls "$DATA"/logs/job-*.log >/dev/null || fail "no job log to check"
  ls "$DATA"/secrets/files-sb/*/run/API_TOKEN >/dev/null || fail "no secret file to check"

  expect_eq "$(stat -c %a "$DATA")" 750 "the data folder's mode"
  local p
  for p in "$DATA/sandbot.db" "$DATA/sandbot.db-wal" "$DATA/secret.key" "$DATA/config.json" \
    "$DATA/logs" "$DATA"/logs/* "$DATA/spool" "$DATA/work" "$DATA/secrets"; do
    [ $((0$(stat -c %a "$p") & 07)) = 0 ] || fail "$p is $(stat -c %a "$p"): others have access"
  done
  expect_eq "$(readable_by_others)" "" "paths others can read"
}

# An install made before (umask 022): the daemon closes it at start.
test_an_old_install_readable_by_others_is_closed_at_start() {
  start_daemon
  "$SANDBOT" sandbox create old-sb >/dev/null
  stop_daemon
  chmod 0755 "$DATA" "$DATA/logs"
  chmod 0644 "$DATA/sandbot.db"
  [ -n "$(readable_by_others)" ] || fail "the setup left nothing readable"
  start_daemon
  expect_eq "$(stat -c %a "$DATA")" 750 "the data folder's mode"
  expect_eq "$(stat -c %a "$DATA/sandbot.db")" 640 "the store's mode"
  expect_eq "$(readable_by_others)" "" "paths others can read"
  expect_contains "$(cat "$TEST_DIR/daemon.log")" "were readable by others; now they are not"
}
