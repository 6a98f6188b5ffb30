"""100 concurrent clients asking for one server's activity for 10 s cause at most one monitoring query per TTL
period (5 s) on the monitored server: counted by the monitored server itself, in pg_stat_statements' calls of
gatehouse's activity query."""

from __future__ import annotations

import threading
import time

import requests

from support import API
from pgmon_support import MonitoredPg, add_pg_server

CLIENTS = 100
DURATION_S = 10.0
TTL_S = 5.0


def activity_calls(pg: MonitoredPg) -> int:
    text = pg.sql("SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
                  "WHERE r.rolname = 'monitor' AND s.query LIKE '%pg_blocking_pids%'")
    return int(text)


def test_hundred_clients_one_query_per_ttl(gh, roles, monitored_pg):
    server = add_pg_server(gh, roles.admin, monitored_pg)
    url = f"http://127.0.0.1:{gh.port}{API}/servers/{server['id']}/postgres/activity"
    before = activity_calls(monitored_pg)
    stop_at = time.monotonic() + DURATION_S
    answered = [0] * CLIENTS
    hits = [0] * CLIENTS
    failures: list[str] = []
    start = threading.Barrier(CLIENTS)

    def client(i: int) -> None:
        with requests.Session() as session:
            start.wait(timeout=30)
            while time.monotonic() < stop_at:
                resp = session.get(url, headers=roles.viewer, timeout=30)
                if resp.status_code != 200:
                    failures.append(f"{resp.status_code} {resp.text[:200]}")
                    return
                answered[i] += 1
                hits[i] += resp.headers.get("X-Cache") == "hit"

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DURATION_S + 60)
    elapsed = time.monotonic() - began
    assert not failures, failures[:3]
    assert all(n > 0 for n in answered), "every client got answers"
    queries = activity_calls(monitored_pg) - before
    periods = int(elapsed // TTL_S) + 1
    print(f"\n{sum(answered)} answers to {CLIENTS} clients in {elapsed:.1f} s ({sum(hits)} cache hits); "
          f"{queries} activity queries on PostgreSQL (at most {periods} allowed: one per {TTL_S:.0f} s period)")
    assert 1 <= queries <= periods
