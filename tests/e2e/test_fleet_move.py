"""Stored credentials only reach the endpoint they were approved for (hardening issue, item 1), and test-ssh
tests the connection as it is now (item 2). Two real sshd fixtures with different host keys stand for the old
and the new host; their logs show every login attempt."""

from __future__ import annotations

import re

import pytest

from support import API, assert_problem, wait_audit
from tasks_support import submit, wait_task
from test_fleet_ssh import add_server, get_server, test_ssh, without_a_probe


def log_of(sshd) -> str:
    return (sshd.dir / "sshd.log").read_text(errors="replace")


# What sshd logs (LogLevel VERBOSE) for any authentication attempt, successful or not.
AUTH_ATTEMPT = re.compile(r"Accepted |Failed |Invalid user|authentication failure|Postponed|userauth", re.I)


def auth_attempts(sshd) -> list[str]:
    return [line for line in log_of(sshd).splitlines() if AUTH_ATTEMPT.search(line)]


def logins(sshd) -> int:
    return log_of(sshd).count("Accepted password")


@pytest.fixture(scope="module")
def hosts(start_sshd):
    """Two hosts: `old` where the server was set up, `new` another machine (its own host key)."""
    old, new = start_sshd(), start_sshd()
    assert old.host_fingerprint() != new.host_fingerprint()
    return old, new


def move(gh, headers, server_id, method="PATCH", **fields):
    resp = gh.request(method, f"{API}/servers/{server_id}", headers=headers, json=fields)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_a_move_never_sends_stored_credentials_to_the_new_host_until_an_admin_accepts_it(gh, roles, hosts):
    old, new = hosts
    server = add_server(gh, roles.operator, old)
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    assert get_server(gh, roles, server["id"])["host_key_fingerprint"] == old.host_fingerprint()

    before = auth_attempts(new)
    moved = move(gh, roles.operator, server["id"], ssh_port=new.port)
    assert moved["credentials_locked"] is True, moved
    assert moved["host_key_fingerprint"] == old.host_fingerprint()

    # Everything that logs in: test-ssh, the status probe, a task. None may try the stored password there.
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False and result["error_kind"] == "host_key_mismatch", result
    assert result["host_key_fingerprint"] == new.host_fingerprint()
    status = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert status["status"] == "host_key_mismatch", status
    task = submit(gh, roles.operator, [server["id"]], "echo should-not-run")
    done = wait_task(gh, roles.operator, task["id"])
    assert done["targets"][0]["state"] == "failed", done
    got = get_server(gh, roles, server["id"])
    assert got["pending_host_key_fingerprint"] == new.host_fingerprint()
    assert got["credentials_locked"] is True
    assert auth_attempts(new) == before, "a login was attempted on the new host before its key was accepted"

    # Only an admin accepts, and only the key that is pending.
    accept = f"{API}/servers/{server['id']}/host-key/accept"
    assert_problem(gh.request("POST", accept, headers=roles.operator, json={"fingerprint": new.host_fingerprint()}),
                   403)
    assert_problem(gh.request("POST", accept, headers=roles.admin, json={}), 400)
    assert_problem(gh.request("POST", accept, headers=roles.admin,
                              json={"fingerprint": new.host_fingerprint(), "extra": 1}), 400)
    wrong = gh.request("POST", accept, headers=roles.admin, json={"fingerprint": old.host_fingerprint()})
    assert new.host_fingerprint() in assert_problem(wrong, 409)["detail"]
    assert auth_attempts(new) == before

    resp = gh.request("POST", accept, headers=roles.admin, json={"fingerprint": new.host_fingerprint()})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"old_fingerprint": old.host_fingerprint(), "new_fingerprint": new.host_fingerprint()}
    got = get_server(gh, roles, server["id"])
    assert got["credentials_locked"] is False and got["pending_host_key_fingerprint"] is None
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    assert logins(new) >= 1

    # The move is in the audit trail with where it went.
    events = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == server["id"], timeout=3,
                        action="server.update")
    changes = events[0]["details"]["changes"]
    assert changes["ssh_port"] == {"old": old.port, "new": new.port}, changes
    assert changes["credentials_locked"] == {"old": False, "new": True}, changes


