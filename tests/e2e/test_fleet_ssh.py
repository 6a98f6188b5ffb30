"""Fleet against a real OpenSSH server (tests/fixtures/sshd.sh): test-ssh with password and key
auth, error kinds, status and disk, host-key pinning and change, session reuse."""

from __future__ import annotations

import subprocess
import time

import pytest

from support import (
    API,
    assert_problem,
    fleet_roles,
    free_port,
    ssh_keygen,
    start_identity,
    unique,
    wait_audit,
)


def add_server(gh, headers, sshd=None, **over):
    body = {"name": unique("ssh"), "address": "127.0.0.1", "ssh_port": sshd.port if sshd else 22,
            "ssh_user": sshd.user if sshd else "deploy", "auth_method": "password",
            "password": sshd.password if sshd else "unused-pw-1"}
    body.update(over)
    body = {k: v for k, v in body.items() if v is not ...}
    resp = gh.request("POST", f"{API}/servers", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_ssh(gh, roles, server_id, timeout=30) -> dict:
    resp = gh.request("POST", f"{API}/servers/{server_id}/test-ssh", headers=roles.operator, timeout=timeout)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert set(result) >= {"ok", "latency_ms", "host_key_fingerprint", "auth_method", "error_kind", "error"}, result
    return result


test_ssh.__test__ = False  # a helper, not a test


def get_server(gh, roles, server_id) -> dict:
    resp = gh.request("GET", f"{API}/servers/{server_id}", headers=roles.viewer)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_password_auth_pins_the_host_key(gh, roles, sshd):
    server = add_server(gh, roles.operator, sshd)
    assert server["host_key_fingerprint"] is None
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is True, result
    assert result["auth_method"] == "password"
    assert result["error_kind"] is None and result["error"] is None
    assert result["host_key_fingerprint"] == sshd.host_fingerprint()
    assert result["latency_ms"] > 0
    got = get_server(gh, roles, server["id"])
    assert got["host_key_fingerprint"] == sshd.host_fingerprint()
    assert got["pending_host_key_fingerprint"] is None
    assert got["status"] == "online" and got["last_checked"]
    wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == server["id"], timeout=2,
               action="server.host_key_pinned")


def test_wrong_password_is_auth_failed_without_the_password(gh, roles, sshd):
    secret = "Wrong-pw-Nq7-distinctive"
    server = add_server(gh, roles.operator, sshd, password=secret)
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False
    assert result["error_kind"] == "auth_failed", result
    assert result["error"] and secret not in result["error"]
    assert secret not in str(result)
    assert get_server(gh, roles, server["id"])["status"] == "auth_failed"
    status = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert status["status"] == "auth_failed"
    assert secret not in gh.log_path.read_text(errors="replace")


def test_key_auth_with_the_fixture_client_key(gh, roles, sshd):
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                      json={"name": unique("fixture-client"), "private_key": sshd.client_key.read_text()})
    assert resp.status_code == 201, resp.text
    key = resp.json()
    server = add_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=key["id"])
    assert server["has_password"] is False
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is True, result
    assert result["auth_method"] == "key"
    assert result["host_key_fingerprint"] == sshd.host_fingerprint()

    # A key the server does not know is refused as auth_failed.
    other = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator,
                       json={"name": unique("stranger"), "type": "ed25519"}).json()
    stranger = add_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=other["id"])
    result = test_ssh(gh, roles, stranger["id"])
    assert result["ok"] is False and result["error_kind"] == "auth_failed", result


