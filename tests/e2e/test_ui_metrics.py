"""The metrics, alerts and collectors pages in Debian's headless Chromium against a gatehouse that samples a real
PostgreSQL every second and evaluates alert rules every second: an admin charts the sampled pg_up series (the query
kept in the URL, the API's point bound shown), creates an alert rule through the UI that fires at once, acknowledges
the firing alert with a comment, edits and disables the rule, sees a built-in rule refuse deletion, reads a
collector's certificate expiry, creates an enrolment token (shown once; it then enrols a collector, once) and
deletes a collector. A viewer at 390 px sees the pages without create, acknowledge, edit or delete controls. The
server's state is checked through the API afterwards."""
import time

from collectors_support import csr_pem, enrol, new_key, sample
from pgmon_support import add_pg_server
from support import ADMIN_PASSWORD, API, admin_login, bearer, create_user, start_identity, wait_for
from ui_support import run_scenario, ui_args

FAST = ("--metrics-sample-interval-s", "1", "--alerts-eval-interval-s", "1", "--metrics-rollup-interval-s", "1",
        "--postgres-stats-ttl-ms", "200", "--postgres-activity-ttl-ms", "200")
VIEWER = {"username": "metrics-viewer", "password": "e2e-Viewer-pw-4Hd"}


def test_chart_alert_acknowledge_and_enrol_through_the_ui(start_module_server, monitored_pg, tmp_path):
    gh = start_identity(start_module_server, *FAST, *ui_args())
    admin = admin_login(gh)
    create_user(gh, admin.access, VIEWER["username"], VIEWER["password"], "viewer")
    server = add_pg_server(gh, admin.headers, monitored_pg)

    def sampled():
        answer = gh.request("GET", f"{API}/metrics/query", headers=admin.headers,
                            params={"name": "pg_up", "match[server]": server["id"], "from": -60, "step": 1}).json()
        return answer["series"] and len(answer["series"][0]["points"]) >= 2

    wait_for(sampled, 30, "pg_up sampled twice")
    keep = enrol(gh, admin.headers, tmp_path, name="collector-keep")
    assert keep.push([sample("queue_depth", 3.0, queue="jobs")], agent_version="ui-test").status_code == 200
    gone = enrol(gh, admin.headers, tmp_path, name="collector-gone")

    started = time.monotonic()
    report = run_scenario("metrics", base=gh.url, password=ADMIN_PASSWORD, viewer=VIEWER, server_id=server["id"],
                          keep={"id": keep.id, "name": "collector-keep",
                                "expires": keep.registration["certificate_expires_at"]},
                          gone={"id": gone.id, "name": "collector-gone"})
    print(f"scenario {time.monotonic() - started:.1f} s")
    assert set(report["pages"]) >= {"series-list", "series-chart", "alerts-rule-form", "alerts-rules", "alerts-list",
                                    "alert-detail", "collectors-enrol", "collector-detail", "viewer-chart-390",
                                    "viewer-rules-390", "viewer-alert-390", "viewer-collectors-390"}
    assert "raise 'step'" in report["measures"]["bound_detail"]
    assert "match%5Bserver%5D=" in report["measures"]["chart_url"]

    # The rule the UI created, edited and disabled.
    rules = gh.request("GET", f"{API}/alert-rules", headers=admin.headers, params={"limit": 500}).json()["items"]
    rule = next(r for r in rules if r["name"] == "pg is up")
    assert rule["expr"] == {"name": "pg_up", "match": {"server": server["id"]}, "agg": "last", "window_s": 5}
    assert (rule["op"], rule["threshold"], rule["severity"], rule["enabled"]) == (">", 0.25, "critical", False)
    assert rule["webhook_url"] == "http://127.0.0.1:9/hook" and rule["webhook_secret_set"] is True
    assert any(r["name"] == "PostgreSQL replication lag" and r["builtin"] for r in rules), "the built-in stays"

    # The alert the UI acknowledged.
    alerts = gh.request("GET", f"{API}/alerts", headers=admin.headers, params={"rule_id": rule["id"]}).json()["items"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["fired_at"] and alert["acknowledged"] is True
    assert alert["ack_comment"] == "looking into it" and alert["acknowledged_by"] == admin.user["id"]

    # The collector deleted through the UI, and the enrolment token shown once: it enrols one collector, once.
    assert gh.request("GET", f"{API}/collectors/{gone.id}", headers=admin.headers).status_code == 404
    token = report["measures"]["enrolment_token"]
    enrolled = enrol(gh, {}, tmp_path, name="from-ui-token", bearer_token=token)
    assert gh.request("GET", f"{API}/collectors/{enrolled.id}", headers=admin.headers).status_code == 200
    again = gh.request("POST", f"{API}/collectors/register", headers=bearer(token),
                       json={"name": "twice", "hostname": "h", "csr": csr_pem(new_key())})
    assert again.status_code == 401
