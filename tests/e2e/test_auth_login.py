"""Login: JSON and OAuth2 form, the answer and refresh cookie, the same refusal for an unknown user
and a wrong password (in about the same time), verify and /users/me."""

from __future__ import annotations

import sqlite3
import statistics
import time

import pytest

from support import (
    ADMIN_PASSWORD,
    API,
    admin_login,
    assert_problem,
    bearer,
    create_user,
    jwt_claims,
    login,
    login_ok,
    poll,
    refresh_cookie_of,
    start_identity,
)

PASSWORD = "login-pw-5566"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    create_user(server, admin.access, "login-op", PASSWORD, "operator")
    return server, admin


def check_login_body(body: dict, username: str, role: str):
    assert set(body) >= {"access_token", "token_type", "expires_in", "user"}, body
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["user"]["username"] == username
    assert body["user"]["role"] == role
    assert set(body["user"]) == {"id", "username", "role"}, body["user"]
    assert body["access_token"].count(".") == 2


def cookie_attributes(resp, name: str = "gatehouse_refresh") -> dict[str, str]:
    headers = [value for key, value in resp.raw.headers.items() if key.lower() == "set-cookie"]
    header = next(h for h in headers if h.strip().startswith(name + "="))
    parts = [p.strip() for p in header.split(";")]
    attrs = {}
    for part in parts[1:]:
        name, _, value = part.partition("=")
        attrs[name.lower()] = value
    return attrs


def test_json_login_answer_and_cookie(env):
    server, _ = env
    resp = login(server, "login-op", PASSWORD)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    check_login_body(resp.json(), "login-op", "operator")
    assert "no-store" in resp.headers.get("Cache-Control", "")
    refresh = refresh_cookie_of(resp)
    assert refresh and refresh not in resp.text, "the refresh token belongs in the cookie only"
    attrs = cookie_attributes(resp)
    assert attrs.get("path") == "/api/v1/auth"
    assert "httponly" in attrs
    assert attrs.get("samesite") == "Lax"
    assert "secure" not in attrs, "plain HTTP without auth.cookie_secure: no Secure flag"
    assert int(attrs["max-age"]) > 0
    claims = jwt_claims(resp.json()["access_token"])
    assert claims["sub"] == resp.json()["user"]["id"]
    assert claims["exp"] - claims["iat"] == 900


