"""The identity assertion: a route with an identity_header sends its upstream an ES256 JWT naming the user, role,
route and token, which verifies against GET /.well-known/jwks.json; a client cannot send its own."""

from __future__ import annotations

import json
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from gateway_support import Upstream, buy_ok, create_route
from support import admin_login, b64url_decode, create_user, login_ok, unique

PASSWORD = "e2e-Ident-pw-2Pp"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    up = Upstream(tmp_path_factory.mktemp("ident-upstream"))
    yield up
    up.stop()


def verify(gw, jwt: str) -> dict:
    header_b64, claims_b64, signature_b64 = jwt.split(".")
    header = json.loads(b64url_decode(header_b64))
    assert header["alg"] == "ES256" and header["typ"] == "JWT"
    jwks = requests.get(gw.url + "/.well-known/jwks.json", timeout=10).json()
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    public = ec.EllipticCurvePublicNumbers(int.from_bytes(b64url_decode(key["x"]), "big"),
                                           int.from_bytes(b64url_decode(key["y"]), "big"),
                                           ec.SECP256R1()).public_key()
    raw = b64url_decode(signature_b64)
    assert len(raw) == 64
    signature = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    return json.loads(b64url_decode(claims_b64))


def test_upstream_gets_a_verifiable_identity_assertion(gh, upstream):
    admin = admin_login(gh)
    slug = unique("ident")
    create_route(gh, admin.headers, slug, upstream.url, identity_header="X-Gatehouse-Assertion")
    name = unique("ident-op")
    user = create_user(gh, admin.access, name, PASSWORD, "operator")
    bought = buy_ok(gh, login_ok(gh, name, PASSWORD).headers, slug, 1)
    resp = requests.get(f"{gh.url}/gw/{slug}/echo", timeout=10,
                        headers={"X-Access-Token": bought["token"], "X-Gatehouse-Assertion": "forged.by.client"})
    assert resp.status_code == 200
    headers = {k.lower(): v for k, v in resp.json()["headers"]}
    jwt = headers["x-gatehouse-assertion"]
    assert jwt != "forged.by.client"
    claims = verify(gh, jwt)
    assert claims["sub"] == user["id"] and claims["name"] == name and claims["role"] == "operator"
    assert claims["route"] == slug and claims["aud"] == slug and claims["token_id"] == bought["id"]
    now = time.time()
    assert claims["iat"] <= now + 1 and now < claims["exp"] <= now + 301
    # a tampered claim set does not verify
    header_b64, claims_b64, signature_b64 = jwt.split(".")
    tampered = dict(claims, role="admin")
    from support import b64url
    forged = f"{header_b64}.{b64url(json.dumps(tampered).encode())}.{signature_b64}"
    with pytest.raises(Exception):
        verify(gh, forged)
    # routes without an identity_header send none
    plain = unique("plain")
    create_route(gh, admin.headers, plain, upstream.url)
    token = buy_ok(gh, admin.headers, plain, 1)["token"]
    resp = requests.get(f"{gh.url}/gw/{plain}/echo", headers={"X-Access-Token": token}, timeout=10)
    assert "x-gatehouse-assertion" not in {k.lower() for k, _ in resp.json()["headers"]}
