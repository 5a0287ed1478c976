#!/usr/bin/env python3
"""The dashboard's figures of issue 14 (bench/run.sh, part "dashboard").

  dashboard_bench.py pages HOST:PORT --pid PID --link SIGN_IN_LINK --sandboxes N
                     --audit-rows M [--runs 200]
    On a daemon whose store holds N sandboxes and M audit rows and that has
    served nothing yet: its RSS idle (after 2 s or more of quiet); then signs
    in through the link, loads every kind of page five times (each page of
    the sandbox list, sandboxes, audit pages, the static files) and idles:
    its RSS again (what the dashboard added); then times each page below
    `--runs` times, interleaved, on one keep-alive connection: the server's
    own time (its Server-Timing header: store reads and rendering) and the
    wall time here (loopback, request written to answer read), medians and
    p99 (nearest rank), and the daemon's CPU per page from /proc.

  dashboard_bench.py sse HOST:PORT --link SIGN_IN_LINK --job ID --ticks K
    Follows the job's live log (GET /ui/jobs/ID/events) while its build
    prints K lines "tick I STAMP", STAMP the container's wall clock in
    microseconds (busybox adjtimex) when it printed the line; for each, the
    time from STAMP to the line's arrival here. Fails unless all K arrive
    and the stream ends with the job's end.

Prints one JSON object. Fails (exit 1) when an answer is wrong.
"""
import argparse
import http.client
import json
import re
import sys
import time
import urllib.parse

from metrics_bench import cpu_ms, pct, rss_kb  # beside this file


def fail(msg):
    print("dashboard_bench: " + msg, file=sys.stderr)
    sys.exit(1)


def sign_in(host, port, link):
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["t"][0]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", "/ui/login", body=urllib.parse.urlencode({"t": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    res = conn.getresponse()
    res.read()
    m = re.search(r"sandbot_session=([0-9a-f]+)", res.getheader("Set-Cookie") or "")
    conn.close()
    if res.status != 303 or not m:
        fail("sign-in answered HTTP %d without a session cookie" % res.status)
    return "sandbot_session=" + m.group(1)


def get(conn, path, cookie):
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    res = conn.getresponse()
    body = res.read()
    wall = (time.perf_counter() - t0) * 1000.0
    m = re.search(r"dur=([0-9.]+)", res.getheader("Server-Timing") or "")
    return res.status, body.decode("utf-8", "replace"), wall, float(m.group(1)) if m else None


def pages(a):
    host, port = a.target.rsplit(":", 1)
    port = int(port)
    out = {}
    time.sleep(2.5)  # the maintenance thread trims malloc's arenas every second
    out["rss_idle_start_kb"] = rss_kb(a.pid)
    cookie = sign_in(host, port, a.link)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    last = (a.sandboxes + 49) // 50
    names = ["mb-%04d" % i for i in (1, a.sandboxes // 2, a.sandboxes)]
    warm = (["/ui/?page=%d" % p for p in range(1, last + 1)] +
            ["/ui/sandboxes/" + n for n in names] +
            ["/ui/audit", "/ui/audit?page=2", "/ui/audit?actor=bench", "/ui/?state=Healthy",
             "/ui/?owner=bench", "/ui/static/web_app.js", "/ui/static/web_app.css"])
    for _ in range(5):
        for path in warm:
            status, body, _, _ = get(conn, path, cookie)
            if status != 200:
                fail("GET %s: HTTP %d" % (path, status))
    time.sleep(2.5)
    out["rss_idle_after_pages_kb"] = rss_kb(a.pid)

    # What is timed, and what each answer must hold.
    audit_last = (a.audit_rows + 99) // 100
    timed = [
        ("list_first", "/ui/", "%d sandboxes" % a.sandboxes),
        ("list_middle", "/ui/?page=%d" % (last // 2), "page %d of %d" % (last // 2, last)),
        ("list_last", "/ui/?page=%d" % last, "page %d of %d" % (last, last)),
        ("list_owner", "/ui/?owner=bench&page=2", "page 2 of %d" % last),
        ("list_health", "/ui/?state=Healthy&page=2", "page 2 of %d" % last),
        ("audit_first", "/ui/audit", "mb-"),
        ("audit_last", "/ui/audit?page=%d" % audit_last, "mb-"),
        ("audit_filtered", "/ui/audit?actor=bench&action=deploy&page=3", "deploy"),
    ]
    samples = {k: ([], []) for k, _, _ in timed}
    for k, path, want in timed:  # the first answers, checked whole
        status, body, _, dur = get(conn, path, cookie)
        if status != 200 or want not in body or dur is None:
            fail("GET %s: HTTP %d, no %r or no Server-Timing: %s" % (path, status, want, body[:300]))
        if k.startswith("list") and body.count('<tr class="sandbox"') != 50:
            fail("GET %s shows %d sandboxes, not 50" % (path, body.count('<tr class="sandbox"')))
    cpu0 = cpu_ms(a.pid)
    for _ in range(a.runs):
        for k, path, want in timed:
            status, body, wall, dur = get(conn, path, cookie)
            if status != 200 or dur is None:
                fail("GET %s: HTTP %d" % (path, status))
            samples[k][0].append(dur)
            samples[k][1].append(wall)
    cpu = (cpu_ms(a.pid) - cpu0) / (a.runs * len(timed))
    conn.close()
    for k, _, _ in timed:
        server, wall = samples[k]
        out[k] = {"server_p50_ms": pct(server, 50), "server_p99_ms": pct(server, 99),
                  "wall_p50_ms": pct(wall, 50), "wall_p99_ms": pct(wall, 99)}
    out["runs"] = a.runs
    out["cpu_ms_per_page"] = round(cpu, 3)
    out["page_bytes"] = len(get(http.client.HTTPConnection(host, port, timeout=10), "/ui/",
                                cookie)[1].encode())
    print(json.dumps(out))


def sse(a):
    host, port = a.target.rsplit(":", 1)
    cookie = sign_in(host, int(port), a.link)
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.request("GET", "/ui/jobs/%d/events" % a.job, headers={"Cookie": cookie})
    res = conn.getresponse()
    if res.status != 200 or "text/event-stream" not in (res.getheader("Content-Type") or ""):
        fail("events: HTTP %d %s" % (res.status, res.getheader("Content-Type")))
    latencies = {}
    ended = None
    event = ""
    while True:
        raw = res.fp.readline()
        arrived_us = time.time_ns() // 1000
        if not raw:
            break
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
            if event == "end":
                ended = data
                break
            m = re.fullmatch(r"tick (\d+) (\d+)", data)
            if m:
                latencies[int(m.group(1))] = (arrived_us - int(m.group(2))) / 1000.0
        elif line == "":
            event = ""
    conn.close()
    if ended != "succeeded":
        fail("the job's stream ended with %r" % ended)
    if sorted(latencies) != list(range(1, a.ticks + 1)):
        fail("%d of %d tick lines arrived" % (len(latencies), a.ticks))
    v = list(latencies.values())
    print(json.dumps({"lines": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99),
                      "max_ms": round(max(v), 3), "min_ms": round(min(v), 3)}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["pages", "sse"])
    ap.add_argument("target")
    ap.add_argument("--link", required=True)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--sandboxes", type=int, default=1000)
    ap.add_argument("--audit-rows", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--job", type=int)
    ap.add_argument("--ticks", type=int, default=20)
    a = ap.parse_args()
    if a.mode == "pages":
        pages(a)
    else:
        sse(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
