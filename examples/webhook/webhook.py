#!/usr/bin/env python3
"""A fulfillment webhook in Python, standard library only.

The daemon POSTs {"kind", "request", "attempt", "cycleId"} signed with
X-Fulfillment-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>.
This one checks the signature and the timestamp's age, then decides by simple parameter checks:
  - purchase: inquire when `email` is not an e-mail address, else approve with TEMPLATE_ID
  - a `reject_reason` parameter with a value fails the request with that reason
  - every other request type is approved.

  WEBHOOK_SECRET=... PORT=8080 python3 examples/webhook/webhook.py
Prints "listening on <port>" once it accepts calls (PORT=0 picks a free port).
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["WEBHOOK_SECRET"].encode()
TEMPLATE_ID = os.environ.get("TEMPLATE_ID", "TL-WEBHOOK-001")
MAX_AGE_SECONDS = 300  # older (or future) timestamps are replays
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


def verified(timestamp, signature, body):
    """True when the signature is ours and the timestamp is recent."""
    try:
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
    except (TypeError, ValueError):
        return False
    expected = "sha256=" + hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")


def decide(call):
    request = call["request"]
    params = {p["id"]: p.get("value") for p in (request.get("asset") or request).get("params") or []}
    if params.get("reject_reason"):
        return {"action": "fail", "reason": params["reject_reason"]}
    if call["kind"] == "request" and request["type"] == "purchase":
        if not EMAIL.match(str(params.get("email") or "")):
            return {"action": "inquire", "params": {"email": "Enter a valid e-mail address."}}
    return {"action": "approve", "templateId": TEMPLATE_ID}


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not verified(self.headers.get("X-Fulfillment-Timestamp"), self.headers.get("X-Fulfillment-Signature"), body):
            return self.answer(401, {"error": "bad signature or stale timestamp"})
        self.answer(200, decide(json.loads(body)))

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet: the daemon logs every decision
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8080"))), Webhook)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
