"""Request bodies as declared (issue 11, item 1): every route checks its JSON body against its declaration before
its handler runs (unknown fields named, types, bounds, choices, required fields), refuses duplicate keys, takes no
body where it declares none, and /openapi.json shows each declaration as the operation's requestBody."""

from __future__ import annotations

import pytest

from support import API, admin_login, assert_problem, start_identity, unique

WRITE_METHODS = {"post", "put", "patch", "delete"}
FAKE_ID = "00000000-0000-7000-8000-000000000000"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


@pytest.fixture(scope="module")
def document(env):
    return env[0].get("/openapi.json").json()


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in WRITE_METHODS:
                yield method, path, op


def test_every_route_refuses_unknown_body_fields_naming_them(env, document):
    server, admin = env
    checked = 0
    for method, path, op in operations(document):
        media = next(iter(op.get("requestBody", {}).get("content", {"application/json": {}})))
        if media != "application/json" or op.get("requestBody", {}).get("content", {}).get(media, {}).get(
                "schema") == {}:
            continue  # the form login (OAuth2), echo (any JSON)
        resp = server.request(method.upper(), path.replace("{id}", FAKE_ID), headers=admin.headers,
                              json={"bogus_field": 1, "other_bogus": True})
        problem = assert_problem(resp, 400)
        assert "'bogus_field'" in problem["detail"] and "'other_bogus'" in problem["detail"], (method, path, problem)
        checked += 1
    assert checked >= 30, checked


def test_every_json_body_route_is_documented_with_its_fields(document):
    bodies = {(m, p): op["requestBody"] for m, p, op in operations(document) if "requestBody" in op}
    server = bodies[("post", "/api/v1/servers")]["content"]["application/json"]["schema"]
    assert server["additionalProperties"] is False
    assert set(server["required"]) == {"name", "address", "ssh_user", "auth_method"}
    assert server["properties"]["ssh_port"] == {"type": ["integer", "null"], "minimum": 1, "maximum": 65535,
                                                "description": server["properties"]["ssh_port"]["description"]}
    assert server["properties"]["password"]["writeOnly"] is True
    assert server["properties"]["postgres"]["properties"]["pool_class"]["enum"] == [
        "default", "stats_db", "high_load", None]
    patch = bodies[("patch", "/api/v1/servers/{id}")]["content"]["application/json"]["schema"]
    assert "required" not in patch and set(patch["properties"]) == set(server["properties"])
    accept = bodies[("post", "/api/v1/servers/{id}/host-key/accept")]["content"]["application/json"]["schema"]
    assert accept["required"] == ["fingerprint"]
    token = bodies[("post", "/api/v1/auth/token")]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(token["required"]) == {"username", "password"}
    for (method, path), body in bodies.items():
        for media, content in body["content"].items():
            for name, field in content["schema"].get("properties", {}).items():
                assert field.get("description"), (method, path, name)
    for method, path in [("post", "/api/v1/users"), ("post", "/api/v1/tasks"), ("post", "/api/v1/apps"),
                         ("patch", "/api/v1/users/{id}"), ("post", "/api/v1/ssh-keys/generate"),
                         ("post", "/api/v1/api-tokens"), ("post", "/api/v1/auth/login")]:
        assert (method, path) in bodies, (method, path)


@pytest.mark.parametrize("body,named,says", [
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "ssh_port": "22"}, "ssh_port",
     "integer from 1 to 65535"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "ssh_port": 0}, "ssh_port",
     "integer from 1 to 65535"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "ssh_port": 22.5}, "ssh_port",
     "integer from 1 to 65535"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "telepathy"}, "auth_method", "one of"),
    ({"name": "n", "address": "h", "ssh_user": "u"}, "auth_method", "required"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "tags": "web"}, "tags", "array"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "postgres": {"prot": 1}},
     "postgres.prot", "unknown"),
    ({"name": "n", "address": "h", "ssh_user": "u", "auth_method": "password", "postgres": {"port": 70000}},
     "postgres.port", "integer from 1 to 65535"),
    ({"name": 5, "address": "h", "ssh_user": "u", "auth_method": "password"}, "name", "string"),
    ({"name": "   ", "address": "h", "ssh_user": "u", "auth_method": "password"}, "name", "blank"),
])
def test_server_bodies_are_checked_field_by_field(env, body, named, says):
    server, admin = env
    before = server.get(f"{API}/servers?limit=500", headers=admin.headers).json()["items"]
    problem = assert_problem(server.request("POST", f"{API}/servers", headers=admin.headers, json=body), 400)
    assert named in problem["detail"] and says in problem["detail"], problem
    # Forms show the message next to the field it names (an unknown field is no form's field: no `errors`).
    if says == "unknown":
        assert "errors" not in problem, problem
    else:
        assert problem["errors"] == {named: problem["detail"]}, problem
    assert server.get(f"{API}/servers?limit=500", headers=admin.headers).json()["items"] == before


