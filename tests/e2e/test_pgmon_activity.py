"""PostgreSQL activity against a real PostgreSQL 15 (tests/fixtures/pg.sh, password authentication), read by a
monitoring role that has pg_monitor (and pg_signal_backend, for cancel and terminate) but is no superuser. Sessions
are held open by psql processes: one idle in a transaction holding a row lock, one blocked on that lock, one in
pg_sleep. Also: cancel and terminate with their audit events, the viewer's refusal, and every failure kind."""

from __future__ import annotations

import time

import pytest

from support import API, assert_problem, free_port, poll, unique, wait_audit
from pgmon_support import NOMON_PASSWORD, HeldSession, add_pg_server, hold_row_lock, wait_state


@pytest.fixture(scope="module")
def server(gh, roles, monitored_pg):
    return add_pg_server(gh, roles.admin, monitored_pg)


@pytest.fixture(scope="module")
def held(monitored_pg):
    """holder: idle in a transaction with row 1 locked; waiter: blocked on that row; sleeper: in pg_sleep."""
    holder, waiter = hold_row_lock(monitored_pg, "e2e")
    sleeper = HeldSession(monitored_pg, "e2e-sleeper")
    sleeper.send("SELECT pg_sleep(120);")
    sleeper.pid = monitored_pg.pid_of("e2e-sleeper")
    wait_state(monitored_pg, sleeper.pid, "active")
    yield {"holder": holder, "waiter": waiter, "sleeper": sleeper}
    for session in (holder, waiter, sleeper):
        session.close()


def activity(gh, headers, server_id, **params):
    resp = gh.request("GET", f"{API}/servers/{server_id}/postgres/activity", params=params, headers=headers,
                      timeout=30)
    assert resp.status_code == 200, resp.text
    return resp


def by_pid(body) -> dict[int, dict]:
    return {s["pid"]: s for s in body["sessions"]}


def test_activity_shows_blocking_and_idle_in_transaction(gh, roles, server, held):
    time.sleep(0.3)  # so the idle transaction has a measurable age
    resp = activity(gh, roles.operator, server["id"], fresh="true")
    assert resp.headers["X-Cache"] == "miss"
    body = resp.json()
    sessions = by_pid(body)
    holder, waiter, sleeper = held["holder"], held["waiter"], held["sleeper"]

    # The blocked session names its blocker.
    assert sessions[waiter.pid]["blocked_by"] == [holder.pid]
    assert sessions[waiter.pid]["state"] == "active"
    assert sessions[waiter.pid]["wait_event_type"] == "Lock"
    assert "UPDATE accounts SET n = n + 10" in sessions[waiter.pid]["query"]
    # The idle-in-transaction session with its duration.
    h = sessions[holder.pid]
    assert h["state"] == "idle_in_transaction"
    assert h["xact_duration_ms"] >= 300 and h["duration_ms"] >= 250
    assert h["user"] == "app" and h["database"] == "appdb" and h["application"] == "e2e-holder"
    assert h["blocked_by"] == []
    assert sessions[sleeper.pid]["state"] == "active"
    assert "pg_sleep" in sessions[sleeper.pid]["query"]

    counts = body["counts"]
    assert counts["blocked"] >= 1 and counts["idle_in_transaction"] >= 1 and counts["active"] >= 2
    assert counts["total"] >= counts["active"] + counts["idle"] + counts["idle_in_transaction"]
    assert body["longest"]["xact_ms"] >= h["xact_duration_ms"]
    assert body["max_connections"] == 300
    assert body["server_id"] == server["id"] and body["collected_at"].endswith("Z")
    # gatehouse's own monitoring sessions are left out unless asked for.
    assert all(s["application"] != "gatehouse-monitor" for s in body["sessions"])
    mine = activity(gh, roles.viewer, server["id"], include_self="true").json()
    assert any(s["application"] == "gatehouse-monitor" for s in mine["sessions"])


