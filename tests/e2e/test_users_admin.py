"""Users administration: create, validation, conflicts, get/patch/delete, the last-admin guard,
cursor pagination, and that only admins get in."""

from __future__ import annotations

import re
import threading

import pytest

from support import (
    ADMIN_PASSWORD,
    API,
    admin_login,
    assert_problem,
    create_user,
    login,
    login_ok,
    start_identity,
    unique,
)

PASSWORD = "users-pw-7788"
USERS = f"{API}/users"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


def post_user(server, admin, body, **kw):
    return server.request("POST", USERS, headers=admin.headers, json=body, **kw)


def test_create_answer(env):
    server, admin = env
    resp = post_user(server, admin, {"username": "Carol.Smith@example", "password": PASSWORD, "role": "operator"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) == {"id", "username", "role", "disabled", "created_at"}, body
    assert body["username"] == "Carol.Smith@example" and body["role"] == "operator" and body["disabled"] is False
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", body["id"]), body["id"]
    assert RFC3339.match(body["created_at"]), body["created_at"]
    assert resp.headers.get("Location", "").endswith(f"/api/v1/users/{body['id']}")
    got = server.get(f"{USERS}/{body['id']}", headers=admin.headers)
    assert got.status_code == 200 and got.json() == body
    # The new user can log in with the given password and has the given role.
    session = login_ok(server, "Carol.Smith@example", PASSWORD)
    assert session.user == {"id": body["id"], "username": body["username"], "role": "operator"}
    assert PASSWORD not in resp.text


@pytest.mark.parametrize("variant", ["dupe-user", "DUPE-USER", "Dupe-User"])
def test_duplicate_username_is_a_conflict_case_insensitively(env, variant):
    server, admin = env
    if variant == "dupe-user":
        create_user(server, admin.access, "dupe-user", PASSWORD)
    resp = post_user(server, admin, {"username": variant, "password": PASSWORD, "role": "viewer"})
    assert_problem(resp, 409)
    # and "admin" exists from the start
    assert_problem(post_user(server, admin, {"username": "ADMIN", "password": PASSWORD, "role": "admin"}), 409)


@pytest.mark.parametrize("body", [
    {"username": "", "password": PASSWORD, "role": "viewer"},
    {"username": "has space", "password": PASSWORD, "role": "viewer"},
    {"username": "slash/name", "password": PASSWORD, "role": "viewer"},
    {"username": "x" * 65, "password": PASSWORD, "role": "viewer"},
    {"username": "ümlaut", "password": PASSWORD, "role": "viewer"},
    {"username": "semi;colon", "password": PASSWORD, "role": "viewer"},
    {"username": "valid-name-1", "password": "short77", "role": "viewer"},
    {"username": "valid-name-2", "password": "p" * 1025, "role": "viewer"},
    {"username": "valid-name-3", "password": PASSWORD, "role": "root"},
    {"username": "valid-name-4", "password": PASSWORD, "role": "Admin"},
    {"username": "valid-name-5", "password": PASSWORD},
    {"username": "valid-name-6", "role": "viewer"},
    {"password": PASSWORD, "role": "viewer"},
    {"username": "valid-name-7", "password": PASSWORD, "role": "viewer", "disabled": True},
    {"username": "valid-name-8", "password": PASSWORD, "role": "viewer", "is_admin": True},
    {"username": 42, "password": PASSWORD, "role": "viewer"},
    {"username": "valid-name-9", "password": PASSWORD, "role": ["admin"]},
])
def test_create_validation(env, body):
    server, admin = env
    assert_problem(post_user(server, admin, body), 400)
    name = body.get("username")
    if isinstance(name, str) and name.startswith("valid-name"):
        assert_problem(login(server, name, PASSWORD), 401)  # nothing was created


def test_create_body_format(env):
    server, admin = env
    assert_problem(server.request("POST", USERS, headers={**admin.headers, "Content-Type": "text/plain"},
                                  data=b'{"username":"fmt-a","password":"users-pw-7788","role":"viewer"}'), 415)
    assert_problem(login(server, "fmt-a", PASSWORD), 401)
    assert_problem(server.request("POST", USERS, headers={**admin.headers, "Content-Type": "application/json"},
                                  data=b'{"username":'), 400)
    assert_problem(post_user(server, admin, ["fmt-b", PASSWORD, "viewer"]), 400)


def test_boundary_lengths_are_accepted(env):
    server, admin = env
    create_user(server, admin.access, "u" * 64, "p" * 8)
    create_user(server, admin.access, "long-pw-user", "p" * 1024)
    assert login_ok(server, "long-pw-user", "p" * 1024)


def test_get_patch_delete(env):
    server, admin = env
    user = create_user(server, admin.access, unique("gpd"), PASSWORD, "viewer")
    url = f"{USERS}/{user['id']}"
    resp = server.request("PATCH", url, headers=admin.headers, json={"role": "operator"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["role"] == "operator" and resp.json()["id"] == user["id"]
    assert server.get(url, headers=admin.headers).json()["role"] == "operator"
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={}), 400)
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={"role": "superuser"}), 400)
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={"username": "renamed"}), 400)
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={"disabled": "yes"}), 400)
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={"password": "short"}), 400)
    assert server.get(url, headers=admin.headers).json()["role"] == "operator"
    deleted = server.request("DELETE", url, headers=admin.headers)
    assert deleted.status_code == 204 and deleted.content == b""
    assert_problem(server.get(url, headers=admin.headers), 404)
    assert_problem(server.request("DELETE", url, headers=admin.headers), 404)
    assert_problem(server.request("PATCH", url, headers=admin.headers, json={"role": "viewer"}), 404)
    assert_problem(login(server, user["username"], PASSWORD), 401)
    # The name is free again.
    create_user(server, admin.access, user["username"], PASSWORD)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%27%20OR%201%3D1--"])
