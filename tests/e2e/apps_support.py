"""Helpers for the project/app tests: a docker compose test double on the sshd fixture's host,
directories for apps, waiting for an app's status, editing the SQLite database of a stopped server.

Why a test double: there is no Docker engine here, and gatehouse's part of `POST /apps/{id}/start`
is only to run `cd -- <cd_path> && docker compose up -d` (or `docker-compose`) over SSH and to
follow the task's outcome. The double records what it was asked (program, working directory,
arguments) and behaves like compose for `version`, `up -d` and `down`:

  * `version` succeeds (prints a version) unless the plugin is switched off;
  * `up -d` writes `.compose-state` ("up") in the working directory, `down` removes it;
  * both exit 1 in a directory holding a `.fail-compose` file (a failing compose file), and
    first sleep as many seconds as a `.slow-compose` file there says.

Where the double goes depends on the host. The fixture logs in as the unprivileged user
`gatehouse-test`, whose non-interactive shell has sshd's default PATH (/usr/local/bin first):
  * with no `docker` there, the double is installed as /usr/local/bin/docker (it answers only
    `docker compose ...`; any other docker command says it is not installed);
  * with a real docker CLI there (never overwritten), the double is installed as that user's
    docker CLI plugin, ~gatehouse-test/.docker/cli-plugins/docker-compose, which the real CLI runs
    for `docker compose ...` (the plugin protocol: `docker-cli-plugin-metadata`, then `compose ARGS`).
The `docker-compose` fallback double is /usr/local/bin/docker-compose, installed only by the test
that needs it. Every file is removed at the end; an existing file that is not a double is never
touched (the tests skip instead)."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from support import API, unique

MARK = "gatehouse-compose-test-double"
USER = "gatehouse-test"

SCRIPT = r"""#!/bin/bash
# @MARK@: a TEST DOUBLE of docker compose for gatehouse's e2e tests (tests/e2e/apps_support.py).
# It is not docker: it records its calls and imitates `compose version | up -d | down`.
state='@STATE@'
via='@VIA@'
if [ "$via" = docker ]; then
    if [ "${1-}" != compose ]; then
        echo "docker: not installed (this is gatehouse's compose test double; it only knows 'compose')" >&2
        exit 127
    fi
    if [ -e "$state/no-plugin" ]; then
        echo "docker: 'compose' is not a docker command." >&2
        exit 1
    fi
    shift
elif [ "$via" = plugin ]; then
    if [ "${1-}" = docker-cli-plugin-metadata ]; then
        printf '{"SchemaVersion":"0.1.0","Vendor":"gatehouse tests","Version":"v2.99.0-double","ShortDescription":"compose test double"}\n'
        exit 0
    fi
    [ "${1-}" = compose ] && shift
fi
printf '%s\t%s\t%s\n' "$via" "$PWD" "$*" >>"$state/calls.log"
case "$*" in
    version)
        echo "Docker Compose version v2.99.0-double"
        ;;
    "up -d" | down)
        if [ -e .slow-compose ]; then sleep "$(cat .slow-compose)"; fi
        if [ -e .fail-compose ]; then
            echo "compose double: failing because $PWD/.fail-compose exists" >&2
            exit 1
        fi
        if [ "$1" = up ]; then
            echo up >.compose-state
            echo " Container double-1  Started"
        else
            rm -f .compose-state
            echo " Container double-1  Removed"
        fi
        ;;
    *)
        echo "compose double: unsupported arguments: $*" >&2
        exit 2
        ;;
