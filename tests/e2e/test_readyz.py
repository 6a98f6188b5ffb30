"""/readyz answers 503 problem+json when gatehouse cannot serve its API: the database is unreachable, or another
binary has migrated it past this one's schema. /healthz (the process lives) stays 200."""

from __future__ import annotations

import sqlite3

from support import assert_problem, poll, psql, start_identity


def test_a_schema_from_a_newer_binary_is_not_ready(start_server, tmp_path):
    gh = start_identity(start_server, data_dir=tmp_path / "data")
    ready = gh.get("/readyz")
    assert ready.status_code == 200, ready.text
    ours = ready.json()["schema_version"]
    with sqlite3.connect(gh.data_dir / "gatehouse.db") as db:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from a newer binary', "
                   "'2026-12-04T00:00:00Z')", (ours + 1,))
    problem = assert_problem(gh.get("/readyz"), 503)
    assert problem["detail"] == f"database schema is at version {ours + 1}, this binary needs {ours}", problem
    assert gh.get("/healthz").status_code == 200
    with sqlite3.connect(gh.data_dir / "gatehouse.db") as db:
        db.execute("DELETE FROM schema_migrations WHERE version = ?", (ours + 1,))
    assert gh.get("/readyz").status_code == 200


def test_an_unreachable_database_is_not_ready(start_server, tmp_path, pg_url, pg_database):
    gh = start_identity(start_server, "--database-url", pg_database, data_dir=tmp_path / "data")
    assert gh.get("/readyz").status_code == 200
    name = pg_database.rsplit("/", 1)[1].split("?")[0]
    psql(pg_url, f"DROP DATABASE {name} WITH (FORCE)")

    def refused():
        resp = gh.get("/readyz", timeout=30)
        return resp if resp.status_code == 503 else None
    resp = poll(refused, timeout=30, interval=0.5)
    assert resp is not None, "/readyz still 200 with its database dropped"
    problem = assert_problem(resp, 503)
    # The driver's text (hosts, users, database names) goes to the log, not to the prober.
    assert problem["detail"] == "database unreachable", problem
    assert name not in resp.text
    assert gh.get("/healthz").status_code == 200
