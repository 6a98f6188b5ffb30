"""kill -9 while 200 concurrent clients create users: after a restart on the same data directory,
every user whose creation was answered 201 exists, and the database opens cleanly."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from support import API, admin_login, bearer, login_ok, start_identity

CLIENTS = 200
WORKERS = 48
KILL_AFTER = 60  # 201 answers before the SIGKILL
PASSWORD = "durable-pw-2024"


def list_all_users(server, token) -> list[dict]:
    users, cursor = [], None
    for _ in range(100):
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        resp = server.get(f"{API}/users", headers=bearer(token), params=params, timeout=10)
        assert resp.status_code == 200, resp.text
        users += resp.json()["items"]
        cursor = resp.json()["next_cursor"]
        if not cursor:
            return users
    raise AssertionError("user paging did not end")


def test_kill_9_during_concurrent_user_creation(start_server, tmp_path):
    data_dir = tmp_path / "data"
    # 48 clients hashing at once: a hashing queue that takes them all (the default turns a flood away with 503).
    server = start_identity(start_server, "--workers-password-max-queued", "256", data_dir=data_dir)
    token = admin_login(server).access
    url = server.url + f"{API}/users"
    created: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()
    deadline = time.monotonic() + 45

    def create(i: int):
        name = f"dur-{i:03d}"
        if time.monotonic() > deadline:
            return name, "skipped"
        try:
            resp = requests.post(url, headers=bearer(token), timeout=10,
                                 json={"username": name, "password": PASSWORD, "role": "viewer"})
        except requests.RequestException as e:
            return name, type(e).__name__
        if resp.status_code == 201:
            assert resp.json()["username"] == name
            with lock:
                created.append(name)
                if len(created) >= KILL_AFTER:
                    enough.set()
        return name, resp.status_code

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(create, i) for i in range(CLIENTS)]
        assert enough.wait(timeout=40), f"only {len(created)} users created before the time limit"
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
        outcomes = [f.result(timeout=30) for f in futures]
    with lock:
        acknowledged = list(created)  # a 201 can still arrive in the instant of the kill: it counts too
    statuses = {}
    for _, status in outcomes:
        statuses[status] = statuses.get(status, 0) + 1
    assert set(statuses) - {201, "ConnectionError", "ChunkedEncodingError", "ReadTimeout", "skipped"} == set(), \
        statuses
    assert len(acknowledged) < CLIENTS, f"the kill came too late to test anything: {statuses}"
    print(f"outcomes around the kill: {statuses}")

    restarted = start_identity(start_server, data_dir=data_dir)
    ready = restarted.get("/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    admin = admin_login(restarted)
    names = [u["username"] for u in list_all_users(restarted, admin.access)]
    assert len(names) == len(set(names))
    missing = sorted(set(acknowledged) - set(names))
    assert not missing, f"{len(missing)} users answered 201 are gone after kill -9: {missing[:10]}"
    # The survivors are whole: they can log in, and new writes work.
    for name in acknowledged[:3]:
        assert login_ok(restarted, name, PASSWORD).user["username"] == name
    resp = restarted.request("POST", f"{API}/users", headers=admin.headers,
                             json={"username": "after-crash", "password": PASSWORD, "role": "viewer"})
    assert resp.status_code == 201, resp.text

    assert restarted.terminate() == 0
    db = sqlite3.connect(data_dir / "gatehouse.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
