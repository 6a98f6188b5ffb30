"""SSH keys (/api/v1/ssh-keys): generate/import/export round trips checked against `ssh-keygen -l`,
passphrases, multipart uploads, malformed input refused with nothing stored, and delete while in use."""

from __future__ import annotations

import base64
import random
import re

import pytest

from support import (
    API,
    assert_problem,
    private_key_body_lines,
    ssh_keygen,
    ssh_keygen_l,
    unique,
)


def key_count(gh, roles) -> int:
    resp = gh.request("GET", f"{API}/ssh-keys", headers=roles.viewer, params={"limit": 500})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["next_cursor"] is None, "more than 500 keys: the count below would be wrong"
    return len(body["items"])


def import_json(gh, roles, **fields):
    fields.setdefault("name", unique("imp"))
    return gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator, json=fields, timeout=30)


def check_public_download(gh, roles, key: dict, tmp_path) -> tuple[int, str]:
    """Downloads /public, checks its headers, and returns what ssh-keygen -l says of it."""
    resp = gh.request("GET", f"{API}/ssh-keys/{key['id']}/public", headers=roles.viewer)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain"), resp.headers
    disposition = resp.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment"), disposition
    assert re.search(r'filename="[^"/\\]+\.pub"', disposition), disposition
    assert resp.text.strip() == key["public_key"]
    assert resp.text.count("\n") == 1 and "PRIVATE" not in resp.text
    path = tmp_path / f"{key['id']}.pub"
    path.write_text(resp.text)
    return ssh_keygen_l(path)


@pytest.mark.parametrize("type_, bits, expect_bits", [("ed25519", None, 256), ("rsa", 3072, 3072)])
def test_generate_matches_ssh_keygen(gh, roles, tmp_path, type_, bits, expect_bits):
    body = {"name": unique(f"gen-{type_}"), "type": type_, "comment": "gen@e2e"}
    if bits:
        body["bits"] = bits
    resp = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator, json=body, timeout=60)
    assert resp.status_code == 201, resp.text
    key = resp.json()
    for field in ("id", "name", "type", "bits", "fingerprint", "comment", "public_key", "has_private_key",
                  "created_at"):
        assert field in key, f"key object lacks {field!r}: {key}"
    assert key["type"] == type_ and key["bits"] == expect_bits and key["has_private_key"] is True
    assert key["comment"] == "gen@e2e"
    assert not any("private" in k and k != "has_private_key" for k in key), key
    ssh_bits, fingerprint = check_public_download(gh, roles, key, tmp_path)
    assert (ssh_bits, fingerprint) == (key["bits"], key["fingerprint"])
    # GET by id and the list agree with the create answer; no private material in either.
    got = gh.request("GET", f"{API}/ssh-keys/{key['id']}", headers=roles.viewer).json()
    assert got == key
    listed = gh.request("GET", f"{API}/ssh-keys", headers=roles.viewer, params={"limit": 500}).json()["items"]
    assert key in listed
    for text in (str(got), str(listed)):
        assert "PRIVATE KEY" not in text


@pytest.mark.parametrize("args, type_", [
    (("-t", "ed25519"), "ed25519"),
    (("-t", "rsa", "-b", "2048", "-m", "PEM"), "rsa"),
    (("-t", "ecdsa", "-b", "256"), "ecdsa"),
])
def test_import_private_keys_made_by_ssh_keygen(gh, roles, tmp_path, args, type_):
    path = ssh_keygen(tmp_path / "id", *args, "-C", "made-by-ssh-keygen")
    bits, fingerprint = ssh_keygen_l(path.with_suffix(".pub"))
    private = path.read_text()
    if "-m" in args:
        assert private.startswith("-----BEGIN RSA PRIVATE KEY-----")
    resp = import_json(gh, roles, private_key=private)
    assert resp.status_code == 201, resp.text
    key = resp.json()
    assert key["fingerprint"] == fingerprint
    assert key["bits"] == bits
    assert key["type"].startswith(type_), key
    assert key["has_private_key"] is True
    assert check_public_download(gh, roles, key, tmp_path) == (bits, fingerprint)
    # The private part is never echoed back by any read route.
    for path_ in (f"/ssh-keys/{key['id']}", "/ssh-keys?limit=500", f"/ssh-keys/{key['id']}/public"):
        text = gh.request("GET", API + path_, headers=roles.admin).text
        for line in private_key_body_lines(private, key["public_key"]):
            assert line not in text, f"private key material in GET {path_}"


