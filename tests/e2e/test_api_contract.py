"""The API contract (issue 11): every route declares the query parameters it takes, refuses any other with a 400
naming it, checks declared ones against their type, and /openapi.json documents them with the security schemes."""

from __future__ import annotations

import json
import re

import pytest
import requests

from contract_check import check_response
from support import API, admin_login, assert_problem, start_identity

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


@pytest.fixture(scope="module")
def document(env):
    server, _ = env
    resp = server.get("/openapi.json")
    assert resp.status_code == 200
    return resp.json()


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def concrete(path: str) -> str:
    """The path with every {param} filled in (an id that names nothing: the query is checked first)."""
    return path.replace("{id}", "00000000-0000-7000-8000-000000000000")


def test_every_route_refuses_an_undeclared_query_parameter_naming_it(env, document):
    server, admin = env
    checked = 0
    for method, path, op in operations(document):
        resp = server.request(method.upper(), concrete(path) + "?bogus_param=1&another=2", headers=admin.headers)
        problem = assert_problem(resp, 400)
        assert "'bogus_param'" in problem["detail"] and "'another'" in problem["detail"], (method, path, problem)
        declared = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        for name in declared:
            assert name in problem["detail"], (method, path, name, problem)  # the answer says what the route takes
        checked += 1
    assert checked >= 60, checked


def test_a_refused_query_changes_nothing(env):
    server, admin = env
    before = server.get(f"{API}/users", headers=admin.headers).json()["items"]
    admin_id = next(u["id"] for u in before if u["username"] == "admin")
    assert_problem(server.request("DELETE", f"{API}/users/{admin_id}?force=true", headers=admin.headers), 400)
    assert_problem(server.request("POST", f"{API}/auth/logout?everywhere=1", headers=admin.headers), 400)
    # The session still works and the user is still there.
    after = server.get(f"{API}/users", headers=admin.headers)
    assert after.status_code == 200 and [u["id"] for u in after.json()["items"]] == [u["id"] for u in before]


@pytest.mark.parametrize("path,query,named", [
    ("/users", "limit=0", "limit"),
    ("/users", "limit=501", "limit"),
    ("/users", "limit=ten", "limit"),
    ("/api-tokens", "all=yes", "all"),
    ("/tasks", "state=sleeping", "state"),
    ("/tasks", "kind=rm", "kind"),
    ("/apps", "status=dancing", "status"),
    ("/audit/events", "outcome=maybe", "outcome"),
    ("/audit/events", "since=yesterday", "since"),
    ("/audit/stats", "until=2026-13-01T00:00:00Z", "until"),
    ("/tasks/00000000-0000-7000-8000-000000000000/output", "format=xml", "format"),
])
def test_declared_parameters_are_checked_against_their_type(env, path, query, named):
    server, admin = env
    problem = assert_problem(server.get(f"{API}{path}?{query}", headers=admin.headers), 400)
    assert named in problem["detail"], problem


def test_a_delete_flag_must_be_a_boolean(env):
    server, admin = env
    problem = assert_problem(
        server.request("DELETE", f"{API}/ssh-keys/00000000-0000-7000-8000-000000000000?force=yes",
                       headers=admin.headers), 400)
    assert "force" in problem["detail"]


def test_empty_values_are_no_filter(env):
    server, admin = env
    resp = server.get(f"{API}/tasks?state=&kind=&server=&limit=", headers=admin.headers)
    assert resp.status_code == 200, resp.text


def test_malformed_escapes_in_the_query_are_400(env):
    server, admin = env
    assert_problem(server.get(f"{API}/users?cursor=%zz", headers=admin.headers), 400)
    assert_problem(server.get(f"{API}/users?%zz=1", headers=admin.headers), 400)


def test_unauthenticated_requests_are_401_before_the_query_is_read(env):
    server, _ = env
    assert_problem(server.get(f"{API}/users?bogus_param=1"), 401)


