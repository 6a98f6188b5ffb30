"""Projects and apps through the API, without running anything: CRUD, validation (a 400 leaves
the state as it was), list filters and pagination, cascade delete of a project's apps, a server in
use by an app that cannot be deleted, roles and audit events. Starting and stopping are in
test_apps_compose.py."""

from __future__ import annotations

import pytest

from apps_support import create_app, create_project, get_app
from support import API, assert_problem, audit_events, unique, wait_audit

APP_FIELDS = {"id", "name", "project_id", "server_id", "cd_path", "app_url", "auto_stop_minutes", "status",
              "started_at", "auto_stop_at"}


def add_server(gh, headers, **over) -> dict:
    # Never contacted by these tests: port 1 on loopback.
    body = {"name": unique("srv"), "address": "127.0.0.1", "ssh_port": 1, "ssh_user": "nobody",
            "auth_method": "password", "password": "unused-pw"}
    body.update(over)
    resp = gh.request("POST", f"{API}/servers", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


@pytest.fixture(scope="module")
def server(gh, roles):
    return add_server(gh, roles.operator)


@pytest.fixture(scope="module")
def project(gh, roles):
    return create_project(gh, roles.operator)


def all_items(gh, headers, path, **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(1000):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        resp = gh.request("GET", f"{API}/{path}", headers=headers, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("paging did not end")


def test_project_crud(gh, roles):
    created = create_project(gh, roles.operator, description="first")
    assert set(created) == {"id", "name", "description", "created_at", "updated_at"}
    assert created["description"] == "first" and created["created_at"] == created["updated_at"]
    pid = created["id"]
    assert gh.request("GET", f"{API}/projects/{pid}", headers=roles.viewer).json() == created
    assert pid in [p["id"] for p in all_items(gh, roles.viewer, "projects")]

    new_name = unique("renamed")
    resp = gh.request("PUT", f"{API}/projects/{pid}", headers=roles.operator, json={"name": new_name})
    assert resp.status_code == 200, resp.text
    replaced = resp.json()
    assert replaced["name"] == new_name and replaced["description"] == ""  # PUT replaces: left out means default
    assert replaced["created_at"] == created["created_at"] and replaced["updated_at"] >= created["updated_at"]

    other = create_project(gh, roles.operator)
    assert_problem(gh.request("POST", f"{API}/projects", headers=roles.operator, json={"name": new_name}), 409)
    assert_problem(gh.request("PUT", f"{API}/projects/{other['id']}", headers=roles.operator,
                              json={"name": new_name}), 409)
    assert gh.request("GET", f"{API}/projects/{other['id']}", headers=roles.viewer).json() == other

    assert gh.request("DELETE", f"{API}/projects/{pid}", headers=roles.operator).status_code == 204
    assert_problem(gh.request("GET", f"{API}/projects/{pid}", headers=roles.viewer), 404)
    assert_problem(gh.request("PUT", f"{API}/projects/{pid}", headers=roles.operator, json={"name": "x"}), 404)
    assert_problem(gh.request("DELETE", f"{API}/projects/{pid}", headers=roles.operator), 404)


@pytest.mark.parametrize("body, needle", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 129}, "name"),
    ({"name": "bell\x07"}, "name"),
    ({"name": 5}, "name"),
    ({"name": "ok", "description": "d" * 4097}, "description"),
    ({"name": "ok", "surprise": 1}, "surprise"),
    ([], "object"),
])
def test_project_validation_leaves_nothing_behind(gh, roles, project, body, needle):
    before = all_items(gh, roles.viewer, "projects")
    problem = assert_problem(gh.request("POST", f"{API}/projects", headers=roles.operator, json=body), 400)
    assert needle in problem["detail"], problem
    problem = assert_problem(gh.request("PUT", f"{API}/projects/{project['id']}", headers=roles.operator,
                                        json=body), 400)
    assert needle in problem["detail"], problem
    assert all_items(gh, roles.viewer, "projects") == before


