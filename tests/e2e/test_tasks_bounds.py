"""The README's bounds on remote work, against a real sshd: a task's `concurrency` caps how many of its targets run
at once, `workers.ssh_threads` caps how many SSH commands run at once in the process, and the first start prints
the generated admin password once."""

from __future__ import annotations

import re

from support import API, fleet_roles, start_identity
from tasks_support import add_server, output_bytes, submit, wait_task

# Each target prints when its command started and ended (the sshd host's clock, shared by every target).
TIMED = "date +%s.%N; sleep 1.5; date +%s.%N"


def most_at_once(gh, headers, task) -> int:
    spans = []
    for target in task["targets"]:
        start, end = (float(x) for x in output_bytes(gh, headers, task["id"], target["server_id"]).split())
        spans.append((start, end))
    return max(sum(1 for s, e in spans if s <= at < e) for at, _ in spans)


def test_task_concurrency_caps_the_targets_running_at_once(gh, roles, sshd):
    servers = [add_server(gh, roles.operator, sshd)["id"] for _ in range(5)]
    for concurrency, expected in ((2, 2), (5, 5)):
        created = submit(gh, roles.operator, servers, TIMED, concurrency=concurrency)
        task = wait_task(gh, roles.viewer, created["id"], timeout=60)
        assert task["state"] == "succeeded", task
        # At most `concurrency` at once, and really that many: the bound is not a serialisation.
        assert most_at_once(gh, roles.viewer, task) == expected, (concurrency, task)


def test_ssh_threads_cap_the_commands_running_at_once(start_module_server, sshd):
    gh = start_identity(start_module_server, "--workers-ssh-threads", "2")
    roles = fleet_roles(gh)
    servers = [add_server(gh, roles.operator, sshd)["id"] for _ in range(5)]
    created = submit(gh, roles.operator, servers, TIMED, concurrency=5)
    task = wait_task(gh, roles.viewer, created["id"], timeout=60)
    assert task["state"] == "succeeded", task
    assert most_at_once(gh, roles.viewer, task) == 2


def test_the_first_start_prints_the_admin_password_once(start_server, tmp_path):
    data = tmp_path / "data"
    first = start_server(data_dir=str(data))
    assert first.terminate() == 0
    printed = re.findall(r"created user 'admin' with password: (\S+)", first.log_path.read_text(errors="replace"))
    assert len(printed) == 1, first.log_tail()
    second = start_server(data_dir=str(data))
    resp = second.request("POST", f"{API}/auth/login", json={"username": "admin", "password": printed[0]})
    assert resp.status_code == 200, resp.text
    assert second.terminate() == 0
    assert "created user 'admin'" not in second.log_path.read_text(errors="replace")
