"""Helpers for the task, key-deployment and app tests: servers on the sshd fixture, waiting for
tasks, reading output back as bytes."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import time

import websocket

from support import API, unique


def add_server(gh, headers, sshd, **over) -> dict:
    body = {"name": unique("srv"), "address": "127.0.0.1", "ssh_port": sshd.port, "ssh_user": sshd.user,
            "auth_method": "password", "password": sshd.password}
    body.update(over)
    resp = gh.request("POST", f"{API}/servers", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def submit(gh, headers, targets, command, **fields) -> dict:
    body = {"targets": targets, "kind": "exec", "command": command, **fields}
    resp = gh.request("POST", f"{API}/tasks", headers=headers, json=body)
    assert resp.status_code == 202, resp.text
    assert resp.json()["id"]
    return resp.json()


def get_task(gh, headers, task_id) -> dict:
    resp = gh.request("GET", f"{API}/tasks/{task_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def wait_task(gh, headers, task_id, timeout: float = 60.0, states=None) -> dict:
    """Polls until the task reaches a final state (or one of `states`)."""
    deadline = time.monotonic() + timeout
    task = get_task(gh, headers, task_id)
    while time.monotonic() < deadline:
        task = get_task(gh, headers, task_id)
        if (states and task["state"] in states) or (not states and task["state"] not in ("queued", "running")):
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} still {task['state']} after {timeout} s: {task}")


def wait_target_running(gh, headers, task_id, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = get_task(gh, headers, task_id)
        if any(t["state"] == "running" for t in task["targets"]):
            return task
        time.sleep(0.05)
    raise AssertionError(f"no target of {task_id} started")


def output_items(gh, headers, task_id, **params) -> list[dict]:
    items, since = [], params.pop("since_seq", 0)
    for _ in range(10000):
        resp = gh.request("GET", f"{API}/tasks/{task_id}/output", headers=headers,
                          params={**params, "since_seq": since, "limit": 10000})
        assert resp.status_code == 200, resp.text
        page = resp.json()["items"]
        if not page:
            return items
        items += page
        since = page[-1]["seq"]
    raise AssertionError("output did not end")


def decode(item: dict) -> bytes:
    assert item["encoding"] in ("utf8", "base64"), item
    return item["data"].encode() if item["encoding"] == "utf8" else base64.b64decode(item["data"])


def output_bytes(gh, headers, task_id, target, stream=None) -> bytes:
    items = output_items(gh, headers, task_id, target=target)
    return b"".join(decode(i) for i in items if stream is None or i["stream"] == stream)


def break_task_output(data_dir) -> None:
    """Drops the task output table of a running server's SQLite database: every later write (and read)
    of task output fails, as with a database that refuses the run's writes for good."""
    db = sqlite3.connect(str(data_dir / "gatehouse.db"), timeout=30)
    try:
        db.execute("DROP TABLE task_output")
        db.commit()
    finally:
        db.close()


def remote_processes(pattern: str) -> list[str]:
    """Processes on this host (the sshd fixture's) whose command line contains `pattern`."""
    out = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


# WebSocket /tasks/{id}/stream

def ws_url(gh, task_id, **query) -> str:
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return f"ws://127.0.0.1:{gh.port}{API}/tasks/{task_id}/stream" + (f"?{q}" if q else "")


def connect(gh, task_id, headers=None, timeout=30, **kw):
    header = [f"{k}: {v}" for k, v in (headers or {}).items()]
    # skip_utf8_validation: the client library validates in pure Python, far slower than the server sends.
    return websocket.create_connection(ws_url(gh, task_id, **kw.pop("query", {})), header=header,
                                       timeout=timeout, skip_utf8_validation=True, **kw)


def read_all(ws, deadline_s=120, arrivals: list | None = None) -> tuple[list[dict], int | None, str]:
    """Messages until the server closes; returns (messages, close code, close reason). `arrivals`
    gets the time.monotonic() at which each message arrived."""
    messages = []
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return messages, code, data[2:].decode(errors="replace")
        if opcode == websocket.ABNF.OPCODE_TEXT:
            messages.append(json.loads(data))
            if arrivals is not None:
                arrivals.append(time.monotonic())
    raise AssertionError("the stream did not end")


def stream_bytes(messages, target) -> bytes:
    return b"".join(decode(m) for m in messages if m["type"] == "output" and m["target"] == target)