def test_activity_filters_and_cache(gh, roles, server, held):
    first = activity(gh, roles.viewer, server["id"], state="idle_in_transaction")
    sessions = first.json()["sessions"]
    assert {s["pid"] for s in sessions} == {held["holder"].pid}
    # The snapshot is cached: a second ask within the TTL is a hit with the same collected_at.
    again = activity(gh, roles.viewer, server["id"], database="appdb")
    assert again.headers["X-Cache"] == "hit"
    assert again.json()["collected_at"] == first.json()["collected_at"]
    assert {s["database"] for s in again.json()["sessions"]} == {"appdb"}
    assert {held["holder"].pid, held["waiter"].pid, held["sleeper"].pid} <= set(by_pid(again.json()))
    long_ones = activity(gh, roles.viewer, server["id"], min_duration_ms=3_600_000).json()
    assert long_ones["sessions"] == []
    assert long_ones["counts"]["total"] == again.json()["counts"]["total"]  # counts ignore the filters

    # fresh=true is for operators; bad filters are 400s that name the parameter.
    assert_problem(gh.request("GET", f"{API}/servers/{server['id']}/postgres/activity?fresh=true",
                              headers=roles.viewer, timeout=30), 403)
    for query in ("state=sleeping", "min_duration_ms=-1", "min_duration_ms=x", "include_self=maybe", "bogus=1"):
        resp = gh.request("GET", f"{API}/servers/{server['id']}/postgres/activity?{query}", headers=roles.viewer,
                          timeout=30)
        assert_problem(resp, 400)


