"""The audit trail: events for state changes, logins and refusals, with the right actor, action,
resource and outcome; filters, cursor pagination, stats; admin only."""

from __future__ import annotations

import datetime as dt

import pytest

from support import (
    API,
    admin_login,
    assert_problem,
    audit_events,
    audit_page,
    bearer,
    create_api_token,
    create_user,
    login,
    login_ok,
    poll,
    start_identity,
    wait_audit,
)

PASSWORD = "audit-pw-6655"
UA = "gatehouse-e2e-audit/1.0"


def utc(delta_s: float = 0) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=delta_s)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def env(start_module_server):
    server = start_identity(start_module_server)
    admin = admin_login(server)
    started = utc(-5)
    scenario = {}
    created = server.request("POST", f"{API}/users", headers={**admin.headers, "User-Agent": UA},
                             json={"username": "audit-viewer", "password": PASSWORD, "role": "viewer"})
    assert created.status_code == 201
    scenario["user"] = created.json()
    scenario["create_request_id"] = created.headers["X-Request-Id"]
    create_user(server, admin.access, "audit-op", PASSWORD, "operator")
    failed = login(server, "audit-viewer", "wrong-password-x", headers={"User-Agent": UA})
    assert failed.status_code == 401
    scenario["failed_login_request_id"] = failed.headers["X-Request-Id"]
    viewer = login_ok(server, "audit-viewer", PASSWORD)
    scenario["viewer"] = viewer
    denied = server.get(f"{API}/users", headers={**viewer.headers, "User-Agent": UA})
    assert denied.status_code == 403
    scenario["denied_request_id"] = denied.headers["X-Request-Id"]
    anonymous = server.get(f"{API}/audit/events")
    assert anonymous.status_code == 401
    scenario["anonymous_request_id"] = anonymous.headers["X-Request-Id"]
    me = server.get(f"{API}/users/me", headers=viewer.headers)
    scenario["me_request_id"] = me.headers["X-Request-Id"]
    # wait for the asynchronous writer to catch up with the last event of the scenario
    wait_audit(server, admin.access, lambda e: e["request_id"] == scenario["anonymous_request_id"], outcome="denied")
    return server, admin, scenario, started


def by_request(events, request_id):
    found = [e for e in events if e["request_id"] == request_id]
    assert len(found) == 1, f"{len(found)} events for request {request_id}"
    return found[0]


def test_event_shape_and_user_create(env):
    server, admin, sc, _ = env
    events = audit_events(server, admin.access)
    event = by_request(events, sc["create_request_id"])
    assert set(event) >= {"id", "time", "actor", "source_ip", "user_agent", "action", "resource", "outcome",
                          "status", "request_id", "details"}
    assert event["action"] == "user.create"
    assert event["outcome"] == "success" and event["status"] == 201
    assert event["actor"] == {"kind": "user", "id": admin.user["id"], "name": "admin"}
    assert event["resource"] == {"type": "user", "id": sc["user"]["id"]}
    assert event["source_ip"] == "127.0.0.1"
    assert event["user_agent"] == UA
    assert event["details"].get("username") == "audit-viewer" and event["details"].get("role") == "viewer"
    assert PASSWORD not in str(event)
    assert event["time"].endswith("Z")


def test_failed_login_is_recorded(env):
    server, admin, sc, _ = env
    event = by_request(audit_events(server, admin.access, action="auth.login"), sc["failed_login_request_id"])
    assert event["outcome"] in ("failure", "denied") and event["status"] == 401
    assert event["actor"]["name"] == "audit-viewer"
    assert event["actor"]["kind"] == "anonymous"
    assert "wrong-password-x" not in str(event)
    # and the successful one, naming the user
    ok = [e for e in audit_events(server, admin.access, action="auth.login", outcome="success")
          if e["actor"]["name"] == "audit-viewer"]
    assert ok and ok[0]["resource"]["id"] == sc["user"]["id"] and ok[0]["status"] == 200


def test_refusals_are_recorded(env):
    server, admin, sc, _ = env
    events = audit_events(server, admin.access, outcome="denied")
    denied = by_request(events, sc["denied_request_id"])
    assert denied["status"] == 403
    assert denied["actor"]["kind"] == "user" and denied["actor"]["id"] == sc["viewer"].user["id"]
    assert denied["resource"]["type"] == "users"
    assert denied["details"].get("route") == "/api/v1/users" and denied["details"].get("method") == "GET"
    anonymous = by_request(events, sc["anonymous_request_id"])
    assert anonymous["status"] == 401 and anonymous["actor"]["kind"] == "anonymous"
    assert anonymous["actor"]["id"] is None


