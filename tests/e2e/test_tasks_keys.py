"""Key deployment and revocation (tasks of kind deploy_key / revoke_key) against a real sshd: the
login user's ~/.ssh/authorized_keys is edited atomically and idempotently, every other line stays
byte for byte as it was, and the per-target result says added | already_present | removed | absent."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import threading
from pathlib import Path

import pytest

from support import API, assert_problem, unique, wait_audit
from tasks_support import add_server, wait_task


@pytest.fixture(scope="module")
def home(sshd) -> Path:
    return Path(pwd.getpwnam(sshd.user).pw_dir)


@pytest.fixture(scope="module")
def target(gh, roles, sshd):
    return add_server(gh, roles.operator, sshd)


@pytest.fixture
def ssh_dir(home, sshd):
    """A clean ~/.ssh for each test (the fixture's sshd reads its own AuthorizedKeysFile, so this
    file is free for the tests); restored to absent afterwards."""
    path = home / ".ssh"
    shutil.rmtree(path, ignore_errors=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def write_keys(ssh_dir: Path, user: str, content: bytes) -> Path:
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    path = ssh_dir / "authorized_keys"
    path.write_bytes(content)
    path.chmod(0o600)
    entry = pwd.getpwnam(user)
    for p in (ssh_dir, path):
        os.chown(p, entry.pw_uid, entry.pw_gid)
    return path


def new_key(gh, roles, comment=None) -> dict:
    body = {"name": unique("deploy"), "type": "ed25519"}
    if comment is not None:
        body["comment"] = comment
    resp = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def edit(gh, roles, key_id, action, targets) -> dict:
    resp = gh.request("POST", f"{API}/ssh-keys/{key_id}/{action}", headers=roles.operator, json={"targets": targets})
    assert resp.status_code == 202, resp.text
    task = wait_task(gh, roles.viewer, resp.json()["id"])
    assert task["kind"] == ("deploy_key" if action == "deploy" else "revoke_key")
    assert task["params"]["key_id"] == key_id
    return task


def result_of(task) -> str:
    assert task["state"] == "succeeded", task
    (t,) = task["targets"]
    return t["result"]


def test_deploy_creates_the_directory_and_file_with_safe_modes(gh, roles, target, ssh_dir, sshd):
    key = new_key(gh, roles)
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
    path = ssh_dir / "authorized_keys"
    assert stat.S_IMODE(ssh_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pwd.getpwuid(path.stat().st_uid).pw_name == sshd.user
    assert path.read_bytes() == key["public_key"].encode() + b"\n"
    assert not [p for p in ssh_dir.iterdir() if p.name != "authorized_keys"], list(ssh_dir.iterdir())
    # Twice: still one line.
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "already_present"
    assert path.read_bytes() == key["public_key"].encode() + b"\n"


def test_other_lines_stay_byte_for_byte(gh, roles, target, ssh_dir, sshd):
    key = new_key(gh, roles)
    other = new_key(gh, roles)
    original = (b"# managed by hand \xe2\x9c\x93\n"
                b"command=\"echo 'hi there'\",no-pty " + other["public_key"].encode() + b"\n"
                b"\n"
                b"   \t\n"
                b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDlast-line-without-newline trailing comment")
    path = write_keys(ssh_dir, sshd.user, original)
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
    assert path.read_bytes() == original + b"\n" + key["public_key"].encode() + b"\n"
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
    assert path.read_bytes() == original + b"\n"
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "absent"
    assert path.read_bytes() == original + b"\n"


def test_revoke_keeps_a_missing_final_newline_and_removes_duplicates(gh, roles, target, ssh_dir, sshd):
    key = new_key(gh, roles)
    blob = key["public_key"].split()[1].encode()
    content = (b"first line\n"
               + key["public_key"].encode() + b"\n"
               + b"from=\"10.0.0.0/8\" ssh-ed25519 " + blob + b" same key with options\r\n"
               + b"middle\n"
               + b"ssh-ed25519 " + blob + b"\n"
               + b"last without newline")
    path = write_keys(ssh_dir, sshd.user, content)
    inode = path.stat().st_ino
    # Present with options: deploying adds nothing.
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "already_present"
    assert path.read_bytes() == content and path.stat().st_ino == inode
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
    assert path.read_bytes() == b"first line\nmiddle\nlast without newline"
    assert path.stat().st_ino != inode  # replaced by rename, never rewritten in place
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_commented_out_copy_is_neither_deployed_nor_removed(gh, roles, target, ssh_dir, sshd):
    key = new_key(gh, roles)
    kind, blob = key["public_key"].split()[:2]
    content = (b"# old: " + key["public_key"].encode() + b"\n"
               b"  #" + kind.encode() + b" " + blob.encode() + b" disabled\n"
               b"no-pty " + blob.encode() + b" only the blob, no key type before it\n")
    path = write_keys(ssh_dir, sshd.user, content)
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "absent"
    assert path.read_bytes() == content
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
    assert path.read_bytes() == content + key["public_key"].encode() + b"\n"
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
    assert path.read_bytes() == content


def test_a_symlinked_file_is_edited_where_it_points(gh, roles, target, ssh_dir, home, sshd):
    key = new_key(gh, roles)
    shared = home / "shared_authorized_keys"
    original = b"# kept\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKeyOtherKeyOtherKeyOtherKeyOtherKey x\n"
    shared.write_bytes(original)
    entry = pwd.getpwnam(sshd.user)
    os.chown(shared, entry.pw_uid, entry.pw_gid)
    try:
        ssh_dir.mkdir(mode=0o700)
        os.chown(ssh_dir, entry.pw_uid, entry.pw_gid)
        link = ssh_dir / "authorized_keys"
        link.symlink_to(shared)
        os.lchown(link, entry.pw_uid, entry.pw_gid)
        assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
        assert link.is_symlink() and os.readlink(link) == str(shared)
        assert shared.read_bytes() == original + key["public_key"].encode() + b"\n"
        assert not [p for p in home.iterdir() if p.name.startswith(".authorized_keys.gatehouse")]
        assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
        assert link.is_symlink() and shared.read_bytes() == original
    finally:
        shared.unlink(missing_ok=True)


def test_revoke_on_a_host_without_the_file(gh, roles, target, ssh_dir):
    key = new_key(gh, roles)
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "absent"


def test_concurrent_deploys_to_one_host_keep_every_key(gh, roles, sshd, ssh_dir):
    # Several server entries for the same account, and several keys deployed at the same moment:
    # the edits are serialised on the host, none is lost.
    entries = [add_server(gh, roles.operator, sshd)["id"] for _ in range(3)]
    keys = [new_key(gh, roles) for _ in range(4)]
    tasks = []

    def deploy(key):
        resp = gh.request("POST", f"{API}/ssh-keys/{key['id']}/deploy", headers=roles.operator,
                          json={"targets": entries})
        assert resp.status_code == 202, resp.text
        tasks.append(resp.json()["id"])

    threads = [threading.Thread(target=deploy, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = []
    for task_id in tasks:
        task = wait_task(gh, roles.viewer, task_id)
        assert task["state"] == "succeeded", task
        results += [t["result"] for t in task["targets"]]
    assert results.count("added") == 4 and results.count("already_present") == 8, results
    lines = (ssh_dir / "authorized_keys").read_bytes().splitlines()
    assert sorted(lines) == sorted(k["public_key"].encode() for k in keys)


def test_key_line_cannot_inject_shell(gh, roles, target, ssh_dir):
    marker = Path(f"/tmp/pwned-{unique('k')}")
    comment = f"$(touch {marker}) `touch {marker}`; touch {marker} '\"#"
    key = new_key(gh, roles, comment=comment)
    assert key["comment"] == comment, key
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
    assert (ssh_dir / "authorized_keys").read_bytes() == key["public_key"].encode() + b"\n"
    assert not marker.exists()
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
    assert not marker.exists()


def test_audit_roles_and_validation(gh, roles, target, ssh_dir):
    key = new_key(gh, roles)
    url = f"{API}/ssh-keys/{key['id']}/deploy"
    assert_problem(gh.request("POST", url, headers=roles.viewer, json={"targets": [target["id"]]}), 403)
    assert_problem(gh.request("POST", url, headers=roles.operator, json={}), 400)
    assert_problem(gh.request("POST", url, headers=roles.operator, json={"targets": [target["id"]], "x": 1}), 400)
    assert_problem(gh.request("POST", url, headers=roles.operator, json={"targets": ["nope"]}), 400)
    assert_problem(gh.request("POST", f"{API}/ssh-keys/nope/revoke", headers=roles.operator,
                              json={"targets": [target["id"]]}), 404)
    assert not (ssh_dir / "authorized_keys").exists()
    task = edit(gh, roles, key["id"], "deploy", [target["id"]])
    wait_audit(gh, roles.admin_token,
               lambda e: e["resource"]["id"] == key["id"] and e["details"].get("task_id") == task["id"],
               action="ssh_key.deploy")


def test_a_comment_change_reaches_the_download_and_new_deployments(gh, roles, target, ssh_dir, sshd):
    key = new_key(gh, roles, comment="before@e2e")
    key_part = " ".join(key["public_key"].split()[:2])
    assert key["public_key"] == f"{key_part} before@e2e"
    resp = gh.request("PATCH", f"{API}/ssh-keys/{key['id']}", headers=roles.operator, json={"comment": "after@e2e"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["public_key"] == f"{key_part} after@e2e"
    assert resp.json()["fingerprint"] == key["fingerprint"]
    download = gh.request("GET", f"{API}/ssh-keys/{key['id']}/public", headers=roles.viewer)
    assert download.status_code == 200 and download.text.strip() == f"{key_part} after@e2e"
    assert result_of(edit(gh, roles, key["id"], "deploy", [target["id"]])) == "added"
    lines = (ssh_dir / "authorized_keys").read_text().splitlines()
    assert f"{key_part} after@e2e" in lines, lines
    # An empty comment leaves the bare key; the revoke finds the line by its key, whatever its comment.
    resp = gh.request("PUT", f"{API}/ssh-keys/{key['id']}", headers=roles.operator,
                      json={"name": key["name"], "comment": ""})
    assert resp.status_code == 200 and resp.json()["public_key"] == key_part, resp.text
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "removed"
    assert key_part not in (ssh_dir / "authorized_keys").read_text()
    problem = assert_problem(gh.request("PATCH", f"{API}/ssh-keys/{key['id']}", headers=roles.operator,
                                        json={"comment": "tab\there"}), 400)
    assert "comment" in problem["detail"]


def test_revoking_the_key_a_server_logs_in_with_needs_force(gh, roles, target, sshd, ssh_dir):
    key = new_key(gh, roles)
    resp = gh.request("POST", f"{API}/servers", headers=roles.operator,
                      json={"name": unique("key-login"), "address": "127.0.0.1", "ssh_port": sshd.port,
                            "ssh_user": sshd.user, "auth_method": "key", "ssh_key_id": key["id"]})
    assert resp.status_code == 201, resp.text
    logs_in = resp.json()
    before = gh.request("GET", f"{API}/tasks", headers=roles.viewer, params={"server": logs_in["id"]}).json()["items"]
    url = f"{API}/ssh-keys/{key['id']}/revoke"
    problem = assert_problem(gh.request("POST", url, headers=roles.operator,
                                        json={"targets": [target["id"], logs_in["id"]]}), 409)
    assert logs_in["name"] in problem["detail"] and "force" in problem["detail"], problem
    assert "lock" in problem["detail"]
    assert gh.request("GET", f"{API}/tasks", headers=roles.viewer,
                      params={"server": logs_in["id"]}).json()["items"] == before
    # From servers that log in otherwise, no force is needed; with force, the operator has been told.
    assert result_of(edit(gh, roles, key["id"], "revoke", [target["id"]])) == "absent"
    forced = gh.request("POST", url, headers=roles.operator, json={"targets": [logs_in["id"]], "force": True})
    assert forced.status_code == 202, forced.text
    assert forced.json()["kind"] == "revoke_key"
    wait_task(gh, roles.viewer, forced.json()["id"])
    # Deploy takes no force.
    problem = assert_problem(gh.request("POST", f"{API}/ssh-keys/{key['id']}/deploy", headers=roles.operator,
                                        json={"targets": [target["id"]], "force": True}), 400)
    assert "force" in problem["detail"]
