"""HTTPS: with a certificate and key configured, gatehouse serves TLS only, with HSTS."""

import os
import socket
import struct
import subprocess

import requests

from support import raw_exchange


ALERT_PROTOCOL_VERSION = 70  # RFC 5246 §7.2


def client_hello(version: int) -> bytes:
    """A TLS ClientHello record asking for `version` (0x0303 is TLS 1.2) with ECDHE-ECDSA suites for P-256."""
    def extension(kind: int, data: bytes) -> bytes:
        return struct.pack(">HH", kind, len(data)) + data
    suites = [0xC02B, 0xC009, 0xC00A]  # ECDHE_ECDSA with AES_128_GCM_SHA256, AES_128_CBC_SHA, AES_256_CBC_SHA
    extensions = (extension(0x000A, struct.pack(">HH", 2, 0x0017))  # supported_groups: secp256r1
                  + extension(0x000B, bytes([1, 0]))  # ec_point_formats: uncompressed
                  + extension(0x000D, struct.pack(">HH", 2, 0x0403)))  # signature_algorithms: ecdsa_secp256r1_sha256
    body = (struct.pack(">H", version) + os.urandom(32) + b"\x00"
            + struct.pack(">H", 2 * len(suites)) + b"".join(struct.pack(">H", s) for s in suites)
            + b"\x01\x00" + struct.pack(">H", len(extensions)) + extensions)
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack(">H", len(handshake)) + handshake


def first_record(port: int, hello: bytes) -> tuple[str, int] | None:
    """What the server answers first: ("alert", description), ("handshake", message type), or None (closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(hello)
        data = b""
        while len(data) < 7:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            data += chunk
    kind = {0x15: "alert", 0x16: "handshake"}.get(data[0], hex(data[0]))
    return kind, data[6] if kind == "alert" else data[5]


def make_certificate(directory):
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30)
    return cert, key


def test_tls_serves_https_with_hsts(start_server, tmp_path):
    cert, key = make_certificate(tmp_path)
    server = start_server("--tls-cert-file", cert, "--tls-key-file", key)
    assert server.url.startswith("https://"), server.url
    resp = requests.get(server.url + "/healthz", verify=str(cert), timeout=5)
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    # Errors are problem+json over TLS as well.
    resp = requests.get(server.url + "/api/nope", verify=str(cert), timeout=5)
    assert resp.status_code == 404
    assert resp.headers["Content-Type"] == "application/problem+json"


def test_tls_refuses_plaintext_and_old_protocols(start_server, tmp_path):
    cert, key = make_certificate(tmp_path)
    server = start_server("--tls-cert-file", cert, "--tls-key-file", key)
    # A plaintext request gets no HTTP answer: the handshake fails and the connection closes.
    resp = None
    try:
        resp = raw_exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
    except Exception:
        pass
    assert resp is None or resp.status != 200
    # TLS 1.1 is refused by the server: a hand-built ClientHello, so no client library can refuse it first. The
    # same hello offering TLS 1.2 is the control: it gets a ServerHello, so the alert is about the version alone.
    assert first_record(server.port, client_hello(0x0303)) == ("handshake", 2), "no ServerHello for TLS 1.2"
    for old in (0x0302, 0x0301):  # TLS 1.1, TLS 1.0
        assert first_record(server.port, client_hello(old)) == ("alert", ALERT_PROTOCOL_VERSION), hex(old)
    # The server keeps serving after both.
    assert requests.get(server.url + "/healthz", verify=str(cert), timeout=5).status_code == 200


def test_missing_certificate_fails_start_clearly(start_server, tmp_path):
    _, key = make_certificate(tmp_path)
    server = start_server("--tls-cert-file", tmp_path / "absent.pem", "--tls-key-file", key, wait=False)
    server.proc.wait(timeout=10)
    assert server.proc.returncode != 0
    assert "absent.pem" in server.log_tail()
