"""Filters that filter (issue 11, item 4): every documented list filter returns only matching items, and a filter
value outside its domain is 400."""

from __future__ import annotations

import pytest

from support import API, admin_login, assert_problem, create_user, poll, start_identity, unique


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


def all_items(gh, headers, path, **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(50):
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        resp = gh.get(f"{API}{path}", headers=headers, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("too many pages")


def add_server(server, headers, **fields) -> dict:
    body = {"name": unique("flt"), "address": "127.0.0.1", "ssh_port": 1, "ssh_user": "nobody",
            "auth_method": "password", "password": "unused-pw-1", **fields}
    resp = server.request("POST", f"{API}/servers", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_servers_by_tag_status_and_text(env):
    server, admin = env
    h = admin.headers
    web = add_server(server, h, tags=["web", "eu_1"], description="Front door")
    db = add_server(server, h, name=unique("DBhost"), tags=["db"], address="127.0.0.9")
    both = add_server(server, h, tags=["web", "db"])
    # `eu_1`'s underscore is a literal, not a LIKE wildcard; `we` is no tag, only a prefix of one.
    assert {s["id"] for s in all_items(server, h, "/servers", tag="web")} >= {web["id"], both["id"]}
    assert db["id"] not in {s["id"] for s in all_items(server, h, "/servers", tag="web")}
    assert [s["id"] for s in all_items(server, h, "/servers", tag="eu_1")] == [web["id"]]
    assert all_items(server, h, "/servers", tag="euX1") == []
    assert all_items(server, h, "/servers", tag="we") == []
    for s in all_items(server, h, "/servers", tag="db"):
        assert "db" in s["tags"], s

    # q: any case, in the name, the address or the description.
    assert [s["id"] for s in all_items(server, h, "/servers", q=db["name"].lower())] == [db["id"]]
    assert [s["id"] for s in all_items(server, h, "/servers", q="FRONT DOOR")] == [web["id"]]
    assert [s["id"] for s in all_items(server, h, "/servers", q="127.0.0.9")] == [db["id"]]
    assert all_items(server, h, "/servers", q="100%") == []

    # status: a test-ssh against port 1 makes the server offline; the others stay unknown.
    assert server.request("POST", f"{API}/servers/{db['id']}/test-ssh", headers=h, timeout=30).status_code == 200
    poll(lambda: db["id"] in {s["id"] for s in all_items(server, h, "/servers", status="offline")}, timeout=10)
    for status in ("offline", "unknown"):
        listed = all_items(server, h, "/servers", status=status)
        assert listed and all(s["status"] == status for s in listed), (status, listed)
    assert web["id"] in {s["id"] for s in all_items(server, h, "/servers", status="unknown")}
    # Filters combine.
    assert [s["id"] for s in all_items(server, h, "/servers", tag="db", status="offline")] == [db["id"]]

    problem = assert_problem(server.get(f"{API}/servers?status=sleeping", headers=h), 400)
    assert "status" in problem["detail"] and "online" in problem["detail"]


def test_users_by_role_and_disabled(env):
    server, admin = env
    h = admin.headers
    op = create_user(server, admin.access, unique("fop"), "filter-pw-0001", "operator")
    viewer = create_user(server, admin.access, unique("fvw"), "filter-pw-0002", "viewer")
    assert server.request("PATCH", f"{API}/users/{viewer['id']}", headers=h, json={"disabled": True}).status_code == 200
    operators = all_items(server, h, "/users", role="operator")
    assert op["id"] in {u["id"] for u in operators} and all(u["role"] == "operator" for u in operators)
    disabled = all_items(server, h, "/users", disabled="true")
    assert [u["id"] for u in disabled] == [viewer["id"]] and disabled[0]["disabled"] is True
    active = all_items(server, h, "/users", disabled="false")
    assert viewer["id"] not in {u["id"] for u in active} and all(u["disabled"] is False for u in active)
    assert all_items(server, h, "/users", role="viewer", disabled="false") == [
        u for u in all_items(server, h, "/users", role="viewer") if not u["disabled"]]
    assert_problem(server.get(f"{API}/users?role=root", headers=h), 400)
    assert_problem(server.get(f"{API}/users?disabled=yes", headers=h), 400)


def test_tasks_by_server_id_or_name(env):
    server, admin = env
    h = admin.headers
    first = add_server(server, h)
    second = add_server(server, h)

    def run_on(target: dict) -> str:
        resp = server.request("POST", f"{API}/tasks", headers=h,
                              json={"targets": [target["id"]], "kind": "exec", "command": "true", "timeout_s": 5})
        assert resp.status_code == 202, resp.text
        return resp.json()["id"]

    on_first, on_second = run_on(first), run_on(second)
    for value in (first["id"], first["name"]):
        assert [t["id"] for t in all_items(server, h, "/tasks", server=value)] == [on_first], value
    assert [t["id"] for t in all_items(server, h, "/tasks", server_id=second["name"])] == [on_second]
    # After a rename the new name finds the server's tasks too.
    renamed = unique("renamed")
    assert server.request("PATCH", f"{API}/servers/{second['id']}", headers=h,
                          json={"name": renamed}).status_code == 200
    assert [t["id"] for t in all_items(server, h, "/tasks", server=renamed)] == [on_second]
    assert all_items(server, h, "/tasks", server="no-such-server") == []


def test_task_targets_and_app_servers_may_be_names(env):
    server, admin = env
    h = admin.headers
    target = add_server(server, h)
    resp = server.request("POST", f"{API}/tasks", headers=h,
                          json={"targets": [target["name"]], "kind": "exec", "command": "true", "timeout_s": 5})
    assert resp.status_code == 202, resp.text
    assert [t["server_id"] for t in resp.json()["targets"]] == [target["id"]]
    problem = assert_problem(server.request("POST", f"{API}/tasks", headers=h,
                                            json={"targets": ["no-such-server"], "kind": "exec", "command": "true"}),
                             400)
    assert "no-such-server" in problem["detail"]

    project = server.request("POST", f"{API}/projects", headers=h, json={"name": unique("proj")})
    assert project.status_code == 201, project.text
    app = server.request("POST", f"{API}/apps", headers=h,
                         json={"name": unique("app"), "project_id": project.json()["id"], "server_id": target["name"],
                               "cd_path": "/srv/app"})
    assert app.status_code == 201, app.text
    assert app.json()["server_id"] == target["id"]
    listed = all_items(server, h, "/apps", server_id=target["id"])
    assert [a["id"] for a in listed] == [app.json()["id"]]
