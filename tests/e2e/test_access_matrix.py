"""The access matrix: every operation in /openapi.json, called with no token, broken tokens and a
token of each role, answers 401/403/allowed exactly as its declared `x-access` says."""

from __future__ import annotations

import http.client
import uuid

import pytest

from support import (
    API,
    admin_login,
    assert_problem,
    bearer,
    claims_for,
    create_api_token,
    create_user,
    jwt_key,
    login_ok,
    make_jwt,
    start_identity,
)

RANK = {"viewer": 1, "operator": 2, "admin": 3}
ACCESS_LEVELS = {"public", *RANK}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
# The identity routes the issue asks for; the OpenAPI document must list each of them.
EXPECTED_OPERATIONS = {
    ("post", "/api/v1/auth/login"): "public",
    ("post", "/api/v1/auth/token"): "public",
    ("post", "/api/v1/auth/refresh"): "public",
    ("post", "/api/v1/auth/logout"): "public",
    ("post", "/api/v1/auth/register"): "public",
    ("get", "/api/v1/auth/verify"): "viewer",
    ("get", "/api/v1/users/me"): "viewer",
    ("patch", "/api/v1/users/me"): "viewer",
    ("get", "/api/v1/users"): "admin",
    ("post", "/api/v1/users"): "admin",
    ("get", "/api/v1/users/{id}"): "admin",
    ("patch", "/api/v1/users/{id}"): "admin",
    ("delete", "/api/v1/users/{id}"): "admin",
    ("get", "/api/v1/api-tokens"): "viewer",
    ("post", "/api/v1/api-tokens"): "viewer",
    ("delete", "/api/v1/api-tokens/{id}"): "viewer",
    ("get", "/api/v1/audit/events"): "admin",
    ("get", "/api/v1/audit/stats"): "admin",
}
# Public routes that answer 401 on their own terms (not the gatekeeper's): refresh without a
# refresh token, the gateway's status without an access token. Their answer must still not depend on the
# Authorization header.
PUBLIC_OWN_401 = {("post", "/api/v1/auth/refresh"), ("get", "/gw/status")}
PASSWORD = "matrix-pw-0042"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    creds: dict[str, dict | None] = {"none": None}
    roles: dict[str, str] = {}
    for role in ("operator", "viewer"):
        create_user(server, admin.access, f"matrix-{role}", PASSWORD, role)
    # Each role logs in through its own session; the admin's session is a separate login so the
    # revoked one below is not the one in use.
    for role, user in (("admin", "admin"), ("operator", "matrix-operator"), ("viewer", "matrix-viewer")):
        pw = PASSWORD if user != "admin" else None
        session = admin_login(server) if user == "admin" else login_ok(server, user, pw)
        creds[role] = bearer(session.access)
        roles[role] = role

    # An API token of the admin capped at viewer behaves as a viewer everywhere.
    capped = create_api_token(server, admin.access, "matrix-capped", role="viewer")
    creds["admin_api_token_capped_viewer"] = bearer(capped["token"])
    roles["admin_api_token_capped_viewer"] = "viewer"

    # Refused credentials.
    key = jwt_key(server.data_dir)
    admin_id = admin.user["id"]
    creds["expired_jwt"] = bearer(make_jwt(key, claims_for(admin_id, "admin", iat=1_700_000_000, exp=1_700_000_900)))
    revoked = admin_login(server)
    out = server.request("POST", f"{API}/auth/logout", headers=revoked.headers,
                         cookies={"gatehouse_refresh": revoked.refresh})
    assert out.status_code == 204, out.text
    creds["revoked_jwt"] = revoked.headers
    dead = create_api_token(server, admin.access, "matrix-dead")
    gone = server.request("DELETE", f"{API}/api-tokens/{dead['id']}", headers=admin.headers)
    assert gone.status_code == 204, gone.text
    creds["revoked_api_token"] = bearer(dead["token"])
    creds["garbage"] = bearer("not-a-token")

    spec = server.get("/openapi.json")
    assert spec.status_code == 200, spec.text
    return server, spec.json(), creds, roles, admin


def operations(spec: dict) -> list[tuple[str, str, dict]]:
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                ops.append((method, path, op))
    return ops


def concrete(path: str) -> str:
    """Path parameters become random UUIDs (no such object: 404 is a fine 'allowed' answer)."""
    out = []
    for segment in path.split("/"):
        out.append(str(uuid.uuid4()) if segment.startswith("{") and segment.endswith("}") else segment)
    return "/".join(out)


def call(server, method: str, path: str, headers: dict | None):
    kw = {"headers": dict(headers or {})}
    if method in ("post", "put", "patch"):
        kw["json"] = {}
    return server.request(method.upper(), concrete(path), **kw)


