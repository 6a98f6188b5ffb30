"""Fleet secrets at rest: no plaintext password or private key in the raw database files, the logs,
any read route or audit event; a wrong or missing vault key stops the server without touching
anything; rotation keeps every secret usable."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import (
    API,
    events_through,
    bin_path,
    clean_env,
    fleet_roles,
    private_key_body_lines,
    ssh_keygen,
    start_identity,
    unique,
)

SERVER_PASSWORD = "fleet-Srv-pw-Uq3hX9v"
SERVER_PASSWORD_2 = "fleet-Srv-pw2-Rm8kT1c"
PG_PASSWORD = "fleet-Pg-pw-Lw5zB2n"
PASSPHRASE = "fleet-Key-pass-Hd6sV4e"


def create_server(gh, headers, sshd, **over) -> dict:
    body = {"name": unique("vault"), "address": "127.0.0.1", "ssh_port": sshd.port, "ssh_user": sshd.user,
            "auth_method": "password", "password": sshd.password}
    body.update(over)
    body = {k: v for k, v in body.items() if v is not ...}
    resp = gh.request("POST", f"{API}/servers", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_ssh(gh, headers, server_id) -> dict:
    resp = gh.request("POST", f"{API}/servers/{server_id}/test-ssh", headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


test_ssh.__test__ = False  # a helper, not a test


def find_in_files(directory: Path, needles: dict[str, bytes]) -> list[str]:
    found = []
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{label} in {path.name}" for label, needle in needles.items() if needle in data]
    return found


def test_no_plaintext_secret_anywhere(start_server, sshd, tmp_path):
    data = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data)
    roles = fleet_roles(gh)

    # Keys: one by JSON, one by multipart upload, the fixture's client key to log in with.
    json_key = ssh_keygen(tmp_path / "json_key", "-t", "rsa", "-b", "2048", "-m", "PEM").read_text()
    mp_key = ssh_keygen(tmp_path / "mp_key", "-t", "ed25519").read_text()
    client_key = sshd.client_key.read_text()
    # An encrypted OpenSSH RSA key is kept as given, its passphrase sealed beside it.
    enc_key = ssh_keygen(tmp_path / "enc_key", "-t", "rsa", "-b", "2048", "-N", PASSPHRASE).read_text()
    keys = []
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                      json={"name": unique("json"), "private_key": json_key})
    assert resp.status_code == 201, resp.text
    keys.append((json_key, resp.json()))
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                      json={"name": unique("enc"), "private_key": enc_key, "passphrase": PASSPHRASE})
    assert resp.status_code == 201, resp.text
    keys.append((enc_key, resp.json()))
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator, data={"name": unique("mp")},
                      files={"file": ("id_ed25519", mp_key.encode())})
    assert resp.status_code == 201, resp.text
    keys.append((mp_key, resp.json()))
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                      json={"name": unique("client"), "private_key": client_key})
    assert resp.status_code == 201, resp.text
    keys.append((client_key, resp.json()))
    client = resp.json()

    pg = {"port": 5432, "user": "app", "password": PG_PASSWORD, "database": "app", "pool_class": "high_load"}
    wrong = create_server(gh, roles.operator, sshd, password=SERVER_PASSWORD, postgres=pg)
    good = create_server(gh, roles.operator, sshd)
    by_key = create_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=client["id"])
    with open(sshd.dir / "authorized_keys", "a") as f:
        f.write((tmp_path / "enc_key.pub").read_text())
    by_enc = create_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=keys[1][1]["id"])
    assert test_ssh(gh, roles.operator, by_enc["id"])["ok"] is True
    assert test_ssh(gh, roles.operator, wrong["id"])["error_kind"] == "auth_failed"
    assert test_ssh(gh, roles.operator, good["id"])["ok"] is True
    assert test_ssh(gh, roles.operator, by_key["id"])["ok"] is True
    # Change a password (the new one is sealed too), then exercise status and disk over the vault.
    resp = gh.request("PATCH", f"{API}/servers/{wrong['id']}", headers=roles.operator,
                      json={"password": SERVER_PASSWORD_2, "postgres": {"password": PG_PASSWORD + "-2"}})
    assert resp.status_code == 200, resp.text
    last_change = resp.headers["X-Request-Id"]
    assert test_ssh(gh, roles.operator, wrong["id"])["error_kind"] == "auth_failed"
    for server in (good, by_key):
        assert gh.request("GET", f"{API}/servers/{server['id']}/status", headers=roles.viewer,
                          timeout=30).json()["status"] == "online"
        assert gh.request("GET", f"{API}/servers/{server['id']}/disk", headers=roles.viewer,
                          timeout=30).status_code == 200

    needles = {"server password": SERVER_PASSWORD, "changed server password": SERVER_PASSWORD_2,
               "postgres password": PG_PASSWORD, "sshd password": sshd.password, "key passphrase": PASSPHRASE}
    for i, (pem, key) in enumerate(keys):
        for j, line in enumerate(private_key_body_lines(pem, key["public_key"])):
            needles[f"key {i} line {j}"] = line
    encoded = {label: text.encode() for label, text in needles.items()}

    # Through the API: every read route and the audit trail.
    reads = ["/servers?limit=500", "/ssh-keys?limit=500"]
    for s in (wrong, good, by_key, by_enc):
        reads += [f"/servers/{s['id']}", f"/servers/{s['id']}/status", f"/servers/{s['id']}/disk"]
    for _, key in keys:
        reads += [f"/ssh-keys/{key['id']}", f"/ssh-keys/{key['id']}/public", f"/ssh-keys/{key['id']}/servers"]
    for path in reads:
        resp = gh.request("GET", API + path, headers=roles.admin, timeout=30)
        assert resp.status_code == 200, (path, resp.text)
        if path == f"/servers/{wrong['id']}/disk":  # its disks cannot be read: it says why, checked too
            assert resp.json()["status"] == "auth_failed" and resp.json()["error_kind"] == "auth_failed", resp.text
        leaked = [label for label, needle in encoded.items() if needle in resp.content]
        assert not leaked, f"GET {path} shows {leaked}"
    trail = events_through(gh, roles.admin_token, last_change)
    assert {"server.create", "server.update", "ssh_key.import"} <= {e["action"] for e in trail}
    events = str(trail).encode()
    assert not [label for label, needle in encoded.items() if needle in events], "secret in the audit trail"

    # The raw files while the server runs (the WAL holds the latest pages) and after it stops.
    assert (data / "gatehouse.db").exists(), sorted(p.name for p in data.iterdir())
    assert not find_in_files(data, encoded)
    # Positive control: the same search does find what is stored in clear (a public key, a name).
    controls = {"public key": keys[0][1]["public_key"].split()[1].encode(), "server name": good["name"].encode()}
    assert len(find_in_files(data, controls)) >= 2, "the raw-file search finds nothing at all"
    assert gh.terminate() == 0
    assert not find_in_files(data, encoded)
    log = gh.log_path.read_bytes()
    assert b"server.create" in log or b"/api/v1/servers" in log, "the log is not the server's log"
    assert not [label for label, needle in encoded.items() if needle in log], "secret in the server log"


def wait_exit(server, timeout: float = 15.0) -> int:
    try:
        code = server.proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.terminate()
        raise AssertionError(f"gatehouse kept running with a wrong vault key\n{server.log_tail()}")
    server.terminate()  # joins the log threads
    return code


def test_wrong_vault_key_refuses_to_start_and_keeps_everything(start_server, sshd, tmp_path):
    data = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data)
    roles = fleet_roles(gh)
    server = create_server(gh, roles.operator, sshd)
    assert test_ssh(gh, roles.operator, server["id"])["ok"] is True
    assert gh.terminate() == 0
    key_file = data / "vault.key"
    key_bytes = key_file.read_bytes()
    real_key = key_bytes.decode().strip()
    other_key = ("0f" * 32) if real_key != "0f" * 32 else ("e1" * 32)

    wrong = start_identity(start_server, data_dir=data, env={"GATEHOUSE_VAULT_KEY": other_key}, wait=False)
    assert wait_exit(wrong) != 0
    output = wrong.log_path.read_text(errors="replace")
    assert "vault key" in output.lower() and "does not match" in output, output[-2000:]
    assert "listening on" not in output
    assert other_key not in output and real_key not in output
    assert key_file.read_bytes() == key_bytes

    malformed = start_identity(start_server, data_dir=data, env={"GATEHOUSE_VAULT_KEY": "not-a-key"}, wait=False)
    assert wait_exit(malformed) != 0
    assert "GATEHOUSE_VAULT_KEY" in malformed.log_path.read_text(errors="replace")
    assert key_file.read_bytes() == key_bytes

    # A missing key file is not replaced by a fresh key over existing secrets.
    hidden = tmp_path / "vault.key.hidden"
    key_file.rename(hidden)
    missing = start_identity(start_server, data_dir=data, wait=False)
    assert wait_exit(missing) != 0
    assert "missing" in missing.log_path.read_text(errors="replace")
    assert not key_file.exists(), "a new vault key was created over existing secrets"
    hidden.rename(key_file)

    # The right key through the variable works as well as the file.
    by_env = start_identity(start_server, data_dir=data, env={"GATEHOUSE_VAULT_KEY": real_key})
    assert test_ssh(by_env, fleet_roles(by_env).operator, server["id"])["ok"] is True
    assert by_env.terminate() == 0

    again = start_identity(start_server, data_dir=data)
    roles = fleet_roles(again)
    result = test_ssh(again, roles.operator, server["id"])
    assert result["ok"] is True, result
    assert key_file.read_bytes() == key_bytes


def test_vault_rotate_keeps_secrets_usable(start_server, sshd, tmp_path):
    data = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data)
    roles = fleet_roles(gh)
    by_password = create_server(gh, roles.operator, sshd)
    key = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                     json={"name": unique("client"), "private_key": sshd.client_key.read_text()}).json()
    by_key = create_server(gh, roles.operator, sshd, auth_method="key", password=..., ssh_key_id=key["id"])
    assert gh.terminate() == 0
    old = (data / "vault.key").read_bytes()

    result = subprocess.run([bin_path(), "vault", "rotate", "--data-dir", str(data)], env=clean_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "vault.key").read_bytes() != old

    again = start_identity(start_server, data_dir=data)
    roles = fleet_roles(again)
    for server in (by_password, by_key):
        outcome = test_ssh(again, roles.operator, server["id"])
        assert outcome["ok"] is True, outcome


def rotate(data_dir, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([bin_path(), "vault", "rotate", "--data-dir", str(data_dir), *extra], env=clean_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_vault_rotate_refuses_while_a_server_uses_the_data_directory(start_server, sshd, tmp_path):
    data = tmp_path / "data"
    gh = start_identity(start_server, data_dir=data)
    roles = fleet_roles(gh)
    server = create_server(gh, roles.operator, sshd)
    key_before = (data / "vault.key").read_bytes()
    result = rotate(data)
    assert result.returncode != 0, result.stdout
    assert "a gatehouse server is running on" in result.stderr and "Stop it" in result.stderr, result.stderr
    assert "nothing was changed" in result.stderr
    assert (data / "vault.key").read_bytes() == key_before
    assert sorted(p.name for p in data.glob("vault.key*")) == ["vault.key"]
    # The server never saw a changed key: its secrets still open, without a restart.
    for _ in range(3):
        outcome = test_ssh(gh, roles.operator, server["id"])
        assert outcome["ok"] is True, outcome
    assert gh.terminate() == 0
    result = rotate(data)
    assert result.returncode == 0, result.stdout + result.stderr


def test_vault_rotate_refuses_while_servers_use_the_postgres_database(instance_pair, tmp_path):
    a, b = instance_pair
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (elsewhere / "vault.key").write_bytes((a.data_dir / "vault.key").read_bytes())
    (elsewhere / "vault.key").chmod(0o600)
    result = rotate(elsewhere, "--database-url", a.db_url)
    assert result.returncode != 0, result.stdout
    assert "2 gatehouse server(s) use this PostgreSQL database" in result.stderr, result.stderr
    assert (elsewhere / "vault.key").read_bytes() == (a.data_dir / "vault.key").read_bytes()
    assert a.get("/readyz").status_code == 200 and b.get("/readyz").status_code == 200


def test_a_server_does_not_start_while_a_rotation_holds_its_directory(start_server, tmp_path):
    import fcntl

    data = tmp_path / "data"
    first = start_identity(start_server, data_dir=data)
    assert first.terminate() == 0
    with open(data / "serve.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what `vault rotate` holds while it runs
        result = subprocess.run([bin_path(), "serve", "--data-dir", str(data), "--listen", "127.0.0.1:0"],
                                env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0, result.stdout
    assert "vault rotate` is running on" in result.stderr, result.stderr
    assert "listening on" not in result.stdout
