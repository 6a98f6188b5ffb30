"""The metrics store through the API: pushes validated per sample, gzip, idempotent batches, range queries at
each resolution (rollups equal to the raw data they summarise), latest values, series, bounds, and retention
dropping old data (SQLite rows, PostgreSQL partitions)."""

from __future__ import annotations

import math
import sqlite3
import statistics
import time
import uuid

import pytest

from collectors_support import enrol, sample
from support import API, admin_login, assert_problem, psql, start_identity

# Rollups every second, so a test sees them quickly.
FAST = ("--metrics-rollup-interval-s", "1")


@pytest.fixture(scope="module")
def gh(start_module_server):
    return start_identity(start_module_server, *FAST)


def query(server, headers, **params) -> dict:
    match = params.pop("match", {})
    for label, value in match.items():
        params[f"match[{label}]"] = value
    resp = server.request("GET", f"{API}/metrics/query", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_push_rejects_bad_samples_one_by_one(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    now = time.time()
    samples = [
        sample("ok_metric", 1.5, job="a"),
        {"name": "9starts_with_digit", "time": now, "value": 1},
        {"name": "m", "labels": {f"l{i}": "v" for i in range(33)}, "time": now, "value": 1},
        {"name": "m", "labels": {"l": "x" * 257}, "time": now, "value": 1},
        {"name": "m", "labels": {"bad-label": "v"}, "time": now, "value": 1},
        {"name": "m", "time": now + 600, "value": 1},
        {"name": "m", "time": "yesterday", "value": 1},
        {"name": "m", "time": now, "value": "1"},
        {"name": "m", "time": now - 30 * 86400, "value": 1},
        {"name": "m", "time": now, "value": 1, "extra": True},
        sample("ok_metric", 2.5, job="b", t=now - 10),
        {"name": "ok_metric", "labels": {"job": "c"}, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 5)),
         "value": 3},
    ]
    resp = c.push(samples)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["accepted"] == 3 and not body["replayed"]
    reasons = {r["index"]: r["reason"] for r in body["rejected"]}
    assert sorted(reasons) == list(range(1, 10)), reasons
    for index, word in ((1, "name"), (2, "labels"), (3, "256 bytes"), (4, "bad-label"), (5, "future"),
                        (6, "RFC 3339"), (7, "number"), (8, "retention"), (9, "extra")):
        assert word in reasons[index], (index, reasons[index])
    latest = gh.request("GET", f"{API}/metrics/latest", headers=roles.viewer, params={"name": "ok_metric"}).json()
    assert sorted(s["labels"]["job"] for s in latest["series"]) == ["a", "b", "c"]


