"""Tasks of kind exec against a real sshd (tests/fixtures/sshd.sh): fan-out with interleaved
output, exit codes, timeouts and cancel that stop the remote processes, a target that is down,
byte-exact output including bytes that are not UTF-8, validation and access rules."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from support import API, assert_problem, connect, free_port, poll, send_quietly, unique
from tasks_support import (add_server, decode, get_task, output_bytes, output_items, remote_processes, submit,
                           wait_target_running, wait_task)


@pytest.fixture(scope="module")
def servers(gh, roles, sshd):
    return [add_server(gh, roles.operator, sshd, tags=["tasks-e2e", f"n{i}"]) for i in range(3)]


def test_fan_out_with_interleaved_output(gh, roles, servers):
    ids = [s["id"] for s in servers]
    command = "for i in 1 2 3 4; do echo out-$i; echo err-$i >&2; sleep 0.3; done"
    created = submit(gh, roles.operator, ids, command)
    assert created["state"] in ("queued", "running")
    assert created["progress"] == {"done": 0, "total": 3}
    task = wait_task(gh, roles.viewer, created["id"])
    assert task["state"] == "succeeded", task
    assert task["kind"] == "exec" and task["progress"] == {"done": 3, "total": 3}
    assert task["created_by_name"] and task["created_at"] and task["finished_at"]
    assert [t["server_id"] for t in task["targets"]] == ids
    for target in task["targets"]:
        assert target["state"] == "succeeded" and target["exit_code"] == 0, target
        assert target["started_at"] and target["finished_at"]
        assert output_bytes(gh, roles.viewer, task["id"], target["server_id"], "stdout") == \
            b"".join(b"out-%d\n" % i for i in range(1, 5))
        assert output_bytes(gh, roles.viewer, task["id"], target["server_id"], "stderr") == \
            b"".join(b"err-%d\n" % i for i in range(1, 5))
    items = output_items(gh, roles.viewer, task["id"])
    seqs = [i["seq"] for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # The targets ran at the same time: their chunks interleave in arrival order.
    order = [i["target"] for i in items]
    first_done = min(max(k for k, t in enumerate(order) if t == sid) for sid in ids)
    assert len(set(order[:first_done + 1])) == 3, order
    assert {i["stream"] for i in items} == {"stdout", "stderr"}


def test_selector_by_tags_and_since_seq(gh, roles, servers):
    created = submit(gh, roles.operator, [], "echo tagged", selector={"tags": ["tasks-e2e", "n1"]})
    task = wait_task(gh, roles.viewer, created["id"])
    assert [t["server_id"] for t in task["targets"]] == [servers[1]["id"]]
    items = output_items(gh, roles.viewer, task["id"])
    assert b"".join(decode(i) for i in items) == b"tagged\n"
    assert output_items(gh, roles.viewer, task["id"], since_seq=items[-1]["seq"]) == []


def test_nonzero_exit_fails_the_task(gh, roles, servers):
    created = submit(gh, roles.operator, [servers[0]["id"], servers[1]["id"]],
                     'if [ "$(hostname)" ]; then echo partial; exit 3; fi')
    task = wait_task(gh, roles.viewer, created["id"])
    assert task["state"] == "failed"
    for target in task["targets"]:
        assert target["state"] == "failed" and target["exit_code"] == 3
        assert "3" in target["error"]


def test_output_is_byte_exact_including_non_utf8(gh, roles, servers):
    # Every byte value, a UTF-8 text cut across reads, and a NUL: what the target printed comes back.
    every_byte = bytes(range(256))
    command = ("i=0; while [ $i -lt 256 ]; do printf \"\\\\$(printf %o $i)\"; i=$((i+1)); done; "
               "printf 'caf\\303\\251 \\342\\202\\254\\n'; seq 1 60000")
    created = submit(gh, roles.operator, [servers[0]["id"]], command)
    task = wait_task(gh, roles.viewer, created["id"])
    assert task["state"] == "succeeded", task
    expected = every_byte + "café €\n".encode() + b"".join(b"%d\n" % i for i in range(1, 60001))
    sid = servers[0]["id"]
    assert output_bytes(gh, roles.viewer, task["id"], sid) == expected
    items = output_items(gh, roles.viewer, task["id"], target=sid)
    assert any(i["encoding"] == "base64" for i in items)
    assert any(i["encoding"] == "utf8" for i in items)
    raw = gh.request("GET", f"{API}/tasks/{task['id']}/output", headers=roles.viewer,
                     params={"target": sid, "format": "raw"})
    assert raw.status_code == 200
    assert raw.headers["Content-Type"] == "application/octet-stream"
    assert raw.headers["Content-Length"] == str(len(expected))  # small: one answer with a length
    assert raw.content == expected


def vm_kib(pid: int, field: str) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field}")


def test_a_big_log_downloads_in_pieces_with_bounded_memory(start_module_server, sshd):
    """format=raw of 64 MB: streamed (chunked; to HTTP/1.0 until close), exact, and the server's
    memory does not grow by the log's size. A fresh server, so its peak is this download's."""
    from support import fleet_roles, start_identity

    big = start_identity(start_module_server)
    roles = fleet_roles(big)
    sid = add_server(big, roles.operator, sshd)["id"]
    # 64 distinct 1 MiB blocks: a piece sent twice or out of order would show.
    command = "i=0; while [ $i -lt 64 ]; do head -c 1048575 /dev/zero | tr '\\0' \"$(printf '\\%o' $((i + 64)))\"; echo; i=$((i+1)); done"
    task = wait_task(big, roles.viewer, submit(big, roles.operator, [sid], command)["id"], timeout=120)
    assert task["state"] == "succeeded", task
    expected = b"".join(bytes([64 + i]) * 1048575 + b"\n" for i in range(64))
    url = f"{API}/tasks/{task['id']}/output"
    params = {"target": sid, "format": "raw"}
    time.sleep(0.5)
    with open(f"/proc/{big.pid}/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM starts again from the current RSS: the task's own peak is not counted
    rss_before = vm_kib(big.pid, "VmRSS")
    resp = big.request("GET", url, headers=roles.viewer, params=params, stream=True)
    assert resp.status_code == 200
    assert resp.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in resp.headers
    body = b"".join(resp.iter_content(1 << 20))
    assert len(body) == len(expected) and body == expected
    growth_mib = (vm_kib(big.pid, "VmHWM") - rss_before) / 1024
    print(f"\nraw download of 64 MiB: server peak RSS grew by {growth_mib:.1f} MiB")
    assert growth_mib < 32, growth_mib  # held whole, the log alone would be 64
    # HEAD: the same header, no body.
    head = big.request("HEAD", url, headers=roles.viewer, params=params)
    assert head.status_code == 200 and head.content == b"" and head.headers["Transfer-Encoding"] == "chunked"
    # HTTP/1.0 has no chunks: the body runs until the server closes.
    token = roles.viewer["Authorization"]
    with connect(big.port, 60) as sock:
        send_quietly(sock, f"GET {url}?target={sid}&format=raw HTTP/1.0\r\nAuthorization: {token}\r\n\r\n".encode())
        raw = bytearray()
        while piece := sock.recv(1 << 20):
            raw += piece
        raw = bytes(raw)
    head_end = raw.index(b"\r\n\r\n")
    assert raw.startswith(b"HTTP/1.0 200") or raw.startswith(b"HTTP/1.1 200"), raw[:100]
    assert b"chunked" not in raw[:head_end].lower()
    assert raw[head_end + 4:] == expected
    # Still serving, and an unknown target is a 404 before any byte of a body.
    missing = big.request("GET", url, headers=roles.viewer, params={"target": "nope", "format": "raw"})
    assert_problem(missing, 404)


def test_timeout_stops_the_remote_command(gh, roles, servers):
    marker = f"{time.time_ns() % 100000 + 40000}.5"
    created = submit(gh, roles.operator, [servers[0]["id"]], f"echo started; sleep {marker}; echo never",
                     timeout_s=2)
    task = wait_task(gh, roles.viewer, created["id"], timeout=30)
    target = task["targets"][0]
    assert target["state"] == "timed_out", target
    assert task["state"] == "failed"
    assert output_bytes(gh, roles.viewer, task["id"], target["server_id"]) == b"started\n"
    deadline = time.monotonic() + 10
    while remote_processes(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert remote_processes(f"sleep {marker}") == []


def test_a_target_is_running_only_once_its_command_started(gh, roles, sshd, silent_listener):
    """A server that accepts TCP but never speaks SSH: while gatehouse waits for its banner the target is still
    `queued` (nothing started there), and it fails without ever having run."""
    server = add_server(gh, roles.operator, sshd, ssh_port=silent_listener.port)
    created = submit(gh, roles.operator, [server["id"]], "echo never", timeout_s=3)
    silent_listener.wait_connected()
    (target,) = get_task(gh, roles.viewer, created["id"])["targets"]
    assert target["state"] == "queued" and target["started_at"] is None, target
    task = wait_task(gh, roles.viewer, created["id"], timeout=30)
    (target,) = task["targets"]
    assert target["state"] == "failed" and target["started_at"] is None and target["finished_at"], target
    assert target["error"], target


def test_cancel_stops_running_and_queued_targets(gh, roles, servers):
    marker = f"{time.time_ns() % 100000 + 40000}.25"
    ids = [s["id"] for s in servers]
    created = submit(gh, roles.operator, ids, f"sleep {marker}", concurrency=1)
    running = wait_target_running(gh, roles.viewer, created["id"])
    assert all(t["started_at"] for t in running["targets"] if t["state"] == "running"), running
    # `running` means sshd accepted the command; the shell may need a moment to exec `sleep`.
    assert poll(lambda: remote_processes(f"sleep {marker}"), timeout=10)
    resp = gh.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.operator)
    assert resp.status_code == 202, resp.text
    task = wait_task(gh, roles.viewer, created["id"], timeout=30)
    assert task["state"] == "cancelled", task
    assert [t["state"] for t in task["targets"]] == ["cancelled"] * 3
    deadline = time.monotonic() + 10
    while remote_processes(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert remote_processes(f"sleep {marker}") == []
    again = gh.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.operator)
    assert_problem(again, 409)


def test_stdin_is_at_its_end(gh, roles, servers):
    # As with `ssh host cmd </dev/null`: a command reading stdin ends at once, not at its timeout.
    started = time.monotonic()
    created = submit(gh, roles.operator, [servers[0]["id"]], 'cat; read x; echo "[${x-}]"', timeout_s=20)
    task = wait_task(gh, roles.viewer, created["id"], timeout=30)
    assert task["state"] == "succeeded", task
    assert time.monotonic() - started < 10
    assert output_bytes(gh, roles.viewer, task["id"], servers[0]["id"]) == b"[]\n"


class SilentListener:
    def __init__(self, port: int, held: list):
        self.port = port
        self.held = held  # the connections it accepted

    def wait_connected(self, timeout: float = 10.0):
        assert poll(lambda: self.held, timeout=timeout), "gatehouse never connected"


@pytest.fixture
def silent_listener():
    """A TCP port that accepts connections and never says a word (no SSH banner)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield SilentListener(listener.getsockname()[1], held)
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_timeout_s_bounds_the_connect_too(gh, roles, sshd, silent_listener):
    mute = add_server(gh, roles.operator, sshd, ssh_port=silent_listener.port)
    started = time.monotonic()
    task = wait_task(gh, roles.viewer, submit(gh, roles.operator, [mute["id"]], "true", timeout_s=2)["id"], timeout=30)
    assert time.monotonic() - started < 6  # the client's own connect limit is 10 s
    (target,) = task["targets"]
    assert task["state"] == "failed" and target["state"] == "failed" and target["error"], task