def test_key_auth_with_encrypted_keys(gh, roles, sshd, tmp_path):
    """Encrypted OpenSSH keys log in: an ed25519 key and an RSA key (the one type gatehouse keeps encrypted, with its
    passphrase sealed beside it). New keys: the fixture's client key is stored already, and a key is stored once."""
    ed = ssh_keygen(tmp_path / "client_ed25519", "-t", "ed25519", "-N", "ed-Pass-77")
    rsa = ssh_keygen(tmp_path / "client_rsa", "-t", "rsa", "-b", "2048", "-N", "rsa-Pass-88")
    with open(sshd.dir / "authorized_keys", "a") as f:
        f.write(ed.with_suffix(".pub").read_text())
        f.write(rsa.with_suffix(".pub").read_text())
    for path, passphrase in ((ed, "ed-Pass-77"), (rsa, "rsa-Pass-88")):
        text = path.read_text()
        assert "OPENSSH PRIVATE KEY" in text
        resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                          json={"name": unique("enc"), "private_key": text, "passphrase": passphrase})
        assert resp.status_code == 201, resp.text
        server = add_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=resp.json()["id"])
        result = test_ssh(gh, roles, server["id"])
        assert result["ok"] is True, (path.name, result)
        status = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
        assert status["status"] == "online", (path.name, status)


def test_refused_port(gh, roles):
    server = add_server(gh, roles.operator, None, ssh_port=free_port())
    started = time.monotonic()
    result = test_ssh(gh, roles, server["id"])
    assert time.monotonic() - started < 10
    assert result["ok"] is False and result["error_kind"] == "refused", result
    assert result["error"]
    assert get_server(gh, roles, server["id"])["status"] == "offline"
    # /status and /disk of an unreachable server answer alike: 200 with the status and the error kind.
    for part in ("status", "disk"):
        resp = gh.request("GET", f"{API}/servers/{server['id']}/{part}", headers=roles.viewer, timeout=30)
        assert resp.status_code == 200, (part, resp.text)
        body = resp.json()
        assert body["status"] == "offline" and body["error_kind"] == "refused" and body["error"], (part, body)
        assert body["last_checked"], (part, body)


def test_unknown_host_is_dns(gh, roles):
    server = add_server(gh, roles.operator, None, address="nonexistent.invalid")
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False and result["error_kind"] == "dns", result
    status = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30)
    assert status.status_code == 200 and status.json()["status"] == "offline", status.text


def test_status_disk_and_cached_list(gh, roles, sshd):
    server = add_server(gh, roles.operator, sshd)
    resp = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30)
    assert resp.status_code == 200, resp.text
    status = resp.json()
    assert status["status"] == "online", status
    assert isinstance(status["uptime_seconds"], (int, float)) and status["uptime_seconds"] > 0
    with open("/proc/uptime") as f:  # the sshd runs on this machine
        assert abs(status["uptime_seconds"] - float(f.read().split()[0])) < 120
    load = status["load_average"]
    assert isinstance(load, list) and len(load) == 3 and all(isinstance(x, (int, float)) and x >= 0 for x in load)
    docker_works = subprocess.run(["sh", "-c", "docker ps -q"], capture_output=True, timeout=30).returncode == 0
    if docker_works:
        assert isinstance(status["running_containers"], int)
    else:
        assert status["running_containers"] is None, status
    assert status["last_checked"]

    # Cached: a second read within the TTL is the same snapshot.
    again = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert again["last_checked"] == status["last_checked"]

    # The probe pinned the host key and recorded the status the list shows.
    listed = gh.request("GET", f"{API}/servers", headers=roles.viewer, params={"limit": 500}).json()["items"]
    mine = next(s for s in listed if s["id"] == server["id"])
    assert mine["status"] == "online" and mine["last_checked"]
    assert mine["host_key_fingerprint"] == sshd.host_fingerprint()

    resp = gh.request("GET", f"{API}/servers/{server['id']}/disk", headers=roles.viewer, timeout=30)
    assert resp.status_code == 200, resp.text
    disk = resp.json()
    assert disk["last_checked"] and disk["status"] == "online" and disk["error_kind"] is None, disk
    roots = [fs for fs in disk["filesystems"] if fs["mount"] == "/"]
    assert len(roots) == 1, disk
    for fs in disk["filesystems"]:
        assert set(fs) == {"filesystem", "mount", "size_bytes", "used_bytes", "available_bytes"}, fs
        assert fs["size_bytes"] >= fs["used_bytes"] >= 0 and fs["available_bytes"] >= 0, fs
        assert fs["size_bytes"] % 1024 == 0, fs  # df -P -k blocks, as bytes
    root = roots[0]
    assert root["size_bytes"] > 0
    df = subprocess.run(["df", "-P", "-k", "/"], capture_output=True, text=True, timeout=30).stdout.splitlines()[1]
    assert int(df.split()[1]) * 1024 == root["size_bytes"]


