"""The authenticated hot path reads no database: checked through the jobs the database pool ran (a /metrics
counter), which every statement of gatehouse's goes through."""

from __future__ import annotations

import re
import time

API = "/api/v1"


def pool_jobs(server, pool: str) -> int:
    text = server.get("/metrics").text
    m = re.search(r'^gatehouse_worker_pool_jobs_total\{pool="' + re.escape(pool) + r'"\} (\S+)$', text, re.M)
    assert m, f"no job counter for pool {pool!r} in /metrics"
    return int(float(m.group(1)))


def assert_no_database_work(server, callers: list[dict], pool: str, requests_per_caller: int = 100) -> None:
    """`requests_per_caller` GET /users/me for each of `callers` cost the pool no more jobs than gatehouse's periodic
    jobs run during the same time (see `background`)."""
    before = pool_jobs(server, pool)
    started = time.monotonic()
    for _ in range(requests_per_caller):
        for headers in callers:
            resp = server.get(f"{API}/users/me", headers=headers)
            assert resp.status_code == 200, resp.text
    elapsed = time.monotonic() - started
    jobs = pool_jobs(server, pool) - before
    # Every periodic job that touches the database, at its default interval (each may also run once at the edges):
    # the auth sync's epoch poll (500 ms), the collectors' sync (5 s: live certificates, CAs, retirement), the
    # PostgreSQL sampler's server list and the alert evaluation (15 s each, a read and a write), metrics maintenance
    # (60 s).
    def runs(period: float) -> int:
        return int(elapsed / period) + 1

    background = int(elapsed / 0.5) + 3 + 3 * runs(5) + 2 * 2 * runs(15) + 3 * runs(60)
    requests = requests_per_caller * len(callers)
    print(f"\n{requests} authenticated requests in {elapsed:.2f} s: {jobs} database jobs "
          f"(background sync allows {background})")
    assert jobs <= background, f"{jobs} database jobs for {requests} authenticated requests"