def test_a_target_cancelled_while_it_connects_is_cancelled(gh, roles, sshd, silent_listener):
    mute = add_server(gh, roles.operator, sshd, ssh_port=silent_listener.port)
    created = submit(gh, roles.operator, [mute["id"]], "true", timeout_s=5)
    silent_listener.wait_connected()
    resp = gh.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.operator)
    assert resp.status_code == 202, resp.text
    task = wait_task(gh, roles.viewer, created["id"], timeout=30)
    (target,) = task["targets"]
    assert task["state"] == "cancelled" and target["state"] == "cancelled", task
    assert target["error"] == "stopped on request"


def test_a_down_target_fails_alone(gh, roles, sshd, servers):
    down = add_server(gh, roles.operator, sshd, ssh_port=free_port())
    created = submit(gh, roles.operator, [down["id"], servers[0]["id"]], "echo up")
    task = wait_task(gh, roles.viewer, created["id"], timeout=60)
    assert task["state"] == "failed"
    by_id = {t["server_id"]: t for t in task["targets"]}
    assert by_id[down["id"]]["state"] == "failed"
    assert "refused" in by_id[down["id"]]["error"].lower(), by_id[down["id"]]
    assert by_id[down["id"]]["exit_code"] is None
    assert by_id[servers[0]["id"]]["state"] == "succeeded"
    assert output_bytes(gh, roles.viewer, task["id"], servers[0]["id"]) == b"up\n"


