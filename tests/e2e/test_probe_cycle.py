"""The scheduled status probe of a 50-server fleet: bounded SSH concurrency, a responsive API."""

import re
import statistics
import time

import pytest

from support import API, Sshd, admin_login, sshd_available, start_identity

FLEET = 50
CONCURRENCY = 4


def ssh_busy(server) -> int:
    text = server.get("/metrics", timeout=5).text
    match = re.search(r'^gatehouse_worker_pool_busy\{pool="ssh"\} (\S+)$', text, re.MULTILINE)
    assert match, "no ssh worker pool gauge in /metrics"
    return int(float(match.group(1)))


def test_fifty_servers_probe_with_bounded_concurrency_and_api_stays_fast(start_server, tmp_path):
    reason = sshd_available()
    if reason:
        pytest.fail(reason)
    sshd = Sshd(tmp_path)
    try:
        server = start_identity(start_server, "--fleet-probe-interval-s", "2", "--fleet-probe-concurrency",
                                str(CONCURRENCY), "--fleet-status-ttl-s", "0", "--log-access", "false",
                                data_dir=tmp_path / "data")
        admin = admin_login(server)
        for i in range(FLEET):
            resp = server.request("POST", f"{API}/servers", headers=admin.headers, timeout=10,
                                  json={"name": f"probe-{i:02d}", "address": "127.0.0.1", "ssh_port": sshd.port,
                                        "ssh_user": sshd.user, "auth_method": "password", "password": sshd.password})
            assert resp.status_code == 201, resp.text

        latencies, busy = [], []
        deadline = time.monotonic() + 40
        # Paced, so an optimised build cannot use up the request budget before a probe cycle ends.
        while time.monotonic() < deadline and len(latencies) < 8000:
            started = time.monotonic()
            resp = server.get(f"{API}/servers?limit=100", headers=admin.headers, timeout=10)
            latencies.append(time.monotonic() - started)
            assert resp.status_code == 200
            items = resp.json()["items"]
            if len(latencies) % 10 == 0:
                busy.append(ssh_busy(server))
            if len(items) == FLEET and all(s["status"] == "online" for s in items) and len(latencies) >= 200:
                break
            time.sleep(0.004)
        statuses = {s["status"] for s in items}
        assert statuses == {"online"}, f"not every server was probed: {statuses}"
        assert all(s["last_checked"] for s in items)
        assert all(s["host_key_fingerprint"] == sshd.host_fingerprint() for s in items)
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000
        print(f"\nGET /servers during the probe cycle: {len(latencies)} requests, "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms, "
              f"ssh workers busy max {max(busy)} (limit {CONCURRENCY})")
        assert p99 < 50, f"p99 of GET /servers during probing was {p99:.1f} ms"
        assert max(busy) <= CONCURRENCY, f"{max(busy)} SSH jobs at once, limit {CONCURRENCY}"
    finally:
        sshd.stop()
