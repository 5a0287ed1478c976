#!/usr/bin/env python3
"""Drives `sandbot router` on loopback against upstreams of its own, and
checks what passes through: chunked request and answer bodies streamed (the
first chunk arrives before the last is sent), a large Content-Length body,
X-Forwarded-*, upstream keep-alive reuse, and a 101 Upgrade tunnelled both
ways. Then https:// upstreams: a server with a certificate from a CA this
script makes, reached with that CA given (--ca): SNI and Host are the URL's
host, one TLS connection kept alive for two requests; the same server by
its IP (the certificate names only "localhost") and a router without the CA
(the system bundle alone) both answer 502 and never reach it.
Usage: router_upstream.py SANDBOT PORT_BASE DIR. Exits non-zero naming the
first thing that went wrong."""
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

SANDBOT, BASE, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3]
UP, ROUTER, TLS_UP, TLS_ROUTER, BARE_ROUTER = BASE, BASE + 1, BASE + 2, BASE + 3, BASE + 4
connections = []  # upstream connections accepted
seen = {}  # the last request head the upstream saw


def fail(why):
    sys.exit("router_upstream: " + why)


def read_head(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.decode().rstrip("\r\n"))


def read_chunked(f):
    body = b""
    while True:
        size = int(f.readline().split(b";")[0], 16)
        if size == 0:
            f.readline()
            return body
        body += f.read(size)
        f.readline()


def serve(conn):
    f = conn.makefile("rb")
    while True:
        head = read_head(f)
        if head is None:
            return
        headers = {}
        for h in head[1:]:
            k, v = h.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        seen.clear()
        seen.update(headers)
        seen["_line"] = head[0]
        path = head[0].split(" ")[1][len("/base"):]
        if headers.get("transfer-encoding") == "chunked":
            body = read_chunked(f)
        else:
            body = f.read(int(headers.get("content-length", "0")))
        if path == "/ws":
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\n\r\nhello from upstream\n")
            while True:  # echo, upper-cased
                data = conn.recv(4096)
                if not data:
                    return
                conn.sendall(data.upper())
        if path == "/lf-head":  # a CGI's headers as busybox httpd passes them
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nfrom a cgi\n")
            conn.close()
            return
        if path == "/slow-chunks":
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            conn.sendall(b"5\r\nfirst\r\n")
            time.sleep(0.5)
            conn.sendall(b"4\r\nlast\r\n0\r\n\r\n")
            continue
        answer = json.dumps({"sha": hashlib.sha256(body).hexdigest(), "len": len(body),
                             "conn": connections.index(conn)}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))


def accept_on(port, on_accept):
    """Listens on 127.0.0.1:port now; a thread then hands each connection to on_accept."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)

    def loop():
        while True:
            on_accept(s.accept()[0])
    threading.Thread(target=loop, daemon=True).start()


def on_plain(c):
    connections.append(c)
    threading.Thread(target=serve, args=(c,), daemon=True).start()


def read_to_close(sock):
    got = b""
    while True:
        more = sock.recv(4096)
        if not more:
            return got
        got += more


def request(sock, raw):
    sock.sendall(raw)
    f = sock.makefile("rb")
    head = read_head(f)
    if head is None:
        fail("no answer to " + raw[:40].decode(errors="replace"))
    headers = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in head[1:]}
    if headers.get("transfer-encoding") == "chunked":
        return head[0], read_chunked(f)
    return head[0], f.read(int(headers.get("content-length", "0")))


tls_seen = {"accepts": 0, "sni": [], "heads": []}


def make_ca():
    """A test CA and a certificate for DNS:localhost it signed, by openssl."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=DIR)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=sandbot e2e CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "up.key", "-out", "up.csr", "-subj", "/CN=localhost")
    with open(os.path.join(DIR, "up.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    run("x509", "-req", "-in", "up.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "up.pem", "-days", "1", "-extfile", "up.ext")


def tls_upstream():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(DIR, "up.pem"), os.path.join(DIR, "up.key"))
    ctx.sni_callback = lambda sock, name, _: tls_seen["sni"].append(name)

    def on_tls(c):
        tls_seen["accepts"] += 1
        threading.Thread(target=tls_serve, args=(ctx, c), daemon=True).start()
    accept_on(TLS_UP, on_tls)