def test_oauth2_form_login(env):
    server, _ = env
    resp = server.request("POST", f"{API}/auth/token",
                          data={"grant_type": "password", "username": "login-op", "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    check_login_body(resp.json(), "login-op", "operator")
    assert refresh_cookie_of(resp)
    token = resp.json()["access_token"]
    assert server.get(f"{API}/users/me", headers=bearer(token)).json()["username"] == "login-op"
    # grant_type is optional in this form; charset parameters on the media type are fine.
    resp = server.request("POST", f"{API}/auth/token", data=f"username=login-op&password={PASSWORD}",
                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert resp.status_code == 200, resp.text


def oauth_error(resp, error: str) -> dict:
    """RFC 6749 section 5.2: 400 with {error, error_description}, not cached."""
    assert resp.status_code == 400, resp.text
    assert resp.headers["Content-Type"].startswith("application/json"), resp.headers
    assert resp.headers.get("Cache-Control") == "no-store", resp.headers
    body = resp.json()
    assert body["error"] == error and body["error_description"], body
    return body


def test_oauth2_form_refusals(env):
    server, _ = env
    url = f"{API}/auth/token"
    body = oauth_error(server.request("POST", url, data={"grant_type": "client_credentials", "username": "login-op",
                                                          "password": PASSWORD}), "unsupported_grant_type")
    assert "grant_type" in body["error_description"]
    oauth_error(server.request("POST", url, json={"username": "login-op", "password": PASSWORD}), "invalid_request")
    oauth_error(server.request("POST", url, data=b"username=login-op", headers={"Content-Type": "text/plain"}),
                "invalid_request")
    oauth_error(server.request("POST", url, data={"grant_type": "password", "username": "login-op"}),
                "invalid_request")
    body = oauth_error(server.request("POST", url, data={"grant_type": "password", "username": "login-op",
                                                         "password": "wrong-password"}), "invalid_grant")
    assert "wrong-password" not in str(body)
    assert server.request("POST", url, data={"username": "login-op", "password": PASSWORD}).status_code == 200


def test_json_login_refusals(env):
    server, _ = env
    url = f"{API}/auth/login"
    assert_problem(server.request("POST", url, data=f"username=login-op&password={PASSWORD}",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert_problem(server.request("POST", url, data=b"{not json", headers={"Content-Type": "application/json"}), 400)
    assert_problem(server.request("POST", url, json={"username": "login-op"}), 400)
    assert_problem(server.request("POST", url, json={"username": "login-op", "password": 12345678}), 400)
    assert_problem(server.request("POST", url, json=["login-op", PASSWORD]), 400)
    resp = assert_problem(login(server, "login-op", "wrong-password"), 401)
    assert refresh_cookie_of(login(server, "login-op", "wrong-password")) in (None, "")
    assert PASSWORD not in str(resp)


def test_unknown_user_and_wrong_password_answer_alike(env):
    server, admin = env
    create_user(server, admin.access, "login-disabled", PASSWORD, "viewer")
    uid = login_ok(server, "login-disabled", PASSWORD).user["id"]
    patched = server.request("PATCH", f"{API}/users/{uid}", headers=admin.headers, json={"disabled": True})
    assert patched.status_code == 200, patched.text
    answers = [
        login(server, "no-such-user-xyz", "wrong-password"),
        login(server, "login-op", "wrong-password"),
        login(server, "login-disabled", PASSWORD),  # a disabled user with the right password
    ]
    for resp in answers:
        assert_problem(resp, 401)
        assert "Set-Cookie" not in resp.headers or not refresh_cookie_of(resp)
    assert len({r.text for r in answers}) == 1, [r.text for r in answers]
    assert len({r.headers["Content-Type"] for r in answers}) == 1


def test_verify_and_me(env):
    server, _ = env
    session = login_ok(server, "login-op", PASSWORD)
    verify = server.get(f"{API}/auth/verify", headers=session.headers)
    assert verify.status_code == 200, verify.text
    body = verify.json()
    assert body["username"] == "login-op" and body["role"] == "operator" and body["id"] == session.user["id"]
    assert body["auth"] == "access_token"
    assert body["disabled"] is False
    me = server.get(f"{API}/users/me", headers=session.headers)
    assert me.status_code == 200
    assert {k: me.json()[k] for k in ("id", "username", "role")} == session.user
    assert "password" not in me.text and "hash" not in me.text


def test_unknown_user_and_wrong_password_take_about_the_same_time(start_server, tmp_path):
    """Default argon2id parameters: an unknown user costs a dummy verification, so its refusal is
    not measurably faster than a wrong password for a real user."""
    server = start_identity(start_server, data_dir=tmp_path / "timing", fast_hash=False)
    # warm up both paths
    login(server, "admin", "wrong-password-0", timeout=30)
    login(server, "nobody-here", "wrong-password-0", timeout=30)
    unknown, wrong = [], []
    for i in range(10):
        for bucket, user in ((unknown, f"nobody-{i}"), (wrong, "admin")):
            started = time.perf_counter()
            resp = login(server, user, f"wrong-password-{i}", timeout=30)
            bucket.append(time.perf_counter() - started)
            assert resp.status_code == 401, resp.text
    mu, mw = statistics.median(unknown), statistics.median(wrong)
    assert mu > 0.005 and mw > 0.005, f"argon2 with default parameters cannot be this fast: {mu:.4f} {mw:.4f}"
    ratio = max(mu, mw) / min(mu, mw)
    assert ratio < 3, f"median unknown user {mu * 1000:.1f} ms vs wrong password {mw * 1000:.1f} ms"
    assert login(server, "admin", ADMIN_PASSWORD, timeout=30).status_code == 200


def test_cookie_secure_and_samesite_are_configurable(start_server, tmp_path):
    server = start_identity(start_server, "--auth-cookie-secure", "true", "--auth-cookie-samesite", "Strict",
                            data_dir=tmp_path / "cookie")
    resp = login(server, "admin", ADMIN_PASSWORD)
    assert resp.status_code == 200, resp.text
    attrs = cookie_attributes(resp)
    assert "secure" in attrs and attrs.get("samesite") == "Strict" and "httponly" in attrs
    assert attrs.get("path") == "/api/v1/auth"


def test_access_ttl_is_configurable(start_server, tmp_path):
    server = start_identity(start_server, "--auth-access-ttl-s", "45", "--auth-refresh-ttl-s", "120",
                            data_dir=tmp_path / "ttl")
    resp = login(server, "admin", ADMIN_PASSWORD)
    assert resp.status_code == 200, resp.text
    assert resp.json()["expires_in"] == 45
    claims = jwt_claims(resp.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 45
    assert int(cookie_attributes(resp)["max-age"]) == 120


def stored_hash(data_dir, username: str) -> str:
    db = sqlite3.connect(f"file:{data_dir / 'gatehouse.db'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
    finally:
        db.close()
    assert row, f"no user {username!r} in the database"
    return row[0]


def test_login_rehashes_when_parameters_change(start_server, tmp_path):
    data_dir = tmp_path / "rehash"
    server = start_identity(start_server, data_dir=data_dir)
    admin = admin_login(server)
    create_user(server, admin.access, "rehash-me", PASSWORD, "viewer")
    before = stored_hash(data_dir, "rehash-me")
    assert before.startswith("$argon2id$") and "m=8192" in before and "t=1" in before, before
    assert server.terminate() == 0

    server = start_identity(start_server, "--auth-argon2-opslimit", "2", "--auth-argon2-memlimit-kib", "16384",
                            data_dir=data_dir, fast_hash=False)
    assert_problem(login(server, "rehash-me", "wrong-password"), 401)
    assert stored_hash(data_dir, "rehash-me") == before, "a failed login must not rehash"
    login_ok(server, "rehash-me", PASSWORD)
    after = poll(lambda: (h := stored_hash(data_dir, "rehash-me")) != before and h)
    assert after, "the hash was not upgraded to the new parameters on login"
    assert "m=16384" in after and "t=2" in after, after
    assert login_ok(server, "rehash-me", PASSWORD)