def test_a_move_with_fresh_credentials_logs_in_and_pins_the_new_host(gh, roles, hosts):
    old, new = hosts
    server = add_server(gh, roles.operator, old)
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    moved = move(gh, roles.operator, server["id"], ssh_port=new.port, password=new.password)
    assert moved["credentials_locked"] is False
    assert moved["host_key_fingerprint"] is None

    def measure():
        before = logins(new)
        result = test_ssh(gh, roles, server["id"])
        return result, logins(new) - before

    result, added = without_a_probe(gh, measure)
    assert result["ok"] is True, result
    assert added == 1
    assert get_server(gh, roles, server["id"])["host_key_fingerprint"] == new.host_fingerprint()
    # The secret is named in the audit trail, never shown.
    events = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == server["id"], timeout=3,
                        action="server.update")
    assert events[0]["details"]["changes"]["password"] == {"changed": True}
    assert new.password not in str(events)


def test_a_never_connected_server_that_moves_trusts_nobody(gh, roles, hosts):
    old, new = hosts
    server = add_server(gh, roles.operator, old)  # no connection yet: nothing pinned
    before = auth_attempts(new)
    moved = move(gh, roles.operator, server["id"], method="PUT", name=server["name"], address="127.0.0.1",
                 ssh_port=new.port, ssh_user=server["ssh_user"], auth_method="password")
    assert moved["credentials_locked"] is True and moved["host_key_fingerprint"] is None
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False and result["error_kind"] == "host_key_mismatch", result
    assert auth_attempts(new) == before
    assert get_server(gh, roles, server["id"])["pending_host_key_fingerprint"] == new.host_fingerprint()


def test_moving_back_to_the_pinned_host_unlocks_on_the_first_login(gh, roles, hosts):
    old, new = hosts
    server = add_server(gh, roles.operator, old)
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    move(gh, roles.operator, server["id"], ssh_port=new.port)
    moved = move(gh, roles.operator, server["id"], ssh_port=old.port)
    assert moved["credentials_locked"] is True
    # The key it presents is the approved one: the same machine, so the stored password may go there.
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    assert get_server(gh, roles, server["id"])["credentials_locked"] is False


def test_the_postgres_password_stays_with_its_endpoint(gh, roles, hosts):
    old, _ = hosts
    server = add_server(gh, roles.operator, old, postgres={"port": 5432, "password": "pg-Secret-1"})
    assert server["postgres"]["password_locked"] is False
    moved = move(gh, roles.operator, server["id"], postgres={"port": 6543})
    assert moved["postgres"]["password_locked"] is True and moved["postgres"]["has_password"] is True
    fresh = move(gh, roles.operator, server["id"], postgres={"port": 6543, "password": "pg-Secret-2"})
    assert fresh["postgres"]["password_locked"] is False


def test_only_an_admin_pins_a_host_key(gh, roles, hosts):
    old, _ = hosts
    fingerprint = old.host_fingerprint()
    body = {"name": "pin-by-operator", "address": "127.0.0.1", "ssh_port": old.port, "ssh_user": old.user,
            "auth_method": "password", "password": old.password, "host_key_fingerprint": fingerprint}
    assert_problem(gh.request("POST", f"{API}/servers", headers=roles.operator, json=body), 403)
    server = add_server(gh, roles.operator, old)
    assert_problem(gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.operator,
                              json={"host_key_fingerprint": fingerprint}), 403)
    resp = gh.request("PATCH", f"{API}/servers/{server['id']}", headers=roles.admin,
                      json={"host_key_fingerprint": fingerprint})
    assert resp.status_code == 200 and resp.json()["host_key_fingerprint"] == fingerprint, resp.text


def test_test_ssh_logs_in_afresh_every_time(gh, roles, start_sshd):
    old = start_sshd()  # its own: scheduled probes of other tests' servers must not log in to it meanwhile

    def measure():
        server = add_server(gh, roles.admin, old, host_key_fingerprint=old.host_fingerprint())
        before = logins(old)
        results = [test_ssh(gh, roles, server["id"]) for _ in range(3)]
        return results, logins(old) - before

    results, added = without_a_probe(gh, measure)
    assert all(r["ok"] for r in results), results
    assert added == 3, "test-ssh reused a pooled session instead of logging in"
    print(f"\ntest-ssh x3: {added} logins in sshd's log; handshake/login ms "
          f"{[(round(r['handshake_ms'], 1), round(r['login_ms'], 1)) for r in results]}")
    for r in results:
        assert r["handshake_ms"] > 0 and r["login_ms"] > 0, r
        assert abs(r["latency_ms"] - (r["handshake_ms"] + r["login_ms"])) < 0.01, r