def test_cancel_and_terminate_are_audited_and_admin_only(gh, roles, server, held, monitored_pg):
    sleeper, holder, waiter = held["sleeper"], held["holder"], held["waiter"]
    base = f"{API}/servers/{server['id']}/postgres/sessions"
    for headers in (roles.viewer, roles.operator):
        assert_problem(gh.request("POST", f"{base}/{sleeper.pid}/cancel", headers=headers, timeout=30), 403)
        assert_problem(gh.request("POST", f"{base}/{sleeper.pid}/terminate", headers=headers, timeout=30), 403)
    assert monitored_pg.state_of(sleeper.pid).startswith("active")

    resp = gh.request("POST", f"{base}/{sleeper.pid}/cancel", headers=roles.admin, timeout=30)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["signalled"] is True and body["action"] == "cancel" and body["pid"] == sleeper.pid
    assert body["user"] == "app" and body["database"] == "appdb" and "pg_sleep" in body["query"]
    wait_state(monitored_pg, sleeper.pid, "idle")  # the statement was cancelled, the session lives on
    events = wait_audit(gh, roles.admin_token, lambda e: e["action"] == "postgres.cancel", action="postgres.cancel")
    details = events[0]["details"]
    assert details["pid"] == sleeper.pid and details["user"] == "app" and details["database"] == "appdb"
    assert details["query"].startswith("SELECT pg_sleep(120)") and len(details["query"]) <= 200

    # Terminating the lock holder ends its session and frees the waiter.
    resp = gh.request("POST", f"{base}/{holder.pid}/terminate", headers=roles.admin, timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.json()["signalled"] is True
    poll(lambda: monitored_pg.sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {holder.pid}") == "0", timeout=10)
    wait_state(monitored_pg, waiter.pid, "idle")
    events = wait_audit(gh, roles.admin_token, lambda e: e["action"] == "postgres.terminate",
                        action="postgres.terminate")
    assert events[0]["details"]["pid"] == holder.pid and events[0]["outcome"] == "success"
    after = activity(gh, roles.viewer, server["id"]).json()  # the signal dropped the cached snapshot
    assert holder.pid not in by_pid(after)

    # gatehouse's own monitoring sessions are never signalled; unknown pids are 404; pids are numbers.
    own = [s["pid"] for s in activity(gh, roles.viewer, server["id"], include_self="true").json()["sessions"]
           if s["application"] == "gatehouse-monitor"]
    assert own
    problem = assert_problem(gh.request("POST", f"{base}/{own[0]}/terminate", headers=roles.admin, timeout=30), 409)
    assert "own monitoring" in problem["detail"]
    assert_problem(gh.request("POST", f"{base}/999999/cancel", headers=roles.admin, timeout=30), 404)
    assert_problem(gh.request("POST", f"{base}/abc/cancel", headers=roles.admin, timeout=30), 400)


def failure(gh, headers, server_id, status, kind, path="activity"):
    resp = gh.request("GET", f"{API}/servers/{server_id}/postgres/{path}?fresh=true", headers=headers, timeout=30)
    problem = assert_problem(resp, status)
    assert problem.get("kind") == kind, problem
    return problem


def test_failures_have_a_kind(gh, roles, monitored_pg):
    down = add_pg_server(gh, roles.admin, monitored_pg, port=free_port())
    problem = failure(gh, roles.operator, down["id"], 502, "unreachable")
    assert "cannot connect" in problem["detail"]
    # Reconnects back off: asked again at once, the same failure comes without a new attempt, with Retry-After.
    again = gh.request("GET", f"{API}/servers/{down['id']}/postgres/stats?fresh=true", headers=roles.operator,
                       timeout=30)
    assert assert_problem(again, 502)["kind"] == "unreachable"
    assert int(again.headers["Retry-After"]) >= 1

    wrong = add_pg_server(gh, roles.admin, monitored_pg, password="not-the-password")
    problem = failure(gh, roles.operator, wrong["id"], 502, "auth_failed")
    assert "not-the-password" not in problem["detail"]

    nomon = add_pg_server(gh, roles.admin, monitored_pg, user="nomon", password=NOMON_PASSWORD)
    problem = failure(gh, roles.operator, nomon["id"], 502, "insufficient_privilege", path="stats")
    assert "pg_monitor" in problem["detail"]

    body = {"name": unique("nopg"), "address": "127.0.0.1", "ssh_user": "x", "auth_method": "password",
            "password": "x"}
    bare = gh.request("POST", f"{API}/servers", json=body, headers=roles.admin, timeout=30).json()
    for path in ("activity", "stats", "databases", "databases/postgres/stats", "metrics"):
        resp = gh.request("GET", f"{API}/servers/{bare['id']}/postgres/{path}", headers=roles.viewer, timeout=30)
        assert assert_problem(resp, 409).get("kind") == "not_configured"
    assert_problem(gh.request("GET", f"{API}/servers/0193aaaa-0000-7000-8000-000000000000/postgres/activity",
                              headers=roles.viewer, timeout=30), 404)
    # Changing an endpoint drops what was cached of it: a wrong password shows at once, not after the TTL.
    changing = add_pg_server(gh, roles.admin, monitored_pg)
    path = f"{API}/servers/{changing['id']}/postgres/activity"
    assert gh.request("GET", path, headers=roles.viewer, timeout=30).status_code == 200
    patched = gh.request("PATCH", f"{API}/servers/{changing['id']}", json={"postgres": {"password": "now-wrong"}},
                         headers=roles.admin, timeout=30)
    assert patched.status_code == 200, patched.text
    assert assert_problem(gh.request("GET", path, headers=roles.viewer, timeout=30), 502)["kind"] == "auth_failed"
    # The server kept serving, and a good endpoint still answers.
    assert gh.get("/healthz", timeout=10).status_code == 200


def open_monitor_work(pg) -> str:
    """How many of gatehouse's monitoring sessions are not idle or hold a transaction open (as psql prints it). The
    module's other instance samples the same server now and then: a query of its own in flight is over within a
    moment, while work left open stays, so a count above 0 is read again for up to 3 s."""
    def count() -> str:
        return pg.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gatehouse-monitor' "
                      "AND (state <> 'idle' OR xact_start IS NOT NULL)")

    poll(lambda: count() == "0")
    return count()


def test_a_lock_timeout_leaves_nothing_open(gh, roles, server, monitored_pg):
    """A table locked by a migration: the database statistics wait for the lock, give up after lock_timeout (1 s)
    with 503 kind timeout, and leave no transaction or lock of gatehouse's behind."""
    locker = HeldSession(monitored_pg, "e2e-migration")
    try:
        locker.send("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;")
        wait_state(monitored_pg, monitored_pg.pid_of("e2e-migration"), "idle in transaction")
        started = time.monotonic()
        problem = failure(gh, roles.operator, server["id"], 503, "timeout", path="databases/appdb/stats")
        assert time.monotonic() - started < 4.5
        assert "timeout" in problem["detail"]
        assert open_monitor_work(monitored_pg) == "0"
        locks = monitored_pg.sql("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                                 "WHERE a.application_name = 'gatehouse-monitor'")
        assert locks == "0"
    finally:
        locker.close()
    resp = gh.request("GET", f"{API}/servers/{server['id']}/postgres/databases/appdb/stats?fresh=true",
                      headers=roles.operator, timeout=30)
    assert resp.status_code == 200, resp.text


def test_a_statement_timeout_leaves_nothing_open(start_module_server, monitored_pg):
    """With statement_timeout shorter than lock_timeout, the same wait ends by statement_timeout."""
    from support import fleet_roles, start_identity

    quick = start_identity(start_module_server, "--postgres-statement-timeout-ms", "300",
                           "--postgres-lock-timeout-ms", "5000")
    quick_roles = fleet_roles(quick)
    server = add_pg_server(quick, quick_roles.admin, monitored_pg)
    locker = HeldSession(monitored_pg, "e2e-migration-2")
    try:
        locker.send("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;")
        wait_state(monitored_pg, monitored_pg.pid_of("e2e-migration-2"), "idle in transaction")
        problem = failure(quick, quick_roles.operator, server["id"], 503, "timeout", path="databases/appdb/stats")
        assert "statement timeout" in problem["detail"]
        assert open_monitor_work(monitored_pg) == "0"
    finally:
        locker.close()