def test_the_document_lists_query_parameters_with_their_schemas(document):
    ops = {(m, p): op for m, p, op in operations(document)}
    tasks = {p["name"]: p for p in ops[("get", "/api/v1/tasks")]["parameters"] if p["in"] == "query"}
    assert {"limit", "cursor", "state", "kind", "server"} <= set(tasks), tasks
    assert tasks["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert "running" in tasks["state"]["schema"]["enum"]
    events = {p["name"]: p for p in ops[("get", "/api/v1/audit/events")]["parameters"] if p["in"] == "query"}
    assert events["since"]["schema"] == {"type": "string", "format": "date-time"}
    assert events["outcome"]["schema"]["enum"] == ["success", "failure", "denied"]
    force = [p for p in ops[("delete", "/api/v1/ssh-keys/{id}")]["parameters"] if p["in"] == "query"]
    assert force == [{"name": "force", "in": "query", "required": False,
                      "description": force[0]["description"], "schema": {"type": "boolean"}}]
    for (method, path), op in ops.items():
        for p in op.get("parameters", []):
            assert p["in"] == "path" or p["description"], (method, path, p)


def test_security_schemes_cover_jwt_api_tokens_and_the_oauth2_password_flow(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiToken"]["type"] == "http" and schemes["apiToken"]["scheme"] == "bearer"
    assert schemes["oauth2"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    for method, path, op in operations(document):
        names = {name for requirement in op["security"] for name in requirement}
        if op["x-access"] == "public":
            assert op["security"] == [], (method, path)
        else:
            assert names == {"bearer", "apiToken", "oauth2"}, (method, path, op["security"])


def test_every_json_answer_has_a_schema_of_its_own(document):
    """Each operation's success answer names its schema (no bare `object`), and each 4xx is problem+json."""
    loose = []
    for method, path, op in operations(document):
        for status, entry in op["responses"].items():
            for media, content in entry.get("content", {}).items():
                schema = content.get("schema", {})
                if status.startswith("2") and media == "application/json" and path != "/openapi.json":
                    if "$ref" not in schema:
                        loose.append(f"{method} {path} {status}")
                if status.startswith("4") and media == "application/problem+json":
                    assert "allOf" in schema, (method, path, status)
            if status.startswith("4"):
                assert "application/problem+json" in entry["content"], (method, path, status)
    assert loose == [], loose
    schemas = document["components"]["schemas"]
    referenced = set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', json.dumps(document)))
    assert set(schemas) == referenced, set(schemas) ^ referenced  # none unused, none missing
    for name, schema in schemas.items():
        if schema.get("type") == "object" and "properties" in schema and name != "Problem":
            assert schema["additionalProperties"] is False, name


def test_the_response_check_refuses_what_the_document_does_not_describe(env):
    """tests/e2e/contract_check.py checks every answer the e2e tests get: it must see a field too many, a field
    missing, a wrong type and an undocumented media type."""
    server, admin = env
    good = server.request("GET", f"{API}/users/me", headers=admin.headers)
    assert good.status_code == 200

    def answer(body: bytes, media: str = "application/json") -> requests.Response:
        resp = requests.Response()
        resp.status_code, resp._content = 200, body
        resp.headers["Content-Type"] = media
        return resp

    me = good.json()
    for broken in ({**me, "password_hash": "x"}, {k: v for k, v in me.items() if k != "role"},
                   {**me, "disabled": "no"}, {**me, "role": "superuser"}):
        with pytest.raises(AssertionError, match="breaks its documented schema"):
            check_response(server.url, server.args[0], "GET", f"{API}/users/me", answer(json.dumps(broken).encode()))
    with pytest.raises(AssertionError, match="documented"):
        check_response(server.url, server.args[0], "GET", f"{API}/users/me", answer(b"<html/>", "text/html"))
    check_response(server.url, server.args[0], "GET", f"{API}/users/me", answer(json.dumps(me).encode()))


def test_the_main_operations_show_an_example_body(document):
    """Examples that redocly's recommended rules check against the body schema (no-invalid-media-type-examples)."""
    for method, path in (("post", "/api/v1/auth/login"), ("post", "/api/v1/users"), ("post", "/api/v1/api-tokens"),
                         ("post", "/api/v1/servers"), ("post", "/api/v1/ssh-keys/generate"),
                         ("post", "/api/v1/tasks"), ("post", "/api/v1/apps")):
        media = document["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert set(media["example"]) <= set(media["schema"]["properties"]), (method, path)
