"""Process lifecycle: first start, restarts, startup time, graceful shutdown, memory."""

import http.client
import json
import signal
import stat
import threading
import re
import time

import pytest
import requests

KEY_FILES = ("vault.key", "jwt.key")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_creates_private_data_dir(start_server, tmp_path):
    data = tmp_path / "data"
    assert not data.exists()
    server = start_server(data_dir=data)
    assert server.get("/readyz").status_code == 200
    assert data.is_dir()
    assert mode(data) == 0o700, oct(mode(data))
    for name in ("gatehouse.db", *KEY_FILES):
        assert (data / name).is_file(), f"{name} missing from the data dir: {sorted(p.name for p in data.iterdir())}"
    for name in KEY_FILES:
        assert mode(data / name) == 0o600, f"{name} has mode {oct(mode(data / name))}"
        assert (data / name).stat().st_size > 0


def test_restart_keeps_keys(start_server, tmp_path):
    data = tmp_path / "data"
    first = start_server(data_dir=data)
    assert first.get("/healthz").status_code == 200
    keys = {name: (data / name).read_bytes() for name in KEY_FILES}
    assert first.terminate() == 0
    second = start_server(data_dir=data)
    assert second.get("/readyz").status_code == 200
    for name, content in keys.items():
        assert (data / name).read_bytes() == content, f"{name} was rewritten on restart"
        assert mode(data / name) == 0o600


def test_start_with_the_ui_embedded_is_under_100ms(start_server, tmp_path):
    """A start on an existing data dir (the first one also creates keys and the admin): listening and serving the
    web UI's page within 100 ms of exec. The best of three, so a scheduler hiccup on a shared machine does not
    decide."""
    data = tmp_path / "data"
    start_server(data_dir=data).terminate()
    timings = []
    for _ in range(3):
        server = start_server(data_dir=data, wait=False)
        server.wait_listening(timeout=2.0)
        listening = time.monotonic() - server.started_at
        assert server.get("/", headers={"Accept-Encoding": "gzip"}).status_code == 200
        timings.append((listening, time.monotonic() - server.started_at))
        assert server.terminate() == 0
    best = min(timings)
    print(f"start: listening after {best[0] * 1000:.0f} ms, web UI served after {best[1] * 1000:.0f} ms "
          f"(all: {[(round(a * 1000), round(b * 1000)) for a, b in timings]})")
    assert best[1] < 0.1


def wait_healthy(server, deadline: float):
    """Poll /healthz and /readyz until both answer 200; returns the seconds since process start."""
    pending = ["/healthz", "/readyz"]
    last = None
    while pending and time.monotonic() < deadline:
        try:
            resp = server.get(pending[0], timeout=max(0.05, deadline - time.monotonic()))
            last = (pending[0], resp.status_code, resp.text[:200])
            if resp.status_code == 200:
                pending.pop(0)
                continue
        except requests.RequestException as e:
            last = (pending[0], repr(e))
        time.sleep(0.02)
    assert not pending, f"not healthy and ready in time; last: {last}\n{server.log_tail()}"
    return time.monotonic() - server.started_at


def test_startup_sqlite_defaults(start_server, tmp_path):
    cwd = tmp_path / "empty"
    cwd.mkdir()
    server = start_server(cwd=cwd, data_dir=None, wait=False)
    server.wait_listening(timeout=2.0)
    elapsed = wait_healthy(server, server.started_at + 2.0)
    assert elapsed <= 2.0
    assert (cwd / "gatehouse-data").is_dir(), "default data dir ./gatehouse-data was not created"
    assert (cwd / "gatehouse-data" / "gatehouse.db").is_file()


@pytest.mark.pg
def test_startup_postgresql(start_server, pg_database):
    server = start_server("--database-url", pg_database, wait=False)
    server.wait_listening(timeout=2.0)
    elapsed = wait_healthy(server, server.started_at + 2.0)
    assert elapsed <= 2.0


def is_ok_body(body: bytes) -> bool:
    try:
        return json.loads(body)["status"] == "ok"
    except (ValueError, KeyError, TypeError):
        return False


def test_sigterm_under_load(start_server):
    grace = 5
    server = start_server("--http-shutdown-grace-s", str(grace))
    host, port = "127.0.0.1", server.port
    stop = threading.Event()
    lock = threading.Lock()
    ok = 0
    broken = []  # responses that started but were not complete 200s
    early_errors = []  # connection errors before SIGTERM was sent
    sigterm_at = [None]

    def worker():
        nonlocal ok
        conn = None
        deadline = time.monotonic() + 3.0
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=5)
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected, OSError) as e:
                # No response at all: fine after SIGTERM (listener closed, keep-alive closed).
                with lock:
                    if sigterm_at[0] is None:
                        early_errors.append(repr(e))
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
                continue
            try:
                body = resp.read()
            except (http.client.IncompleteRead, ConnectionError, OSError) as e:
                with lock:
                    broken.append(f"incomplete body: {e!r}")
                conn.close()
                conn = None
                continue
            with lock:
                if resp.status == 200 and is_ok_body(body):
                    ok += 1
                else:
                    broken.append(f"{resp.status} {body[:200]!r}")
            if resp.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(20)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    with lock:
        sigterm_at[0] = time.monotonic()
        ok_before = ok
    server.proc.send_signal(signal.SIGTERM)
    try:
        code = server.proc.wait(timeout=grace + 2)
    except Exception:
        pytest.fail(f"gatehouse still running {grace + 2}s after SIGTERM\n{server.log_tail()}")
    exit_after = time.monotonic() - sigterm_at[0]
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert code == 0, f"exit code {code} after SIGTERM\n{server.log_tail()}"
    assert exit_after <= grace + 1, f"exit took {exit_after:.1f}s (grace {grace}s)"
    assert ok_before > 0, "no request succeeded before SIGTERM"
    assert not early_errors, f"connection errors before SIGTERM: {early_errors[:5]}"
    assert not broken, f"broken responses: {broken[:5]}"


def test_idle_rss_below_25mb(server):
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/nope.txt"):
        server.get(path)
    # With the web UI embedded, after a browser loaded it.
    page = server.get("/servers", headers={"Accept-Encoding": "gzip"})
    for asset in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text):
        assert server.get(asset, headers={"Accept-Encoding": "gzip"}).status_code == 200
    time.sleep(0.5)
    status = open(f"/proc/{server.pid}/status").read()
    rss_kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
    print(f"idle RSS {rss_kb / 1024:.1f} MiB")
    assert rss_kb < 25 * 1024, f"idle RSS {rss_kb / 1024:.1f} MiB"



def test_sigterm_right_after_the_listening_line_is_a_clean_stop(start_server, tmp_path):
    """Whoever reads "listening on" may stop the server at once: SIGTERM is a clean stop (exit 0) from then on."""
    for i in range(10):
        server = start_server(data_dir=str(tmp_path / "data"))
        assert server.terminate() == 0, f"start {i}: {server.log_tail()}"