esac
"""


def _is_double(path: Path) -> bool:
    try:
        return MARK in path.read_text(errors="replace")[:400]
    except (OSError, UnicodeDecodeError):
        return False


class ComposeDouble:
    """The double, installed for one test module; see the module docstring."""

    def __init__(self):
        self.user = pwd.getpwnam(USER)
        self.state = Path(tempfile.mkdtemp(prefix="gh-compose-double-", dir="/tmp"))
        os.chmod(self.state, 0o755)
        os.chown(self.state, self.user.pw_uid, self.user.pw_gid)
        self.log = self.state / "calls.log"
        self.installed: list[Path] = []
        self.created_dirs: list[Path] = []
        docker = Path("/usr/local/bin/docker")
        if not docker.exists() or _is_double(docker):
            self.mode = "docker"
            self._install(docker, "docker")
        else:
            self.mode = "plugin"
            plugins = Path(self.user.pw_dir) / ".docker" / "cli-plugins"
            for d in (plugins.parent, plugins):
                if not d.exists():
                    d.mkdir(mode=0o755)
                    os.chown(d, self.user.pw_uid, self.user.pw_gid)
                    self.created_dirs.append(d)
            plugin = plugins / "docker-compose"
            if plugin.exists() and not _is_double(plugin):
                self.remove()
                pytest.skip(f"{plugin} is a real compose plugin; not replacing it with a test double")
            self._install(plugin, "plugin")

    def _install(self, path: Path, via: str) -> None:
        text = SCRIPT.replace("@MARK@", MARK).replace("@STATE@", str(self.state)).replace("@VIA@", via)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
        self.installed.append(path)

    def install_standalone(self) -> Path:
        """The `docker-compose` fallback double (/usr/local/bin/docker-compose)."""
        path = Path("/usr/local/bin/docker-compose")
        if path.exists() and not _is_double(path):
            pytest.skip(f"{path} is a real docker-compose; not replacing it with a test double")
        self._install(path, "standalone")
        return path

    def uninstall(self, path: Path) -> None:
        if path in self.installed and _is_double(path):
            path.unlink()
            self.installed.remove(path)

    def plugin_available(self, available: bool) -> None:
        """Switches `docker compose` on or off (off: `docker compose version` fails)."""
        if self.mode == "docker":
            flag = self.state / "no-plugin"
            if available:
                flag.unlink(missing_ok=True)
            else:
                flag.touch()
        else:
            plugin = Path(self.user.pw_dir) / ".docker" / "cli-plugins" / "docker-compose"
            if available:
                self._install(plugin, "plugin")
            else:
                self.uninstall(plugin)

    def calls(self) -> list[tuple[str, str, str]]:
        """(via, working directory, arguments) of every call so far."""
        if not self.log.exists():
            return []
        return [tuple(line.split("\t", 2)) for line in self.log.read_text().splitlines()]

    def remove(self) -> None:
        for path in list(self.installed):
            self.uninstall(path)
        for d in reversed(self.created_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        shutil.rmtree(self.state, ignore_errors=True)


def app_dir(base: Path, name: str, *, fail: bool = False, slow: float = 0) -> str:
    """A compose directory `base/name` (name may hold '/', quotes, spaces) owned by the SSH user."""
    user = pwd.getpwnam(USER)
    path = Path(str(base) + "/" + name)
    path.mkdir(parents=True)
    os.chown(path, user.pw_uid, user.pw_gid)
    if fail:
        (path / ".fail-compose").write_text("")
    if slow:
        (path / ".slow-compose").write_text(f"{slow}\n")
    return str(path)


def make_base() -> Path:
    """A fresh directory under /tmp that the SSH user can enter."""
    base = Path(tempfile.mkdtemp(prefix=f"gh-apps-{unique('d')}-", dir="/tmp"))
    os.chmod(base, 0o755)
    return base


def create_project(gh, headers, **over) -> dict:
    body = {"name": unique("proj"), "description": "e2e"}
    body.update(over)
    resp = gh.request("POST", f"{API}/projects", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def create_app(gh, headers, project_id, server_id, cd_path, **over) -> dict:
    body = {"name": unique("app"), "project_id": project_id, "server_id": server_id, "cd_path": cd_path}
    body.update(over)
    resp = gh.request("POST", f"{API}/apps", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def get_app(gh, headers, app_id) -> dict:
    resp = gh.request("GET", f"{API}/apps/{app_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def wait_status(gh, headers, app_id, statuses, timeout: float = 60.0) -> dict:
    """Polls until the app's status is one of `statuses`."""
    statuses = {statuses} if isinstance(statuses, str) else set(statuses)
    deadline = time.monotonic() + timeout
    app = get_app(gh, headers, app_id)
    while time.monotonic() < deadline:
        app = get_app(gh, headers, app_id)
        if app["status"] in statuses:
            return app
        time.sleep(0.05)
    raise AssertionError(f"app {app_id} still {app['status']} after {timeout} s (wanted {statuses}): {app}")


def set_deadline(data_dir, app_id: str, epoch: int) -> None:
    """Moves an app's persisted auto-stop deadline (both columns) in <data_dir>/gatehouse.db."""
    text = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))
    db = sqlite3.connect(str(Path(data_dir) / "gatehouse.db"), timeout=30)
    try:
        with db:
            cur = db.execute("UPDATE apps SET auto_stop_epoch = ?, auto_stop_at = ? WHERE id = ?", (epoch, text, app_id))
            assert cur.rowcount == 1, f"no app {app_id} in the database"
    finally:
        db.close()
