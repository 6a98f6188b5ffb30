"""Refresh tokens rotate: each works once, and a used one coming back revokes its whole family
(both the thief and the legitimate client are logged out), with an audit event."""

from __future__ import annotations

import threading

import pytest

from support import (
    API,
    admin_login,
    assert_problem,
    bearer,
    create_user,
    jwt_claims,
    login_ok,
    refresh_cookie_of,
    start_identity,
    wait_audit,
)

PASSWORD = "refresh-pw-9911"
ME = f"{API}/users/me"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    create_user(server, admin.access, "refresh-user", PASSWORD, "operator")
    return server, admin


def refresh_with_cookie(server, token):
    return server.request("POST", f"{API}/auth/refresh", cookies={"gatehouse_refresh": token})


def refresh_with_body(server, token):
    return server.request("POST", f"{API}/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates(env):
    server, _ = env
    first = login_ok(server, "refresh-user", PASSWORD)
    resp = refresh_with_cookie(server, first.refresh)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "bearer" and body["user"]["username"] == "refresh-user"
    assert body["user"]["role"] == "operator" and body["expires_in"] == 900
    new_refresh = refresh_cookie_of(resp)
    assert new_refresh and new_refresh != first.refresh
    assert "HttpOnly" in resp.headers["Set-Cookie"] and "Path=/api/v1/auth" in resp.headers["Set-Cookie"]
    assert "no-store" in resp.headers.get("Cache-Control", "")
    new_claims, old_claims = jwt_claims(body["access_token"]), jwt_claims(first.access)
    assert new_claims["jti"] != old_claims["jti"]
    assert new_claims["sub"] == old_claims["sub"]
    assert server.get(ME, headers=bearer(body["access_token"])).status_code == 200
    # The rotated token works (through the JSON body this time), once more.
    again = refresh_with_body(server, new_refresh)
    assert again.status_code == 200, again.text
    assert refresh_cookie_of(again) not in (new_refresh, first.refresh)


def test_stolen_refresh_token_revokes_the_family(env):
    server, admin = env
    legit = login_ok(server, "refresh-user", PASSWORD)
    stolen = legit.refresh
    # The legitimate client refreshes first.
    rotated = refresh_with_cookie(server, legit.refresh)
    assert rotated.status_code == 200, rotated.text
    legit_refresh_2 = refresh_cookie_of(rotated)
    legit_access_2 = rotated.json()["access_token"]
    assert server.get(ME, headers=bearer(legit_access_2)).status_code == 200
    # The thief replays the used token: refused, and the family is revoked.
    assert_problem(refresh_with_body(server, stolen), 401)
    # The legitimate client's new refresh token is dead too.
    assert_problem(refresh_with_cookie(server, legit_refresh_2), 401)
    # So are the access tokens of the family, on the very next request.
    assert_problem(server.get(ME, headers=bearer(legit_access_2)), 401)
    assert_problem(server.get(ME, headers=legit.headers), 401)
    # Another session of the same user is unaffected.
    other = login_ok(server, "refresh-user", PASSWORD)
    assert server.get(ME, headers=other.headers).status_code == 200
    family = jwt_claims(legit.access)["fam"]
    events = wait_audit(server, admin.access, lambda e: e["resource"]["id"] == family, action="auth.refresh_reuse")
    event = events[0]
    assert event["outcome"] == "denied"
    assert event["actor"]["id"] == legit.user["id"]
    assert event["resource"]["type"] == "session"
    assert stolen not in str(events)


def test_replay_before_the_legitimate_refresh_also_revokes(env):
    """Whoever presents the token second loses, and takes the winner's new tokens down with them."""
    server, _ = env
    session = login_ok(server, "refresh-user", PASSWORD)
    thief = refresh_with_body(server, session.refresh)
    assert thief.status_code == 200
    assert_problem(refresh_with_cookie(server, session.refresh), 401)
    assert_problem(refresh_with_cookie(server, refresh_cookie_of(thief)), 401)
    assert_problem(server.get(ME, headers=bearer(thief.json()["access_token"])), 401)


def test_concurrent_refreshes_with_one_token_have_one_winner(env):
    server, _ = env
    session = login_ok(server, "refresh-user", PASSWORD)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def go():
        barrier.wait(timeout=5)
        results.append(refresh_with_body(server, session.refresh).status_code)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    assert sorted(results) == [200, 401, 401, 401], results


@pytest.mark.parametrize("token", ["", "ghr_not-a-real-token", "x" * 200])
def test_invalid_refresh_tokens(env, token):
    server, _ = env
    assert_problem(refresh_with_body(server, token), 401)
    if token:
        assert_problem(refresh_with_cookie(server, token), 401)


def test_refresh_without_any_token(env):
    server, _ = env
    assert_problem(server.request("POST", f"{API}/auth/refresh"), 401)
    # An access token is not a refresh token.
    session = login_ok(server, "refresh-user", PASSWORD)
    assert_problem(server.request("POST", f"{API}/auth/refresh", headers=session.headers), 401)
    assert_problem(refresh_with_body(server, session.access[:256]), 401)
    # The cookie of another name is ignored.
    assert_problem(server.request("POST", f"{API}/auth/refresh", cookies={"refresh": session.refresh}), 401)


def test_refresh_after_logout_is_refused(env):
    server, _ = env
    session = login_ok(server, "refresh-user", PASSWORD)
    out = server.request("POST", f"{API}/auth/logout", cookies={"gatehouse_refresh": session.refresh})
    assert out.status_code == 204
    assert_problem(refresh_with_cookie(server, session.refresh), 401)
