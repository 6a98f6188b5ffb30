"""An upstream web app for the gateway tests, run as its own process: `python3 gateway_upstream.py PORT_FILE`.

Binds 127.0.0.1:0 and writes its port to PORT_FILE. Routes:
  GET/POST/... /echo...      JSON {method, path, headers, body_length, body_sha256} (reads any body streaming)
  GET /cookies               Set-Cookie with Domain, with Path=/ and /sub, and without Path
  GET /redirect              302 to this upstream's absolute /landing; /redirect-root: 302 to /landing
  GET /hop                   a response carrying hop-by-hop headers (Connection: X-Hop, X-Hop, Keep-Alive)
  GET /big?mb=N              N MiB of a known byte pattern (Content-Length), written as fast as the reader takes it
  GET /slow                  answers after 3 s
  Every route is also under /base/.
  GET /ws                    a WebSocket echo (text and binary), reporting the Origin it saw in its first message
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PATTERN = bytes(range(256)) * 4096  # 1 MiB
# Every construct the rewriter maps; ORIGIN is this upstream's own origin.
PAGE = """<!doctype html><html><head><base href="ORIGIN/"><link rel="stylesheet" href="ORIGIN/app.css">
<style>h1 { background: url('/h1.png') }</style><meta http-equiv="refresh" content="600; url=/later">
<script src=/app.js></script></head><body style="background: url(ORIGIN/body.png)">
<a id="abs" href="ORIGIN/next?a=1&amp;b=2">next</a><a id="root" href='/root'>root</a>
<img id="img" src="ORIGIN/i.png" srcset="/i1.png 1x, ORIGIN/i2.png 2x"><video poster=/poster.jpg></video>
<form action="/post"><button formaction="ORIGIN/go">go</button></form><!-- <a href="/in-comment"> -->
<script>fetch("ORIGIN/api/data"); var closing = "</div>";</script></body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, headers: dict | None = None, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            if isinstance(value, list):
                for v in value:
                    self.send_header(name, v)
            else:
                self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> tuple[int, str]:
        digest = hashlib.sha256()
        total = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                left = size
                while left:
                    piece = self.rfile.read(min(left, 1 << 20))
                    digest.update(piece)
                    left -= len(piece)
                    total += len(piece)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left:
                piece = self.rfile.read(min(left, 1 << 20))
                if not piece:
                    break
                digest.update(piece)
                left -= len(piece)
                total += len(piece)
        return total, digest.hexdigest()

    def _echo(self):
        length, sha = self._read_body()
        body = json.dumps({"method": self.command, "path": self.path,
                           "headers": [[k, v] for k, v in self.headers.items()],
                           "body_length": length, "body_sha256": sha}).encode()
        self._send(200, body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path.startswith("/base/"):  # the same app mounted under a base path
            url = urlsplit(self.path[len("/base"):])
        origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        if url.path.startswith("/echo"):
            return self._echo()
        if url.path == "/cookies":
            return self._send(200, b"{}", {"Set-Cookie": [
                "a=1; Path=/; Domain=127.0.0.1; HttpOnly", "b=2", "c=3; Path=/sub; Secure"]})
        if url.path == "/redirect":
            return self._send(302, b"", {"Location": origin + "/landing?x=1"})
        if url.path == "/redirect-root":
            return self._send(302, b"", {"Location": "/landing"})
        if url.path == "/hop":
            return self._send(200, b"{}", {"Connection": "X-Hop", "X-Hop": "secret", "Keep-Alive": "timeout=5",
                                          "X-Kept": "yes"})
        if url.path == "/slow":
            time.sleep(3)
            return self._send(200, b"{}")
        if url.path == "/big":
            mib = int(parse_qs(url.query).get("mb", ["1"])[0])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(mib * len(PATTERN)))
            self.end_headers()
            for _ in range(mib):
                self.wfile.write(PATTERN)
            return
        if url.path == "/ws":
            return self._websocket()
        if url.path in ("/page.html", "/app.css", "/app.js", "/huge.html"):
            return self._document(url.path, origin, parse_qs(url.query).get("enc", [""])[0])
        self._send(404, b'{"error": "not found"}')

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _echo

    def _document(self, path: str, origin: str, encoding: str):
        """Pages that link to this upstream every way the rewriter knows, optionally gzip- or br-encoded."""
        if path == "/page.html":
            ctype = "text/html; charset=utf-8"
            text = PAGE.replace("ORIGIN", origin)
        elif path == "/huge.html":
            ctype = "text/html"
            text = "<a href=\"/far\">" + "x" * (3 << 20)
        elif path == "/app.css":
            ctype = "text/css"
            text = f"body {{ background: url({origin}/bg.png) }} @import '/more.css';"
        else:
            ctype = "application/javascript"
            text = f'fetch("{origin}/api/data").then(r => r.text()); const ws = "{origin}/ws";'
        body = text.encode()
        headers = {"ETag": '"v1"'}
        if encoding == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif encoding == "br":
            import brotli  # python3-brotli

            body = brotli.compress(body)
            headers["Content-Encoding"] = "br"
        self._send(200, body, headers, ctype)

    # -- a minimal RFC 6455 echo --------------------------------------------------------------------------------

    def _websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept.decode())
        self.end_headers()
        self.wfile.flush()
        sock: socket.socket = self.connection
        hello = json.dumps({"origin": self.headers.get("Origin"), "cookie": self.headers.get("Cookie"),
                            "x_access_token": self.headers.get("X-Access-Token"), "path": self.path})
        self._frame(sock, 0x1, hello.encode())
        try:
            while True:
                opcode, payload = self._read_frame()
                if opcode == 0x8:
                    self._frame(sock, 0x8, payload[:2])
                    return
                if opcode == 0x9:
                    self._frame(sock, 0xA, payload)
                elif opcode in (0x1, 0x2):
                    self._frame(sock, opcode, payload)
        except (ConnectionError, OSError, ValueError):
            return
        finally:
            self.close_connection = True

    def _read_exact(self, n: int) -> bytes:
        data = self.rfile.read(n)
        if len(data) != n:
            raise ConnectionError("closed")
        return data

    def _read_frame(self) -> tuple[int, bytes]:
        b0, b1 = self._read_exact(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", self._read_exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self._read_exact(8))[0]
        mask = self._read_exact(4) if b1 & 0x80 else b"\0\0\0\0"
        data = bytearray(self._read_exact(length))
        for i in range(length):
            data[i] ^= mask[i % 4]
        return b0 & 0x0F, bytes(data)

    @staticmethod
    def _frame(sock: socket.socket, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([n])
        elif n < 65536:
            header += bytes([126]) + struct.pack(">H", n)
        else:
            header += bytes([127]) + struct.pack(">Q", n)
        sock.sendall(header + payload)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