def test_host_key_change_is_refused_until_an_admin_accepts(gh, roles, start_sshd):
    sshd = start_sshd()  # its own sshd: the host key changes under it
    old = sshd.host_fingerprint()
    server = add_server(gh, roles.operator, sshd)
    assert test_ssh(gh, roles, server["id"])["ok"] is True
    assert get_server(gh, roles, server["id"])["host_key_fingerprint"] == old

    sshd.restart_new_host_key()
    new = sshd.host_fingerprint()
    assert new != old
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False and result["error_kind"] == "host_key_mismatch", result
    assert result["error"]
    got = get_server(gh, roles, server["id"])
    assert got["status"] == "host_key_mismatch"
    assert got["host_key_fingerprint"] == old
    assert got["pending_host_key_fingerprint"] == new
    events = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == server["id"], timeout=2,
                        action="server.host_key_mismatch")
    assert new in str(events[0]) and old in str(events[0]), events[0]

    # Still refused on the next try, and the status probe agrees.
    assert test_ssh(gh, roles, server["id"])["error_kind"] == "host_key_mismatch"
    status = gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert status["status"] == "host_key_mismatch", status

    assert_problem(gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.operator), 403)
    assert_problem(gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.viewer), 403)
    assert get_server(gh, roles, server["id"])["host_key_fingerprint"] == old

    resp = gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.admin,
                      json={"fingerprint": new})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"old_fingerprint": old, "new_fingerprint": new}
    got = get_server(gh, roles, server["id"])
    assert got["host_key_fingerprint"] == new and got["pending_host_key_fingerprint"] is None
    assert_problem(gh.request("POST", f"{API}/servers/{server['id']}/host-key/accept", headers=roles.admin,
                              json={"fingerprint": new}), 409)

    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is True, result
    assert result["host_key_fingerprint"] == new
    assert get_server(gh, roles, server["id"])["status"] == "online"


def test_preset_fingerprint_refuses_a_different_host(gh, roles, sshd):
    wrong = "SHA256:" + "Q" * 42 + "E"
    server = add_server(gh, roles.admin, sshd, host_key_fingerprint=wrong)
    result = test_ssh(gh, roles, server["id"])
    assert result["ok"] is False and result["error_kind"] == "host_key_mismatch", result
    got = get_server(gh, roles, server["id"])
    assert got["host_key_fingerprint"] == wrong
    assert got["pending_host_key_fingerprint"] == sshd.host_fingerprint()

    right = add_server(gh, roles.admin, sshd, host_key_fingerprint=sshd.host_fingerprint())
    assert test_ssh(gh, roles, right["id"])["ok"] is True


def without_a_probe(gh, measure, attempts: int = 3):
    """`measure()`'s result from an attempt during which the scheduled probe did not run. The module's gatehouse
    probes every server each minute, and a probe takes an idle session or logs in like anything else, which would
    add to a count of logins."""
    from hot_path import pool_jobs

    for _ in range(attempts):
        probes = pool_jobs(gh, "ssh-probe")
        result = measure()
        if pool_jobs(gh, "ssh-probe") == probes:
            return result
    pytest.fail(f"the scheduled probe ran during each of {attempts} attempts")


