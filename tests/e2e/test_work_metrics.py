"""/metrics shows the work behind the API, against a real sshd (tests/fixtures/sshd.sh): tasks and apps by
state (counted in the database), targets by final state, task output bytes, status probes by result, SSH
connections opened / reused / failed and the handshake latency histogram."""

from __future__ import annotations

import re
import time

from support import API, free_port, poll, unique
from apps_support import create_app, create_project
from tasks_support import add_server, submit, wait_task

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$")


def scrape(gh) -> dict[str, float]:
    """Every sample of /metrics by its name and labels as written (`name{a="b"}`)."""
    resp = gh.get("/metrics", timeout=10)
    assert resp.status_code == 200, resp.text
    samples = {}
    for line in resp.text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE_RE.match(line)
        assert match, f"not a sample line: {line!r}"
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


def delta(before: dict, after: dict, key: str) -> float:
    assert key in after, f"{key} is not in /metrics"
    return after[key] - before.get(key, 0.0)


def status(gh, roles, server_id) -> dict:
    resp = gh.request("GET", f"{API}/servers/{server_id}/status", headers=roles.viewer, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_every_family_and_every_state_is_listed(gh):
    text = gh.get("/metrics", timeout=10).text
    families = {
        "gatehouse_tasks": "gauge",
        "gatehouse_apps": "gauge",
        "gatehouse_tasks_finished_total": "counter",
        "gatehouse_task_targets_total": "counter",
        "gatehouse_task_output_bytes_total": "counter",
        "gatehouse_server_probes_total": "counter",
        "gatehouse_ssh_connections_total": "counter",
        "gatehouse_ssh_handshake_seconds": "histogram",
        "gatehouse_audit_events_queued": "gauge",
    }
    for name, kind in families.items():
        assert f"# TYPE {name} {kind}\n" in text, name
    samples = scrape(gh)
    # Before any work, every state is there with 0: a dashboard's query finds its series from the start.
    for state in ("queued", "running", "succeeded", "failed", "cancelled", "interrupted"):
        assert f'gatehouse_tasks{{state="{state}"}}' in samples
    for state in ("succeeded", "failed", "timed_out", "cancelled", "interrupted"):
        assert f'gatehouse_task_targets_total{{state="{state}"}}' in samples
    for state in ("stopped", "starting", "running", "stopping", "failed"):
        assert f'gatehouse_apps{{status="{state}"}}' in samples
    for result in ("online", "offline", "auth_failed", "host_key_mismatch"):
        assert f'gatehouse_server_probes_total{{status="{result}"}}' in samples
    for result in ("opened", "reused", "failed"):
        assert f'gatehouse_ssh_connections_total{{result="{result}"}}' in samples
    assert 'gatehouse_ssh_handshake_seconds_bucket{le="+Inf"}' in samples


def test_tasks_targets_output_and_session_reuse(gh, roles, sshd):
    server = add_server(gh, roles.operator, sshd)
    before = scrape(gh)
    ok = submit(gh, roles.operator, [server["id"]], "head -c 5000 /dev/zero | tr '\\0' a")
    assert wait_task(gh, roles.viewer, ok["id"])["state"] == "succeeded"
    bad = submit(gh, roles.operator, [server["id"]], "echo gone >&2; exit 3")
    assert wait_task(gh, roles.viewer, bad["id"])["state"] == "failed"
    after = scrape(gh)

    assert delta(before, after, 'gatehouse_tasks_finished_total{state="succeeded"}') == 1
    assert delta(before, after, 'gatehouse_tasks_finished_total{state="failed"}') == 1
    assert delta(before, after, 'gatehouse_task_targets_total{state="succeeded"}') == 1
    assert delta(before, after, 'gatehouse_task_targets_total{state="failed"}') == 1
    assert delta(before, after, 'gatehouse_task_targets_total{state="timed_out"}') == 0
    # 5000 + 5 bytes of the commands, plus the process-group line each wrapped command writes to stderr.
    received = delta(before, after, "gatehouse_task_output_bytes_total")
    assert 5005 <= received < 5005 + 200, received
    # The first task logged in; the second used its idle session.
    assert delta(before, after, 'gatehouse_ssh_connections_total{result="opened"}') >= 1
    assert delta(before, after, 'gatehouse_ssh_connections_total{result="reused"}') >= 1
    handshakes = delta(before, after, "gatehouse_ssh_handshake_seconds_count")
    assert handshakes >= 1
    assert after["gatehouse_ssh_handshake_seconds_sum"] > before.get("gatehouse_ssh_handshake_seconds_sum", 0.0)

    # The gauges are counted in the database, at most once a second.
    def counted():
        now = scrape(gh)
        return now if (delta(before, now, 'gatehouse_tasks{state="succeeded"}') == 1 and
                       delta(before, now, 'gatehouse_tasks{state="failed"}') == 1) else None
    assert poll(counted, timeout=10, interval=0.3), scrape(gh)


def test_probes_by_status_and_failed_connections(gh, roles, sshd):
    online = add_server(gh, roles.operator, sshd)
    refused = add_server(gh, roles.operator, sshd, ssh_port=free_port())
    wrong = add_server(gh, roles.operator, sshd, password="Wrong-pw-metrics-7")
    before = scrape(gh)
    assert status(gh, roles, online["id"])["status"] == "online"
    assert status(gh, roles, refused["id"])["status"] == "offline"
    assert status(gh, roles, wrong["id"])["status"] == "auth_failed"
    after = scrape(gh)
    # The scheduled probe may add to these in the meantime: at least the asked ones are there.
    assert delta(before, after, 'gatehouse_server_probes_total{status="online"}') >= 1
    assert delta(before, after, 'gatehouse_server_probes_total{status="offline"}') >= 1
    assert delta(before, after, 'gatehouse_server_probes_total{status="auth_failed"}') >= 1
    # The refused port and the refused password: two connections that never logged in.
    assert delta(before, after, 'gatehouse_ssh_connections_total{result="failed"}') >= 2


def test_apps_by_status(gh, roles, sshd):
    server = add_server(gh, roles.operator, sshd)
    project = create_project(gh, roles.operator)
    before = scrape(gh)
    for _ in range(2):
        create_app(gh, roles.operator, project["id"], server["id"], f"/srv/{unique('m')}")

    def counted():
        now = scrape(gh)
        return delta(before, now, 'gatehouse_apps{status="stopped"}') == 2
    assert poll(counted, timeout=10, interval=0.3), scrape(gh)


def test_scrapes_do_not_load_the_database(gh):
    """/metrics is public: however often it is asked, the database is counted at most once a second."""
    def reads(samples):
        return sum(v for k, v in samples.items()
                   if k.startswith("gatehouse_worker_pool_jobs_total") and ("sqlite" in k or "postgres" in k))

    start = time.monotonic()
    before = scrape(gh)
    for _ in range(40):
        scrape(gh)
    after = scrape(gh)
    elapsed = time.monotonic() - start
    # Two counts (tasks, apps) per counting, and a few reads of background jobs; uncached, 42 scrapes would be 84.
    assert reads(after) - reads(before) <= 2 * (elapsed + 2) + 6, (reads(after) - reads(before), elapsed)
