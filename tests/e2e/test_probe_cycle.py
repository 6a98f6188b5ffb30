"""The scheduled status probe of a 50-server fleet: bounded SSH concurrency, and an API that stays responsive while
it runs (the probe's SSH work is on its own worker pool, never on an I/O thread). Latency is compared with the same
requests in the same run while nothing is probed, so a loaded machine slows both alike."""

import re
import statistics
import time

import pytest
import requests

from support import API, Sshd, admin_login, poll, sshd_available, start_identity

FLEET = 50
CONCURRENCY = 4
# p99 while probing / p99 while idle. SSH work on an I/O thread would hold requests for whole handshakes
# (tens of ms each, CONCURRENCY at once): far above this.
MAX_RATIO = 8


def probe_metrics(server) -> tuple[int, float]:
    """(busy threads of the probe pool, probes done so far)."""
    text = requests.get(server.url + "/metrics", timeout=5).text
    busy = re.search(r'^gatehouse_worker_pool_busy\{pool="ssh-probe"\} (\S+)$', text, re.MULTILINE)
    assert busy, "no ssh-probe worker pool gauge in /metrics"
    probes = sum(float(v) for v in re.findall(r'^gatehouse_server_probes_total\{[^}]*\} (\S+)$', text, re.MULTILINE))
    return int(float(busy.group(1))), probes


def list_latencies(server, headers, seconds: float, at_least: int, busy: list | None = None,
                   until=lambda: True) -> list[float]:
    """GET /servers?limit=100, paced, for `seconds`, at least `at_least` requests and until `until()` (checked
    every 10 requests, for at most 90 s); plain requests, unchecked, so the client's own work is the same in both
    phases."""
    latencies = []
    session = requests.Session()
    started_all = time.monotonic()
    deadline = started_all + seconds
    done = False
    while (time.monotonic() < deadline or len(latencies) < at_least or not done) and len(latencies) < 8000:
        assert time.monotonic() - started_all < 90, "the measured phase did not end within 90 s"
        if len(latencies) % 10 == 0:
            done = until()
        started = time.monotonic()
        resp = session.get(f"{server.url}{API}/servers?limit=100", headers=headers, timeout=10)
        latencies.append(time.monotonic() - started)
        assert resp.status_code == 200 and len(resp.json()["items"]) == FLEET
        if busy is not None and len(latencies) % 10 == 0:
            busy.append(probe_metrics(server)[0])
        time.sleep(0.004)
    return latencies


def p99_ms(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000


def test_fifty_servers_probe_with_bounded_concurrency_and_api_stays_fast(start_server, tmp_path):
    reason = sshd_available()
    if reason:
        pytest.fail(reason)
    sshd = Sshd(tmp_path)
    data = tmp_path / "data"
    common = ("--fleet-probe-concurrency", str(CONCURRENCY), "--fleet-status-ttl-s", "0", "--log-access", "false")
    try:
        # Idle phase: one probe cycle (5 s after the start), then none for an hour.
        quiet = start_identity(start_server, "--fleet-probe-interval-s", "3600", *common, data_dir=data)
        admin = admin_login(quiet)
        for i in range(FLEET):
            resp = quiet.request("POST", f"{API}/servers", headers=admin.headers, timeout=10,
                                 json={"name": f"probe-{i:02d}", "address": "127.0.0.1", "ssh_port": sshd.port,
                                       "ssh_user": sshd.user, "auth_method": "password", "password": sshd.password})
            assert resp.status_code == 201, resp.text

        def all_probed():
            items = quiet.get(f"{API}/servers?limit=100", headers=admin.headers).json()["items"]
            return all(s["status"] == "online" for s in items) and probe_metrics(quiet)[0] == 0
        assert poll(all_probed, timeout=60, interval=0.5), "the first probe cycle did not reach every server"
        _, probes_before = probe_metrics(quiet)
        idle = list_latencies(quiet, admin.headers, seconds=4, at_least=300)
        assert probe_metrics(quiet)[1] == probes_before, "a probe ran during the idle phase"
        assert quiet.terminate() == 0

        # Probing phase: the same data, a cycle every 2 s.
        busy_server = start_identity(start_server, "--fleet-probe-interval-s", "2", *common, data_dir=data)
        admin = admin_login(busy_server)
        assert poll(lambda: probe_metrics(busy_server)[1] > 0, timeout=30, interval=0.2), "no probe started"
        _, probes_before = probe_metrics(busy_server)
        busy = []
        probing = list_latencies(busy_server, admin.headers, seconds=6, at_least=300, busy=busy,
                                 until=lambda: probe_metrics(busy_server)[1] - probes_before >= FLEET)
        probed = probe_metrics(busy_server)[1] - probes_before
        items = busy_server.get(f"{API}/servers?limit=100", headers=admin.headers).json()["items"]
        assert {s["status"] for s in items} == {"online"}
        assert all(s["host_key_fingerprint"] == sshd.host_fingerprint() for s in items)

        ratio = p99_ms(probing) / p99_ms(idle)
        print(f"\nGET /servers, 50 servers: idle {len(idle)} requests p50 {statistics.median(idle) * 1000:.1f} ms "
              f"p99 {p99_ms(idle):.1f} ms; during {probed:.0f} probes {len(probing)} requests p50 "
              f"{statistics.median(probing) * 1000:.1f} ms p99 {p99_ms(probing):.1f} ms; p99 ratio {ratio:.2f}; "
              f"probe threads busy max {max(busy)} (limit {CONCURRENCY})")
        assert probed >= FLEET, f"only {probed} probes while measuring: not a probe cycle"
        assert ratio < MAX_RATIO, f"p99 of GET /servers while probing is {ratio:.1f}x the idle one"
        assert 1 <= max(busy) <= CONCURRENCY, f"{max(busy)} probes at once, limit {CONCURRENCY}"
    finally:
        sshd.stop()
