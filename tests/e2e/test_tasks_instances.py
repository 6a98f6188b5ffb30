"""Two gatehouse instances sharing one PostgreSQL database: a task one instance runs can be watched
live, read and cancelled through the other (the watcher follows the stored output and target
states, since the run's memory is in the first process only)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from support import API, fleet_roles, poll, psql
from tasks_support import (add_server, connect, get_task, output_bytes, read_all, remote_processes, stream_bytes, submit,
                           wait_target_running, wait_task)

pytestmark = pytest.mark.pg


@pytest.fixture
def pair(instance_pair):
    """(runner, other): two instances on one database."""
    return instance_pair


def test_a_task_run_by_one_instance_streams_live_through_the_other(pair, sshd):
    runner, other = pair
    roles = fleet_roles(runner)
    servers = [add_server(runner, roles.operator, sshd)["id"] for _ in range(2)]
    created = submit(runner, roles.operator, servers, "echo one; sleep 2; echo two >&2; sleep 0.5; echo three")
    arrivals: list[float] = []
    messages, code, reason = read_all(connect(other, created["id"], roles.viewer), arrivals=arrivals)
    assert code == 1000, (code, reason)
    assert messages[0]["type"] == "task" and messages[0]["task"]["state"] in ("queued", "running")
    assert messages[-1]["type"] == "summary" and messages[-1]["task"]["state"] == "succeeded"
    for sid in servers:
        assert stream_bytes(messages, sid) == b"one\ntwo\nthree\n"
    # Live, not all at the end: the first output came while the targets were still sleeping.
    first_output = next(i for i, m in enumerate(messages) if m["type"] == "output")
    assert arrivals[-1] - arrivals[first_output] > 1.5, arrivals
    # Every target's end was announced, after its own output.
    ends = {m["server_id"]: i for i, m in enumerate(messages) if m["type"] == "target" and m["state"] == "succeeded"}
    assert sorted(ends) == sorted(servers)
    for sid, at in ends.items():
        last_output = max(i for i, m in enumerate(messages) if m["type"] == "output" and m["target"] == sid)
        assert last_output < at
    seqs = [m["seq"] for m in messages if m["type"] == "output"]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))


def test_a_task_run_by_one_instance_is_cancelled_through_the_other(pair, sshd):
    runner, other = pair
    roles = fleet_roles(runner)
    servers = [add_server(runner, roles.operator, sshd)["id"] for _ in range(2)]
    marker = f"{time.time_ns() % 100000 + 50000}.25"
    created = submit(runner, roles.operator, servers, f"echo started; sleep {marker}", concurrency=1)
    wait_target_running(other, roles.viewer, created["id"])
    # Cancel only once the run has nothing left to write: a quiet run must still see the stored request.
    assert poll(lambda: output_bytes(other, roles.viewer, created["id"], servers[0]) == b"started\n", timeout=15)
    resp = other.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.operator)
    assert resp.status_code == 202, resp.text
    task = wait_task(other, roles.viewer, created["id"], timeout=30)
    assert task["state"] == "cancelled", task
    assert [t["state"] for t in task["targets"]] == ["cancelled", "cancelled"], task
    assert output_bytes(other, roles.viewer, task["id"], servers[0]) == b"started\n"
    deadline = time.monotonic() + 15
    while remote_processes(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert remote_processes(f"sleep {marker}") == []


def test_a_cancel_through_the_other_reaches_a_run_whose_writes_fail(pair, sshd, pg_database, request):
    runner, other = pair
    roles = fleet_roles(runner)
    server = add_server(runner, roles.operator, sshd)["id"]
    marker = f"{time.time_ns() % 100000 + 60000}.25"
    gate = Path(f"/tmp/gh-gate-{marker}")  # where the remote user can see it
    # The output comes only after the output table is gone, so every batch write of the run fails.
    created = submit(runner, roles.operator, [server],
                     f"while [ ! -e {gate} ]; do sleep 0.05; done; echo started; sleep {marker}")
    wait_target_running(other, roles.viewer, created["id"])
    psql(pg_database, "DROP TABLE task_output")
    gate.touch()
    request.addfinalizer(lambda: gate.unlink(missing_ok=True))
    assert poll(lambda: "task.store_failed" in runner.log_tail(100000), timeout=15)
    assert poll(lambda: remote_processes(f"sleep {marker}"), timeout=15)
    resp = other.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.operator)
    assert resp.status_code == 202, resp.text
    # Stopped on request, not left to its 300 s timeout.
    assert poll(lambda: remote_processes(f"sleep {marker}") == [], timeout=15)
    task = wait_task(other, roles.viewer, created["id"], timeout=60)
    assert task["state"] != "running" and task["cancel_requested"], task
    assert other.get("/healthz").status_code == 200


def test_a_watcher_leaving_a_followed_task_is_let_go(pair, sshd):
    runner, other = pair
    roles = fleet_roles(runner)
    server = add_server(runner, roles.operator, sshd)["id"]
    created = submit(runner, roles.operator, [server], "echo a; sleep 3; echo b")
    ws = connect(other, created["id"], roles.viewer)
    assert ws.recv()  # the greeting
    ws.close()
    deadline = time.monotonic() + 5
    open_now = None
    while time.monotonic() < deadline:
        lines = [line for line in other.get("/metrics").text.splitlines()
                 if line.startswith("gatehouse_http_websockets_open")]
        open_now = float(lines[0].split()[-1]) if lines else None
        if open_now == 0:
            break
        time.sleep(0.1)
    assert open_now == 0, "the followed stream stayed open after its client left"
    assert wait_task(runner, roles.viewer, created["id"])["state"] == "succeeded"


def test_a_dead_instances_task_is_swept_by_the_other_after_30_s_without_a_heartbeat(pair, sshd):
    runner, other = pair
    roles = fleet_roles(runner)
    server = add_server(runner, roles.operator, sshd)["id"]
    marker = f"{time.time_ns() % 100000 + 60000}.75"
    created = submit(runner, roles.operator, [server], f"sleep {marker}", timeout_s=600)
    wait_target_running(other, roles.viewer, created["id"])
    runner.proc.kill()  # a crash: no interrupt written, no heartbeat any more
    runner.proc.wait(timeout=10)
    killed = time.monotonic()
    try:
        # Its last heartbeat was at most 5 s before the kill: for 20 s the other instance must leave it alone.
        while time.monotonic() - killed < 20:
            task = get_task(other, roles.viewer, created["id"])
            assert task["state"] == "running", f"swept {time.monotonic() - killed:.1f} s after the kill: {task}"
            time.sleep(1)
        task = wait_task(other, roles.viewer, created["id"], timeout=40)
        swept_after = time.monotonic() - killed
        assert task["state"] == "interrupted", task
        assert task["targets"][0]["state"] == "interrupted", task
        # 30 s without a heartbeat (the last one up to 5 s before the kill), found by a sweep every 5 s.
        assert 20 <= swept_after <= 30 + 5 + 10, swept_after
    finally:
        subprocess.run(["pkill", "-f", f"sleep {marker}"], capture_output=True, timeout=10)
