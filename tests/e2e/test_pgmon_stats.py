"""PostgreSQL server and database statistics, top statements, the monitoring pools and the Prometheus export,
against a real PostgreSQL 15 with pg_stat_statements preloaded, while a short pgbench load runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from support import API, assert_problem, bearer, create_api_token, free_port, unique
from pgmon_support import APP_PASSWORD, add_pg_server

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")


@pytest.fixture(scope="module")
def server(gh, roles, monitored_pg):
    return add_pg_server(gh, roles.admin, monitored_pg)


def pgbench_path() -> str:
    for candidate in ("/usr/lib/postgresql/15/bin/pgbench", shutil.which("pgbench")):
        if candidate:
            return candidate
    pytest.fail("pgbench not found (postgresql-15)")


@pytest.fixture(scope="module")
def load(monitored_pg):
    """pgbench -c 4 on appdb for the module's first seconds (bounded: -T 8)."""
    env = {"PGPASSWORD": APP_PASSWORD, "PATH": "/usr/bin:/bin"}
    base = [pgbench_path(), "-h", "127.0.0.1", "-p", str(monitored_pg.port), "-U", "app"]
    subprocess.run(base + ["-i", "-q", "-s", "1", "appdb"], env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen(base + ["-c", "4", "-T", "8", "appdb"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    yield proc
    proc.wait(timeout=60)


def get(gh, headers, path, **params):
    resp = gh.request("GET", f"{API}{path}", params=params, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp


def test_stats_under_pgbench(gh, roles, server, load):
    path = f"/servers/{server['id']}/postgres/stats"
    first = get(gh, roles.operator, path, fresh="true").json()
    time.sleep(1.0)
    second_resp = get(gh, roles.operator, path, fresh="true")
    assert second_resp.headers["X-Cache"] == "miss"
    stats = second_resp.json()
    assert stats["server_version_num"] >= 150000 and stats["version"].startswith("PostgreSQL 15")
    assert stats["uptime_s"] >= 0 and stats["started_at"].endswith("Z")
    conn = stats["connections"]
    assert conn["max"] == 300 and conn["reserved"] == 3 and conn["used"] >= 4  # pgbench's clients at least
    dbs = {d["name"]: d for d in stats["databases"]}
    app = dbs["appdb"]
    assert app["xact_commit"] > dbs.get("plaindb", {"xact_commit": 0})["xact_commit"]
    assert app["size_bytes"] > 0 and 0 <= app["cache_hit_ratio"] <= 1
    for field in ("deadlocks", "temp_bytes", "conflicts", "blks_read", "blks_hit", "xact_rollback"):
        assert field in app
    # WAL is being written by pgbench: bytes per second since the previous snapshot.
    assert first["wal"]["lsn"] and stats["wal"]["bytes"] >= first["wal"]["bytes"]
    assert stats["wal"]["bytes_per_s"] is not None and stats["wal"]["bytes_per_s"] > 0
    assert stats["replication"] == {"role": "primary", "standbys": []}
    assert stats["checkpointer"]["buffers_alloc"] > 0
    assert stats["wraparound"]["max_frozenxid_age"] > 0 and stats["wraparound"]["oldest_xact_age"] >= 0
    assert stats["totals"]["xact_commit"] >= app["xact_commit"]
    # Database sizes are read at most every postgres.size_interval_s (300 s), also with fresh=true.
    assert stats["sizes_collected_at"] is not None
    assert stats["sizes_collected_at"] == first["sizes_collected_at"]
    assert {d["name"]: d["size_bytes"] for d in first["databases"]} == {n: d["size_bytes"] for n, d in dbs.items()}
    # Cached for viewers: the same snapshot, a hit.
    cached = get(gh, roles.viewer, path)
    assert cached.headers["X-Cache"] == "hit" and cached.json()["collected_at"] == stats["collected_at"]


def test_databases_and_database_stats(gh, roles, server, monitored_pg, load):
    listed = get(gh, roles.viewer, f"/servers/{server['id']}/postgres/databases").json()["databases"]
    names = [d["name"] for d in listed]
    assert {"postgres", "appdb", "plaindb"} <= set(names)

    stats = get(gh, roles.viewer, f"/servers/{server['id']}/postgres/databases/appdb/stats").json()
    tables = {t["name"]: t for t in stats["tables"]}
    accounts = tables["accounts"]
    assert accounts["live_tuples"] == 2000 and accounts["dead_tuples"] >= 1
    assert 0 < accounts["dead_tuple_ratio"] < 1 and accounts["total_size_bytes"] >= accounts["size_bytes"] > 0
    assert "pgbench_accounts" in tables and tables["pgbench_accounts"]["idx_scan"] > 0
    assert {"last_vacuum", "last_autovacuum", "last_analyze", "last_autoanalyze", "seq_scan"} <= set(accounts)
    unused = {i["index"] for i in stats["unused_indexes"]}
    assert {"accounts_n_a", "accounts_n_b"} <= unused
    duplicates = [d for d in stats["duplicate_indexes"] if d["table"] == "accounts"]
    assert duplicates and sorted(duplicates[0]["indexes"]) == ["accounts_n_a", "accounts_n_b"]

    # Top statements, without their text unless asked; ordered as asked.
    statements = stats["statements"]
    assert statements and stats["statements_reason"] is None
    assert all(s["query"] is None for s in statements) and len(statements) <= 20
    totals = [s["total_time_ms"] for s in statements]
    assert totals == sorted(totals, reverse=True)
    by_calls = get(gh, roles.viewer, f"/servers/{server['id']}/postgres/databases/appdb/stats", top=5,
                   order="calls", text="true").json()["statements"]
    assert len(by_calls) == 5 and [s["calls"] for s in by_calls] == sorted((s["calls"] for s in by_calls),
                                                                           reverse=True)
    assert all(isinstance(s["query"], str) and len(s["query"]) <= 2000 for s in by_calls)
    assert any("pgbench_accounts" in s["query"] for s in by_calls)

    # Without the extension the answer says so instead of failing.
    plain = get(gh, roles.viewer, f"/servers/{server['id']}/postgres/databases/plaindb/stats").json()
    assert plain["statements"] is None and "pg_stat_statements" in plain["statements_reason"]
    resp = gh.request("GET", f"{API}/servers/{server['id']}/postgres/databases/nosuchdb/stats", headers=roles.viewer,
                      timeout=30)
    assert "no database nosuchdb" in assert_problem(resp, 404)["detail"]
    for query in ("top=0", "top=1001", "order=size", "text=yes"):
        assert_problem(gh.request("GET", f"{API}/servers/{server['id']}/postgres/databases/appdb/stats?{query}",
                                  headers=roles.viewer, timeout=30), 400)


def samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE_RE.match(line)
        assert match, f"not a sample line: {line!r}"
        out[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return out


def promtool_check(text: str) -> None:
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.fail("promtool not found (Debian package prometheus)")
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"promtool check metrics:\n{result.stdout}\n{result.stderr}"


def test_prometheus_export(gh, roles, server, monitored_pg, load):
    token = create_api_token(gh, roles.admin_token, unique("scrape"), role="viewer")["token"]
    resp = gh.request("GET", f"{API}/servers/{server['id']}/postgres/metrics", headers=bearer(token), timeout=30)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain")
    promtool_check(resp.text)
    s = samples(resp.text)
    assert s["pg_up"] == 1
    names = {key.split("{")[0] for key in s}
    for name in ("pg_stat_database_xact_commit", "pg_stat_database_blks_hit", "pg_database_size_bytes",
                 "pg_stat_activity_count", "pg_settings_max_connections", "pg_postmaster_start_time_seconds",
                 "pg_stat_bgwriter_checkpoints_timed_total", "pg_replication_is_replica"):
        assert name in names, name
    app_commits = [v for k, v in s.items() if k.startswith("pg_stat_database_xact_commit{") and 'datname="appdb"' in k]
    assert app_commits and app_commits[0] > 0
    assert s["pg_settings_max_connections"] == 300
    # Every state of every database, 0 when no session is in it, as postgres_exporter writes them.
    assert s['pg_stat_activity_count{datname="plaindb",state="idle in transaction"}'] == 0

    # Every monitored server, one server label each; an unreachable one is pg_up 0, not a failed scrape.
    down = add_pg_server(gh, roles.admin, monitored_pg, port=free_port())
    resp = gh.request("GET", f"{API}/postgres/metrics", headers=bearer(token), timeout=60)
    assert resp.status_code == 200, resp.text
    promtool_check(resp.text)
    s = samples(resp.text)
    assert s[f'pg_up{{server="{server["id"]}",server_name="{server["name"]}"}}'] == 1
    assert s[f'pg_up{{server="{down["id"]}",server_name="{down["name"]}"}}'] == 0
    assert any(k.startswith(f'pg_database_size_bytes{{server="{server["id"]}"') for k in s)
    # Anonymous scrapes are refused.
    assert_problem(gh.request("GET", f"{API}/postgres/metrics", timeout=30), 401)


def test_pools(gh, roles, server, monitored_pg):
    get(gh, roles.viewer, f"/servers/{server['id']}/postgres/activity")
    get(gh, roles.viewer, f"/servers/{server['id']}/postgres/databases/appdb/stats")
    rows = get(gh, roles.viewer, "/pools").json()
    mine = {(r["database"], r["class"]): r for r in rows if r["server_id"] == server["id"]}
    assert ("postgres", "default") in mine and ("appdb", "default") in mine
    row = mine[("postgres", "default")]
    assert row["size"] == row["in_use"] + row["idle"] and 1 <= row["size"] <= 5
    assert row["created_total"] >= 1 and row["waiting"] == 0
    text = gh.get("/metrics", timeout=10).text
    assert f'gatehouse_pg_pool_connections{{server_id="{server["id"]}",database="postgres",class="default",' \
           f'state="idle"}}' in text
    assert "gatehouse_pg_pool_errors_total" in text


def test_pool_class_bounds_and_idle_reaping(start_module_server, monitored_pg):
    """A high_load pool opens at most its configured maximum however many calls run at once, and with a minimum
    of 0 its connections are closed once idle for postgres.idle_timeout_s."""
    import concurrent.futures

    from support import fleet_roles, start_identity

    busy = start_identity(start_module_server, "--postgres-pool-high-load-min", "0", "--postgres-pool-high-load-max",
                          "2", "--postgres-idle-timeout-s", "1")
    busy_roles = fleet_roles(busy)
    server = add_pg_server(busy, busy_roles.admin, monitored_pg, pool_class="high_load", database="appdb")

    def ask(top: int) -> int:
        resp = busy.request("GET", f"{API}/servers/{server['id']}/postgres/databases/appdb/stats",
                            params={"top": top, "fresh": "true"}, headers=busy_roles.operator, timeout=60)
        return resp.status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(ask, range(1, 25)))
    assert codes == [200] * 24
    rows = [r for r in get(busy, busy_roles.viewer, "/pools").json() if r["server_id"] == server["id"]]
    assert len(rows) == 1 and rows[0]["class"] == "high_load" and rows[0]["database"] == "appdb"
    assert 1 <= rows[0]["created_total"] <= 2 and rows[0]["size"] <= 2
    sessions = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gatehouse-monitor' "
                "AND datname = 'appdb'")
    open_before = int(monitored_pg.sql(sessions))  # this gatehouse's and the module's other one's

    def closed() -> bool:
        mine = [r for r in get(busy, busy_roles.viewer, "/pools").json() if r["server_id"] == server["id"]]
        return not mine or mine[0]["size"] == 0

    deadline = time.monotonic() + 20
    while not closed() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert closed(), "idle monitoring connections were not closed"
    assert int(monitored_pg.sql(sessions)) == open_before - rows[0]["size"]  # closed on the server too