def test_app_crud_and_defaults(gh, roles, server, project):
    created = create_app(gh, roles.operator, project["id"], server["id"], "/srv/app one")
    assert APP_FIELDS <= set(created)
    assert created["status"] == "stopped" and created["auto_stop_minutes"] == 60 and created["app_url"] == ""
    assert created["started_at"] is None and created["auto_stop_at"] is None
    assert created["cd_path"] == "/srv/app one"
    aid = created["id"]
    assert get_app(gh, roles.viewer, aid) == created

    body = {"name": unique("app2"), "project_id": project["id"], "server_id": server["id"],
            "cd_path": "~/apps/dir two", "app_url": "https://app.example.com:8443/x?y=1", "auto_stop_minutes": 0}
    resp = gh.request("PUT", f"{API}/apps/{aid}", headers=roles.operator, json=body)
    assert resp.status_code == 200, resp.text
    replaced = resp.json()
    assert {k: replaced[k] for k in body} == body
    assert replaced["status"] == "stopped" and replaced["created_at"] == created["created_at"]

    # PUT replaces: every required field must be there, and optional ones fall back to defaults.
    partial = {k: v for k, v in body.items() if k != "cd_path"}
    problem = assert_problem(gh.request("PUT", f"{API}/apps/{aid}", headers=roles.operator, json=partial), 400)
    assert "cd_path" in problem["detail"]
    assert get_app(gh, roles.viewer, aid) == replaced
    minimal = {k: body[k] for k in ("name", "project_id", "server_id", "cd_path")}
    again = gh.request("PUT", f"{API}/apps/{aid}", headers=roles.operator, json=minimal).json()
    assert again["auto_stop_minutes"] == 60 and again["app_url"] == ""

    # Names are unique within a project, not across projects.
    assert_problem(gh.request("POST", f"{API}/apps", headers=roles.operator, json=minimal), 409)
    elsewhere = create_project(gh, roles.operator)
    twin = create_app(gh, roles.operator, elsewhere["id"], server["id"], "/srv/x", name=body["name"])
    assert twin["name"] == body["name"]

    assert gh.request("DELETE", f"{API}/apps/{aid}", headers=roles.operator).status_code == 204
    assert_problem(gh.request("GET", f"{API}/apps/{aid}", headers=roles.viewer), 404)
    assert_problem(gh.request("DELETE", f"{API}/apps/{aid}", headers=roles.operator), 404)
    assert_problem(gh.request("POST", f"{API}/apps/{aid}/start", headers=roles.operator, json={}), 404)
    assert_problem(gh.request("POST", f"{API}/apps/{aid}/stop", headers=roles.operator), 404)


BAD_APPS = [
    ({"name": ""}, "name"),
    ({"name": "n" * 129}, "name"),
    ({"name": "tab\there"}, "name"),
    ({"cd_path": ""}, "cd_path"),
    ({"cd_path": "/srv/a\nb"}, "cd_path"),
    ({"cd_path": "/srv/a\x00b"}, "cd_path"),
    ({"cd_path": "relative/dir"}, "absolute"),
    ({"cd_path": "~other/dir"}, "absolute"),
    ({"cd_path": "/" + "p" * 4096}, "cd_path"),
    ({"cd_path": 7}, "cd_path"),
    ({"app_url": "ftp://example.com/"}, "app_url"),
    ({"app_url": "not a url"}, "app_url"),
    ({"app_url": "http://"}, "app_url"),
    ({"app_url": "javascript:alert(1)"}, "app_url"),
    ({"app_url": "https://example.com/" + "u" * 2048}, "app_url"),
    ({"auto_stop_minutes": -1}, "auto_stop_minutes"),
    ({"auto_stop_minutes": 525601}, "auto_stop_minutes"),
    ({"auto_stop_minutes": "5"}, "auto_stop_minutes"),
    ({"auto_stop_minutes": 1.5}, "auto_stop_minutes"),
    ({"auto_stop_minutes": True}, "auto_stop_minutes"),
    ({"project_id": "0190d1a2-0000-7000-8000-000000000000"}, "project_id"),
    ({"server_id": "0190d1a2-0000-7000-8000-000000000000"}, "server_id"),
    ({"project_id": None}, "project_id"),
    ({"server_id": None}, "server_id"),
    ({"status": "running"}, "status"),
    ({"surprise": 1}, "surprise"),
]


