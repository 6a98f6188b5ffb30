"""`gatehouse user add|passwd|disable|enable|list` on the database, with the server running on the
same data directory, and without a server."""

from __future__ import annotations

import subprocess

import pytest

from support import (
    ADMIN_PASSWORD,
    API,
    FAST_HASH_ARGS,
    admin_login,
    assert_problem,
    bin_path,
    clean_env,
    login,
    login_ok,
    run_cli,
    start_identity,
    wait_audit,
)

BOB_PW = "cli-bob-pw-8080"


def cli(data_dir, *args, password: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`gatehouse user --data-dir D <args>`; the password from GATEHOUSE_USER_PASSWORD or stdin."""
    env = clean_env({"GATEHOUSE_USER_PASSWORD": password} if password is not None else {})
    return subprocess.run([bin_path(), "user", "--data-dir", str(data_dir), *FAST_HASH_ARGS, *args], env=env,
                          input=stdin if stdin is not None else "", capture_output=True, text=True, timeout=60)


def listed(data_dir) -> dict[str, list[str]]:
    """username -> the other columns of its `user list` row."""
    result = cli(data_dir, "list")
    assert result.returncode == 0, result.stderr
    rows = {}
    for line in result.stdout.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 4:
            rows[cols[1]] = cols
    return rows


@pytest.fixture(scope="module")
def server(start_module_server):
    return start_identity(start_module_server)


def test_add_disable_enable_with_the_server_running(server):
    d = server.data_dir
    result = cli(d, "add", "bob", "--role", "operator", password=BOB_PW)
    assert result.returncode == 0, result.stderr
    assert "bob" in result.stdout and BOB_PW not in result.stdout + result.stderr
    rows = listed(d)
    assert "bob" in rows and "admin" in rows
    assert rows["bob"][2] == "operator" and rows["bob"][3] == "no"
    session = login_ok(server, "bob", BOB_PW)
    assert session.user["role"] == "operator"

    result = cli(d, "disable", "bob")
    assert result.returncode == 0, result.stderr
    assert listed(d)["bob"][3] == "yes"
    assert_problem(login(server, "bob", BOB_PW), 401)
    assert_problem(server.get(f"{API}/users/me", headers=session.headers), 401)

    result = cli(d, "enable", "bob")
    assert result.returncode == 0, result.stderr
    assert listed(d)["bob"][3] == "no"
    assert login_ok(server, "bob", BOB_PW)
    # The server sees the same rows.
    admin = admin_login(server)
    users = {u["username"]: u for u in server.get(f"{API}/users", headers=admin.headers).json()["items"]}
    assert users["bob"]["role"] == "operator" and users["bob"]["disabled"] is False


def test_password_from_stdin_and_passwd(server):
    d = server.data_dir
    result = cli(d, "add", "stdin-user", stdin="cli-stdin-pw-1\n")
    assert result.returncode == 0, result.stderr
    assert listed(d)["stdin-user"][2] == "viewer"  # the default role
    assert login_ok(server, "stdin-user", "cli-stdin-pw-1")
    result = cli(d, "passwd", "stdin-user", password="cli-stdin-pw-2")
    assert result.returncode == 0, result.stderr
    assert_problem(login(server, "stdin-user", "cli-stdin-pw-1"), 401)
    assert login_ok(server, "stdin-user", "cli-stdin-pw-2")


def test_cli_changes_are_audited(server):
    d = server.data_dir
    assert cli(d, "add", "audited-cli", password="cli-audit-pw-1").returncode == 0
    admin = admin_login(server)
    events = wait_audit(server, admin.access, lambda e: e["resource"]["id"] == "audited-cli", action="user.create")
    assert events[0]["actor"]["kind"] == "system" and events[0]["actor"]["name"] == "cli"
    assert "cli-audit-pw-1" not in str(events)


@pytest.mark.parametrize("args,password", [
    (("add", "bob"), BOB_PW),                          # taken (created above; case-insensitive below)
    (("add", "BOB"), BOB_PW),
    (("add", "short-pw"), "short"),
    (("add", "bad name"), BOB_PW),
    (("add", "wrong-role", "--role", "root"), BOB_PW),
    (("passwd", "no-such-user"), BOB_PW),
    (("passwd", "admin"), "short"),
    (("disable", "no-such-user"), None),
    (("disable", "admin"), None),                       # the last active admin
])
def test_refusals(server, args, password):
    d = server.data_dir
    if not any(r == "bob" for r in listed(d)):
        assert cli(d, "add", "bob", "--role", "operator", password=BOB_PW).returncode == 0
    result = cli(d, *args, password=password)
    assert result.returncode != 0, f"{args} succeeded: {result.stdout}"
    assert result.stderr.strip(), "a refusal says why on stderr"
    if password and len(password) >= 8:
        assert password not in result.stdout + result.stderr
    # The admin still works with the original password.
    assert login(server, "admin", ADMIN_PASSWORD).status_code == 200
    rows = listed(d)
    assert "wrong-role" not in rows and "short-pw" not in rows and "no-such-user" not in rows
    assert rows["admin"][3] == "no"


def test_without_a_server(tmp_path):
    """Users may be added before the first start, on a database `gatehouse migrate` made; the CLI creates no keys."""
    d = tmp_path / "offline"
    assert run_cli(["migrate", "--data-dir", str(d)]).returncode == 0
    before = sorted(p.name for p in d.iterdir())
    result = cli(d, "add", "offline-admin", "--role", "admin", password="offline-pw-1")
    assert result.returncode == 0, result.stderr
    rows = listed(d)
    assert rows["offline-admin"][2] == "admin"
    assert cli(d, "disable", "offline-admin").returncode != 0  # the last active admin
    assert sorted(p.name for p in d.iterdir()) == before, "the user command created files (keys?)"


@pytest.mark.parametrize("args", [("list",), ("add", "nobody"), ("passwd", "admin"), ("delete", "admin")])
def test_no_data_directory_is_an_error_and_nothing_is_created(tmp_path, args):
    missing = tmp_path / "missing"
    result = cli(missing, *args, password="never-used-pw-1")
    assert result.returncode != 0, result.stdout
    assert str(missing) in result.stderr and "--data-dir" in result.stderr, result.stderr
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli(empty, *args, password="never-used-pw-1")
    assert result.returncode != 0, result.stdout
    assert "--data-dir" in result.stderr, result.stderr
    assert list(empty.iterdir()) == [], "the user command created files in an empty directory"


def test_an_empty_password_says_so(server):
    result = cli(server.data_dir, "add", "no-password-user", stdin="\n")
    assert result.returncode != 0
    assert "no password given" in result.stderr, result.stderr
    assert "no-password-user" not in listed(server.data_dir)


def test_role_and_delete_with_the_server_running(server):
    d = server.data_dir
    assert cli(d, "add", "carol", "--role", "viewer", password="cli-carol-pw-1").returncode == 0
    session = login_ok(server, "carol", "cli-carol-pw-1")
    result = cli(d, "role", "carol", "operator")
    assert result.returncode == 0, result.stderr
    assert listed(d)["carol"][2] == "operator"
    me = server.get(f"{API}/users/me", headers=session.headers)
    assert me.status_code == 200 and me.json()["role"] == "operator", me.text
    bad = cli(d, "role", "carol", "root")
    assert bad.returncode != 0 and "admin, operator or viewer" in bad.stderr
    assert cli(d, "role", "admin", "viewer").returncode != 0  # the last active admin
    assert listed(d)["admin"][2] == "admin"

    result = cli(d, "delete", "carol")
    assert result.returncode == 0, result.stderr
    assert "carol" not in listed(d)
    assert_problem(server.get(f"{API}/users/me", headers=session.headers), 401)
    assert_problem(login(server, "carol", "cli-carol-pw-1"), 401)
    assert cli(d, "delete", "carol").returncode != 0
    admin = admin_login(server)
    wait_audit(server, admin.access, lambda e: e["resource"]["id"] == "carol", action="user.delete")


def test_config_flags_after_the_action(server):
    """`gatehouse user add NAME --data-dir D` (flags after the action, as for `serve`) works too."""
    d = server.data_dir
    env = clean_env({"GATEHOUSE_USER_PASSWORD": "cli-trailing-pw-1"})
    add = subprocess.run([bin_path(), "user", "add", "trailing", "--role", "viewer", "--data-dir", str(d),
                          *FAST_HASH_ARGS], env=env, input="", capture_output=True, text=True, timeout=60)
    assert add.returncode == 0, f"exit {add.returncode}: {add.stderr.strip()}"
    lst = subprocess.run([bin_path(), "user", "list", "--data-dir", str(d)], env=env, input="",
                         capture_output=True, text=True, timeout=60)
    assert lst.returncode == 0, f"exit {lst.returncode}: {lst.stderr.strip()}"
    assert "trailing" in lst.stdout
