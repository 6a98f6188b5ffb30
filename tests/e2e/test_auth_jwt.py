"""Bearer token handling: forged, tampered, expired and malformed tokens and Authorization headers
are refused with a 401 problem that leaks nothing; the server survives all of them."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from support import (
    API,
    admin_login,
    assert_problem,
    b64url,
    b64url_decode,
    claims_for,
    create_user,
    jwt_claims,
    jwt_key,
    login_ok,
    make_jwt,
    raw_exchange,
    start_identity,
)

ME = f"{API}/users/me"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    create_user(server, admin.access, "jwt-viewer", "jwt-viewer-pw1", "viewer")
    viewer = login_ok(server, "jwt-viewer", "jwt-viewer-pw1")
    return server, admin, viewer, jwt_key(server.data_dir)


def forged_tokens(admin, key: bytes) -> dict[str, str]:
    uid = admin.user["id"]
    real = admin.access
    head, payload, sig = real.split(".")
    good_claims = claims_for(uid, "admin")
    now = int(time.time())
    flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    swapped = b64url(('{"sub":"%s","role":"admin","jti":"x","gen":0,"iat":%d,"exp":%d}' % (uid, now, now + 600)).encode())
    return {
        "alg none": make_jwt(None, good_claims, {"alg": "none", "typ": "JWT"}),
        "alg none, real signature kept": b64url(b'{"alg":"none","typ":"JWT"}') + "." + payload + ".",
        "alg None (case)": make_jwt(None, good_claims, {"alg": "None", "typ": "JWT"}),
        "HS512 with the real key": make_jwt(key, good_claims, {"alg": "HS512", "typ": "JWT"}, hashlib.sha512),
        "HS384 with the real key": make_jwt(key, good_claims, {"alg": "HS384", "typ": "JWT"}, hashlib.sha384),
        "RS256 header, HMAC signature": make_jwt(key, good_claims, {"alg": "RS256", "typ": "JWT"}),
        "no alg": make_jwt(key, good_claims, {"typ": "JWT"}),
        "crit header": make_jwt(key, good_claims, {"alg": "HS256", "typ": "JWT", "crit": ["exp"]}),
        "bad signature (flipped)": f"{head}.{payload}.{flipped}",
        "signature stripped": f"{head}.{payload}.",
        "payload swapped, old signature": f"{head}.{swapped}.{sig}",
        "signed with the hex text of the key": make_jwt(key.hex().encode(), good_claims),
        "signed with another key": make_jwt(b"k" * 32, good_claims),
        "expired exp": make_jwt(key, claims_for(uid, "admin", iat=now - 3600, exp=now - 60)),
        "exp == now - 1": make_jwt(key, claims_for(uid, "admin", iat=now - 100, exp=now - 1)),
        "future nbf": make_jwt(key, claims_for(uid, "admin", nbf=now + 3600)),
        "non-numeric nbf": make_jwt(key, claims_for(uid, "admin", nbf="soon")),
        "missing exp": make_jwt(key, {k: v for k, v in claims_for(uid).items() if k != "exp"}),
        "missing jti": make_jwt(key, {k: v for k, v in claims_for(uid).items() if k != "jti"}),
        "string exp": make_jwt(key, claims_for(uid, exp="9999999999")),
        "unknown subject": make_jwt(key, claims_for("01900000-0000-7000-8000-000000000000")),
        "stale generation": make_jwt(key, claims_for(uid, gen=7)),
        "two segments": f"{head}.{payload}",
        "four segments": f"{real}.{sig}",
        "padded base64": f"{head}==.{payload}.{sig}",
        "garbage": "garbage",
        "dots only": "..",
        "huge": "a" * 4000 + "." + "b" * 30 + "." + "c" * 30,
        "json, not a jwt": '{"alg":"none"}',
    }


def test_forged_and_malformed_jwts_are_refused(env):
    server, admin, _, key = env
    failures = []
    details = {}
    for name, token in forged_tokens(admin, key).items():
        resp = server.get(ME, headers={"Authorization": f"Bearer {token}"})
        if resp.status_code != 401:
            failures.append(f"{name}: {resp.status_code} {resp.text[:200]}")
            continue
        body = assert_problem(resp, 401)
        details.setdefault(body["detail"], []).append(name)
        if token[:40] in resp.text or "signature" in body["detail"].lower() or "alg" in body["detail"].lower():
            failures.append(f"{name}: the 401 body tells why or echoes the token: {resp.text[:200]}")
    assert not failures, "\n".join(failures)
    # Every refusal reads the same, so a caller learns nothing from which check failed.
    assert len(details) == 1, details
    assert server.running()
    assert server.get("/healthz").status_code == 200


@pytest.mark.parametrize("header", [
    "Bearer",
    "Bearer ",
    "Bearer    ",
    "Basic YWRtaW46c2VjcmV0",
    "Token abc",
    "Bearerabc",
    "bearer",
    "Bearer a b",
    "Bearer " + "x" * 5000,
])
def test_malformed_authorization_headers(env, header):
    server, admin, _, _ = env
    resp = server.get(ME, headers={"Authorization": header.encode("latin-1")})
    assert_problem(resp, 401)
    assert resp.headers.get("WWW-Authenticate", "").lower().startswith("bearer")
    assert server.get("/healthz").status_code == 200


def test_valid_token_with_trailing_garbage_or_second_header_is_refused(env):
    server, admin, _, _ = env
    assert_problem(server.get(ME, headers={"Authorization": f"Bearer {admin.access}x"}), 401)
    assert_problem(server.get(ME, headers={"Authorization": f"Basic {admin.access}"}), 401)
    # The token in the query string is not a credential.
    assert_problem(server.get(ME, params={"access_token": admin.access}), 401)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "BeArEr"])
def test_scheme_is_case_insensitive(env, scheme):
    server, admin, _, _ = env
    resp = server.get(ME, headers={"Authorization": f"{scheme} {admin.access}"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["username"] == "admin"


def test_raw_request_with_odd_authorization_bytes_keeps_server_up(env):
    server, _, _, _ = env
    for value in (b"Bearer \xff\xfe\x00x", b"Bearer " + b"." * 3000, b"Bearer \t token"):
        resp = raw_exchange(server.port, b"GET " + ME.encode() + b" HTTP/1.1\r\nHost: x\r\nAuthorization: " + value +
                            b"\r\nConnection: close\r\n\r\n")
        assert resp.status in (400, 401), resp
    assert server.get("/healthz").status_code == 200


def test_role_claim_is_not_trusted(env):
    """A correctly signed token whose role claim says admin, for a viewer, is still a viewer: the
    role comes from the user record, not the token."""
    server, _, viewer, key = env
    claims = jwt_claims(viewer.access)
    claims["role"] = "admin"
    forged = make_jwt(key, claims)
    me = server.get(ME, headers={"Authorization": f"Bearer {forged}"})
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "viewer"
    assert_problem(server.get(f"{API}/users", headers={"Authorization": f"Bearer {forged}"}), 403)


def test_issued_token_claims(env):
    server, admin, _, _ = env
    header = json.loads(b64url_decode(admin.access.split(".")[0]))
    assert header["alg"] == "HS256"
    claims = jwt_claims(admin.access)
    for name in ("sub", "role", "jti", "exp", "iat"):
        assert name in claims, claims
    assert claims["sub"] == admin.user["id"]
    assert claims["role"] == "admin"
    assert claims["exp"] - claims["iat"] == 900  # the default 15-minute lifetime
    assert abs(claims["iat"] - time.time()) < 120
    second = admin_login(server)
    assert jwt_claims(second.access)["jti"] != claims["jti"]