def test_malformed_pushes_are_refused_whole(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    s = c.session()
    headers = {"Authorization": f"Bearer {c.token}"}
    url = f"{c.url}{API}/metrics"
    for body, word in (({"samples": []}, "batch_id"), ({"batch_id": "x"}, "samples"),
                       ({"batch_id": "x", "samples": [], "oops": 1}, "oops"),
                       ({"batch_id": "x", "samples": [{}] * 10001}, "at most")):
        assert word in assert_problem(s.post(url, json=body, headers=headers, timeout=10), 400)["detail"]
    resp = s.post(url, data=b"\x1f\x8bnot gzip", headers={**headers, "Content-Type": "application/json",
                                                          "Content-Encoding": "gzip"}, timeout=5)
    assert_problem(resp, 400)
    resp = s.post(url, data=b"{}", headers={**headers, "Content-Type": "application/json",
                                            "Content-Encoding": "zstd"}, timeout=5)
    assert_problem(resp, 415)
    got = gh.request("GET", f"{API}/collectors/{c.id}", headers=roles.viewer).json()
    assert got["batches"] == 0 and got["samples_accepted"] == 0


def test_gzip_push_and_repeated_batch_is_stored_once(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    name = f"idem_{uuid.uuid4().hex[:8]}"
    now = time.time()
    samples = [sample(name, float(i), t=now - 100 + i) for i in range(50)]
    first = c.push(samples, batch_id="batch-1", gz=True)
    assert first.status_code == 200 and first.json()["accepted"] == 50
    again = c.push(samples, batch_id="batch-1")
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    counted = query(gh, roles.viewer, name=name, agg="count", step=3600, **{"from": now - 200, "to": now + 1})
    assert counted["resolution"] in ("1h", "1m", "raw")
    raw = query(gh, roles.viewer, name=name, agg="count", step=1, **{"from": now - 200, "to": now + 1})
    assert raw["resolution"] == "raw"
    assert sum(p[1] for p in raw["series"][0]["points"]) == 50
    got = gh.request("GET", f"{API}/collectors/{c.id}", headers=roles.viewer).json()
    assert got["batches"] == 1 and got["samples_accepted"] == 50
    # Another collector may use the same batch id: batches are per collector.
    other = enrol(gh, roles.operator, tmp_path)
    assert other.push([sample(name, 99.0, t=now - 1)], batch_id="batch-1").json()["replayed"] is False


def minute_aggregates(points: list[tuple[float, float]], width: int) -> dict[int, dict]:
    buckets: dict[int, list[tuple[float, float]]] = {}
    for t, v in points:
        buckets.setdefault(int(t // width * width), []).append((t, v))
    return {b: {"avg": statistics.fmean(v for _, v in pts), "min": min(v for _, v in pts),
                "max": max(v for _, v in pts), "sum": math.fsum(v for _, v in pts), "count": len(pts),
                "last": max(pts)[1]} for b, pts in buckets.items()}


def check_rollups(server, headers, collector):
    """Pushes three hours of samples (every 20 s, two series) and checks 1-minute and 1-hour answers against the same
    aggregates computed here from the raw values."""
    name = f"roll_{uuid.uuid4().hex[:8]}"
    end = int(time.time()) // 3600 * 3600 - 1
    start = end - 3 * 3600 + 1
    points = {h: [(float(t), float((t * 7 + len(h)) % 101) / 3) for t in range(start, end, 20)] for h in ("a", "b")}
    for h, pts in points.items():
        for i in range(0, len(pts), 250):
            resp = collector.push([sample(name, v, t=t, host=h) for t, v in pts[i:i + 250]])
            assert resp.status_code == 200 and resp.json()["accepted"] == len(pts[i:i + 250]), resp.text
    for width, resolution in ((60, "1m"), (3600, "1h")):
        for agg in ("avg", "min", "max", "sum", "count", "last"):
            got = None
            for _ in range(100):  # the rollup job runs every second
                got = query(server, headers, name=name, agg=agg, step=width, **{"from": start, "to": end + 1},
                            match={"host": "a"})
                if got["series"] and len(got["series"][0]["points"]) == len(minute_aggregates(points["a"], width)):
                    want = minute_aggregates(points["a"], width)
                    if all(math.isclose(v, want[int(t)][agg], rel_tol=1e-9) for t, v in got["series"][0]["points"]):
                        break
                time.sleep(0.2)
            assert got["resolution"] == resolution
            want = minute_aggregates(points["a"], width)
            assert [int(t) for t, _ in got["series"][0]["points"]] == sorted(want), (agg, width)
            for t, v in got["series"][0]["points"]:
                assert math.isclose(v, want[int(t)][agg], rel_tol=1e-9), (agg, width, t, v, want[int(t)][agg])
    # group_by merges the two hosts; p95 is computed from raw values.
    both = query(server, headers, name=name, agg="max", step=3600, group_by="host", **{"from": start, "to": end + 1})
    assert sorted(s["labels"]["host"] for s in both["series"]) == ["a", "b"]
    merged = query(server, headers, name=name, agg="sum", step=3600, group_by="nothing",
                   **{"from": start, "to": end + 1})
    assert len(merged["series"]) == 1
    want = minute_aggregates(points["a"] + points["b"], 3600)
    for t, v in merged["series"][0]["points"]:
        assert math.isclose(v, want[int(t)]["sum"], rel_tol=1e-9)
    p95 = query(server, headers, name=name, agg="p95", step=3600, match={"host": "b"}, **{"from": start, "to": end + 1})
    assert p95["resolution"] == "raw"
    for t, v in p95["series"][0]["points"]:
        values = sorted(v2 for t2, v2 in points["b"] if int(t2 // 3600 * 3600) == int(t))
        assert v == values[math.ceil(0.95 * len(values)) - 1]


def test_rollups_equal_the_raw_data_on_sqlite(gh, roles, tmp_path):
    check_rollups(gh, roles.viewer, enrol(gh, roles.operator, tmp_path))


@pytest.mark.pg
def test_rollups_equal_the_raw_data_on_postgres(start_server, tmp_path, pg_database):
    server = start_identity(start_server, "--database-url", pg_database, *FAST, data_dir=tmp_path / "pg")
    admin = admin_login(server)
    check_rollups(server, admin.headers, enrol(server, admin.headers, tmp_path))
    partitions = psql_rows(pg_database, "SELECT relname FROM pg_class WHERE relname LIKE 'metric_samples_d%'")
    assert len(partitions) >= 8, partitions  # the raw retention (7 days) and two days ahead


def psql_rows(url: str, sql: str) -> list[str]:
    import subprocess

    from support import psql_path

    out = subprocess.run([psql_path(), url, "-XAtc", sql], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if line]


def test_query_bounds_and_validation(gh, roles, tmp_path):
    c = enrol(gh, roles.operator, tmp_path)
    name = f"many_{uuid.uuid4().hex[:8]}"
    assert c.push([sample(name, 1.0, series=str(i)) for i in range(30)]).status_code == 200
    h = roles.viewer
    now = time.time()
    for params, word in (({}, "name"), ({"name": name, "from": now, "to": now - 10}, "before"),
                         ({"name": name, "from": "last week"}, "from"),
                         ({"name": name, "from": now - 86400, "to": now, "step": 1}, "steps"),
                         ({"name": name, "agg": "median"}, "agg"), ({"name": "bad name"}, "name"),
                         ({"name": name, "match[]": "x"}, "label")):
        resp = gh.request("GET", f"{API}/metrics/query", headers=h, params=params)
        assert word in assert_problem(resp, 400)["detail"], (params, resp.text)
    # 30 series x 400 steps > 11000 points.
    resp = gh.request("GET", f"{API}/metrics/query", headers=h,
                      params={"name": name, "from": now - 400, "to": now, "step": 1})
    assert "points" in assert_problem(resp, 400)["detail"]
    one = query(gh, h, name=name, match={"series": "7"}, **{"from": now - 60, "to": now + 1})
    assert len(one["series"]) == 1 and one["series"][0]["labels"] == {"series": "7"}
    iso = query(gh, h, name=name, **{"from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60))})
    assert len(iso["series"]) == 30
    assert query(gh, h, name="never_pushed_metric")["series"] == []
    # Series pages.
    seen, cursor = [], None
    for _ in range(20):
        params = {"name": name, "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = gh.request("GET", f"{API}/metrics/series", headers=h, params=params).json()
        seen += [s["labels"]["series"] for s in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen, key=int) == [str(i) for i in range(30)]
    assert_problem(gh.request("GET", f"{API}/metrics/series", headers=h, params={"cursor": "x"}), 400)


def test_retention_drops_old_rows_on_sqlite(start_server, tmp_path):
    data = tmp_path / "ret"
    server = start_identity(start_server, *FAST, data_dir=data)
    assert server.terminate() == 0
    old_ms = int((time.time() - 40 * 86400) * 1000)
    recent_ms = int((time.time() - 3600) * 1000)
    db = sqlite3.connect(data / "gatehouse.db")
    db.executemany("INSERT INTO metric_samples (series_id, ts, value) VALUES (?, ?, ?)",
                   [(1, old_ms, 1.0), (1, recent_ms, 2.0)])
    db.executemany("INSERT INTO metric_rollups_1m VALUES (?, ?, 1, 1, 1, 1, 1, ?)",
                   [(1, old_ms - old_ms % 60000, old_ms), (1, recent_ms - recent_ms % 60000, recent_ms)])
    db.commit()
    db.close()
    start_identity(start_server, *FAST, data_dir=data)

    def remaining():
        con = sqlite3.connect(data / "gatehouse.db")
        try:
            return (con.execute("SELECT ts FROM metric_samples WHERE series_id = 1").fetchall(),
                    con.execute("SELECT ts FROM metric_rollups_1m WHERE series_id = 1").fetchall())
        finally:
            con.close()

    deadline = time.time() + 10
    while time.time() < deadline and len(remaining()[0]) > 1:
        time.sleep(0.2)
    samples, minutes = remaining()
    assert samples == [(recent_ms,)]
    assert minutes == [(recent_ms - recent_ms % 60000,)]


@pytest.mark.pg
def test_retention_drops_old_partitions_on_postgres(start_server, tmp_path, pg_database):
    data = tmp_path / "pgret"
    server = start_identity(start_server, "--database-url", pg_database, *FAST, data_dir=data)
    assert server.terminate() == 0
    day = 86400 * 1000
    old = (int(time.time() * 1000) // day - 40) * day
    name = "metric_samples_d" + time.strftime("%Y%m%d", time.gmtime(old / 1000))
    psql(pg_database, f"CREATE TABLE {name} PARTITION OF metric_samples FOR VALUES FROM ({old}) TO ({old + day}); "
                      f"INSERT INTO metric_samples VALUES (1, {old + 5}, 1.0)")
    assert psql_rows(pg_database, f"SELECT count(*) FROM {name}") == ["1"]
    start_identity(start_server, "--database-url", pg_database, *FAST, data_dir=data)
    deadline = time.time() + 10
    while time.time() < deadline and psql_rows(pg_database, f"SELECT relname FROM pg_class WHERE relname = '{name}'"):
        time.sleep(0.2)
    assert psql_rows(pg_database, f"SELECT relname FROM pg_class WHERE relname = '{name}'") == []
    today = "metric_samples_d" + time.strftime("%Y%m%d", time.gmtime())
    assert psql_rows(pg_database, f"SELECT relname FROM pg_class WHERE relname = '{today}'") == [today]
