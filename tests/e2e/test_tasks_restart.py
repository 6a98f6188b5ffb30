"""Restart safety: a task running when gatehouse stops (gracefully or killed) ends `interrupted`,
keeps the output it had stored, and its remote process does not run on; tasks work the same on
PostgreSQL, output bytes included."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from support import API, fleet_roles, start_identity
from tasks_support import (add_server, break_task_output, connect, get_task, output_bytes, read_all, remote_processes, submit,
                           wait_target_running, wait_task)


def wait_output(gh, headers, task_id, target, expected: bytes, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if output_bytes(gh, headers, task_id, target) == expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"output of {task_id} never became {expected!r}")


def wait_gone(pattern: str, timeout=15.0):
    deadline = time.monotonic() + timeout
    while remote_processes(pattern) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert remote_processes(pattern) == []


def start_task(gh, roles, sshd):
    servers = [add_server(gh, roles.operator, sshd)["id"] for _ in range(2)]
    marker = f"{time.time_ns() % 100000 + 50000}.75"
    created = submit(gh, roles.operator, servers, f"echo before; sleep {marker}; echo after", concurrency=1)
    wait_target_running(gh, roles.viewer, created["id"])
    wait_output(gh, roles.viewer, created["id"], servers[0], b"before\n")
    return created["id"], servers, marker


def check_interrupted(gh, roles, task_id, servers):
    task = get_task(gh, roles.viewer, task_id)
    assert task["state"] == "interrupted", task
    assert [t["state"] for t in task["targets"]] == ["interrupted", "interrupted"], task
    assert task["finished_at"] and task["progress"] == {"done": 2, "total": 2}
    assert output_bytes(gh, roles.viewer, task_id, servers[0]) == b"before\n"
    assert output_bytes(gh, roles.viewer, task_id, servers[1]) == b""


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_running_task_is_interrupted_by_a_restart(start_server, sshd, tmp_path, how):
    data_dir = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data_dir)
    roles = fleet_roles(gh)
    task_id, servers, marker = start_task(gh, roles, sshd)
    if how == "sigterm":
        started = time.monotonic()
        assert gh.terminate() == 0
        assert time.monotonic() - started < 20
        wait_gone(f"sleep {marker}")  # a graceful stop also stops the remote work
    else:
        os.kill(gh.pid, signal.SIGKILL)
        gh.proc.wait(timeout=10)
    again = start_identity(start_server, data_dir=data_dir)
    check_interrupted(again, roles, task_id, servers)
    # Each target says what happened to it: the stop reached the first while it ran, the second never started.
    first, second = get_task(again, roles.viewer, task_id)["targets"]
    assert first["error"] == "the server stopped while this target ran", first
    assert second["error"] == ("the task was stopped before this target started" if how == "sigterm"
                               else "the server stopped before this target started"), second
    # The restarted server runs new tasks as usual.
    task = wait_task(again, roles.viewer, submit(again, roles.operator, servers, "echo fresh")["id"])
    assert task["state"] == "succeeded"
    if how == "sigkill":
        os.system(f"pkill -f 'sleep {marker}'")  # nobody was left to stop it


@pytest.mark.pg
def test_tasks_on_postgresql(start_server, sshd, tmp_path, pg_database):
    gh = start_identity(start_server, "--database-url", pg_database, data_dir=tmp_path / "data")
    roles = fleet_roles(gh)
    servers = [add_server(gh, roles.operator, sshd)["id"] for _ in range(3)]
    command = "printf 'x\\000\\377\\376y\\n'; echo text; echo err >&2; exit 4"
    task = wait_task(gh, roles.viewer, submit(gh, roles.operator, servers, command)["id"])
    assert task["state"] == "failed"
    assert [t["exit_code"] for t in task["targets"]] == [4, 4, 4]
    for sid in servers:
        assert output_bytes(gh, roles.viewer, task["id"], sid, "stdout") == b"x\x00\xff\xfey\ntext\n"
        assert output_bytes(gh, roles.viewer, task["id"], sid, "stderr") == b"err\n"


def test_writes_refused_for_a_while_are_retried_and_nothing_is_lost(start_server, sshd, tmp_path):
    """Another process holds SQLite's write lock for longer than the busy timeout (5 s) while a task
    prints: the run's writes fail, are kept, and go in once the lock is gone; the task ends as it
    would have, with every byte of its output."""
    data_dir = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data_dir)
    roles = fleet_roles(gh)
    sid = add_server(gh, roles.operator, sshd)["id"]
    created = submit(gh, roles.operator, [sid], "i=1; while [ $i -le 16 ]; do echo line-$i; sleep 0.5; i=$((i+1)); done")
    wait_target_running(gh, roles.viewer, created["id"])
    db = sqlite3.connect(str(data_dir / "gatehouse.db"), timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN EXCLUSIVE")
        time.sleep(7)
        db.execute("COMMIT")
    finally:
        db.close()
    task = wait_task(gh, roles.viewer, created["id"], timeout=60)
    assert task["state"] == "succeeded", task
    assert output_bytes(gh, roles.viewer, task["id"], sid) == b"".join(b"line-%d\n" % i for i in range(1, 17))
    log = gh.log_tail(100000)
    assert log.count("task.store_failed") == 1 and "task.store_recovered" in log  # once per outage


def test_a_task_the_database_cannot_record_ends_failed(start_server, sshd, tmp_path):
    """When the database refuses the run's writes (here: its output table is dropped under it), the
    run keeps trying while its targets work, then ends the task failed with a reason instead of
    leaving it running until the next start; a watcher is told; the server goes on serving."""
    data_dir = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data_dir)
    roles = fleet_roles(gh)
    servers = [add_server(gh, roles.operator, sshd)["id"] for _ in range(2)]
    created = submit(gh, roles.operator, servers, "echo a; sleep 1.5; echo b")
    wait_target_running(gh, roles.viewer, created["id"])
    watcher = connect(gh, created["id"], roles.viewer, timeout=60)
    break_task_output(data_dir)
    task = wait_task(gh, roles.viewer, created["id"], timeout=60)
    assert task["state"] == "failed", task
    assert task["finished_at"] and task["progress"] == {"done": 2, "total": 2}
    for target in task["targets"]:
        assert target["state"] == "failed" and "could not be recorded" in target["error"], target
    # The watcher is let go, not left waiting for events that never come. Its last replay reads the
    # dropped table, so the server ends the stream as an internal error (1011), not with a summary.
    messages, code, _ = read_all(watcher, deadline_s=30)
    assert code == 1011 and messages[0]["type"] == "task", (code, messages[-1:])
    assert "task.store_failed" in gh.log_tail(100000)
    assert gh.get("/healthz").status_code == 200
    assert gh.request("GET", f"{API}/tasks/{created['id']}", headers=roles.viewer).status_code == 200
