"""Alert rules end to end: the built-in sampler feeding a rule on connections used / max against a real PostgreSQL
(pending for for_s, firing, one signed webhook, resolved when the connections close), repeat notifications that an
acknowledgement stops, webhook retries with their delivery log, rule validation and access."""

from __future__ import annotations

import time
import uuid

import pytest

from alerts_support import WebhookReceiver, signature_ok
from collectors_support import enrol, sample
from pgmon_support import HeldSession, MonitoredPg, add_pg_server
from support import API, admin_login, assert_problem, start_identity, wait_audit, wait_for

FAST = ("--metrics-sample-interval-s", "1", "--alerts-eval-interval-s", "1", "--postgres-stats-ttl-ms", "200",
        "--postgres-activity-ttl-ms", "200", "--metrics-rollup-interval-s", "1")


@pytest.fixture(scope="module")
def gh(start_module_server):
    return start_identity(start_module_server, *FAST)


@pytest.fixture(scope="module")
def small_pg():
    """A PostgreSQL with max_connections = 50: 80 % is 40 connections."""
    pg = MonitoredPg(max_connections=50)
    yield pg
    pg.stop()


@pytest.fixture
def receiver():
    r = WebhookReceiver()
    yield r
    r.close()


def create_rule(gh, headers, **fields) -> dict:
    body = {"name": f"rule-{uuid.uuid4().hex[:8]}", "op": ">", "threshold": 1, **fields}
    resp = gh.request("POST", f"{API}/alert-rules", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def alerts_of(gh, headers, rule_id, **params) -> list[dict]:
    resp = gh.request("GET", f"{API}/alerts", headers=headers, params={"rule_id": rule_id, **params})
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def test_connections_rule_fires_after_for_s_notifies_once_and_resolves(gh, roles, small_pg, receiver):
    server = add_pg_server(gh, roles.admin, small_pg)
    rule = create_rule(gh, roles.operator, expr={"name": "gatehouse_pg_connections_used_ratio",
                                                  "match": {"server": server["id"]}, "agg": "max", "window_s": 3},
                       threshold=0.8, for_s=30, severity="critical", webhook_url=receiver.url,
                       labels={"team": "db"}, annotations={"summary": "too many connections"})
    secret = rule["webhook_secret"]
    assert secret.startswith("whsec_") and rule["webhook_secret_set"] is True
    shown = gh.request("GET", f"{API}/alert-rules/{rule['id']}", headers=roles.viewer).json()
    assert "webhook_secret" not in shown and shown["webhook_secret_set"] is True
    # The sampler stores the ratio with the server's label.
    wait_for(lambda: gh.request("GET", f"{API}/metrics/latest", headers=roles.viewer,
                                params={"name": "gatehouse_pg_connections_used_ratio",
                                        "match[server]": server["id"]}).json()["series"], 20, "sampled ratio")
    sessions = [HeldSession(small_pg, f"load-{i}") for i in range(42)]
    try:
        for s in sessions:
            s.send("SELECT 1;")
        pending = wait_for(lambda: alerts_of(gh, roles.viewer, rule["id"], state="pending"), 30, "pending alert")[0]
        assert pending["labels"]["server"] == server["id"] and pending["labels"]["team"] == "db"
        assert pending["value"] > 0.8
        firing = wait_for(lambda: alerts_of(gh, roles.viewer, rule["id"], state="firing"), 60, "firing alert")[0]
        assert firing["id"] == pending["id"]
        held = (time.mktime(time.strptime(firing["fired_at"][:19], "%Y-%m-%dT%H:%M:%S")) -
                time.mktime(time.strptime(firing["started_at"][:19], "%Y-%m-%dT%H:%M:%S")))
        assert held >= 29, (firing["started_at"], firing["fired_at"])
        wait_for(lambda: receiver.events(firing["id"]), 10, "firing webhook")
        time.sleep(3)  # several evaluations while it stays firing: no second notification
        assert receiver.events(firing["id"]) == ["firing"]
        request = receiver.received[0]
        assert signature_ok(request, secret)
        assert not signature_ok(request, secret + "x")
        assert request["json"]["alert"]["state"] == "firing" and request["json"]["rule"]["id"] == rule["id"]
        assert request["headers"]["X-Gatehouse-Event"] == "firing"
    finally:
        for s in sessions:
            s.close()
    resolved = wait_for(lambda: alerts_of(gh, roles.viewer, rule["id"], state="resolved"), 30, "resolved alert")[0]
    assert resolved["id"] == firing["id"] and resolved["resolved_at"]
    wait_for(lambda: receiver.events(firing["id"]) == ["firing", "resolved"], 10, "resolved webhook")
    detail = gh.request("GET", f"{API}/alerts/{firing['id']}", headers=roles.viewer).json()
    assert [e["state"] for e in detail["history"]] == ["pending", "firing", "resolved"]
    assert [d["event"] for d in detail["deliveries"]] == ["firing", "resolved"]
    assert all(d["status"] == 200 for d in detail["deliveries"])


def test_acknowledged_alert_notifies_no_more_but_stays_firing(gh, roles, tmp_path, receiver):
    collector = enrol(gh, roles.operator, tmp_path)
    name = f"queue_depth_{uuid.uuid4().hex[:6]}"
    rule = create_rule(gh, roles.operator, expr={"name": name, "agg": "last", "window_s": 3}, threshold=10,
                       for_s=0, repeat_interval_s=1, webhook_url=receiver.url, webhook_secret="s" * 20)
    assert "webhook_secret" not in rule, "a secret given is never echoed"
    stop = time.monotonic() + 60

    def push():
        assert collector.push([sample(name, 50.0)]).status_code == 200

    push()
    firing = wait_for(lambda: (push(), alerts_of(gh, roles.viewer, rule["id"], state="firing"))[1], 15, "firing")[0]
    wait_for(lambda: (push(), receiver.events(firing["id"]).count("repeat") >= 2)[1], 15, "repeat notifications")
    assert signature_ok(receiver.received[0], "s" * 20)
    assert_problem(gh.request("POST", f"{API}/alerts/{firing['id']}/acknowledge", headers=roles.viewer,
                              json={"comment": "x"}), 403)
    ack = gh.request("POST", f"{API}/alerts/{firing['id']}/acknowledge", headers=roles.operator,
                     json={"comment": "looking into it"})
    assert ack.status_code == 200, ack.text
    assert ack.json()["acknowledged"] is True and ack.json()["state"] == "firing"
    assert_problem(gh.request("POST", f"{API}/alerts/{firing['id']}/acknowledge", headers=roles.operator, json={}),
                   409)
    count = len(receiver.events(firing["id"]))
    for _ in range(8):  # 4 s of pushing above the threshold
        push()
        time.sleep(0.5)
    assert len(receiver.events(firing["id"])) == count, "an acknowledged alert sent another notification"
    assert alerts_of(gh, roles.viewer, rule["id"], state="firing")[0]["id"] == firing["id"]
    # No more samples: the window empties and the alert resolves, silently (acknowledged).
    resolved = wait_for(lambda: alerts_of(gh, roles.viewer, rule["id"], state="resolved"), 15, "resolved")[0]
    assert resolved["ack_comment"] == "looking into it"
    time.sleep(1.5)
    assert "resolved" not in receiver.events(firing["id"])
    assert time.monotonic() < stop
    admin = admin_login(gh)
    wait_audit(gh, admin.access, lambda e: e["resource"]["id"] == firing["id"], action="alert.acknowledge")


def test_webhooks_are_retried_with_backoff_and_logged(gh, roles, tmp_path):
    receiver = WebhookReceiver(fail_first=2)
    try:
        collector = enrol(gh, roles.operator, tmp_path)
        name = f"retry_{uuid.uuid4().hex[:6]}"
        rule = create_rule(gh, roles.operator, expr={"name": name, "agg": "max", "window_s": 30}, threshold=0,
                           webhook_url=receiver.url)
        assert collector.push([sample(name, 1.0)]).status_code == 200
        firing = wait_for(lambda: alerts_of(gh, roles.viewer, rule["id"], state="firing"), 15, "firing")[0]
        detail = wait_for(lambda: (lambda d: d if len(d["deliveries"]) >= 3 else None)(
            gh.request("GET", f"{API}/alerts/{firing['id']}", headers=roles.viewer).json()), 20, "3 attempts")
        attempts = detail["deliveries"][:3]
        assert [(d["attempt"], d["status"]) for d in attempts] == [(1, 500), (2, 500), (3, 200)]
        assert attempts[0]["error"] == "HTTP 500" and attempts[2]["error"] is None
        gaps = [receiver.received[i + 1]["at"] - receiver.received[i]["at"] for i in range(2)]
        assert gaps[0] >= 0.9 and gaps[1] >= 1.8, gaps  # 1 s, then 2 s
        assert len({r["headers"]["X-Gatehouse-Delivery"] for r in receiver.received[:3]}) == 1
    finally:
        receiver.close()


def test_rules_are_validated_and_operator_written(gh, roles):
    base = {"name": "r", "expr": {"name": "m", "window_s": 60}, "op": ">", "threshold": 1}
    for change, word in (({"op": "=>"}, "op"), ({"severity": "fatal"}, "severity"),
                         ({"expr": {"name": "bad name"}}, "expr.name"), ({"expr": {"name": "m", "agg": "median"}},
                                                                         "expr.agg"),
                         ({"expr": {"name": "m", "window_s": 0}}, "window_s"), ({"for_s": -1}, "for_s"),
                         ({"webhook_url": "ftp://x"}, "webhook_url"), ({"threshold": "high"}, "threshold"),
                         ({"labels": {"bad-name": "x"}}, "labels"), ({"surprise": 1}, "surprise"),
                         ({"webhook_secret": "short"}, "webhook_secret")):
        resp = gh.request("POST", f"{API}/alert-rules", headers=roles.operator, json={**base, **change})
        assert word in assert_problem(resp, 400)["detail"], (change, resp.text)
    assert_problem(gh.request("POST", f"{API}/alert-rules", headers=roles.viewer, json=base), 403)
    created = create_rule(gh, roles.operator, expr={"name": "m"})
    assert "webhook_secret" not in created and created["webhook_secret_set"] is False
    assert_problem(gh.request("POST", f"{API}/alert-rules", headers=roles.operator,
                              json={**base, "name": created["name"]}), 409)
    replaced = gh.request("PUT", f"{API}/alert-rules/{created['id']}", headers=roles.operator,
                          json={**base, "name": created["name"], "enabled": False, "threshold": 5})
    assert replaced.status_code == 200 and replaced.json()["enabled"] is False and replaced.json()["threshold"] == 5
    assert gh.request("DELETE", f"{API}/alert-rules/{created['id']}", headers=roles.operator).status_code == 204
    assert_problem(gh.request("GET", f"{API}/alert-rules/{created['id']}", headers=roles.viewer), 404)


def test_builtin_postgres_rules_ship_disabled(gh, roles):
    rules = gh.request("GET", f"{API}/alert-rules", headers=roles.viewer, params={"limit": 500}).json()["items"]
    builtin = {r["expr"]["name"]: r for r in rules if r["builtin"]}
    for metric in ("gatehouse_pg_connections_used_ratio", "pg_replication_lag", "pg_stat_activity_max_tx_duration",
                   "gatehouse_pg_max_frozenxid_age", "gatehouse_pg_dead_tuple_ratio_max",
                   "gatehouse_pg_cache_hit_ratio"):
        assert metric in builtin and builtin[metric]["enabled"] is False, metric
    one = next(iter(builtin.values()))
    assert_problem(gh.request("DELETE", f"{API}/alert-rules/{one['id']}", headers=roles.operator), 409)


def test_builtin_sampler_stores_the_postgres_series_labelled_by_server(gh, roles, small_pg):
    server = add_pg_server(gh, roles.admin, small_pg)
    idle = HeldSession(small_pg, "idle-client")  # waits on the client: a wait event of type Client
    idle.send("SELECT 1;")
    try:
        wanted = ("pg_up", "pg_stat_activity_count", "pg_stat_database_xact_commit",
                  "pg_stat_database_xact_rollback", "gatehouse_pg_cache_hit_ratio", "pg_database_size_bytes",
                  "pg_stat_activity_max_tx_duration", "gatehouse_pg_wait_events", "gatehouse_pg_dead_tuples",
                  "gatehouse_pg_connections_used_ratio", "pg_replication_is_replica")

        def latest(name):
            return gh.request("GET", f"{API}/metrics/latest", headers=roles.viewer,
                              params={"name": name, "match[server]": server["id"]}).json()["series"]

        found = wait_for(lambda: all(latest(n) for n in wanted) and {n: latest(n) for n in wanted}, 30,
                         "every sampled series")
        assert found["pg_up"][0]["value"] == 1
        states = {s["labels"]["state"] for s in found["pg_stat_activity_count"]}
        assert {"active", "idle"} <= states
        dead = {s["labels"]["datname"]: s["value"] for s in found["gatehouse_pg_dead_tuples"]}
        assert dead["appdb"] >= 500, dead  # MonitoredPg updates 500 rows with autovacuum off
        assert any(s["labels"]["wait_event_type"] == "Client" for s in found["gatehouse_pg_wait_events"])
        # History, not only the latest value: a range query over the last minute has several points.
        def history():
            answer = gh.request("GET", f"{API}/metrics/query", headers=roles.viewer,
                                params={"name": "pg_up", "match[server]": server["id"], "step": 1,
                                        "from": -60}).json()
            return len(answer["series"][0]["points"]) >= 2

        wait_for(history, 10, "a second sampling round")
    finally:
        idle.close()
