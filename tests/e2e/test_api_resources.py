"""Consistent resources (issue 11, items 5 and 7): every mutable resource takes PATCH (some fields) and PUT (all of
them), and the API token list shows what each token may do now (its effective role)."""

from __future__ import annotations

import pytest

from support import API, admin_login, assert_problem, bearer, create_api_token, create_user, login_ok, \
    start_identity, unique


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


def operations(server) -> set[tuple[str, str]]:
    doc = server.get("/openapi.json").json()
    return {(m, p) for p, item in doc["paths"].items() for m in item}


def test_every_mutable_resource_takes_patch_and_put(env):
    server, _ = env
    ops = operations(server)
    for resource in ("users", "servers", "ssh-keys", "projects", "apps"):
        path = f"/api/v1/{resource}/{{id}}"
        assert ("patch", path) in ops and ("put", path) in ops, resource


def test_put_and_patch_of_a_user(env):
    server, admin = env
    user = create_user(server, admin.access, unique("pp"), "resource-pw-01", "viewer")
    url = f"{API}/users/{user['id']}"
    problem = assert_problem(server.request("PUT", url, headers=admin.headers, json={"role": "operator"}), 400)
    assert "disabled" in problem["detail"]
    put = server.request("PUT", url, headers=admin.headers, json={"role": "operator", "disabled": False})
    assert put.status_code == 200 and put.json()["role"] == "operator", put.text
    patched = server.request("PATCH", url, headers=admin.headers, json={"disabled": True})
    assert patched.status_code == 200 and patched.json()["role"] == "operator" and patched.json()["disabled"] is True


def test_put_and_patch_of_an_ssh_key(env):
    server, admin = env
    key = server.request("POST", f"{API}/ssh-keys/generate", headers=admin.headers,
                         json={"name": unique("ppk"), "type": "ed25519", "comment": "first"}).json()
    url = f"{API}/ssh-keys/{key['id']}"
    assert_problem(server.request("PUT", url, headers=admin.headers, json={"name": unique("ppk")}), 400)
    name = unique("ppk")
    put = server.request("PUT", url, headers=admin.headers, json={"name": name, "comment": "second"})
    assert put.status_code == 200 and put.json()["name"] == name and put.json()["comment"] == "second", put.text
    patched = server.request("PATCH", url, headers=admin.headers, json={"comment": "third"})
    assert patched.status_code == 200 and patched.json()["name"] == name and patched.json()["comment"] == "third"


def test_patch_of_a_project_and_an_app_changes_only_what_it_gives(env):
    server, admin = env
    h = admin.headers
    project = server.request("POST", f"{API}/projects", headers=h,
                             json={"name": unique("ppp"), "description": "before"}).json()
    patched = server.request("PATCH", f"{API}/projects/{project['id']}", headers=h, json={"description": "after"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == project["name"] and patched.json()["description"] == "after"
    assert_problem(server.request("PATCH", f"{API}/projects/{project['id']}", headers=h, json={"nme": "x"}), 400)

    target = server.request("POST", f"{API}/servers", headers=h,
                            json={"name": unique("pps"), "address": "127.0.0.1", "ssh_user": "u",
                                  "auth_method": "password", "password": "pw-12345678"}).json()
    app = server.request("POST", f"{API}/apps", headers=h,
                         json={"name": unique("ppa"), "project_id": project["id"], "server_id": target["id"],
                               "cd_path": "/srv/app", "auto_stop_minutes": 30}).json()
    patched = server.request("PATCH", f"{API}/apps/{app['id']}", headers=h, json={"auto_stop_minutes": 5})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["auto_stop_minutes"] == 5
    assert {k: body[k] for k in ("name", "project_id", "server_id", "cd_path")} == \
        {k: app[k] for k in ("name", "project_id", "server_id", "cd_path")}
    problem = assert_problem(server.request("PATCH", f"{API}/apps/{app['id']}", headers=h,
                                            json={"auto_stop_minutes": -1}), 400)
    assert "from 0 to 525600" in problem["detail"]


def test_the_token_list_shows_each_tokens_effective_role(env):
    server, admin = env
    name = unique("eff")
    user = create_user(server, admin.access, name, "effective-pw-1", "operator")
    session = login_ok(server, name, "effective-pw-1")
    token = create_api_token(server, session.access, "eff-token")
    assert token["role"] == "operator" and token["effective_role"] == "operator", token

    def listed() -> dict:
        items = server.get(f"{API}/api-tokens?all=true&limit=500", headers=admin.headers).json()["items"]
        return next(t for t in items if t["id"] == token["id"])

    server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers, json={"role": "viewer"})
    now = listed()
    assert now["role"] == "operator" and now["effective_role"] == "viewer", now
    assert server.get(f"{API}/users/me", headers=bearer(token["token"])).json()["role"] == "viewer"
    # Back to operator: the token may do what its role says again.
    server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers, json={"role": "admin"})
    assert listed()["effective_role"] == "operator"
