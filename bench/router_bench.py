#!/usr/bin/env python3
"""The router benchmark (issue 13), no engine needed: `sandbot router` on
loopback in front of a keep-alive HTTP/1.1 upstream.

  hop      p50/p99 of one small GET straight to the upstream and through the
           router (both on kept-alive connections): the router's added latency
  switch   p50/p99 from rewriting routes.json (renamed into place, as the
           daemon does) to the router acknowledging that table
           (GET /_sandbot/table-version?want=V), and that the next request
           reaches the new target
  rss      the router's VmRSS after the runs: the binary the router image
           carries (sandbot-router beside SANDBOT, static, when it is there),
           and `SANDBOT router` (the whole daemon binary, dynamically linked)
           after the same hop run, for comparison

Usage: router_bench.py SANDBOT PORT_BASE [RESULTS_DIR]. Fails when what it
measures fails (a wrong answer, no acknowledgement); asserts no target.
"""
import http.client
import http.server
import json
import os
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SANDBOT, BASE = sys.argv[1], int(sys.argv[2])
STATIC_ROUTER = os.path.join(os.path.dirname(os.path.abspath(SANDBOT)), "sandbot-router")
RESULTS = sys.argv[3] if len(sys.argv) > 3 else None
UP_A, UP_B, ROUTER = BASE, BASE + 1, BASE + 2
HOP_RUNS, SWITCH_RUNS = 2000, 50


def upstream(port, name):
    class Page(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_GET(self):
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = Server(("127.0.0.1", port), Page)
    threading.Thread(target=srv.serve_forever, daemon=True).start()


def fnv(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def write_table(path, port):
    text = json.dumps({"payment": {"route": "http://127.0.0.1:%d" % port,
                                   "url": "http://127.0.0.1:%d" % port, "port": ROUTER}})
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)
    return fnv(text.encode())


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int([line.split()[1] for line in f if line.startswith("VmRSS:")][0]) / 1024


def start_router(binary, table, log):
    router = subprocess.Popen([binary, "router", "--routes", table, "--bind", "127.0.0.1"],
                              stdout=log, stderr=log)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", ROUTER, timeout=2)
            c.request("GET", "/_sandbot/health")
            if c.getresponse().status == 200:
                return router
        except OSError:
            time.sleep(0.05)
    router.terminate()
    sys.exit("router %s did not start" % binary)


def main():
    upstream(UP_A, "a")
    upstream(UP_B, "b")
    d = tempfile.mkdtemp(prefix="sandbot-router-bench-")
    table = os.path.join(d, "routes.json")
    write_table(table, UP_A)
    log = open(os.path.join(d, "router.log"), "w")
    binary = STATIC_ROUTER if os.access(STATIC_ROUTER, os.X_OK) else SANDBOT
    router = start_router(binary, table, log)
    try:
        def timed(port, host):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            out = []
            for i in range(HOP_RUNS + 100):
                t = time.perf_counter()
                c.request("GET", "/", headers={"Host": host})
                r = c.getresponse()
                body = r.read()
                dt = time.perf_counter() - t
                if r.status != 200 or body != b"a":
                    sys.exit("wrong answer %d %r" % (r.status, body))
                if i >= 100:
                    out.append(dt * 1000)
            return out

        direct = timed(UP_A, "payment")
        routed = timed(ROUTER, "payment:%d" % ROUTER)
        hop50 = statistics.median(routed) - statistics.median(direct)

        switch = []
        c = http.client.HTTPConnection("127.0.0.1", ROUTER, timeout=5)
        port = UP_A
        for _ in range(SWITCH_RUNS):
            port = UP_B if port == UP_A else UP_A
            t = time.perf_counter()
            v = write_table(table, port)
            c.request("GET", "/_sandbot/table-version?want=" + v)
            r = c.getresponse()
            r.read()
            dt = (time.perf_counter() - t) * 1000
            if r.status != 200:
                sys.exit("router did not acknowledge table %s" % v)
            c.request("GET", "/", headers={"Host": "payment"})
            r = c.getresponse()
            body = r.read().decode()
            want = "b" if port == UP_B else "a"
            if body != want:
                sys.exit("after the switch the answer came from %r, not %r" % (body, want))
            switch.append(dt)
            time.sleep(0.01)
        rss = rss_mb(router.pid)
        router.terminate()
        router.wait()
        # The whole daemon binary as a router, after the same hop run.
        router = start_router(SANDBOT, table, log)
        timed(ROUTER, "payment:%d" % ROUTER)
        rss_dynamic = rss_mb(router.pid)
        lines = [
            "router hop: direct p50 %.3f ms p99 %.3f ms; through the router p50 %.3f ms "
            "p99 %.3f ms; added p50 %.3f ms (%d requests each)"
            % (statistics.median(direct), pct(direct, 0.99), statistics.median(routed),
               pct(routed, 0.99), hop50, HOP_RUNS),
            "router route switch to acknowledged: p50 %.2f ms p99 %.2f ms (%d switches)"
            % (statistics.median(switch), pct(switch, 0.99), SWITCH_RUNS),
            "router RSS: %.1f MB (%s, the router image's binary); `sandbot router` "
            "dynamically linked: %.1f MB" % (rss, os.path.basename(binary)
                                              + (", static" if binary == STATIC_ROUTER else ""),
                                              rss_dynamic),
        ]
        print("\n".join(lines))
        if RESULTS:
            with open(os.path.join(RESULTS, "router.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
    finally:
        router.terminate()
        router.wait()


main()
