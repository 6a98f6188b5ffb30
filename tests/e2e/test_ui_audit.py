"""The web UI's audit page, in Debian's headless Chromium, over events made through the API (a user created with an
HTML-looking User-Agent, users refused for a bad name, failed and successful logins): the list shows them newest
first; filters by outcome, actor and action narrow it on the server and live in the URL (a reload and a link with
filters keep them); a time range before them shows the empty state; "Load more" pages with a small page size; an
event's details (source IP, user agent as text, resource, status, request id, details JSON) open in place and on
their own page; the daily chart draws a canvas; a browser in India (Asia/Kolkata) shows an event's time in its zone
with the UTC value on hover. An operator and a viewer see no Audit link and get "Not for your role" at /audit, and
their browsers never ask the API for audit events. No CSP violation, no serious axe-core finding, no foreign
request."""
import datetime as dt

from support import (ADMIN_PASSWORD, API, admin_login, audit_events, create_user, login, login_ok, start_identity,
                     wait_audit)
from ui_support import run_scenario, ui_args

PASSWORD = "ui-audit-pw-7781"
# Shown as text on the page: were it HTML, the image would load (and its handler break the CSP).
USER_AGENT = '<img src="/ui-audit-probe.png" onerror="alert(1)"> ui-audit-agent/1.0'
FAILED_LOGINS = 14  # recorded as "denied" (401)
FAILED_CREATES = 3  # recorded as "failure" (400)
GOOD_LOGINS = 4


def test_admin_reads_the_audit_trail_and_other_roles_cannot(start_module_server):
    server = start_identity(start_module_server, *ui_args())
    admin = admin_login(server)
    create_user(server, admin.access, "audit-op", PASSWORD, "operator")
    create_user(server, admin.access, "audit-viewer", PASSWORD, "viewer")
    created = server.request("POST", f"{API}/users", headers={**admin.headers, "User-Agent": USER_AGENT},
                             json={"username": "audit-alice", "password": PASSWORD, "role": "viewer"})
    assert created.status_code == 201, created.text
    alice = created.json()
    for i in range(FAILED_CREATES):
        bad = server.request("POST", f"{API}/users", headers=admin.headers,
                             json={"username": f"bad name {i}", "password": PASSWORD, "role": "viewer"})
        assert bad.status_code == 400, bad.text
    for i in range(FAILED_LOGINS):
        assert login(server, "audit-alice", f"wrong-password-{i}").status_code == 401
    for _ in range(GOOD_LOGINS):
        last = login_ok(server, "audit-alice", PASSWORD)
    last_id = last.response.headers["X-Request-Id"]
    wait_audit(server, admin.access, lambda e: e["request_id"] == last_id, action="auth.login")

    failures = audit_events(server, admin.access, outcome="failure")
    assert len(failures) == FAILED_CREATES and all(e["action"] == "user.create" for e in failures)
    denied = audit_events(server, admin.access, action="auth.login", outcome="denied")
    assert len(denied) == FAILED_LOGINS
    by_alice = audit_events(server, admin.access, actor="audit-alice")
    assert len(by_alice) == FAILED_LOGINS + GOOD_LOGINS
    assert len(audit_events(server, admin.access)) > 20, "enough events for two pages of 10"
    # The creation's time as the API gives it: the page shows it in the browser's zone.
    created_event = [e for e in audit_events(server, admin.access, action="user.create")
                     if e["request_id"] == created.headers["X-Request-Id"]]
    assert len(created_event) == 1, created_event
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    report = run_scenario(
        "audit", base=server.url,
        admin={"username": "admin", "password": ADMIN_PASSWORD},
        others=[{"username": "audit-op", "password": PASSWORD, "role": "operator"},
                {"username": "audit-viewer", "password": PASSWORD, "role": "viewer"}],
        alice={"username": "audit-alice", "id": alice["id"]},
        created={"request_id": created.headers["X-Request-Id"], "user_agent": USER_AGENT,
                 "time": created_event[0]["time"]},
        counts={"failures": len(failures), "failed_logins": len(denied), "by_alice": len(by_alice),
                "creates": 3 + FAILED_CREATES},
    )
    assert set(report["pages"]) >= {"audit-list", "audit-failures", "audit-empty", "audit-details", "audit-event",
                                    "audit-narrow", "audit-operator", "audit-viewer"}

    # The page only reads: what the browsers left in the trail are their sign-ins, and the admin's came from Chromium.
    during = audit_events(server, admin.access, since=started)
    assert {e["action"] for e in during} <= {"auth.login", "auth.refresh", "auth.logout"}, during
    browser_logins = [e for e in during if e["action"] == "auth.login" and e["outcome"] == "success"]
    assert {e["actor"]["name"] for e in browser_logins} >= {"admin", "audit-op", "audit-viewer"}
    assert any("Chrome" in (e["user_agent"] or "") for e in browser_logins)
    # The other roles' pages never asked for audit events (a refused request would be recorded as denied).
    assert not [e for e in during if (e["details"].get("route") or "").startswith(f"{API}/audit")], during
