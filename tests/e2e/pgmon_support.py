"""A real PostgreSQL 15 to monitor (tests/fixtures/pg.sh with password authentication and pg_stat_statements
preloaded), the roles a monitoring set-up has, sessions held open in psql processes, and servers pointing at it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse

import pytest

from support import API, poll, psql_path, unique

MONITOR_PASSWORD = "e2e-monitor-pw-7Yq"
NOMON_PASSWORD = "e2e-nomon-pw-3Rt"
APP_PASSWORD = "e2e-app-pw-5Lm"


class MonitoredPg:
    """A PostgreSQL whose roles need passwords over TCP: `monitor` (pg_monitor and pg_signal_backend only, not a
    superuser), `nomon` (no pg_monitor), `app` (owns database appdb, where pg_stat_statements is installed)."""

    def __init__(self, max_connections: int = 300):
        script = os.environ.get("GATEHOUSE_PG_FIXTURE")
        if not script:
            (pytest.fail if os.environ.get("CI") else pytest.skip)("GATEHOUSE_PG_FIXTURE is not set")
        self.script = script
        self.dir = tempfile.mkdtemp(prefix="gh-pgmon-", dir="/tmp")
        env = dict(os.environ, PG_PASSWORD_AUTH="1", PG_MAX_CONNECTIONS=str(max_connections))
        result = subprocess.run(["bash", script, "start", self.dir], stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=180, env=env)
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            self.stop()
            pytest.fail(f"pg.sh start failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        self.super_url = lines[-1].strip()
        self.port = urllib.parse.urlsplit(self.super_url).port
        self.sql(f"CREATE ROLE monitor LOGIN PASSWORD '{MONITOR_PASSWORD}' IN ROLE pg_monitor, pg_signal_backend")
        self.sql(f"CREATE ROLE nomon LOGIN PASSWORD '{NOMON_PASSWORD}'")
        self.sql(f"CREATE ROLE app LOGIN PASSWORD '{APP_PASSWORD}'")
        self.sql("CREATE DATABASE appdb OWNER app")
        self.sql("CREATE DATABASE plaindb OWNER app")  # no pg_stat_statements there
        self.sql("CREATE EXTENSION pg_stat_statements")
        self.sql("CREATE EXTENSION pg_stat_statements", db="appdb")
        self.sql("CREATE TABLE accounts (id int PRIMARY KEY, n int NOT NULL, note text)", db="appdb", user="app")
        # No autovacuum on it: the dead tuples the tests make must still be there when they look.
        self.sql("ALTER TABLE accounts SET (autovacuum_enabled = off)", db="appdb", user="app")
        self.sql("INSERT INTO accounts SELECT g, 0, 'x' FROM generate_series(1, 2000) g", db="appdb", user="app")
        # Two identical indexes (a duplicate) that no query ever uses (unused).
        self.sql("CREATE INDEX accounts_n_a ON accounts (n)", db="appdb", user="app")
        self.sql("CREATE INDEX accounts_n_b ON accounts (n)", db="appdb", user="app")
        self.sql("UPDATE accounts SET note = 'y' WHERE id <= 500", db="appdb", user="app")  # dead tuples

    def url(self, user: str = "gatehouse", db: str = "postgres", password: str | None = None) -> str:
        auth = user if password is None else f"{user}:{urllib.parse.quote(password)}"
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def app_url(self, db: str = "appdb") -> str:
        return self.url("app", db, APP_PASSWORD)

    def sql(self, sql: str, db: str = "postgres", user: str = "gatehouse") -> str:
        url = self.app_url(db) if user == "app" else self.url("gatehouse", db)
        result = subprocess.run([psql_path(), url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"psql {sql!r} failed:\n{result.stderr}"
        return result.stdout.strip()

    def pid_of(self, application: str, timeout: float = 10.0) -> int:
        text = poll(lambda: self.sql(f"SELECT pid FROM pg_stat_activity WHERE application_name = '{application}'"),
                    timeout=timeout)
        assert text, f"no session with application_name {application}"
        return int(text.splitlines()[0])

    def state_of(self, pid: int) -> str:
        return self.sql(f"SELECT coalesce(state, '') || '|' || coalesce(wait_event_type, '') FROM pg_stat_activity "
                        f"WHERE pid = {pid}")

    def stop(self) -> None:
        subprocess.run(["bash", self.script, "stop", self.dir], capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


class HeldSession:
    """A psql process that keeps its session open and runs what it is given, as an application would: a
    transaction left open, a statement blocked on a lock, a long pg_sleep."""

    def __init__(self, pg: MonitoredPg, application: str, db: str = "appdb"):
        self.application = application
        env = dict(os.environ, PGAPPNAME=application)
        self.proc = subprocess.Popen([psql_path(), pg.app_url(db), "-X", "-q", "-v", "ON_ERROR_STOP=0"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.pid = 0

    def send(self, sql: str) -> None:
        self.proc.stdin.write(sql.rstrip() + "\n")
        self.proc.stdin.flush()

    def close(self) -> str:
        """Ends psql and returns what it printed on stderr (a cancelled statement says so)."""
        try:
            _, err = self.proc.communicate(input="", timeout=15)  # end of input: psql quits
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


def add_pg_server(gh, headers, pg: MonitoredPg, *, user: str = "monitor", password: str | None = MONITOR_PASSWORD,
                  port: int | None = None, database: str = "postgres", **endpoint) -> dict:
    """A server at 127.0.0.1 whose `postgres` endpoint points at `pg` (SSH fields are placeholders unless given)."""
    ssh = endpoint.pop("ssh", None) or {"ssh_port": 22, "ssh_user": "nobody", "auth_method": "password",
                                        "password": "unused"}
    postgres = {"port": port or pg.port, "user": user, "database": database, **endpoint}
    if password is not None:
        postgres["password"] = password
    body = {"name": unique("pg"), "address": "127.0.0.1", **ssh, "postgres": postgres}
    resp = gh.request("POST", f"{API}/servers", json=body, headers=headers, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()


def wait_state(pg: MonitoredPg, pid: int, expected: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pg.state_of(pid).startswith(expected):
            return
        time.sleep(0.05)
    raise AssertionError(f"session {pid} never reached {expected!r}: {pg.state_of(pid)!r}")


def hold_row_lock(pg: MonitoredPg, name: str) -> tuple[HeldSession, HeldSession]:
    """(holder, waiter): the holder idle in a transaction with row 1 of accounts locked, then the waiter blocked on
    that row; their applications are NAME-holder and NAME-waiter. The order matters: the waiter's UPDATE is sent only
    once the holder's lock is taken."""
    holder = HeldSession(pg, f"{name}-holder")
    holder.send("BEGIN; UPDATE accounts SET n = n + 1 WHERE id = 1;")
    holder.pid = pg.pid_of(f"{name}-holder")
    wait_state(pg, holder.pid, "idle in transaction")
    waiter = HeldSession(pg, f"{name}-waiter")
    waiter.send("UPDATE accounts SET n = n + 10 WHERE id = 1;")
    waiter.pid = pg.pid_of(f"{name}-waiter")
    wait_state(pg, waiter.pid, "active|Lock")
    return holder, waiter
