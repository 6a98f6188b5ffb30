"""Logout, disabling a user and changing a password (by an admin, by the user, by the CLI while
the server runs) end the old credentials on the very next request; role changes apply at once."""

from __future__ import annotations

import pytest

from support import (
    API,
    FAST_HASH_ARGS,
    admin_login,
    assert_problem,
    bearer,
    create_api_token,
    create_user,
    login,
    login_ok,
    run_cli,
    start_identity,
    unique,
)

PASSWORD = "revoke-pw-1234"
ME = f"{API}/users/me"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    return server, admin_login(server)


def new_user(env, role="operator"):
    server, admin = env
    name = unique("rv")
    user = create_user(server, admin.access, name, PASSWORD, role)
    return name, user


def refresh(server, token):
    return server.request("POST", f"{API}/auth/refresh", cookies={"gatehouse_refresh": token})


def test_logout_with_bearer_and_cookie(env):
    server, _ = env
    name, _ = new_user(env)
    session = login_ok(server, name, PASSWORD)
    assert server.get(ME, headers=session.headers).status_code == 200
    out = server.request("POST", f"{API}/auth/logout", headers=session.headers,
                         cookies={"gatehouse_refresh": session.refresh})
    assert out.status_code == 204 and out.content == b""
    cleared = out.headers.get("Set-Cookie", "")
    assert cleared.startswith("gatehouse_refresh=;") and "Max-Age=0" in cleared, cleared
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(refresh(server, session.refresh), 401)


def test_logout_with_bearer_only_ends_the_session(env):
    server, _ = env
    name, _ = new_user(env)
    session = login_ok(server, name, PASSWORD)
    other = login_ok(server, name, PASSWORD)
    assert server.request("POST", f"{API}/auth/logout", headers=session.headers).status_code == 204
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(refresh(server, session.refresh), 401)
    # Only that session: another login of the same user lives on.
    assert server.get(ME, headers=other.headers).status_code == 200
    assert refresh(server, other.refresh).status_code == 200


def test_logout_with_cookie_only_ends_the_session(env):
    server, _ = env
    name, _ = new_user(env)
    session = login_ok(server, name, PASSWORD)
    assert server.request("POST", f"{API}/auth/logout",
                          cookies={"gatehouse_refresh": session.refresh}).status_code == 204
    assert_problem(refresh(server, session.refresh), 401)
    assert_problem(server.get(ME, headers=session.headers), 401)


def test_logout_without_credentials_is_harmless(env):
    server, _ = env
    assert server.request("POST", f"{API}/auth/logout").status_code == 204
    assert server.request("POST", f"{API}/auth/logout", headers=bearer("garbage")).status_code == 204


def test_admin_disable_revokes_sessions_and_api_tokens(env):
    server, admin = env
    name, user = new_user(env)
    session = login_ok(server, name, PASSWORD)
    api_token = create_api_token(server, session.access, "rv-disable")["token"]
    assert server.get(ME, headers=bearer(api_token)).status_code == 200
    resp = server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers, json={"disabled": True})
    assert resp.status_code == 200 and resp.json()["disabled"] is True, resp.text
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(server.get(ME, headers=bearer(api_token)), 401)
    assert_problem(refresh(server, session.refresh), 401)
    assert_problem(login(server, name, PASSWORD), 401)
    # Enabling again lets the user log in, but does not bring the old credentials back.
    resp = server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers, json={"disabled": False})
    assert resp.status_code == 200 and resp.json()["disabled"] is False
    fresh = login_ok(server, name, PASSWORD)
    assert server.get(ME, headers=fresh.headers).status_code == 200
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(server.get(ME, headers=bearer(api_token)), 401)


def test_admin_password_change_revokes_everything(env):
    server, admin = env
    name, user = new_user(env)
    session = login_ok(server, name, PASSWORD)
    api_token = create_api_token(server, session.access, "rv-pw")["token"]
    resp = server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers,
                          json={"password": "revoke-new-pw-1"})
    assert resp.status_code == 200, resp.text
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(server.get(ME, headers=bearer(api_token)), 401)
    assert_problem(refresh(server, session.refresh), 401)
    assert_problem(login(server, name, PASSWORD), 401)
    assert login_ok(server, name, "revoke-new-pw-1")


