#!/usr/bin/env python3
"""Tiny HTTP receiver for harness tests: appends each POST (path, headers, body) as a JSON line."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

ADDRESS, PORT, OUT = sys.argv[1], int(sys.argv[2]), sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                  "body": body}
        with open(OUT, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


HTTPServer((ADDRESS, PORT), Handler).serve_forever()