def test_every_operation_declares_an_access_level(env):
    _, spec, _, _, _ = env
    ops = operations(spec)
    assert ops, "the OpenAPI document lists no operations"
    missing = [(m, p) for m, p, op in ops if op.get("x-access") not in ACCESS_LEVELS]
    assert not missing, f"operations without a valid x-access: {missing}"
    declared = {(m, p): op["x-access"] for m, p, op in ops}
    for key, access in EXPECTED_OPERATIONS.items():
        assert key in declared, f"{key} is missing from /openapi.json"
        assert declared[key] == access, f"{key} declares {declared[key]!r}, expected {access!r}"
    # Protected operations say so in their security requirement too (documentation matches behaviour).
    for m, p, op in ops:
        if op["x-access"] != "public":
            assert op.get("security"), f"{m} {p} is {op['x-access']} but declares no security requirement"


def test_access_matrix_covers_every_operation(env):
    server, spec, creds, roles, _ = env
    ops = operations(spec)
    covered = set()
    failures = []
    for method, path, op in ops:
        access = op["x-access"]
        key = (method, path)
        if key == ("post", "/api/v1/auth/logout"):
            # Logout revokes the caller's session: each role gets a throwaway login of its own.
            per_cred = {}
            for name, headers in creds.items():
                per_cred[name] = headers
            per_cred = dict(per_cred)
            for role in ("admin", "operator", "viewer"):
                user = "admin" if role == "admin" else f"matrix-{role}"
                pw = None if role == "admin" else PASSWORD
                per_cred[role] = (admin_login(server) if role == "admin" else login_ok(server, user, pw)).headers
        else:
            per_cred = creds
        answers = {}
        for name, headers in per_cred.items():
            resp = call(server, method, path, headers)
            answers[name] = resp.status_code
            where = f"{method.upper()} {path} [{access}] with {name}: {resp.status_code} {resp.text[:200]}"
            if resp.status_code >= 500:
                failures.append("server error: " + where)
                continue
            if access == "public":
                if resp.status_code == 403 or (resp.status_code == 401 and key not in PUBLIC_OWN_401):
                    failures.append("public route refused the caller: " + where)
                continue
            if name in roles:
                allowed = RANK[roles[name]] >= RANK[access]
                if allowed and resp.status_code in (401, 403):
                    failures.append("role suffices but refused: " + where)
                elif not allowed and resp.status_code != 403:
                    failures.append("role too low but not 403: " + where)
                elif not allowed:
                    assert_problem(resp, 403)
            else:
                if resp.status_code != 401:
                    failures.append("bad credentials but not 401: " + where)
                else:
                    assert_problem(resp, 401)
                    if resp.headers.get("WWW-Authenticate", "").split(" ")[0].lower() != "bearer":
                        failures.append("401 without WWW-Authenticate: Bearer: " + where)
        if access == "public" and len(set(answers.values())) != 1:
            failures.append(f"public {method.upper()} {path} answers depend on the Authorization header: {answers}")
        covered.add(key)
    assert not failures, "\n".join(failures)
    assert covered == {(m, p) for m, p, _ in ops}
    assert len(covered) == len(ops) >= len(EXPECTED_OPERATIONS)


def test_role_tokens_still_valid_after_matrix(env):
    """The matrix did not log out the sessions it relies on (guards the test itself)."""
    server, _, creds, _, _ = env
    for role in ("admin", "operator", "viewer"):
        resp = server.get(f"{API}/users/me", headers=creds[role])
        assert resp.status_code == 200, (role, resp.text)
        assert resp.json()["role"] == role


def test_no_bypass_through_other_spellings_or_methods(env):
    """Protected routes spelled differently are not found (never served without a token), and HEAD
    on a protected GET route needs the same token as GET."""
    server, spec, creds, _, _ = env
    protected_gets = [p for m, p, op in operations(spec) if m == "get" and op["x-access"] != "public"
                      and "{" not in p]
    assert protected_gets
    failures = []
    for path in protected_gets:
        head = server.request("HEAD", path)
        if head.status_code != 401:
            failures.append(f"HEAD {path} without a token: {head.status_code}")
        viewer_head = server.request("HEAD", path, headers=creds["viewer"])
        get_status = server.get(path, headers=creds["viewer"]).status_code
        if viewer_head.status_code != get_status:
            failures.append(f"HEAD {path} as viewer: {viewer_head.status_code}, GET: {get_status}")
        rest = path[len("/api/v1/"):] if path.startswith("/api/v1/") else path.lstrip("/")
        variants = [path + "/", "/" + path, path.upper(), path + "%2F", path + ";x", path.replace("/", "//", 1),
                    "/api/v1/./" + rest, "/api/v1/x/../" + rest, "/api/v1/%" + format(ord(rest[0]), "02x") + rest[1:]]
        for variant in variants:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            try:
                conn.request("GET", variant)
                status = conn.getresponse().status
            finally:
                conn.close()
            if status not in (400, 401, 404):
                failures.append(f"GET {variant!r} without a token: {status}")
    assert not failures, "\n".join(failures)
