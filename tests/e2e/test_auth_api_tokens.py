"""API tokens: shown once, capped at the creator's role, authenticate as Bearer, expire, revoke,
and stay private to their owner."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from support import (
    API,
    admin_login,
    assert_problem,
    bearer,
    create_api_token,
    create_user,
    login_ok,
    start_identity,
    wait_audit,
)

PASSWORD = "tokens-pw-3344"
TOKENS = f"{API}/api-tokens"


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    sessions = {"admin": admin}
    for role in ("operator", "viewer"):
        create_user(server, admin.access, f"tok-{role}", PASSWORD, role)
        sessions[role] = login_ok(server, f"tok-{role}", PASSWORD)
    create_user(server, admin.access, "tok-viewer2", PASSWORD, "viewer")
    sessions["viewer2"] = login_ok(server, "tok-viewer2", PASSWORD)
    return server, sessions


def rfc3339(seconds_from_now: float) -> str:
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_shows_the_token_once(env):
    server, s = env
    resp = server.request("POST", TOKENS, headers=s["operator"].headers, json={"name": "ci deploy"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert {"id", "name", "role", "prefix", "token", "expires_at"} <= set(body), body
    assert body["name"] == "ci deploy" and body["role"] == "operator" and body["expires_at"] is None
    token = body["token"]
    assert token.startswith("gha_") and len(token) >= 32
    assert token.startswith(body["prefix"]) and len(body["prefix"]) < len(token)
    listing = server.get(TOKENS, headers=s["operator"].headers)
    assert listing.status_code == 200
    items = listing.json()["items"]
    mine = [t for t in items if t["id"] == body["id"]]
    assert len(mine) == 1
    assert "token" not in mine[0] and token not in listing.text
    assert mine[0]["prefix"] == body["prefix"] and "last_used_at" in mine[0]
    assert mine[0]["last_used_at"] is None
    # Use it: it authenticates as the operator, and the list shows when it was last used.
    verify = server.get(f"{API}/auth/verify", headers=bearer(token))
    assert verify.status_code == 200, verify.text
    assert verify.json()["username"] == "tok-operator" and verify.json()["auth"] == "api_token"
    assert verify.json()["role"] == "operator"
    used = [t for t in server.get(TOKENS, headers=s["operator"].headers).json()["items"] if t["id"] == body["id"]]
    assert used[0]["last_used_at"] is not None


def test_role_cannot_exceed_the_creator(env):
    server, s = env
    for creator, role in (("viewer", "operator"), ("viewer", "admin"), ("operator", "admin")):
        resp = server.request("POST", TOKENS, headers=s[creator].headers, json={"name": "escalate", "role": role})
        assert_problem(resp, 403)
    names = [t["name"] for t in server.get(TOKENS, headers=s["viewer"].headers).json()["items"]]
    assert "escalate" not in names


def test_capped_role(env):
    server, s = env
    capped = create_api_token(server, s["admin"].access, "capped-viewer", role="viewer")
    assert capped["role"] == "viewer"
    headers = bearer(capped["token"])
    me = server.get(f"{API}/users/me", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "viewer" and me.json()["username"] == "admin"
    assert_problem(server.get(f"{API}/users", headers=headers), 403)
    assert_problem(server.get(f"{API}/audit/events", headers=headers), 403)
    # A capped token cannot mint a token above its own cap either.
    assert_problem(server.request("POST", TOKENS, headers=headers, json={"name": "up", "role": "admin"}), 403)
    full = create_api_token(server, s["admin"].access, "full-admin", role="admin")
    assert server.get(f"{API}/users", headers=bearer(full["token"])).status_code == 200


@pytest.mark.parametrize("body", [
    {},
    {"name": ""},
    {"name": "n" * 101},
    {"name": 5},
    {"name": "x", "role": "root"},
    {"name": "x", "expires_at": "tomorrow"},
    {"name": "x", "expires_at": "2001-01-01T00:00:00Z"},
    {"name": "x", "secret": "mine"},
])
def test_create_validation(env, body):
    server, s = env
    assert_problem(server.request("POST", TOKENS, headers=s["viewer"].headers, json=body), 400)


def test_expired_token_is_refused(env):
    server, s = env
    short = create_api_token(server, s["viewer"].access, "short-lived", expires_at=rfc3339(2))
    assert short["expires_at"]
    headers = bearer(short["token"])
    assert server.get(f"{API}/users/me", headers=headers).status_code == 200
    deadline = time.monotonic() + 6
    status = 200
    while time.monotonic() < deadline:
        status = server.get(f"{API}/users/me", headers=headers).status_code
        if status == 401:
            break
        time.sleep(0.25)
    assert status == 401, "the token still works after its expires_at"
    assert_problem(server.get(f"{API}/users/me", headers=headers), 401)


def test_delete_revokes(env):
    server, s = env
    made = create_api_token(server, s["viewer"].access, "to-delete")
    headers = bearer(made["token"])
    assert server.get(f"{API}/users/me", headers=headers).status_code == 200
    resp = server.request("DELETE", f"{TOKENS}/{made['id']}", headers=s["viewer"].headers)
    assert resp.status_code == 204, resp.text
    assert_problem(server.get(f"{API}/users/me", headers=headers), 401)
    assert_problem(server.get(f"{API}/auth/verify", headers=headers), 401)


def test_a_token_can_revoke_itself(env):
    server, s = env
    made = create_api_token(server, s["viewer"].access, "self-revoke")
    headers = bearer(made["token"])
    assert server.request("DELETE", f"{TOKENS}/{made['id']}", headers=headers).status_code == 204
    assert_problem(server.get(f"{API}/users/me", headers=headers), 401)


def test_tokens_are_private_to_their_owner(env):
    server, s = env
    theirs = create_api_token(server, s["viewer2"].access, "viewer2-token")
    # Another viewer neither sees nor deletes it: 404, as if it did not exist.
    listing = server.get(TOKENS, headers=s["viewer"].headers, params={"all": "true"}).json()["items"]
    assert theirs["id"] not in [t["id"] for t in listing]
    assert_problem(server.request("DELETE", f"{TOKENS}/{theirs['id']}", headers=s["viewer"].headers), 404)
    assert_problem(server.request("DELETE", f"{TOKENS}/{theirs['id']}", headers=s["operator"].headers), 404)
    assert server.get(f"{API}/users/me", headers=bearer(theirs["token"])).status_code == 200
    # An admin lists everyone's with ?all=true, and may revoke any.
    everyone = server.get(TOKENS, headers=s["admin"].headers, params={"all": "true", "limit": 500}).json()["items"]
    assert theirs["id"] in [t["id"] for t in everyone]
    assert not any("token" in t for t in everyone)
    own = server.get(TOKENS, headers=s["admin"].headers, params={"limit": 500}).json()["items"]
    assert theirs["id"] not in [t["id"] for t in own]
    assert server.request("DELETE", f"{TOKENS}/{theirs['id']}", headers=s["admin"].headers).status_code == 204
    assert_problem(server.get(f"{API}/users/me", headers=bearer(theirs["token"])), 401)
    assert_problem(server.request("DELETE", f"{TOKENS}/00000000-0000-7000-8000-000000000000",
                                  headers=s["admin"].headers), 404)


def test_token_list_pagination(env):
    server, s = env
    made = [create_api_token(server, s["operator"].access, f"page-{i}")["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = server.get(TOKENS, headers=s["operator"].headers, params=params).json()
        seen += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert cursor is None
    assert len(seen) == len(set(seen))
    assert set(made) <= set(seen)
    assert_problem(server.get(TOKENS, headers=s["operator"].headers, params={"limit": 0}), 400)


def test_state_changes_by_api_token_are_audited_as_its_user_with_the_token_beside(env):
    server, s = env
    made = create_api_token(server, s["operator"].access, "audited")
    resp = server.request("POST", TOKENS, headers=bearer(made["token"]), json={"name": "child"})
    assert resp.status_code == 201
    child_id = resp.json()["id"]
    events = wait_audit(server, s["admin"].access, lambda e: e["resource"]["id"] == child_id,
                        action="api_token.create")
    event = events[0]
    assert event["actor"]["kind"] == "api_token" and event["actor"]["id"] == s["operator"].user["id"]
    assert event["actor"]["name"] == "tok-operator" and event["details"]["token_id"] == made["id"]
    assert event["outcome"] == "success" and event["status"] == 201
    assert made["token"] not in str(event) and resp.json()["token"] not in str(event)