def test_unknown_ids(env, bad_id):
    server, admin = env
    resp = server.get(f"{USERS}/{bad_id}", headers=admin.headers)
    assert resp.status_code in (400, 404), resp.text
    assert_problem(resp, resp.status_code)


def test_pagination_walks_every_user_once(env):
    server, admin = env
    for i in range(5):
        create_user(server, admin.access, f"page-{i}", PASSWORD)
    everyone = server.get(USERS, headers=admin.headers, params={"limit": 500})
    assert everyone.status_code == 200
    expected = [u["id"] for u in everyone.json()["items"]]
    assert everyone.json()["next_cursor"] is None
    assert len(expected) >= 7
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        resp = server.get(USERS, headers=admin.headers, params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 2
        seen += [u["id"] for u in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(body["items"]) == 2
    assert cursor is None, "paging did not end"
    assert len(seen) == len(set(seen)), "a user appeared twice"
    assert seen == expected
    default = server.get(USERS, headers=admin.headers).json()
    assert len(default["items"]) == min(50, len(expected))


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"limit": -1}, {"limit": "ten"}, {"limit": "2x"},
                                    {"cursor": "not a cursor!"}, {"cursor": "z" * 80}])
def test_pagination_parameters_are_validated(env, params):
    server, admin = env
    assert_problem(server.get(USERS, headers=admin.headers, params=params), 400)


def test_only_admins_manage_users(env):
    server, admin = env
    for role in ("operator", "viewer"):
        name = unique(role)
        user = create_user(server, admin.access, name, PASSWORD, role)
        session = login_ok(server, name, PASSWORD)
        assert_problem(server.get(USERS, headers=session.headers), 403)
        assert_problem(server.get(f"{USERS}/{user['id']}", headers=session.headers), 403)
        assert_problem(server.request("POST", USERS, headers=session.headers,
                                      json={"username": unique("x"), "password": PASSWORD, "role": "admin"}), 403)
        assert_problem(server.request("PATCH", f"{USERS}/{user['id']}", headers=session.headers,
                                      json={"role": "admin"}), 403)
        assert_problem(server.request("DELETE", f"{USERS}/{admin.user['id']}", headers=session.headers), 403)
        assert server.get(f"{USERS}/me", headers=session.headers).json()["role"] == role