@pytest.mark.parametrize("body, needle", [
    ({"targets": [], "command": "true"}, "targets"),
    ({"command": "true"}, "targets"),
    ({"targets": ["x"]}, "command"),
    ({"targets": ["x"], "command": ""}, "command"),
    ({"targets": ["x"], "command": "echo a\u0000b"}, "NUL"),
    ({"targets": ["x", "0190aaaa-0000-7000-8000-000000000000"], "command": "true"}, "no such server"),
    ({"targets": "x", "command": "true"}, "targets"),
    ({"targets": [1], "command": "true"}, "targets"),
    ({"targets": ["x"], "command": "true", "timeout_s": 0}, "timeout_s"),
    ({"targets": ["x"], "command": "true", "timeout_s": "10"}, "timeout_s"),
    ({"targets": ["x"], "command": "true", "concurrency": 0}, "concurrency"),
    ({"targets": ["x"], "command": "true", "kind": "deploy_key"}, "kind"),
    ({"targets": ["x"], "command": "true", "selector": {"tags": []}}, "selector"),
    ({"targets": ["x"], "command": "true", "selector": {"labels": ["a"]}}, "labels"),
    ({"targets": ["x"], "command": "true", "surprise": 1}, "surprise"),
])
def test_bad_requests_are_refused_and_create_nothing(gh, roles, servers, body, needle):
    body = {k: ([servers[0]["id"]] if v == ["x"] else v) for k, v in body.items()}
    before = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"limit": 500}).json()["items"]
    problem = assert_problem(gh.request("POST", f"{API}/tasks", headers=roles.operator, json=body), 400)
    assert needle in problem["detail"], problem
    after = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"limit": 500}).json()["items"]
    assert len(after) == len(before)