def test_encrypted_pem_passphrase(gh, roles, tmp_path):
    path = ssh_keygen(tmp_path / "enc", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "right-Horse-9")
    private = path.read_text()
    assert "ENCRYPTED" in private
    _, fingerprint = ssh_keygen_l(path.with_suffix(".pub"))
    before = key_count(gh, roles)

    wrong = assert_problem(import_json(gh, roles, private_key=private, passphrase="wrong-Horse-9"), 400)
    assert "passphrase" in wrong["detail"].lower(), wrong
    assert "wrong-Horse-9" not in str(wrong)
    missing = assert_problem(import_json(gh, roles, private_key=private), 400)
    assert "passphrase" in missing["detail"].lower(), missing
    assert key_count(gh, roles) == before

    resp = import_json(gh, roles, private_key=private, passphrase="right-Horse-9")
    assert resp.status_code == 201, resp.text
    assert resp.json()["fingerprint"] == fingerprint
    assert resp.json()["has_private_key"] is True


@pytest.mark.parametrize("args", [("-t", "ed25519"), ("-t", "rsa", "-b", "2048")], ids=["ed25519", "rsa"])
def test_encrypted_openssh_passphrase(gh, roles, tmp_path, args):
    """ssh-keygen's default output format, encrypted (bcrypt-pbkdf + aes256-ctr)."""
    path = ssh_keygen(tmp_path / "enc", *args, "-N", "open-Sesame-4")
    private = path.read_text()
    assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    bits, fingerprint = ssh_keygen_l(path.with_suffix(".pub"))
    before = key_count(gh, roles)
    wrong = assert_problem(import_json(gh, roles, private_key=private, passphrase="shut-Sesame-4"), 400)
    assert "passphrase" in wrong["detail"].lower(), wrong
    assert_problem(import_json(gh, roles, private_key=private), 400)
    assert key_count(gh, roles) == before
    resp = import_json(gh, roles, private_key=private, passphrase="open-Sesame-4")
    assert resp.status_code == 201, resp.text
    key = resp.json()
    assert (key["bits"], key["fingerprint"], key["has_private_key"]) == (bits, fingerprint, True)
    assert "open-Sesame-4" not in resp.text


def test_multipart_private_and_public_file(gh, roles, tmp_path):
    path = ssh_keygen(tmp_path / "mp", "-t", "ed25519", "-C", "mp@e2e")
    _, fingerprint = ssh_keygen_l(path.with_suffix(".pub"))

    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                      data={"name": unique("mp-private"), "comment": "uploaded"},
                      files={"file": ("id_ed25519", path.read_bytes(), "application/octet-stream")})
    assert resp.status_code == 201, resp.text
    key = resp.json()
    assert key["fingerprint"] == fingerprint and key["has_private_key"] is True
    assert key["comment"] == "uploaded"

    # The same key again (its public half) is a conflict naming the stored one: one key, one record.
    public_file = {"file": ("id_ed25519.pub", path.with_suffix(".pub").read_bytes(), "text/plain")}
    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator, data={"name": unique("mp-public")},
                      files=public_file)
    problem = assert_problem(resp, 409)
    assert key["name"] in problem["detail"] and key["id"] in problem["detail"], problem
    assert gh.request("DELETE", f"{API}/ssh-keys/{key['id']}", headers=roles.operator).status_code == 204

    resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator, data={"name": unique("mp-public")},
                      files=public_file)
    assert resp.status_code == 201, resp.text
    pub = resp.json()
    assert pub["fingerprint"] == fingerprint and pub["has_private_key"] is False
    assert pub["public_key"].split()[:2] == path.with_suffix(".pub").read_text().split()[:2]


