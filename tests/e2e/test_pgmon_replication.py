"""Replication statistics against a real streaming pair: the fixture PostgreSQL 15 as primary and a hot standby
made from it with pg_basebackup (tests/fixtures/pg.sh standby). The primary lists its standby with byte and time
lags; the standby reports its own receive and replay lag; both export them for Prometheus."""

from __future__ import annotations

import subprocess
import time
import urllib.parse

import pytest

from support import API
from pgmon_support import MonitoredPg, add_pg_server


@pytest.fixture(scope="module")
def pair():
    primary = MonitoredPg()
    standby_dir = primary.dir + "-standby"
    result = subprocess.run(["bash", primary.script, "standby", standby_dir, primary.super_url],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        primary.stop()
        pytest.fail(f"pg.sh standby failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    standby_port = urllib.parse.urlsplit(result.stdout.strip().splitlines()[-1]).port
    yield primary, standby_port
    subprocess.run(["bash", primary.script, "stop", standby_dir], capture_output=True, timeout=120)
    primary.stop()


def stats(gh, headers, server_id) -> dict:
    resp = gh.request("GET", f"{API}/servers/{server_id}/postgres/stats?fresh=true", headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_primary_and_standby(gh, roles, pair):
    primary, standby_port = pair
    on_primary = add_pg_server(gh, roles.admin, primary)
    on_standby = add_pg_server(gh, roles.admin, primary, port=standby_port)
    primary.sql("CREATE TABLE ticks (n int)", db="appdb", user="app")
    primary.sql("INSERT INTO ticks SELECT generate_series(1, 1000)", db="appdb", user="app")

    deadline = time.monotonic() + 20
    while True:
        p = stats(gh, roles.operator, on_primary["id"])
        if p["replication"]["standbys"] and p["replication"]["standbys"][0]["state"] == "streaming":
            break
        assert time.monotonic() < deadline, p["replication"]
        time.sleep(0.3)
    assert p["replication"]["role"] == "primary"
    standby = p["replication"]["standbys"][0]
    assert standby["sync_state"] == "async" and standby["client_addr"] == "127.0.0.1"
    for field in ("sent_lag_bytes", "write_lag_bytes", "flush_lag_bytes", "replay_lag_bytes"):
        assert standby[field] is not None and standby[field] >= 0

    s = stats(gh, roles.operator, on_standby["id"])
    assert s["replication"]["role"] == "standby" and s["replication"]["standbys"] == []
    assert s["replication"]["lag_bytes"] is not None and s["replication"]["lag_bytes"] >= 0
    assert s["replication"]["lag_s"] is not None and s["replication"]["lag_s"] >= 0
    assert s["wal"]["lsn"]

    metrics = gh.request("GET", f"{API}/servers/{on_standby['id']}/postgres/metrics", headers=roles.viewer,
                         timeout=30).text
    assert "pg_replication_is_replica 1" in metrics and "pg_replication_lag " in metrics
    metrics = gh.request("GET", f"{API}/servers/{on_primary['id']}/postgres/metrics", headers=roles.viewer,
                         timeout=30).text
    assert "pg_replication_is_replica 0" in metrics
    assert 'pg_stat_replication_pg_wal_lsn_diff{application_name="' in metrics
