#!/usr/bin/env python3
"""Opens many idle connections to sandbot's HTTP listener at once (issue 16
item 6) while a prober asks GET /healthz on a new connection every few
milliseconds, then holds the connections and measures the daemon's CPU time.

  idle_flood.py HOST:PORT --pid PID [--connections 10000] [--sources 40]
                [--hold 3] [--probe-every 0.02]

The connections come from --sources loopback addresses (127.0.0.2, …), so
the per-address limit does not hide the descriptor limit; the prober uses
127.0.0.1. Prints one JSON object:
  connections, connected (whose handshake completed), burst_s,
  probes, probe_failures, healthz_p50_ms, healthz_p99_ms, healthz_max_ms
  (every probe, during the burst and the hold), burst_cpu_ms (the daemon's
  CPU time from the burst's start to its end plus 0.5 s), hold_s,
  idle_cpu_ms (its CPU time over the hold, the connections still open).
Used by tests/security/limits_test.sh and bench/run.sh (part "idle").
"""
import argparse
import errno
import json
import os
import resource
import socket
import threading
import time


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line.
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def probe(host, port, timeout=2.0):
    """Milliseconds for one GET /healthz on a new connection, None on failure."""
    t0 = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = b""
            while b'"ok":true' not in got:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            if not got.startswith(b"HTTP/1.1 200") or b'"ok":true' not in got:
                return None
    except OSError:
        return None
    return (time.monotonic() - t0) * 1000.0


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--sources", type=int, default=40)
    ap.add_argument("--hold", type=float, default=3.0)
    ap.add_argument("--probe-every", type=float, default=0.02)
    args = ap.parse_args()
    host, port = args.target.rsplit(":", 1)
    port = int(port)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.connections + 100
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
        raise SystemExit(f"idle_flood: the open-file limit {hard} is below {need}")

    latencies, failures = [], [0]
    stop = threading.Event()

    def prober():
        while not stop.is_set():
            ms = probe(host, port)
            if ms is None:
                failures[0] += 1
            else:
                latencies.append(ms)
            stop.wait(args.probe_every)

    thread = threading.Thread(target=prober)
    thread.start()
    time.sleep(0.2)  # a few probes before the burst

    socks = []
    cpu0 = cpu_ms(args.pid)
    t0 = time.monotonic()
    for i in range(args.connections):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((f"127.0.0.{2 + i % args.sources}", 0))
        rc = s.connect_ex((host, port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            continue
        socks.append(s)
    burst_s = time.monotonic() - t0
    time.sleep(0.5)
    cpu1 = cpu_ms(args.pid)
    connected = sum(1 for s in socks if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
    time.sleep(args.hold)
    cpu2 = cpu_ms(args.pid)
    stop.set()
    thread.join()
    for s in socks:
        s.close()
    print(json.dumps({
        "connections": args.connections,
        "connected": connected,
        "burst_s": round(burst_s, 3),
        "probes": len(latencies) + failures[0],
        "probe_failures": failures[0],
        "healthz_p50_ms": round(percentile(latencies, 0.50), 2),
        "healthz_p99_ms": round(percentile(latencies, 0.99), 2),
        "healthz_max_ms": round(max(latencies) if latencies else 0.0, 2),
        "burst_cpu_ms": round(cpu1 - cpu0, 1),
        "hold_s": args.hold,
        "idle_cpu_ms": round(cpu2 - cpu1, 1),
    }))


if __name__ == "__main__":
    main()