def test_public_only_key(gh, roles, tmp_path):
    path = ssh_keygen(tmp_path / "pub", "-t", "ed25519", "-C", "pub@e2e")
    line = path.with_suffix(".pub").read_text().strip()
    resp = import_json(gh, roles, public_key=line)
    assert resp.status_code == 201, resp.text
    key = resp.json()
    assert key["has_private_key"] is False
    assert key["fingerprint"] == ssh_keygen_l(path.with_suffix(".pub"))[1]
    assert key["type"] == "ed25519" and key["bits"] == 256
    assert check_public_download(gh, roles, key, tmp_path)[1] == key["fingerprint"]


def _malformed_cases(tmp_path):
    pem = ssh_keygen(tmp_path / "trunc", "-t", "rsa", "-b", "2048", "-m", "PEM").read_text()
    openssh = ssh_keygen(tmp_path / "trunc2", "-t", "ed25519").read_text()
    pub = ssh_keygen(tmp_path / "twolines", "-t", "ed25519").with_suffix(".pub").read_text().strip()
    pub2 = ssh_keygen(tmp_path / "twolines2", "-t", "ed25519").with_suffix(".pub").read_text().strip()
    rng = random.Random(4)
    garbage = base64.b64encode(bytes(rng.randrange(256) for _ in range(600))).decode()
    lines = pem.splitlines()
    return [
        ("truncated PEM", {"private_key": "\n".join(lines[: len(lines) // 2]) + "\n"}),
        ("PEM with its END line but half the body", {"private_key": "\n".join(lines[:8] + lines[-1:]) + "\n"}),
        ("truncated OpenSSH key", {"private_key": openssh[: len(openssh) // 2]}),
        ("1 MB key", {"private_key": "A" * 1_000_000}),
        ("random garbage", {"private_key": garbage}),
        ("garbage in PEM armour", {"private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\n" + garbage[:300] +
                                   "\n-----END OPENSSH PRIVATE KEY-----\n"}),
        ("random garbage public", {"public_key": garbage}),
        ("public line with options", {"public_key": 'command="x" ' + pub}),
        ("two public key lines", {"public_key": pub + "\n" + pub2}),
        ("shell syntax as public key", {"public_key": "a;rm -rf /"}),
        ("shell syntax as private key", {"private_key": "a;rm -rf /"}),
        ("public line given as private key", {"private_key": pub}),
        ("both keys", {"private_key": openssh, "public_key": pub}),
        ("neither key", {}),
    ]


def test_malformed_keys_are_refused_and_nothing_stored(gh, roles, tmp_path):
    before = key_count(gh, roles)
    cases = _malformed_cases(tmp_path)
    for label, fields in cases:
        resp = import_json(gh, roles, **fields)
        problem = assert_problem(resp, 400)
        assert problem["detail"].strip(), f"{label}: empty detail"
        assert len(resp.content) < 4096, f"{label}: the problem echoes the input ({len(resp.content)} bytes)"
        assert key_count(gh, roles) == before, f"{label}: a key was stored"
    # The same refusals through a multipart upload.
    for label, fields in cases[:5]:
        content = next(iter(fields.values()))
        resp = gh.request("POST", f"{API}/ssh-keys/import", headers=roles.operator,
                          data={"name": unique("bad-mp")}, files={"file": ("key", content.encode())}, timeout=30)
        assert_problem(resp, 400)
    assert key_count(gh, roles) == before


def test_viewer_cannot_create_or_delete_keys(gh, roles, tmp_path):
    resp = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.viewer,
                      json={"name": unique("v"), "type": "ed25519"})
    assert_problem(resp, 403)
    line = ssh_keygen(tmp_path / "v", "-t", "ed25519").with_suffix(".pub").read_text()
    assert_problem(gh.request("POST", f"{API}/ssh-keys/import", headers=roles.viewer,
                              json={"name": unique("v"), "public_key": line}), 403)


def test_patch_name_and_comment(gh, roles):
    key = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator,
                     json={"name": unique("patch"), "type": "ed25519"}).json()
    new_name = unique("renamed")
    resp = gh.request("PATCH", f"{API}/ssh-keys/{key['id']}", headers=roles.operator,
                      json={"name": new_name, "comment": "new comment"})
    assert resp.status_code == 200, resp.text
    patched = resp.json()
    assert patched["name"] == new_name and patched["comment"] == "new comment"
    assert patched["fingerprint"] == key["fingerprint"]
    assert_problem(gh.request("PATCH", f"{API}/ssh-keys/{key['id']}", headers=roles.operator,
                              json={"public_key": "x"}), 400)


def test_a_key_servers_log_in_with_is_never_deleted(gh, roles):
    key = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator,
                     json={"name": unique("inuse"), "type": "ed25519"}).json()
    base = {"address": "127.0.0.1", "ssh_user": "deploy"}
    resp = gh.request("POST", f"{API}/servers", headers=roles.operator,
                      json={**base, "name": unique("logs-in"), "auth_method": "key", "ssh_key_id": key["id"]})
    assert resp.status_code == 201, resp.text
    logs_in = resp.json()
    resp = gh.request("POST", f"{API}/servers", headers=roles.operator,
                      json={**base, "name": unique("keeps"), "auth_method": "password", "password": "pw-keeps-1",
                            "ssh_key_id": key["id"]})
    assert resp.status_code == 201, resp.text
    keeps = resp.json()
    users = gh.request("GET", f"{API}/ssh-keys/{key['id']}/servers", headers=roles.viewer)
    assert users.status_code == 200, users.text
    assert sorted(s["id"] for s in users.json()["items"]) == sorted([logs_in["id"], keeps["id"]])

    # Neither plain nor forced: the server would be left with auth_method key and no key.
    for params in ({}, {"force": "true"}):
        problem = assert_problem(gh.request("DELETE", f"{API}/ssh-keys/{key['id']}", headers=roles.operator,
                                            params=params), 409)
        assert logs_in["name"] in problem["detail"] and "log in with this key" in problem["detail"], problem
        assert keeps["name"] not in problem["detail"]
        assert gh.request("GET", f"{API}/ssh-keys/{key['id']}", headers=roles.viewer).status_code == 200
        got = gh.request("GET", f"{API}/servers/{logs_in['id']}", headers=roles.viewer).json()
        assert got["auth_method"] == "key" and got["ssh_key_id"] == key["id"], got
    assert_problem(gh.request("DELETE", f"{API}/ssh-keys/{key['id']}", headers=roles.viewer,
                              params={"force": "true"}), 403)

    # Once it logs in otherwise, only the server that merely keeps the key stands in the way, until forced.
    resp = gh.request("PATCH", f"{API}/servers/{logs_in['id']}", headers=roles.operator,
                      json={"auth_method": "password", "password": "pw-switched-1"})
    assert resp.status_code == 200, resp.text
    problem = assert_problem(gh.request("DELETE", f"{API}/ssh-keys/{key['id']}", headers=roles.operator), 409)
    assert "force" in problem["detail"]
    resp = gh.request("DELETE", f"{API}/ssh-keys/{key['id']}", headers=roles.operator, params={"force": "true"})
    assert resp.status_code == 204, resp.text
    assert_problem(gh.request("GET", f"{API}/ssh-keys/{key['id']}", headers=roles.viewer), 404)
    for s in (logs_in, keeps):
        got = gh.request("GET", f"{API}/servers/{s['id']}", headers=roles.viewer).json()
        assert got["ssh_key_id"] is None and got["auth_method"] == "password", got

    # A key nobody uses is deleted without force.
    spare = gh.request("POST", f"{API}/ssh-keys/generate", headers=roles.operator,
                       json={"name": unique("spare"), "type": "ed25519"}).json()
    assert gh.request("GET", f"{API}/ssh-keys/{spare['id']}/servers", headers=roles.viewer).json()["items"] == []
    assert gh.request("DELETE", f"{API}/ssh-keys/{spare['id']}", headers=roles.operator).status_code == 204
