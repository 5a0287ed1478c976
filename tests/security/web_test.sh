# The dashboard's sign-in link (store/web_links.h) and session cookie, attacked
# against the real daemon: a link used twice, an expired link, a forged one
# and a guessed or revoked cookie sign nobody in, and leave no session.

hex() { od -An -tx1 -v | tr -d ' \n'; }

# signed_link EXPIRES IDENTITY NAME: a token made exactly as the daemon makes
# one, with the data folder's key (only root and the daemon can read it):
# HMAC-SHA256 under HMAC(key, "sandbot mac web-login").
signed_link() {
  local key derived payload mac
  key=$(hex <"$DATA/secret.key")
  derived=$(printf 'sandbot mac web-login' |
    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -r | cut -d' ' -f1)
  payload=$(printf 'v1\n%s\n%s\n%s\n%s' "$(openssl rand -hex 16)" "$1" "$2" "$3" | hex)
  mac=$(printf '%s' "$payload" | xxd -r -p | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$derived" -r | cut -d' ' -f1)
  printf 'http://%s/ui/login?t=%s.%s\n' "$E2E_HTTP" "$payload" "$mac"
}

# open_link URL: "STATUS COOKIE-SET(0|1)" for signing in with the link (the
# POST its page's button makes).
open_link() {
  local head
  head=$(curl -s -D - -o /dev/null --data-urlencode "t=${1#*t=}" "http://$E2E_HTTP/ui/login")
  printf '%s %s\n' "$(sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' <<<"$head")" \
    "$(grep -ci '^Set-Cookie: sandbot_session=[0-9a-f]' <<<"$head" || true)"
}

sessions() { db "SELECT COUNT(*) FROM web_sessions"; }

test_a_sign_in_link_works_once() {
  start_daemon
  link=$("$SANDBOT" web-login | tail -n 1)
  # Opening it (a chat preview, a mail scanner) spends nothing and sets nothing.
  for _ in 1 2; do
    page=$(curl -s -D - "$link")
    expect_contains "$page" "HTTP/1.1 200"
    expect_contains "$page" 'id="signin"'
    expect_not_contains "$page" "Set-Cookie"
  done
  expect_eq "$(open_link "$link")" "303 1" "first use"
  expect_eq "$(open_link "$link")" "403 0" "replayed"
  expect_contains "$(curl -s --data-urlencode "t=${link#*t=}" "http://$E2E_HTTP/ui/login")" \
    "used already"
  expect_eq "$(sessions)" 1 "sessions"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'request.rejected' AND source = 'web'
                   AND detail LIKE '%used already%'")" 1 "audited refusal"
}

test_an_expired_or_forged_sign_in_link_signs_nobody_in() {
  start_daemon
  local now me_id
  now=$(date +%s)
  me_id="cli:$(id -u)"
  # The control: made this way with a future expiry, the link works (so the
  # refusals below are the expiry's and the signature's, not the making's).
  expect_eq "$(open_link "$(signed_link $((now + 300)) "$me_id" me)")" "303 1" "control"
  expect_eq "$(sessions)" 1 "sessions after the control"
  # Signed, but expired a second ago.
  expired=$(signed_link $((now - 1)) "$me_id" me)
  expect_eq "$(open_link "$expired")" "403 0" "expired"
  expect_contains "$(curl -s "$expired")" "expired"  # its page says so too
  # Another identity in a real link's payload, its signature kept.
  link=$("$SANDBOT" web-login | tail -n 1)
  token=${link#*t=}
  payload=$(printf '%s' "${token%.*}" | xxd -r -p | sed "s/^cli:[0-9]*$/slack:T1\/UADMIN/" | hex)
  forged="http://$E2E_HTTP/ui/login?t=$payload.${token#*.}"
  [ "$payload" != "${token%.*}" ] || fail "the payload was not changed"
  expect_eq "$(open_link "$forged")" "403 0" "forged identity"
  expect_contains "$(curl -s "$forged")" "signature does not match"  # the page too
  # Signed with another key.
  other=$(DATA=$TEST_DIR/other && mkdir -p "$DATA" && head -c 32 /dev/urandom >"$DATA/secret.key" &&
    signed_link $((now + 300)) "$me_id" me)
  expect_eq "$(open_link "$other")" "403 0" "another key"
  # Garbage.
  expect_eq "$(open_link "http://$E2E_HTTP/ui/login?t=zz.zz")" "403 0" "garbage"
  expect_eq "$(open_link "http://$E2E_HTTP/ui/login?t=")" "403 0" "no token"
  expect_eq "$(sessions)" 1 "no session made by a refused link"
  # The real link still works: refusals consumed nothing.
  expect_eq "$(open_link "$link")" "303 1" "the real link"
}

test_a_guessed_or_revoked_session_cookie_sees_nothing() {
  start_daemon
  "$SANDBOT" sandbox create qa-secret >/dev/null
  guess=$(openssl rand -hex 32)
  out=$(curl -s -D - -b "sandbot_session=$guess" "http://$E2E_HTTP/ui/")
  expect_contains "$out" "Location: /ui/signin"
  expect_not_contains "$out" "qa-secret"
  link=$("$SANDBOT" web-login | tail -n 1)
  cookie=$(curl -s -D - -o /dev/null -d "t=${link#*t=}" "http://$E2E_HTTP/ui/login" | sed -n 's/^Set-Cookie: sandbot_session=\([0-9a-f]*\);.*/\1/p')
  expect_contains "$(curl -s -b "sandbot_session=$cookie" "http://$E2E_HTTP/ui/")" "qa-secret"
  id=$("$SANDBOT" web-sessions list | awk '/^[0-9a-f]+  / {print $1; exit}')
  expect_contains "$("$SANDBOT" web-sessions revoke "$id")" "signed out"
  out=$(curl -s -D - -b "sandbot_session=$cookie" "http://$E2E_HTTP/ui/")
  expect_contains "$out" "Location: /ui/signin"
  expect_not_contains "$out" "qa-secret"
  # Nor does a POST without the session's CSRF token act.
  link=$("$SANDBOT" web-login | tail -n 1)
  cookie=$(curl -s -D - -o /dev/null -d "t=${link#*t=}" "http://$E2E_HTTP/ui/login" | sed -n 's/^Set-Cookie: sandbot_session=\([0-9a-f]*\);.*/\1/p')
  code=$(curl -s -o /dev/null -w '%{http_code}' -b "sandbot_session=$cookie" \
    -d 'op=lock&csrf=0000' "http://$E2E_HTTP/ui/sandboxes/qa-secret/action")
  expect_eq "$code" 403 "POST with a wrong CSRF token"
  expect_eq "$(db "SELECT locked_by FROM sandboxes WHERE name = 'qa-secret'")" "" "lock"
}