@pytest.mark.parametrize("change, needle", BAD_APPS)
def test_app_validation_leaves_state_untouched(gh, roles, server, project, change, needle):
    existing = create_app(gh, roles.operator, project["id"], server["id"], "/srv/keep")
    before = all_items(gh, roles.viewer, "apps")
    body = {"name": unique("bad"), "project_id": project["id"], "server_id": server["id"], "cd_path": "/srv/bad"}
    body.update(change)
    problem = assert_problem(gh.request("POST", f"{API}/apps", headers=roles.operator, json=body), 400)
    assert needle in problem["detail"], problem
    problem = assert_problem(gh.request("PUT", f"{API}/apps/{existing['id']}", headers=roles.operator, json=body), 400)
    assert needle in problem["detail"], problem
    assert all_items(gh, roles.viewer, "apps") == before
    assert get_app(gh, roles.viewer, existing["id"]) == existing


def test_missing_references_say_which(gh, roles, server, project):
    body = {"name": unique("ref"), "project_id": project["id"], "server_id": "no-such-server", "cd_path": "/x"}
    problem = assert_problem(gh.request("POST", f"{API}/apps", headers=roles.operator, json=body), 400)
    assert problem["detail"] == "field 'server_id': no such server"
    body.update(server_id=server["id"], project_id="no-such-project")
    problem = assert_problem(gh.request("POST", f"{API}/apps", headers=roles.operator, json=body), 400)
    assert problem["detail"] == "field 'project_id': no such project"


def test_unusual_but_valid_values_are_kept_exactly(gh, roles, server, project):
    odd = "/srv/it's a \"dir\" with $(whoami) `id` ; & | > ~ * ? [x] {a,b} \\ \t tab"
    app = create_app(gh, roles.operator, project["id"], server["id"], odd, name="ünïcødé " + "é" * 100,
                     app_url="http://[::1]:8080/path", auto_stop_minutes=525600)
    assert app["cd_path"] == odd and app["auto_stop_minutes"] == 525600
    assert get_app(gh, roles.viewer, app["id"])["cd_path"] == odd
    longest = create_app(gh, roles.operator, project["id"], server["id"], "/" + "p" * 4095, auto_stop_minutes=0)
    assert len(longest["cd_path"]) == 4096 and longest["auto_stop_minutes"] == 0


