"""The PostgreSQL page in Debian's headless Chromium against a real PostgreSQL 15 (tests/fixtures/pg.sh): the list
holds only servers with an endpoint; a session blocked on a row lock is highlighted with its blocker's pid, right
below it; a session started while the page is open appears without a reload; paused, the page asks nothing and a
refused terminate shows the problem's detail; the admin terminates the blocker through the UI and it is gone from
pg_stat_activity (and audited); server statistics and a database's top statements, tables and indexes render; an
unreachable PostgreSQL is explained by its kind; a viewer at 390 px sees no cancel or terminate button."""
import threading
import time
from pathlib import Path

import pytest

from pgmon_support import HeldSession, add_pg_server, hold_row_lock, wait_state
from support import (ADMIN_PASSWORD, API, admin_login, assert_problem, create_user, free_port, start_identity, unique,
                     wait_audit)
from ui_support import run_scenario, ui_args

VIEWER_PASSWORD = "e2e-Viewer-pw-4Hs"


@pytest.fixture(scope="module")
def ui_gh(start_module_server):
    return start_identity(start_module_server, *ui_args())


@pytest.fixture
def held(monitored_pg):
    """holder: idle in a transaction with row 1 locked; waiter: blocked on that row."""
    holder, waiter = hold_row_lock(monitored_pg, "e2e-ui")
    yield holder, waiter
    for session in (holder, waiter):
        session.close()


def start_late_session(pg, signal_dir: Path, sessions: list, stop: threading.Event) -> None:
    """When the scenario says it watches (signal_dir/ready), a new session begins a long pg_sleep."""
    while not stop.is_set():
        if (signal_dir / "ready").exists():
            late = HeldSession(pg, "e2e-ui-late")
            late.send("SELECT pg_sleep(300);")
            sessions.append(late)
            return
        time.sleep(0.1)


def test_postgres_page(ui_gh, monitored_pg, held, tmp_path):
    holder, waiter = held
    admin = admin_login(ui_gh)
    viewer = unique("pg-viewer")
    create_user(ui_gh, admin.access, viewer, VIEWER_PASSWORD, "viewer")
    server = add_pg_server(ui_gh, admin.headers, monitored_pg)
    down = add_pg_server(ui_gh, admin.headers, monitored_pg, port=free_port())
    nopg = unique("nopg")
    resp = ui_gh.request("POST", f"{API}/servers", headers=admin.headers, timeout=30,
                         json={"name": nopg, "address": "127.0.0.1", "ssh_user": "x", "auth_method": "password",
                               "password": "x"})
    assert resp.status_code == 201, resp.text

    late_sessions: list = []
    stop = threading.Event()
    starter = threading.Thread(target=start_late_session, args=(monitored_pg, tmp_path, late_sessions, stop))
    starter.start()
    try:
        report = run_scenario(
            "postgres", base=ui_gh.url, signal_dir=str(tmp_path),
            admin={"username": "admin", "password": ADMIN_PASSWORD},
            viewer={"username": viewer, "password": VIEWER_PASSWORD},
            server={"id": server["id"], "name": server["name"]}, down={"id": down["id"], "name": down["name"]},
            nopg=nopg, holder=holder.pid, waiter=waiter.pid)
    finally:
        stop.set()
        starter.join()
        late_errors = [session.close() for session in late_sessions]

    assert {"postgres-list", "postgres-activity", "postgres-stats", "postgres-database", "postgres-unreachable",
            "postgres-viewer-390", "postgres-list-390"} <= set(report["pages"])
    assert late_sessions, "the scenario never asked for the late session"
    # The query the admin cancelled in the browser was the late session's pg_sleep, and psql was told so.
    assert report["measures"]["cancelled"] == report["measures"]["refused"]["pid"]
    assert "canceling statement due to user request" in late_errors[0], late_errors[0]
    cancels = wait_audit(ui_gh, admin.access, lambda e: e["details"].get("pid") == report["measures"]["cancelled"],
                         timeout=5, action="postgres.cancel")
    assert cancels[0]["outcome"] == "success"
    assert "refused" in report["measures"]["refusal"]
    # The refusal the page showed is the server's problem detail for that call, word for word (asked again here).
    late_pid = report["measures"]["refused"]["pid"]
    again = ui_gh.request("POST", f"{API}/servers/{server['id']}/postgres/sessions/{late_pid}/terminate",
                          headers=admin.headers, timeout=30)
    detail = assert_problem(again, 404)["detail"]
    assert detail == report["measures"]["refused"]["detail"] and str(late_pid) in detail, detail
    assert f"Terminate of session {late_pid} refused: {detail}" in report["measures"]["refusal"]
    assert "[object" not in report["measures"]["refusal"]
    # The blocker the admin terminated in the browser is gone, the session it blocked went on, and it was audited.
    assert monitored_pg.sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {holder.pid}") == "0"
    wait_state(monitored_pg, waiter.pid, "idle")
    assert monitored_pg.sql("SELECT n FROM accounts WHERE id = 1", db="appdb", user="app") == "10"

    events = wait_audit(ui_gh, admin.access, lambda e: e["details"].get("pid") == holder.pid, timeout=5,
                        action="postgres.terminate")
    assert events[0]["outcome"] == "success"
    # The API agrees: neither the blocker nor the late session remains.
    activity = ui_gh.request("GET", f"{API}/servers/{server['id']}/postgres/activity", params={"fresh": "true"},
                             headers=admin.headers, timeout=30).json()
    pids = {s["pid"] for s in activity["sessions"]}
    assert holder.pid not in pids and waiter.pid in pids
    assert not any(s["application"] == "e2e-ui-late" for s in activity["sessions"])