@pytest.mark.parametrize("path, body, field", [
    ("servers", {"address": "h", "ssh_user": "u", "auth_method": "password", "password": "p-W1"}, "name"),
    ("users", {"password": "long-enough-Pw1", "role": "viewer"}, "username"),
    ("projects", {}, "name"),
])
def test_a_taken_name_is_a_409_naming_its_field(env, path, body, field):
    server, admin = env
    taken = unique("taken")
    body = {**body, field: taken}
    assert server.request("POST", f"{API}/{path}", headers=admin.headers, json=body).status_code == 201
    problem = assert_problem(server.request("POST", f"{API}/{path}", headers=admin.headers, json=body), 409)
    assert problem["errors"] == {field: problem["detail"]}, problem


def test_duplicate_keys_are_refused(env):
    server, admin = env
    body = ('{"name": "%s", "address": "127.0.0.1", "ssh_user": "u", "auth_method": "password", '
            '"password": "pw-12345678", "name": "other"}' % unique("dup"))
    problem = assert_problem(server.request("POST", f"{API}/servers", headers={**admin.headers,
                                                                                 "Content-Type": "application/json"},
                                            data=body), 400)
    assert "duplicate key 'name'" in problem["detail"], problem
    nested = '{"username": "a", "password": "b", "password": "c"}'
    assert_problem(server.request("POST", f"{API}/auth/login", headers={"Content-Type": "application/json"},
                                  data=nested), 400)


def test_routes_without_a_body_take_none(env):
    server, admin = env
    # {} and nothing are fine; a field is named; something else is refused.
    assert server.request("POST", f"{API}/auth/logout", headers=admin.headers, json={"everywhere": True}).status_code \
        == 400
    problem = assert_problem(server.request("POST", f"{API}/servers/{FAKE_ID}/test-ssh", headers=admin.headers,
                                            json={"force": True}), 400)
    assert "'force'" in problem["detail"]
    assert_problem(server.request("POST", f"{API}/servers/{FAKE_ID}/test-ssh", headers=admin.headers, json={}), 404)
    assert_problem(server.request("POST", f"{API}/servers/{FAKE_ID}/test-ssh", headers=admin.headers), 404)
    assert_problem(server.request("DELETE", f"{API}/servers/{FAKE_ID}", headers=admin.headers, data="hello"), 400)


def test_ed25519_keys_take_no_bits(env):
    server, admin = env
    problem = assert_problem(server.request("POST", f"{API}/ssh-keys/generate", headers=admin.headers,
                                            json={"name": unique("k"), "type": "ed25519", "bits": 4096}), 400)
    assert "bits" in problem["detail"]


def test_every_201_has_a_location_that_answers(env):
    server, admin = env
    h = admin.headers
    created = [
        server.request("POST", f"{API}/users", headers=h,
                       json={"username": unique("loc"), "password": "location-pw-1", "role": "viewer"}),
        server.request("POST", f"{API}/servers", headers=h,
                       json={"name": unique("loc"), "address": "127.0.0.1", "ssh_user": "u",
                             "auth_method": "password", "password": "pw-12345678"}),
        server.request("POST", f"{API}/ssh-keys/generate", headers=h, json={"name": unique("loc"), "type": "ed25519"}),
        server.request("POST", f"{API}/projects", headers=h, json={"name": unique("loc")}),
        server.request("POST", f"{API}/api-tokens", headers=h, json={"name": unique("loc")}),
    ]
    for resp in created:
        assert resp.status_code == 201, resp.text
        location = resp.headers.get("Location")
        assert location and location.endswith("/" + resp.json()["id"]), (resp.url, location)
        if "/api-tokens/" not in location:  # a token is only listed and revoked
            got = server.get(location, headers=h)
            assert got.status_code == 200 and got.json()["id"] == resp.json()["id"], (location, got.text)