def tls_serve(ctx, raw):
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        return  # a client that did not trust us: nothing served
    f = conn.makefile("rb")
    while True:
        head = read_head(f)
        if head is None:
            return
        tls_seen["heads"].append(head)
        answer = b"tls upstream: " + head[0].encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer))


def start_router(table, args, port, log_name):
    log = open(os.path.join(DIR, log_name), "w")
    p = subprocess.Popen([SANDBOT, "router", "--routes", table, "--bind", "127.0.0.1", *args],
                         stdout=log, stderr=log)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return p
        except OSError:
            time.sleep(0.05)
    return p


def check_tls():
    make_ca()
    tls_upstream()
    os.makedirs(os.path.join(DIR, "tls"), exist_ok=True)
    os.makedirs(os.path.join(DIR, "bare"), exist_ok=True)
    url = "https://localhost:%d/tls" % TLS_UP
    by_ip = "https://127.0.0.1:%d" % TLS_UP
    table = os.path.join(DIR, "tls", "routes.json")
    with open(table, "w") as f:
        json.dump({"secure": {"route": url, "url": url, "port": TLS_ROUTER},
                   "byip": {"route": by_ip, "url": by_ip}}, f)
    bare_table = os.path.join(DIR, "bare", "routes.json")
    with open(bare_table, "w") as f:
        json.dump({"secure": {"route": url, "url": url, "port": BARE_ROUTER}}, f)
    routers = [start_router(table, ["--ca", os.path.join(DIR, "ca.pem")], TLS_ROUTER,
                            "router-tls.log"),
               start_router(bare_table, [], BARE_ROUTER, "router-bare.log")]
    try:
        c = socket.create_connection(("127.0.0.1", TLS_ROUTER), timeout=5)
        for path in (b"/one", b"/two"):
            line, body = request(c, b"GET %s HTTP/1.1\r\nHost: secure\r\n\r\n" % path)
            if not line.startswith("HTTP/1.1 200") or body != b"tls upstream: GET /tls%s HTTP/1.1" % path:
                fail("https upstream with its CA: %s %r" % (line, body))
        if tls_seen["sni"] != ["localhost"]:
            fail("SNI sent: %r (want one handshake, localhost)" % tls_seen["sni"])
        if tls_seen["accepts"] != 1:
            fail("%d TLS connections for 2 requests in turn" % tls_seen["accepts"])
        hosts = [h for head in tls_seen["heads"] for h in head if h.lower().startswith("host:")]
        if hosts[-1] != "Host: localhost:%d" % TLS_UP:
            fail("Host upstream: %r" % hosts)
        heads = len(tls_seen["heads"])
        # The certificate names localhost, not 127.0.0.1: refused, closed.
        line, body = request(socket.create_connection(("127.0.0.1", TLS_ROUTER), timeout=5),
                             b"GET / HTTP/1.1\r\nHost: byip\r\n\r\n")
        if not line.startswith("HTTP/1.1 502") or b"not trusted" not in body:
            fail("https by IP, certificate for another name: %s %r" % (line, body))
        # No operator CA: the system bundle does not know the test CA.
        line, body = request(socket.create_connection(("127.0.0.1", BARE_ROUTER), timeout=5),
                             b"GET / HTTP/1.1\r\nHost: secure\r\n\r\n")
        if not line.startswith("HTTP/1.1 502") or b"not trusted" not in body:
            fail("https without the CA: %s %r" % (line, body))
        if len(tls_seen["heads"]) != heads:
            fail("a refused upstream got a request")
    finally:
        for r in routers:
            r.terminate()
            r.wait()