def test_successful_reads_are_not_recorded(env):
    server, admin, sc, _ = env
    events = audit_events(server, admin.access)
    assert not [e for e in events if e["request_id"] == sc["me_request_id"]]


def test_filters(env):
    server, admin, sc, started = env
    uid = sc["user"]["id"]
    by_actor_name = audit_events(server, admin.access, actor="audit-viewer")
    assert by_actor_name and all(e["actor"]["name"] == "audit-viewer" or e["actor"]["id"] == "audit-viewer"
                                 for e in by_actor_name)
    by_actor_id = audit_events(server, admin.access, actor=sc["viewer"].user["id"])
    assert by_actor_id and all(e["actor"]["id"] == sc["viewer"].user["id"] for e in by_actor_id)
    prefix = audit_events(server, admin.access, action="auth.*")
    assert prefix and all(e["action"].startswith("auth.") for e in prefix)
    assert {"auth.login"} <= {e["action"] for e in prefix}
    exact = audit_events(server, admin.access, action="user.create")
    assert exact and all(e["action"] == "user.create" for e in exact)
    assert len(exact) >= 2
    assert audit_events(server, admin.access, action="user.*") and not audit_events(server, admin.access, action="user")
    # The prefix is literal: no SQL wildcards, no case folding.
    for literal in ("a%*", "%*", "auth_login*", "_uth.*", "AUTH.*", "auth.login%"):
        assert audit_events(server, admin.access, action=literal) == [], literal
    by_resource = audit_events(server, admin.access, resource_type="user", resource_id=uid)
    assert by_resource and all(e["resource"] == {"type": "user", "id": uid} for e in by_resource)
    for outcome in ("success", "denied"):
        rows = audit_events(server, admin.access, outcome=outcome)
        assert rows and all(e["outcome"] == outcome for e in rows)
    assert audit_events(server, admin.access, since=started)
    assert audit_events(server, admin.access, since=utc(3600)) == []
    assert audit_events(server, admin.access, until=started) == []
    assert audit_events(server, admin.access, since=started, until=utc(3600))
    combined = audit_events(server, admin.access, action="auth.login", outcome="success", actor="audit-viewer")
    assert combined and all(e["action"] == "auth.login" and e["outcome"] == "success" for e in combined)


def test_pagination_is_newest_first_without_duplicates(env):
    server, admin, _, _ = env
    everything = audit_events(server, admin.access)
    assert len(everything) >= 6
    seen = []
    cursor = None
    for _ in range(len(everything) + 5):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        resp = audit_page(server, admin.access, **params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert len(body["items"]) <= 2
        seen += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert cursor is None
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids))
    # Events recorded while paging (the audit queries themselves are GETs: none) would only add.
    assert set(e["id"] for e in everything) <= set(ids)
    times = [e["time"] for e in seen]
    assert times == sorted(times, reverse=True), "not newest first"


