# Descriptor and connection limits under attack (issue 16 items 6 and 7),
# replayed against the real daemon.

# Item 6: 10,000 idle connections against a daemon whose open-file limit is
# 1,024 (soft and hard, so it cannot raise it). /healthz keeps answering, the
# log does not fill, and the daemon does not spin once the burst is over.
test_ten_thousand_idle_connections_under_a_1024_descriptor_limit() {
  printf '#!/bin/sh\nexec prlimit --nofile=1024 -- "%s" "$@"\n' "$SANDBOT" >"$TEST_DIR/limited"
  chmod +x "$TEST_DIR/limited"
  SANDBOT=$TEST_DIR/limited start_daemon
  expect_eq "$(awk '/Max open files/ {print $4 "/" $5}' "/proc/$DAEMON_PID/limits")" 1024/1024 \
    "the daemon's open-file limit"
  local log_before out
  log_before=$(wc -c <"$TEST_DIR/daemon.log")
  out=$(python3 bench/idle_flood.py "$E2E_HTTP" --pid "$DAEMON_PID" --connections 10000 --hold 3)
  echo "    $out" >&2
  kill -0 "$DAEMON_PID" || fail "the daemon died"
  expect_eq "$(jq .probe_failures <<<"$out")" 0 "/healthz probes that failed"
  [ "$(jq .probes <<<"$out")" -ge 20 ] || fail "too few /healthz probes ran: $out"
  # The bounds leave room for `make test`: a sanitized -O0 daemon on two
  # cores shared with another test and the unit build reached a 1.3 s
  # /healthz and 840 ms of CPU in the hold (alone: 0.2 s and 90 ms). The
  # release figures are `make bench`'s (README, "Figures").
  jq -e '.healthz_p50_ms < 50 and .healthz_max_ms < 2500' <<<"$out" >/dev/null ||
    fail "/healthz was slow during the burst: $out"
  # 3 s with the connections held: a spinning accept loop would burn ~3000 ms.
  jq -e '.idle_cpu_ms <= 1200' <<<"$out" >/dev/null || fail "the daemon was busy after the burst: $out"
  local grown=$(($(wc -c <"$TEST_DIR/daemon.log") - log_before))
  [ "$grown" -lt 4000 ] || fail "the burst added $grown bytes of log"
  expect_eq "$(curl -s --max-time 2 "http://$E2E_HTTP/healthz")" '{"ok":true}' "/healthz afterwards"
  # Never over the limit: the connections were capped below it.
  [ "$(find "/proc/$DAEMON_PID/fd" -mindepth 1 | wc -l)" -lt 1024 ] || fail "the daemon holds 1024 descriptors"
}

# Item 7: a body over the limit on a chat route gets its 413 at once; a
# client that then trickles bytes (it used to keep the connection for 45 s
# and counting) is cut off at the closing deadline (2 s after the answer).
test_a_client_trickling_bytes_after_a_413_is_closed_at_the_deadline() {
  start_daemon
  local out
  out=$(python3 - "$E2E_HTTP" <<'PY'
import socket, sys, time
host, port = sys.argv[1].split(":")
s = socket.create_connection((host, int(port)))
s.sendall(b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nX-Slack-Signature: v0=00\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n"
          + b"a" * 1000)
s.settimeout(5)
got = b""
while b"\r\n\r\n" not in got:
    chunk = s.recv(4096)
    if not chunk:
        break
    got += chunk
assert got.startswith(b"HTTP/1.1 413"), got[:100]
t0 = time.monotonic()
# The server shuts down its side after the answer (so the client reads it
# whole) and drains what still comes; the attack is to keep it draining.
# One byte every 100 ms until the daemon has closed the socket: the kernel
# then answers with a reset, and a send fails.
while time.monotonic() - t0 < 15:
    try:
        s.send(b"a")
    except OSError:
        break
    time.sleep(0.1)
print("%.2f" % (time.monotonic() - t0))
PY
)
  echo "    closed ${out} s after the 413" >&2
  awk -v t="$out" 'BEGIN { exit !(t >= 1.5 && t < 5) }' ||
    fail "the connection was closed after ${out} s of trickling (deadline 2 s, swept each second)"
  # Counted, and recorded once.
  curl -s "http://$E2E_HTTP/metrics" | grep -qx 'sandbot_requests_rejected_total{door="slack",reason="too_large"} 1' ||
    fail "the 413 is not counted: $(curl -s "http://$E2E_HTTP/metrics" | grep too_large)"
  expect_eq "$(db "SELECT COUNT(*) FROM audit WHERE action = 'request.rejected'")" 1 "audit rows"
}
