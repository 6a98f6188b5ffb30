"""Browser safety: security headers on every response (errors too), CORS only for allowlisted
origins, with credentials and never `*`."""

from __future__ import annotations

import pytest

from support import API, admin_login, raw_exchange, start_identity

ALLOWED = "https://ui.example"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server, "--auth-cors-origins", f"{ALLOWED},https://admin.example",
                            "--http-max-body-bytes", "1024")
    return server, admin_login(server)


def check_security_headers(headers, where: str):
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("x-content-type-options") == "nosniff", f"{where}: {headers}"
    assert lower.get("referrer-policy"), f"{where}: no Referrer-Policy"
    framing = lower.get("x-frame-options", "").upper() in ("DENY", "SAMEORIGIN") or \
        "frame-ancestors" in lower.get("content-security-policy", "")
    assert framing, f"{where}: neither X-Frame-Options nor CSP frame-ancestors: {headers}"
    assert lower.get("access-control-allow-origin") != "*", where
    assert "strict-transport-security" not in lower, f"{where}: HSTS on plain HTTP"


def test_security_headers_on_every_kind_of_response(env):
    server, admin = env
    cases = [
        ("GET", "/healthz", {}, {}),
        ("GET", "/openapi.json", {}, {}),
        ("GET", "/docs", {}, {}),
        ("GET", "/metrics", {}, {}),
        ("GET", "/no/such/route", {}, {}),
        ("GET", "/no/such/file.js", {}, {}),
        ("DELETE", "/healthz", {}, {}),
        ("GET", f"{API}/users", {}, {}),
        ("GET", f"{API}/users", {"Authorization": "Bearer nope"}, {}),
        ("GET", f"{API}/users", admin.headers, {}),
        ("POST", f"{API}/auth/login", {}, {"json": {"username": "admin", "password": "wrong-password"}}),
        ("POST", f"{API}/auth/login", {}, {"data": b"x", "headers": {"Content-Type": "text/plain"}}),
        ("POST", f"{API}/auth/login", {}, {"json": {"username": "a", "password": "b" * 2000}}),
        ("POST", f"{API}/auth/logout", {}, {}),
    ]
    seen = set()
    for method, path, headers, kw in cases:
        kw = dict(kw)
        kw["headers"] = {**headers, **kw.get("headers", {})}
        resp = server.request(method, path, **kw)
        seen.add(resp.status_code)
        check_security_headers(resp.headers, f"{method} {path} -> {resp.status_code}")
    assert {200, 204, 401, 404, 405, 413, 415} <= seen, seen
    # A request the HTTP parser rejects still gets them.
    raw = raw_exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert raw.status == 400, raw
    check_security_headers(raw.headers, "malformed request")


def test_preflight_from_an_allowed_origin(env):
    server, _ = env
    resp = server.request("OPTIONS", f"{API}/auth/login", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert resp.status_code == 204, resp.text
    assert resp.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert resp.headers.get("Access-Control-Allow-Credentials") == "true"
    assert "POST" in resp.headers.get("Access-Control-Allow-Methods", "")
    allowed_headers = resp.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "Origin" in resp.headers.get("Vary", "")
    check_security_headers(resp.headers, "preflight")
    second = server.request("OPTIONS", f"{API}/users", headers={
        "Origin": "https://admin.example", "Access-Control-Request-Method": "GET"})
    assert second.status_code == 204
    assert second.headers.get("Access-Control-Allow-Origin") == "https://admin.example"


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "*", "https://ui.example.evil.com",
                                    "http://ui.example", "https://ui.example:8443"])
def test_preflight_from_another_origin(env, origin):
    server, _ = env
    resp = server.request("OPTIONS", f"{API}/auth/login", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    assert resp.status_code == 403, resp.text
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert "Access-Control-Allow-Credentials" not in resp.headers
    check_security_headers(resp.headers, f"preflight from {origin}")


def test_actual_requests_echo_only_allowed_origins(env):
    server, admin = env
    resp = server.get(f"{API}/users/me", headers={**admin.headers, "Origin": ALLOWED})
    assert resp.status_code == 200
    assert resp.headers.get("Access-Control-Allow-Origin") == ALLOWED
    assert resp.headers.get("Access-Control-Allow-Credentials") == "true"
    # Errors for an allowed origin carry it too, so the browser can read the problem.
    denied = server.get(f"{API}/users/me", headers={"Origin": ALLOWED})
    assert denied.status_code == 401
    assert denied.headers.get("Access-Control-Allow-Origin") == ALLOWED
    for origin in ("https://evil.example", "null", "*"):
        resp = server.get(f"{API}/users/me", headers={**admin.headers, "Origin": origin})
        assert resp.status_code == 200
        assert "Access-Control-Allow-Origin" not in resp.headers, origin
        assert "Access-Control-Allow-Credentials" not in resp.headers, origin


def test_no_cors_without_configured_origins(start_server, tmp_path):
    server = start_identity(start_server, data_dir=tmp_path / "nocors")
    resp = server.request("OPTIONS", f"{API}/auth/login", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert resp.status_code == 403
    assert "Access-Control-Allow-Origin" not in resp.headers
    resp = server.get("/healthz", headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in resp.headers
    check_security_headers(resp.headers, "healthz without CORS config")