@pytest.mark.parametrize("params", [
    {"cursor": "not-a-cursor"}, {"cursor": "%%%"}, {"limit": 0}, {"limit": 501}, {"limit": "x"},
    {"outcome": "maybe"}, {"since": "yesterday"}, {"until": "2026-13-01T00:00:00Z"},
    {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
])
def test_bad_query_parameters(env, params):
    server, admin, _, _ = env
    assert_problem(audit_page(server, admin.access, **params), 400)


def test_non_admins_are_refused(env):
    server, admin, sc, _ = env
    op = login_ok(server, "audit-op", PASSWORD)
    capped = create_api_token(server, admin.access, "audit-capped", role="operator")
    for headers in (sc["viewer"].headers, op.headers, bearer(capped["token"])):
        assert_problem(server.get(f"{API}/audit/events", headers=headers), 403)
        assert_problem(server.get(f"{API}/audit/stats", headers=headers), 403)
    assert_problem(server.get(f"{API}/audit/stats"), 401)


def test_the_trail_is_append_only(env):
    server, admin, _, _ = env
    for method in ("DELETE", "PUT", "PATCH", "POST"):
        resp = server.request(method, f"{API}/audit/events", headers=admin.headers, json={})
        assert resp.status_code == 405, (method, resp.status_code)


def test_stats(env):
    server, admin, _, _ = env
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")

    def rows():
        resp = server.get(f"{API}/audit/stats", headers=admin.headers)
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    items = rows()
    for row in items:
        assert set(row) == {"day", "action", "outcome", "count"}
        assert isinstance(row["count"], int) and row["count"] > 0
    creates = [r for r in items if r["day"] == today and r["action"] == "user.create" and r["outcome"] == "success"]
    assert creates, items
    events = audit_events(server, admin.access, action="user.create", outcome="success")
    assert creates[0]["count"] == len(events)
    # A new event moves the count by one.
    before = creates[0]["count"]
    create_user(server, admin.access, "audit-stats-extra", PASSWORD)
    moved = poll(lambda: [r for r in rows() if r["day"] == today and r["action"] == "user.create"
                          and r["outcome"] == "success" and r["count"] == before + 1])
    assert moved, "stats did not count the new user.create"
    # Ranges filter.
    future = server.get(f"{API}/audit/stats", headers=admin.headers, params={"since": utc(3600)})
    assert future.status_code == 200 and future.json()["items"] == []
    assert_problem(server.get(f"{API}/audit/stats", headers=admin.headers, params={"since": "nope"}), 400)


def test_refresh_logout_and_token_events(env):
    server, admin, _, _ = env
    session = login_ok(server, "audit-op", PASSWORD)
    refreshed = server.request("POST", f"{API}/auth/refresh", cookies={"gatehouse_refresh": session.refresh})
    assert refreshed.status_code == 200
    rid = refreshed.headers["X-Request-Id"]
    token = create_api_token(server, session.access, "audit-token")
    revoke = server.request("DELETE", f"{API}/api-tokens/{token['id']}", headers=session.headers)
    assert revoke.status_code == 204
    out = server.request("POST", f"{API}/auth/logout", headers=bearer(refreshed.json()["access_token"]))
    assert out.status_code == 204
    out_id = out.headers["X-Request-Id"]
    wait_audit(server, admin.access, lambda e: e["request_id"] == out_id, action="auth.logout")
    refresh_event = by_request(audit_events(server, admin.access, action="auth.refresh"), rid)
    assert refresh_event["outcome"] == "success" and refresh_event["actor"]["name"] == "audit-op"
    revoke_event = [e for e in audit_events(server, admin.access, action="api_token.revoke")
                    if e["resource"]["id"] == token["id"]]
    assert revoke_event and revoke_event[0]["resource"]["type"] == "api_token"
    assert revoke_event[0]["actor"]["name"] == "audit-op"
    logout_event = by_request(audit_events(server, admin.access, action="auth.logout"), out_id)
    assert logout_event["actor"]["name"] == "audit-op" and logout_event["outcome"] == "success"
    blob = str(audit_events(server, admin.access))
    for secret in (session.refresh, token["token"], session.access, refreshed.json()["access_token"]):
        assert secret not in blob


def test_failed_state_changes_are_recorded_as_failures(env):
    server, admin, _, _ = env
    resp = server.request("POST", f"{API}/users", headers=admin.headers,
                          json={"username": "bad name", "password": PASSWORD, "role": "viewer"})
    assert resp.status_code == 400
    rid = resp.headers["X-Request-Id"]
    event = wait_audit(server, admin.access, lambda e: e["request_id"] == rid, action="user.create")[0]
    assert event["outcome"] == "failure" and event["status"] == 400
    assert event["actor"]["id"] == admin.user["id"]
    assert PASSWORD not in str(event)


def test_source_address_follows_trusted_proxies_only(env, start_server, tmp_path):
    server, admin, _, _ = env
    # Not a trusted proxy: the header is the client's claim and is not believed.
    spoofed = login(server, "xff-user", "wrong-password", headers={"X-Forwarded-For": "203.0.113.5"})
    rid = spoofed.headers["X-Request-Id"]
    event = wait_audit(server, admin.access, lambda e: e["request_id"] == rid, action="auth.login")[0]
    assert event["source_ip"] == "127.0.0.1"

    proxied = start_identity(start_server, "--auth-trusted-proxies", "127.0.0.1", data_dir=tmp_path / "proxied")
    token = admin_login(proxied).access
    resp = login(proxied, "xff-user", "wrong-password", headers={"X-Forwarded-For": "198.51.100.23"})
    rid = resp.headers["X-Request-Id"]
    event = wait_audit(proxied, token, lambda e: e["request_id"] == rid, action="auth.login")[0]
    assert event["source_ip"] == "198.51.100.23"
