#!/usr/bin/env python3
"""Stands in for Slack's response_url, Slack/Teams incoming webhooks and a
Mattermost response_url: records every request it gets as one JSON line
(path, headers, body) and answers like the real services do (200 "ok").
Usage: fake_chat.py PORT RECORD_FILE"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, record = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"path": self.path,
                                  "content_type": self.headers.get("Content-Type", ""),
                                  "body": body}) + "\n")
        reply = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
