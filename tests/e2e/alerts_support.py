"""A local webhook receiver for alert notifications: records every POST, answers a scripted status."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    """Listens on 127.0.0.1; `fail_first` POSTs are answered 500, the rest 200."""

    def __init__(self, fail_first: int = 0):
        self.received: list[dict] = []  # {"headers", "body", "json", "status", "at"}
        self.fail_first = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    status = 500 if len(receiver.received) < receiver.fail_first else 200
                    receiver.received.append({"headers": dict(self.headers), "body": body,
                                              "json": json.loads(body), "status": status, "at": time.time()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self, alert_id: str | None = None, accepted_only: bool = True) -> list[str]:
        with self.lock:
            return [r["json"]["event"] for r in self.received
                    if (not accepted_only or r["status"] == 200)
                    and (alert_id is None or r["json"]["alert"]["id"] == alert_id)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def signature_ok(request: dict, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"].get("X-Gatehouse-Signature", ""), expected)