def test_last_active_admin_is_protected(start_server, tmp_path):
    server = start_identity(start_server, data_dir=tmp_path / "last-admin")
    admin = admin_login(server)
    me = f"{USERS}/{admin.user['id']}"
    for body in ({"role": "operator"}, {"role": "viewer"}, {"disabled": True}):
        assert_problem(server.request("PATCH", me, headers=admin.headers, json=body), 409)
    assert_problem(server.request("DELETE", me, headers=admin.headers), 409)
    assert server.get(me, headers=admin.headers).json()["role"] == "admin"
    # A no-op for the admin role and a password change are fine.
    assert server.request("PATCH", me, headers=admin.headers, json={"role": "admin"}).status_code == 200

    # A disabled second admin does not count as active.
    second = create_user(server, admin.access, "admin-two", PASSWORD, "admin")
    resp = server.request("PATCH", f"{USERS}/{second['id']}", headers=admin.headers, json={"disabled": True})
    assert resp.status_code == 200, resp.text
    assert_problem(server.request("PATCH", me, headers=admin.headers, json={"role": "operator"}), 409)
    assert_problem(server.request("DELETE", me, headers=admin.headers), 409)

    # With another active admin, the first may be demoted; then the second is the last one.
    resp = server.request("PATCH", f"{USERS}/{second['id']}", headers=admin.headers, json={"disabled": False})
    assert resp.status_code == 200, resp.text
    second_session = login_ok(server, "admin-two", PASSWORD)
    resp = server.request("PATCH", me, headers=admin.headers, json={"role": "operator"})
    assert resp.status_code == 200 and resp.json()["role"] == "operator", resp.text
    two = f"{USERS}/{second['id']}"
    assert_problem(server.request("PATCH", two, headers=second_session.headers, json={"role": "viewer"}), 409)
    assert_problem(server.request("PATCH", two, headers=second_session.headers, json={"disabled": True}), 409)
    assert_problem(server.request("DELETE", two, headers=second_session.headers), 409)
    # The second admin can delete the first, now an operator.
    assert server.request("DELETE", me, headers=second_session.headers).status_code == 204
    assert_problem(login(server, "admin", ADMIN_PASSWORD), 401)


def test_last_admin_guard_holds_under_concurrency(start_server, tmp_path):
    """Two admins demoting or disabling themselves at the same moment: exactly one succeeds."""
    server = start_identity(start_server, data_dir=tmp_path / "race")
    current = admin_login(server)
    for trial in range(6):
        name = f"racer-{trial}"
        create_user(server, current.access, name, PASSWORD, "admin")
        other = login_ok(server, name, PASSWORD)
        pair = [current, other]
        change = [{"role": "viewer"}, {"disabled": True}, None][trial % 3]
        barrier = threading.Barrier(2)
        statuses: dict[int, int] = {}

        def act(k: int):
            me = pair[k]
            barrier.wait(timeout=5)
            if change is None:  # each deletes the other
                resp = server.request("DELETE", f"{USERS}/{pair[1 - k].user['id']}", headers=me.headers)
            else:
                resp = server.request("PATCH", f"{USERS}/{me.user['id']}", headers=me.headers, json=change)
            statuses[k] = resp.status_code

        threads = [threading.Thread(target=act, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=15)
        winner = [k for k in (0, 1) if statuses.get(k) in (200, 204)]
        # Deleting each other: the loser may also be refused because its own account is gone (401).
        assert len(winner) == 1 and set(statuses.values()) - {200, 204} <= {409, 401}, (trial, change, statuses)
        # Demoting/disabling oneself: the one refused is the admin left; deleting: the winner is.
        current = pair[1 - winner[0]] if change is not None else pair[winner[0]]
        listing = server.get(USERS, headers=current.headers, params={"limit": 500})
        assert listing.status_code == 200, (trial, change, listing.text)
        active = [u["username"] for u in listing.json()["items"] if u["role"] == "admin" and not u["disabled"]]
        assert active == [current.user["username"]], (trial, change, active)