def main():
    accept_on(UP, on_plain)
    table = os.path.join(DIR, "routes.json")
    with open(table, "w") as f:
        json.dump({"api": {"route": "http://127.0.0.1:%d/base" % UP,
                           "url": "http://127.0.0.1:%d/base" % UP, "port": ROUTER}}, f)
    log = open(os.path.join(DIR, "router-local.log"), "w")
    router = subprocess.Popen([SANDBOT, "router", "--routes", table, "--bind", "127.0.0.1"],
                              stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", ROUTER), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        c = socket.create_connection(("127.0.0.1", ROUTER), timeout=5)
        # A large Content-Length body, then a chunked one, on one client
        # connection: both reach the upstream whole, on one upstream connection.
        big = os.urandom(3 * 1024 * 1024)
        line, body = request(c, b"POST /up HTTP/1.1\r\nHost: api:%d\r\nContent-Length: %d\r\n"
                             b"X-Forwarded-For: 10.0.0.9\r\n\r\n" % (ROUTER, len(big)) + big)
        got = json.loads(body)
        if got["sha"] != hashlib.sha256(big).hexdigest():
            fail("the 3 MB body arrived changed: " + line)
        if seen.get("_line") != "POST /base/up HTTP/1.1":
            fail("upstream saw " + seen.get("_line", "?"))
        if seen.get("host") != "127.0.0.1:%d" % UP:
            fail("upstream Host " + seen.get("host", "?"))
        if seen.get("x-forwarded-for") != "10.0.0.9, 127.0.0.1":
            fail("X-Forwarded-For " + seen.get("x-forwarded-for", "?"))
        if seen.get("x-forwarded-host") != "api:%d" % ROUTER or seen.get("x-forwarded-proto") != "http":
            fail("X-Forwarded-Host/-Proto %r" % seen)
        line, body = request(c, b"POST /up HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
        got2 = json.loads(body)
        if got2["len"] != 7 or got2["sha"] != hashlib.sha256(b"abcdefg").hexdigest():
            fail("chunked body arrived as %r" % got2)
        # A second client: the kept-alive upstream connection is reused (once
        # the first request's thread has put it back, just after answering).
        time.sleep(0.1)
        c2 = socket.create_connection(("127.0.0.1", ROUTER), timeout=5)
        _, body = request(c2, b"GET /again HTTP/1.1\r\nHost: api\r\n\r\n")
        if len(connections) != 1:
            fail("%d upstream connections for 3 requests in turn" % len(connections))
        # A chunked answer streams: its first chunk arrives before the last is sent.
        c2.sendall(b"GET /slow-chunks HTTP/1.1\r\nHost: api\r\n\r\n")
        t = time.time()
        first = b""
        while b"first" not in first and time.time() - t < 0.4:
            first += c2.recv(4096)
        if b"first" not in first or time.time() - t > 0.4:
            fail("the first chunk came late (%.2f s) or not at all: %r" % (time.time() - t, first))
        rest = first
        while b"0\r\n\r\n" not in rest:
            more = c2.recv(4096)
            if not more:
                fail("the chunked answer did not end")
            rest += more
        # An upgrade: 101, then bytes both ways.
        w = socket.create_connection(("127.0.0.1", ROUTER), timeout=5)
        w.sendall(b"GET /ws HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
        got = b""
        while b"hello from upstream\n" not in got:
            more = w.recv(4096)
            if not more:
                fail("the upgrade was not answered: %r" % got)
            got += more
        if not got.startswith(b"HTTP/1.1 101"):
            fail("no 101: %r" % got)
        w.sendall(b"ping over the tunnel")
        echo = b""
        while len(echo) < 20:
            more = w.recv(4096)
            if not more:
                fail("the tunnel closed")
            echo += more
        if echo != b"PING OVER THE TUNNEL":
            fail("tunnel echoed %r" % echo)
        # An answer whose header lines end in LF alone and whose body ends
        # when the upstream closes: passed on with CRLF, then closed.
        lf = socket.create_connection(("127.0.0.1", ROUTER), timeout=5)
        lf.sendall(b"GET /lf-head HTTP/1.1\r\nHost: api\r\n\r\n")
        got = read_to_close(lf)
        if (not got.startswith(b"HTTP/1.1 200 OK\r\n") or b"Content-Type: text/plain\r\n" not in got
                or not got.endswith(b"\r\n\r\nfrom a cgi\n")):
            fail("an LF-only head was answered as %r" % got)
        # A request an app could end elsewhere than the router would
        # (Content-Length beside chunked, a smuggling vector): 400, and
        # nothing of it reaches the upstream.
        seen.clear()
        bad = socket.create_connection(("127.0.0.1", ROUTER), timeout=5)
        bad.sendall(b"POST /smuggled HTTP/1.1\r\nHost: api\r\nContent-Length: 4\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /inner HTTP/1.1\r\nHost: api\r\n\r\n")
        got = read_to_close(bad)
        if not got.startswith(b"HTTP/1.1 400 ") or seen:
            fail("a request with both lengths: %r, upstream saw %r" % (got, seen))
        check_tls()
        print("router_upstream: ok")
    finally:
        router.terminate()
        router.wait()


main()
