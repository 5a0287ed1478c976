#!/usr/bin/env python3
"""The figures of issue 14 on a daemon with many sandboxes in its store:
GET /metrics scrapes and the chat `/sandbox list` (Slack), each timed on one
keep-alive connection from this process, and the daemon's RSS idle before
and after the scrapes.

  metrics_bench.py HOST:PORT --pid PID --secret SLACK_SECRET --sandboxes N
                   [--scrapes 500] [--lists 200]

Fails (exit 1) when an answer is wrong: a scrape that is not 200 or does not
count N sandboxes, a list that is not 200, has more than Slack's 50 blocks
or does not say "N sandboxes". Prints one JSON object:
  scrapes, scrape_p50_ms, scrape_p99_ms, scrape_max_ms, scrape_bytes,
  lists, list_p50_ms, list_p99_ms, list_max_ms, list_blocks, list_bytes,
  scrape_cpu_ms and list_cpu_ms (the daemon's CPU time per answer, user and
  system, from /proc: what a busy machine does not inflate),
  rss_idle_before_kb, rss_idle_after_scrapes_kb, rss_idle_after_lists_kb
  (each after 2 s or more of quiet).
Used by bench/run.sh (part "metrics").
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import sys
import time
import urllib.parse


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    v = sorted(values)
    rank = max(1, -(-len(v) * p // 100))  # nearest rank
    return round(v[int(rank) - 1], 2)


def timed(conn, method, path, body=None, headers=None):
    t0 = time.perf_counter()
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    return (time.perf_counter() - t0) * 1000.0, res.status, data


def slack_request(secret, n):
    body = urllib.parse.urlencode({
        "token": "x", "team_id": "T0BENCH", "team_domain": "bench", "channel_id": "C0BENCH",
        "channel_name": "bench", "user_id": "U0BENCH", "user_name": "bench",
        "command": "/sandbox", "text": "list",
        "response_url": "https://hooks.slack.com/commands/T0BENCH/1/x",
        "trigger_id": "%d.%d.bench" % (n, time.time_ns()),
    })
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), ("v0:%s:%s" % (ts, body)).encode(), hashlib.sha256)
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": "v0=" + mac.hexdigest(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--sandboxes", type=int, required=True)
    ap.add_argument("--scrapes", type=int, default=500)
    ap.add_argument("--lists", type=int, default=200)
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    out = {}
    time.sleep(2)  # the maintenance thread trims malloc's arenas every second
    out["rss_idle_before_kb"] = rss_kb(a.pid)

    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    want = 'sandbot_sandboxes{state="healthy"} %d\n' % a.sandboxes
    times = []
    cpu0 = None
    for i in range(a.scrapes + 5):
        if i == 5:
            cpu0 = cpu_ms(a.pid)
        ms, status, data = timed(conn, "GET", "/metrics")
        text = data.decode()
        if status != 200 or want not in text:
            print("scrape %d: HTTP %d, no %r" % (i, status, want.strip()), file=sys.stderr)
            return 1
        if i >= 5:  # five warm-up scrapes
            times.append(ms)
        out["scrape_bytes"] = len(data)
    out.update(scrapes=len(times), scrape_p50_ms=pct(times, 50), scrape_p99_ms=pct(times, 99),
               scrape_max_ms=round(max(times), 2),
               scrape_cpu_ms=round((cpu_ms(a.pid) - cpu0) / len(times), 2))
    time.sleep(2.5)
    out["rss_idle_after_scrapes_kb"] = rss_kb(a.pid)

    times = []
    for i in range(a.lists + 5):
        if i == 5:
            cpu0 = cpu_ms(a.pid)
        body, headers = slack_request(a.secret, i)
        ms, status, data = timed(conn, "POST", "/slack/commands", body, headers)
        try:
            msg = json.loads(data)
        except ValueError:
            msg = {}
        blocks = msg.get("blocks", [])
        title = blocks[0].get("text", {}).get("text", "") if blocks else ""
        if status != 200 or not 0 < len(blocks) <= 50 or title != "%d sandboxes" % a.sandboxes:
            print("list %d: HTTP %d, %d blocks, %r: %s" % (i, status, len(blocks), title,
                                                          data[:300]), file=sys.stderr)
            return 1
        if i >= 5:
            times.append(ms)
        out["list_blocks"] = len(blocks)
        out["list_bytes"] = len(data)
    out.update(lists=len(times), list_p50_ms=pct(times, 50), list_p99_ms=pct(times, 99),
               list_max_ms=round(max(times), 2),
               list_cpu_ms=round((cpu_ms(a.pid) - cpu0) / len(times), 2))
    conn.close()
    time.sleep(2.5)
    out["rss_idle_after_lists_kb"] = rss_kb(a.pid)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
