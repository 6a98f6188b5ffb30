"""Servers (/api/v1/servers) without SSH: write-only secrets, validation (nothing stored, nothing
executed), uniqueness, roles, admin-only host key fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import API, assert_problem, ssh_keygen, unique

PASSWORD = "srv-Secret-pw-Zt81"
PG_PASSWORD = "pg-Secret-pw-Qy42"
FINGERPRINT = "SHA256:" + "A" * 42 + "E"  # 43 base64 characters, the length ssh-keygen prints


def body(**over):
    base = {"name": unique("srv"), "address": "10.1.2.3", "ssh_user": "deploy", "auth_method": "password",
            "password": PASSWORD}
    base.update(over)
    return {k: v for k, v in base.items() if v is not ...}


def create(gh, headers, **over):
    return gh.request("POST", f"{API}/servers", headers=headers, json=body(**over))


def server_ids(gh, roles) -> list[str]:
    resp = gh.request("GET", f"{API}/servers", headers=roles.viewer, params={"limit": 500})
    assert resp.status_code == 200, resp.text
    assert resp.json()["next_cursor"] is None
    return [s["id"] for s in resp.json()["items"]]


def assert_no_secret(text: str, *secrets: str):
    for secret in secrets:
        assert secret not in text, f"secret {secret!r} shown in {text[:400]}"


def has_key(value, name: str) -> bool:
    if isinstance(value, dict):
        return name in value or any(has_key(v, name) for v in value.values())
    if isinstance(value, list):
        return any(has_key(v, name) for v in value)
    return False


def test_password_is_write_only(gh, roles):
    resp = create(gh, roles.operator, tags=["prod", "db:main"], description="primary",
                  postgres={"port": 5433, "user": "app", "password": PG_PASSWORD, "database": "appdb",
                            "pool_class": "stats_db"})
    assert resp.status_code == 201, resp.text
    server = resp.json()
    assert resp.headers.get("Location") == f"{API}/servers/{server['id']}"
    for field in ("id", "name", "address", "ssh_port", "ssh_user", "auth_method", "has_password", "ssh_key_id",
                  "host_key_fingerprint", "tags", "description", "postgres", "status", "created_at", "updated_at"):
        assert field in server, f"server object lacks {field!r}: {server}"
    assert server["has_password"] is True
    assert server["ssh_port"] == 22 and server["status"] == "unknown" and server["ssh_key_id"] is None
    assert server["tags"] == ["prod", "db:main"] and server["description"] == "primary"
    assert server["postgres"] == {"host": None, "port": 5433, "sslmode": "prefer", "via_ssh": False, "user": "app",
                                  "database": "appdb", "pool_class": "stats_db", "has_password": True,
                                  "password_locked": False}
    assert not has_key(server, "password"), server
    assert_no_secret(resp.text, PASSWORD, PG_PASSWORD)

    for headers in (roles.viewer, roles.admin):
        got = gh.request("GET", f"{API}/servers/{server['id']}", headers=headers)
        assert got.status_code == 200
        assert got.json() == server
        listed = gh.request("GET", f"{API}/servers", headers=headers, params={"limit": 500})
        assert server["id"] in [s["id"] for s in listed.json()["items"]]
        assert not has_key(listed.json(), "password")
        assert_no_secret(got.text + listed.text, PASSWORD, PG_PASSWORD)

    # PATCH without a password keeps it; so does a postgres change without its password.
    resp = gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.operator,
                      json={"description": "changed", "postgres": {"port": 6432}})
    assert resp.status_code == 200, resp.text
    patched = resp.json()
    assert patched["description"] == "changed" and patched["has_password"] is True
    assert patched["postgres"]["port"] == 6432 and patched["postgres"]["has_password"] is True
    assert patched["tags"] == ["prod", "db:main"] and patched["name"] == server["name"]
    assert_no_secret(resp.text, PASSWORD, PG_PASSWORD)

    # PUT with everything but the password keeps it too; postgres null drops the endpoint.
    full = body(name=server["name"], address="10.1.2.4", password=..., postgres=None)
    resp = gh.request("PUT", f"{API}/servers/{server['id']}", headers=roles.operator, json=full)
    assert resp.status_code == 200, resp.text
    assert resp.json()["has_password"] is True and resp.json()["postgres"] is None
    assert resp.json()["address"] == "10.1.2.4"


def test_create_requires_a_password_for_password_auth(gh, roles):
    before = server_ids(gh, roles)
    assert_problem(create(gh, roles.operator, password=...), 400)
    assert server_ids(gh, roles) == before


@pytest.mark.parametrize("address", [
    "a;rm -rf /", "-oProxyCommand=touch /tmp/gh-e2e-proxycommand", "host name", "$(id)", "", "`id`",
    "user@host", "host\nname", "-p2222", "a" * 300, "host..example", "[::1]", "::1 ; id",
])
def test_bad_addresses_are_refused(gh, roles, address):
    before = server_ids(gh, roles)
    problem = assert_problem(create(gh, roles.operator, address=address), 400)
    assert "address" in problem["detail"], problem
    assert server_ids(gh, roles) == before
    assert not Path("/tmp/gh-e2e-proxycommand").exists()


@pytest.mark.parametrize("address", ["::1", "127.0.0.1", "fe80::1", "db-1.example.com", "localhost"])
def test_good_addresses_are_accepted(gh, roles, address):
    resp = create(gh, roles.operator, address=address)
    assert resp.status_code == 201, resp.text
    assert resp.json()["address"] == address


def test_address_validation_on_update(gh, roles):
    server = create(gh, roles.operator).json()
    assert_problem(gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.operator,
                              json={"address": "-oProxyCommand=id"}), 400)
    assert gh.request("GET", f"{API}/servers/{server['id']}", headers=roles.viewer).json()["address"] == "10.1.2.3"


@pytest.mark.parametrize("over", [
    {"ssh_port": 0}, {"ssh_port": 65536}, {"ssh_port": -1}, {"ssh_port": "22"}, {"ssh_port": 22.5},
    {"ssh_user": ""}, {"ssh_user": "root;id"}, {"ssh_user": "-oFoo"}, {"ssh_user": "a b"}, {"ssh_user": "x" * 33},
    {"auth_method": "kerberos"}, {"auth_method": ""}, {"auth_method": None},
    {"postgres": {"pool_class": "huge"}}, {"postgres": {"port": 0}}, {"postgres": {"user": "a;b"}},
    {"postgres": {"sslmode": "sometimes"}}, {"postgres": {"host": "-oProxyCommand=x"}},
    {"postgres": {"host": "a b"}}, {"postgres": {"via_ssh": "yes"}},
    {"postgres": {"unknown": 1}}, {"postgres": "postgres://x"},
    {"unknown_field": 1}, {"tags": "prod"}, {"tags": ["a b"]}, {"name": ""}, {"name": "x" * 101},
    {"name": "tab\there"}, {"description": "d" * 2001},
    {"auth_method": "key", "password": ...}, {"auth_method": "key", "ssh_key_id": "no-such-key"},
])
def test_invalid_fields_are_refused(gh, roles, over):
    before = server_ids(gh, roles)
    problem = assert_problem(create(gh, roles.operator, **over), 400)
    assert problem["detail"]
    assert server_ids(gh, roles) == before


def test_non_json_bodies(gh, roles):
    before = server_ids(gh, roles)
    for data in (b"", b"{", b"[]", b'"x"', json.dumps(body()).encode()[:-1]):
        resp = gh.request("POST", f"{API}/servers", headers={**roles.operator, "Content-Type": "application/json"},
                          data=data)
        assert resp.status_code in (400, 415), (data, resp.status_code, resp.text)
        assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert server_ids(gh, roles) == before


def test_duplicate_name_conflicts(gh, roles):
    name = unique("dup")
    assert create(gh, roles.operator, name=name).status_code == 201
    before = server_ids(gh, roles)
    problem = assert_problem(create(gh, roles.operator, name=name, address="10.9.9.9"), 409)
    assert name in problem["detail"]
    assert server_ids(gh, roles) == before
    other = create(gh, roles.operator).json()
    assert_problem(gh.request("PATCH", f"{API}/servers/{other['id']}", headers=roles.operator,
                              json={"name": name}), 409)


def test_key_auth_needs_a_private_key(gh, roles, tmp_path):
    line = ssh_keygen(tmp_path / "pub", "-t", "ed25519").with_suffix(".pub").read_text()
    pub = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                     json={"name": unique("pubonly"), "public_key": line}).json()
    assert pub["has_private_key"] is False
    before = server_ids(gh, roles)
    problem = assert_problem(create(gh, roles.operator, auth_method="key", password=..., ssh_key_id=pub["id"]), 400)
    assert "ssh_key_id" in problem["detail"]
    assert server_ids(gh, roles) == before

    full = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator,
                      json={"name": unique("full"), "type": "ed25519"}).json()
    resp = create(gh, roles.operator, auth_method="key", password=..., ssh_key_id=full["id"])
    assert resp.status_code == 201, resp.text
    assert resp.json()["ssh_key_id"] == full["id"] and resp.json()["has_password"] is False


def test_roles(gh, roles):
    before = server_ids(gh, roles)
    assert_problem(create(gh, roles.viewer), 403)
    assert server_ids(gh, roles) == before
    server = create(gh, roles.operator).json()
    assert gh.request("GET", f"{API}/servers/{server['id']}", headers=roles.viewer).status_code == 200
    assert gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer).status_code == 200
    for method, extra in (("PATCH", {"json": {"description": "v"}}), ("PUT", {"json": body()}), ("DELETE", {}),
                          ("POST", {})):
        path = f"{API}/servers/{server['id']}" + ("/test-ssh" if method == "POST" else "")
        assert_problem(gh.request(method, path, headers=roles.viewer, **extra), 403)
    assert_problem(gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.operator), 403)
    assert_problem(gh.request("GET", f"{API}/servers"), 401)
    assert gh.request("DELETE", f"{API}/servers/{server['id']}", headers=roles.operator).status_code == 204
    assert_problem(gh.request("GET", f"{API}/servers/{server['id']}", headers=roles.viewer), 404)


def test_host_key_fingerprint_is_admin_only(gh, roles):
    before = server_ids(gh, roles)
    problem = assert_problem(create(gh, roles.operator, host_key_fingerprint=FINGERPRINT), 403)
    assert "host_key_fingerprint" in problem["detail"]
    assert server_ids(gh, roles) == before

    for bad in ("SHA256:short", "MD5:" + "A" * 46, "SHA256:" + "A" * 42 + ";", FINGERPRINT + "A",
                "sha256:" + "A" * 43, "SHA256:" + "A" * 42 + " "):
        assert_problem(create(gh, roles.admin, host_key_fingerprint=bad), 400)
    assert server_ids(gh, roles) == before

    resp = create(gh, roles.admin, host_key_fingerprint=FINGERPRINT)
    assert resp.status_code == 201, resp.text
    server = resp.json()
    assert server["host_key_fingerprint"] == FINGERPRINT and server["pending_host_key_fingerprint"] is None
    # An operator may change other fields (the pin stays) but not the pin itself.
    resp = gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.operator, json={"description": "x"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["host_key_fingerprint"] == FINGERPRINT
    assert_problem(gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.operator,
                              json={"host_key_fingerprint": "SHA256:" + "B" * 43}), 403)
    assert gh.request("GET", f"{API}/servers/{server['id']}", headers=roles.viewer).json()[
        "host_key_fingerprint"] == FINGERPRINT
    # Accepting with nothing pending is a conflict.
    assert_problem(gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.admin,
                              json={"fingerprint": FINGERPRINT}), 409)


def test_unknown_server_is_404(gh, roles):
    missing = "01900000-0000-7000-8000-000000000000"
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/test-ssh"), ("GET", "/status"),
                           ("GET", "/disk")):
        kw = {"json": {"description": "x"}} if method == "PATCH" else {}
        headers = roles.operator if method != "GET" else roles.viewer
        assert_problem(gh.request(method, f"{API}/servers/{missing}{suffix}", headers=headers, **kw), 404)