def test_own_password_change(env):
    server, _ = env
    name, _ = new_user(env, "viewer")
    session = login_ok(server, name, PASSWORD)
    second = login_ok(server, name, PASSWORD)
    api_token = create_api_token(server, session.access, "rv-self")["token"]
    # Wrong current password: refused, nothing revoked.
    wrong = server.request("PATCH", ME, headers=session.headers,
                           json={"current_password": "not-the-password", "password": "revoke-self-pw-2"})
    assert wrong.status_code in (400, 401, 403), wrong.text
    assert_problem(wrong, wrong.status_code)
    assert server.get(ME, headers=session.headers).status_code == 200
    short = server.request("PATCH", ME, headers=session.headers, json={"current_password": PASSWORD, "password": "short"})
    assert_problem(short, 400)
    unknown = server.request("PATCH", ME, headers=session.headers,
                             json={"current_password": PASSWORD, "password": "revoke-self-pw-2", "role": "admin"})
    assert_problem(unknown, 400)
    ok = server.request("PATCH", ME, headers=session.headers,
                        json={"current_password": PASSWORD, "password": "revoke-self-pw-2"})
    assert ok.status_code == 204, ok.text
    # The other session ends at once (access token and refresh); this one goes on; API tokens stay.
    assert_problem(server.get(ME, headers=second.headers), 401)
    assert_problem(refresh(server, second.refresh), 401)
    assert server.get(ME, headers=session.headers).status_code == 200
    assert refresh(server, session.refresh).status_code == 200
    assert server.get(ME, headers=bearer(api_token)).status_code == 200
    assert_problem(login(server, name, PASSWORD), 401)
    third = login_ok(server, name, "revoke-self-pw-2")
    # With revoke_api_tokens the tokens end too.
    again = server.request("PATCH", ME, headers=third.headers,
                           json={"current_password": "revoke-self-pw-2", "password": "revoke-self-pw-3",
                                 "revoke_api_tokens": True})
    assert again.status_code == 204, again.text
    assert_problem(server.get(ME, headers=bearer(api_token)), 401)
    assert server.get(ME, headers=third.headers).status_code == 200
    assert_problem(server.get(ME, headers=session.headers), 401)  # the first session is another one now


def cli(server, *args, password=None):
    env = {"GATEHOUSE_USER_PASSWORD": password} if password else {}
    return run_cli(["user", "--data-dir", str(server.data_dir), *FAST_HASH_ARGS, *args], env=env)


def test_cli_passwd_and_disable_while_the_server_runs(env):
    server, _ = env
    name, _ = new_user(env)
    session = login_ok(server, name, PASSWORD)
    result = cli(server, "passwd", name, password="revoke-cli-pw-3")
    assert result.returncode == 0, result.stderr
    assert "revoke-cli-pw-3" not in result.stdout + result.stderr
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(refresh(server, session.refresh), 401)
    session = login_ok(server, name, "revoke-cli-pw-3")
    api_token = create_api_token(server, session.access, "rv-cli")["token"]
    result = cli(server, "disable", name)
    assert result.returncode == 0, result.stderr
    assert_problem(server.get(ME, headers=session.headers), 401)
    assert_problem(server.get(ME, headers=bearer(api_token)), 401)
    assert_problem(login(server, name, "revoke-cli-pw-3"), 401)
    result = cli(server, "enable", name)
    assert result.returncode == 0, result.stderr
    assert login_ok(server, name, "revoke-cli-pw-3")


def test_role_change_applies_to_existing_tokens_at_once(env):
    server, admin = env
    name, user = new_user(env, "admin")
    session = login_ok(server, name, PASSWORD)
    api_token = create_api_token(server, session.access, "rv-admin-token", role="admin")["token"]
    for headers in (session.headers, bearer(api_token)):
        assert server.get(f"{API}/users", headers=headers).status_code == 200
    resp = server.request("PATCH", f"{API}/users/{user['id']}", headers=admin.headers, json={"role": "viewer"})
    assert resp.status_code == 200 and resp.json()["role"] == "viewer", resp.text
    for headers in (session.headers, bearer(api_token)):
        assert_problem(server.get(f"{API}/users", headers=headers), 403)
        me = server.get(ME, headers=headers)
        assert me.status_code == 200 and me.json()["role"] == "viewer", me.text


def test_deleted_user_tokens_are_refused(env):
    server, admin = env
    name, user = new_user(env)
    session = login_ok(server, name, PASSWORD)
    api_token = create_api_token(server, session.access, "rv-del")["token"]
    assert server.request("DELETE", f"{API}/users/{user['id']}", headers=admin.headers).status_code == 204
    for headers in (session.headers, bearer(api_token)):
        assert_problem(server.get(ME, headers=headers), 401)
    assert_problem(refresh(server, session.refresh), 401)
    assert_problem(login(server, name, PASSWORD), 401)


def test_authenticated_requests_read_no_database_on_sqlite(env):
    """Revocation is checked against the in-memory auth view: 200 authenticated requests (a session and an API
    token) run no job on SQLite's reader pool beyond the background sync's polls."""
    from hot_path import assert_no_database_work

    server, admin = env
    token = create_api_token(server, admin.access, "hot-sqlite")["token"]
    callers = [admin.headers, bearer(token)]
    for headers in callers:
        assert server.get(ME, headers=headers).status_code == 200
    assert_no_database_work(server, callers, pool="sqlite-read")