def test_list_filters_and_pagination(gh, roles):
    p1, p2 = create_project(gh, roles.operator), create_project(gh, roles.operator)
    s1, s2 = add_server(gh, roles.operator), add_server(gh, roles.operator)
    made = {}
    for i, (p, s) in enumerate([(p1, s1), (p1, s1), (p1, s2), (p2, s1), (p2, s2)]):
        made[create_app(gh, roles.operator, p["id"], s["id"], f"/srv/list{i}")["id"]] = (p["id"], s["id"])

    def ids(**params):
        items = all_items(gh, roles.viewer, "apps", limit=2, **params)
        got = [a["id"] for a in items]
        assert len(got) == len(set(got)) and got == sorted(got)
        return set(got)

    assert ids(project_id=p1["id"]) == {a for a, (p, _) in made.items() if p == p1["id"]}
    assert ids(server_id=s2["id"]) == {a for a, (_, s) in made.items() if s == s2["id"]}
    assert ids(project_id=p2["id"], server_id=s1["id"]) == {a for a, ps in made.items() if ps == (p2["id"], s1["id"])}
    assert ids(project_id="nothing-here") == set()
    assert ids(project_id=p1["id"], status="stopped") == ids(project_id=p1["id"])
    assert ids(project_id=p1["id"], status="running") == set()
    assert ids(project_id=p1["id"], server_id="") == ids(project_id=p1["id"])
    problem = assert_problem(gh.request("GET", f"{API}/apps", headers=roles.viewer, params={"status": "up"}), 400)
    assert problem["detail"] == "status must be one of stopped, starting, running, stopping, failed"
    assert set(made) <= ids()
    first = gh.request("GET", f"{API}/apps", headers=roles.viewer, params={"project_id": p1["id"], "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert_problem(gh.request("GET", f"{API}/apps", headers=roles.viewer, params={"cursor": "'; drop"}), 400)
    assert_problem(gh.request("GET", f"{API}/projects", headers=roles.viewer, params={"limit": 0}), 400)


def test_deleting_a_project_deletes_its_apps(gh, roles, server):
    doomed, kept = create_project(gh, roles.operator), create_project(gh, roles.operator)
    gone = [create_app(gh, roles.operator, doomed["id"], server["id"], f"/srv/d{i}")["id"] for i in range(2)]
    stays = create_app(gh, roles.operator, kept["id"], server["id"], "/srv/k")
    assert gh.request("DELETE", f"{API}/projects/{doomed['id']}", headers=roles.operator).status_code == 204
    for aid in gone:
        assert_problem(gh.request("GET", f"{API}/apps/{aid}", headers=roles.viewer), 404)
    assert all_items(gh, roles.viewer, "apps", project_id=doomed["id"]) == []
    assert get_app(gh, roles.viewer, stays["id"]) == stays
    events = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == doomed["id"], action="project.delete")
    assert events[0]["details"]["apps_deleted"] == 2


def test_a_server_used_by_an_app_cannot_be_deleted(gh, roles, project):
    srv = add_server(gh, roles.operator)
    app = create_app(gh, roles.operator, project["id"], srv["id"], "/srv/pin")
    problem = assert_problem(gh.request("DELETE", f"{API}/servers/{srv['id']}", headers=roles.operator), 409)
    assert "app" in problem["detail"]
    assert gh.request("GET", f"{API}/servers/{srv['id']}", headers=roles.viewer).status_code == 200
    assert gh.request("DELETE", f"{API}/apps/{app['id']}", headers=roles.operator).status_code == 204
    assert gh.request("DELETE", f"{API}/servers/{srv['id']}", headers=roles.operator).status_code == 204


def test_viewers_read_operators_write(gh, roles, server, project):
    app = create_app(gh, roles.operator, project["id"], server["id"], "/srv/roles")
    for path in ("projects", f"projects/{project['id']}", "apps", f"apps/{app['id']}"):
        assert gh.request("GET", f"{API}/{path}", headers=roles.viewer).status_code == 200, path
    body = {"name": unique("v"), "project_id": project["id"], "server_id": server["id"], "cd_path": "/v"}
    writes = [
        ("POST", "projects", {"name": unique("v")}),
        ("PUT", f"projects/{project['id']}", {"name": unique("v")}),
        ("DELETE", f"projects/{project['id']}", None),
        ("POST", "apps", body),
        ("PUT", f"apps/{app['id']}", body),
        ("DELETE", f"apps/{app['id']}", None),
        ("POST", f"apps/{app['id']}/start", {}),
        ("POST", f"apps/{app['id']}/stop", {}),
    ]
    projects_before, apps_before = all_items(gh, roles.viewer, "projects"), all_items(gh, roles.viewer, "apps")
    for method, path, json_body in writes:
        assert_problem(gh.request(method, f"{API}/{path}", headers=roles.viewer, json=json_body), 403)
        assert_problem(gh.request(method, f"{API}/{path}", json=json_body), 401)
    assert all_items(gh, roles.viewer, "projects") == projects_before
    assert all_items(gh, roles.viewer, "apps") == apps_before
    # Admins may do what operators may.
    assert gh.request("PUT", f"{API}/apps/{app['id']}", headers=roles.admin, json=body).status_code == 200


def test_writes_are_audited(gh, roles, server):
    project = create_project(gh, roles.operator)
    app = create_app(gh, roles.operator, project["id"], server["id"], "/srv/audited")
    resp = gh.request("PUT", f"{API}/apps/{app['id']}", headers=roles.operator,
                      json={"name": app["name"], "project_id": project["id"], "server_id": server["id"],
                            "cd_path": "/srv/moved"})
    assert resp.status_code == 200
    assert gh.request("DELETE", f"{API}/apps/{app['id']}", headers=roles.operator).status_code == 204
    for action, rid, rtype in (("project.create", project["id"], "project"), ("app.create", app["id"], "app"),
                               ("app.update", app["id"], "app"), ("app.delete", app["id"], "app")):
        events = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == rid, action=action)
        assert events[0]["resource"]["type"] == rtype and events[0]["outcome"] == "success", events[0]
    update = audit_events(gh, roles.admin_token, action="app.update", resource_id=app["id"])[0]
    assert update["details"]["cd_path"] == "/srv/moved"
    failed = gh.request("POST", f"{API}/projects", headers=roles.operator, json={"name": project["name"]})
    assert failed.status_code == 409
    wait_audit(gh, roles.admin_token, lambda e: e["outcome"] == "failure" and e["status"] == 409,
               action="project.create")
