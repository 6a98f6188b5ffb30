"""Black-box fixtures: start the real gatehouse binary and a throwaway PostgreSQL.

Environment (set by tests/e2e/CMakeLists.txt when run through ctest):
  GATEHOUSE_BIN         path of the gatehouse executable (tests are skipped without it)
  GATEHOUSE_PG_FIXTURE  path of tests/fixtures/pg.sh (PostgreSQL tests are skipped without it)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from support import Server, bin_path, psql, with_database


def pytest_configure(config):
    config.addinivalue_line("markers", "pg: needs the PostgreSQL fixture (tests/fixtures/pg.sh)")



@pytest.fixture
def gatehouse_bin() -> str:
    return bin_path()


def _serve_args(listen, data_dir, extra_args) -> list[str]:
    args = ["serve"]
    if listen is not None:
        args += ["--listen", listen]
    if data_dir is not None:
        args += ["--data-dir", str(data_dir)]
    return args + [str(a) for a in extra_args]


def _stop_all(servers: list[Server]) -> None:
    """SIGTERM every server; each one still running must exit with code 0."""
    failures = []
    for s in servers:
        was_running = s.running()
        try:
            code = s.terminate()
        except AssertionError as e:
            failures.append(str(e))
            continue
        if was_running and code != 0:
            failures.append(f"gatehouse exited with {code} after SIGTERM\n{s.log_tail()}")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(*extra_args, cwd=None, env=None, data_dir=..., wait=True) -> Server.

    By default the server listens on 127.0.0.1:0 with --data-dir <tmp>/data. Pass listen=None to
    leave out --listen, data_dir=None to leave out --data-dir. Every server still running at the end
    of the test gets SIGTERM and must exit with code 0."""
    servers: list[Server] = []

    def start(*extra_args, cwd=None, env=None, listen="127.0.0.1:0", data_dir="default", wait=True):
        if data_dir == "default":
            data_dir = str(tmp_path / "data")
        args = _serve_args(listen, data_dir, extra_args)
        log = tmp_path / f"gatehouse-{len(servers)}.log"
        server = Server(args, cwd=Path(cwd) if cwd else tmp_path, log_path=log, env=env)
        servers.append(server)
        return server.start(wait=wait)

    yield start

    _stop_all(servers)


@pytest.fixture
def server(start_server) -> Server:
    """A gatehouse on a free loopback port with a fresh SQLite data dir."""
    return start_server()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a throwaway PostgreSQL server (tests/fixtures/pg.sh), shared by the session."""
    script = os.environ.get("GATEHOUSE_PG_FIXTURE")
    if not script:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("GATEHOUSE_PG_FIXTURE is not set")
    # pg.sh needs a short directory the postgres user can reach: not pytest's 0700 tmp tree.
    pg_dir = tempfile.mkdtemp(prefix="gh-e2e-pg-", dir="/tmp")
    result = subprocess.run(
        ["bash", script, "start", pg_dir],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        subprocess.run(["bash", script, "stop", pg_dir], capture_output=True, timeout=120)
        shutil.rmtree(pg_dir, ignore_errors=True)
        pytest.fail(f"pg.sh start failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    try:
        yield lines[-1].strip()
    finally:
        subprocess.run(["bash", script, "stop", pg_dir], capture_output=True, timeout=120)
        shutil.rmtree(pg_dir, ignore_errors=True)


@pytest.fixture
def pg_database(pg_url) -> str:
    """A fresh, empty PostgreSQL database for one test; returns its URL."""
    name = "gh_" + uuid.uuid4().hex[:16]
    psql(pg_url, f"CREATE DATABASE {name}")
    yield with_database(pg_url, name)
    psql(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def monitored_pg():
    """A PostgreSQL 15 to monitor (pgmon_support.MonitoredPg: password logins, pg_stat_statements, the monitor, nomon
    and app roles), one per test module."""
    from pgmon_support import MonitoredPg

    server = MonitoredPg()
    yield server
    server.stop()


@pytest.fixture
def instance_pair(start_server, tmp_path, pg_database):
    """(a, b): two instances on one fresh PostgreSQL database, sharing the vault and JWT keys (as instances behind
    one load balancer do). Each has `.db_url`."""
    from support import start_identity

    a = start_identity(start_server, "--database-url", pg_database, data_dir=tmp_path / "a")
    b_dir = tmp_path / "b"
    b_dir.mkdir(mode=0o700)
    for name in ("vault.key", "jwt.key"):
        shutil.copyfile(a.data_dir / name, b_dir / name)
        os.chmod(b_dir / name, 0o600)
    b = start_identity(start_server, "--database-url", pg_database, data_dir=b_dir)
    a.db_url = b.db_url = pg_database
    return a, b


@pytest.fixture(scope="module")
def start_module_server(tmp_path_factory):
    """Like start_server, but the servers live until the end of the test module, so tests that do
    not interfere share one. Pass data_dir explicitly or get a fresh one per server."""
    servers: list[Server] = []
    base = tmp_path_factory.mktemp("module")

    def start(*extra_args, cwd=None, env=None, listen="127.0.0.1:0", data_dir=None, wait=True):
        index = len(servers)
        data_dir = str(data_dir) if data_dir else str(base / f"data-{index}")
        args = _serve_args(listen, data_dir, extra_args)
        server = Server(args, cwd=Path(cwd) if cwd else base, log_path=base / f"gatehouse-{index}.log", env=env)
        server.data_dir = Path(data_dir)
        servers.append(server)
        return server.start(wait=wait)

    yield start

    _stop_all(servers)


@pytest.fixture(scope="module")
def start_sshd():
    """Factory: start_sshd() -> support.Sshd, a real OpenSSH server on a free loopback port (via
    tests/fixtures/sshd.sh); every one started is stopped at the end of the module."""
    from support import Sshd, sshd_available

    why = sshd_available()
    if why:
        # Where CI runs, a missing sshd or root is a broken set-up, never a reason to pass without testing.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(why)
    started: list[tuple[Sshd, str]] = []

    def start() -> Sshd:
        # sshd reads authorized_keys as the unprivileged test user: not under pytest's 0700 tmp tree.
        base = tempfile.mkdtemp(prefix="gh-e2e-sshd-", dir="/tmp")
        os.chmod(base, 0o755)
        sshd = Sshd(Path(base))
        started.append((sshd, base))
        return sshd

    yield start
    for sshd, base in started:
        sshd.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def sshd(start_sshd):
    """One real sshd shared by a test module."""
    return start_sshd()


@pytest.fixture(scope="module")
def gh(start_module_server):
    """A gatehouse shared by a test module, with a known admin password and cheap hashing."""
    from support import start_identity

    return start_identity(start_module_server)


@pytest.fixture(scope="module")
def roles(gh):
    """Bearer headers of an admin, an operator and a viewer on `gh`."""
    from support import fleet_roles

    return fleet_roles(gh)


@pytest.fixture(scope="module")
def double(sshd):
    """The docker compose test double on the sshd fixture's host (tests/e2e/apps_support.py: there is no Docker
    engine here), removed at the end of the module."""
    from apps_support import ComposeDouble

    d = ComposeDouble()
    yield d
    d.remove()


@pytest.fixture(scope="module")
def base():
    """A directory for compose apps' working directories, readable by the sshd fixture's user."""
    from apps_support import make_base

    path = make_base()
    yield path
    shutil.rmtree(path, ignore_errors=True)
