"""HTTPS: with a certificate and key configured, gatehouse serves TLS only, with HSTS."""

import socket
import ssl
import subprocess

import requests

from support import raw_exchange


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
    resp = requests.get(server.url + "/nope", verify=str(cert), timeout=5)
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
    # TLS 1.1 is refused.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        try:
            with context.wrap_socket(sock) as tls:
                negotiated = tls.version()
        except (ssl.SSLError, OSError):
            negotiated = None
    assert negotiated not in ("TLSv1", "TLSv1.1")
    # The server keeps serving after both.
    assert requests.get(server.url + "/healthz", verify=str(cert), timeout=5).status_code == 200


def test_missing_certificate_fails_start_clearly(start_server, tmp_path):
    _, key = make_certificate(tmp_path)
    server = start_server("--tls-cert-file", tmp_path / "absent.pem", "--tls-key-file", key, wait=False)
    server.proc.wait(timeout=10)
    assert server.proc.returncode != 0
    assert "absent.pem" in server.log_tail()