def test_unknown_targets_and_tasks(gh, roles, servers):
    problem = assert_problem(gh.request("POST", f"{API}/tasks", headers=roles.operator,
                                        json={"targets": ["0190aaaa-0000-7000-8000-000000000000"], "command": "true"}),
                             400)
    assert problem["detail"] == "field 'targets': no such server: 0190aaaa-0000-7000-8000-000000000000"
    problem = assert_problem(gh.request("POST", f"{API}/tasks", headers=roles.operator,
                                        json={"selector": {"tags": ["no-such-tag"]}, "command": "true"}), 400)
    assert "no server" in problem["detail"]
    assert_problem(gh.request("GET", f"{API}/tasks/nope", headers=roles.viewer), 404)
    assert_problem(gh.request("GET", f"{API}/tasks/nope/output", headers=roles.viewer), 404)
    assert_problem(gh.request("POST", f"{API}/tasks/nope/cancel", headers=roles.operator), 404)


def test_roles(gh, roles, servers):
    body = {"targets": [servers[0]["id"]], "command": "true"}
    assert_problem(gh.request("POST", f"{API}/tasks", headers=roles.viewer, json=body), 403)
    assert_problem(gh.request("POST", f"{API}/tasks", json=body), 401)
    created = submit(gh, roles.admin, [servers[0]["id"]], "true")
    wait_task(gh, roles.viewer, created["id"])
    assert_problem(gh.request("POST", f"{API}/tasks/{created['id']}/cancel", headers=roles.viewer), 403)


def test_list_filters_and_cursor(gh, roles, servers):
    marker = unique("list")
    made = [submit(gh, roles.operator, [servers[2]["id"]], f"echo {marker}-{i}")["id"] for i in range(3)]
    for task_id in made:
        wait_task(gh, roles.viewer, task_id)
    seen, cursor = [], None
    for _ in range(50):
        params = {"server": servers[2]["id"], "limit": 2, "state": "succeeded", "kind": "exec"}
        if cursor:
            params["cursor"] = cursor
        page = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params=params).json()
        seen += [t["id"] for t in page["items"]]
        assert all(servers[2]["id"] in [x["server_id"] for x in t["targets"]] for t in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen[:3] == list(reversed(made))
    me = gh.request("GET", f"{API}/users/me", headers=roles.operator).json()
    mine = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"creator": me["id"]}).json()["items"]
    assert {t["id"] for t in mine} >= set(made)
    assert all(t["created_by"] == me["id"] for t in mine)
    for bad in ({"state": "bogus"}, {"state": "timed_out"}, {"kind": "shell"}):
        problem = assert_problem(gh.request("GET", f"{API}/tasks", headers=roles.viewer, params=bad), 400)
        assert problem["detail"].startswith(f"{next(iter(bad))} must be one of"), problem
    # An empty filter (a form's empty field) is no filter.
    unfiltered = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"limit": 500}).json()["items"]
    empty = gh.request("GET", f"{API}/tasks", headers=roles.viewer,
                       params={"limit": 500, "state": "", "server": "", "creator": "", "kind": ""}).json()["items"]
    assert [t["id"] for t in empty] == [t["id"] for t in unfiltered] and unfiltered
    assert_problem(gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"cursor": "x'--"}), 400)
    assert get_task(gh, roles.viewer, made[0])["command"] == f"echo {marker}-0"