def test_commands_reuse_sessions_while_test_ssh_logs_in_afresh(gh, roles, start_sshd):
    """Five commands log in once (the session is reused); each test-ssh logs in afresh."""
    from tasks_support import submit, wait_task

    sshd = start_sshd()  # its own: scheduled probes of other tests' servers must not log in to it meanwhile
    logins = lambda: (sshd.dir / "sshd.log").read_text(errors="replace").count("Accepted password")  # noqa: E731

    def measure():
        # Pinned up front, so the first call's pinning does not change the session's identity.
        server = add_server(gh, roles.admin, sshd, host_key_fingerprint=sshd.host_fingerprint())
        before = logins()
        walls = []
        for _ in range(5):
            started = time.monotonic()
            task = submit(gh, roles.operator, [server["id"]], "true")
            assert wait_task(gh, roles.operator, task["id"])["state"] == "succeeded"
            walls.append((time.monotonic() - started) * 1000)
        task_logins = logins() - before
        checks = [test_ssh(gh, roles, server["id"]) for _ in range(2)]
        return walls, task_logins, checks, logins() - before - task_logins

    walls, task_logins, checks, check_logins = without_a_probe(gh, measure)
    print(f"\nsession reuse: 5 tasks, HTTP wall ms {' '.join(f'{w:.1f}' for w in walls)}")
    assert task_logins == 1, "five commands within the idle timeout logged in more than once"
    assert all(c["ok"] for c in checks), checks
    assert check_logins == 2, "test-ssh used a pooled session"
    print("test-ssh handshake/login ms:", [(round(c["handshake_ms"], 2), round(c["login_ms"], 2)) for c in checks])


def test_scheduler_probe_refreshes_status_without_a_request(start_module_server, sshd):
    """`--fleet-probe-interval-s 1`: a server nobody asked about is probed by the scheduler, so
    the list shows it online (and pinned) within a few seconds."""
    gh = start_identity(start_module_server, "--fleet-probe-interval-s", "1")
    roles = fleet_roles(gh)
    server = add_server(gh, roles.operator, sshd)
    assert server["status"] == "unknown" and server["last_checked"] is None

    def probed():
        items = gh.request("GET", f"{API}/servers", headers=roles.viewer, params={"limit": 500}).json()["items"]
        mine = next(s for s in items if s["id"] == server["id"])
        return mine if mine["status"] == "online" else None

    deadline = time.monotonic() + 5
    seen = None
    while seen is None and time.monotonic() < deadline:
        seen = probed()
        time.sleep(0.2)
    got = get_server(gh, roles, server["id"])
    assert seen is not None, f"no scheduler probe within 5 s with --fleet-probe-interval-s 1: {got}"
    assert seen["last_checked"] and seen["host_key_fingerprint"] == sshd.host_fingerprint()


def test_status_ttl_option(start_module_server, sshd, start_sshd):
    """`--fleet-status-ttl-s 0` serves every status read fresh; `--fleet-status-ttl-s 3600` keeps
    the first snapshot even after the server went away."""
    fresh = start_identity(start_module_server, "--fleet-status-ttl-s", "0")
    roles = fleet_roles(fresh)
    server = add_server(fresh, roles.operator, sshd)
    first = fresh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    time.sleep(0.05)
    second = fresh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert first["status"] == second["status"] == "online"
    assert second["last_checked"] != first["last_checked"], "status still cached with --fleet-status-ttl-s 0"

    # 3600 s: a snapshot outlives the server it describes (no scheduled probe refreshes it in this test).
    cached = start_identity(start_module_server, "--fleet-status-ttl-s", "3600", "--fleet-probe-interval-s", "3600")
    roles = fleet_roles(cached)
    going = start_sshd()
    server = add_server(cached, roles.operator, going)
    first = cached.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert first["status"] == "online", first
    going.stop()
    again = cached.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer, timeout=30).json()
    assert again == first, "the snapshot was not kept with --fleet-status-ttl-s 3600"
    # The snapshot was the cache's: the server really is gone, as test-ssh (never cached) says.
    assert test_ssh(cached, roles, server["id"])["ok"] is False
