"""The SSH keys page in Debian's headless Chromium against a real gatehouse and a real sshd: the list pages on
the server ("Load more" past 50 keys); an admin generates an Ed25519 key (an empty name is refused in the form
first), downloads its public key (the same line the API serves), deploys it to a password server and sees
"added" with the line really in the sshd user's authorized_keys, revokes it and sees "removed", renames it;
imports a key by paste (a malformed line is refused with the server's reason at the field) and a private key by
file upload; a key a server logs in with lists that server and its delete is refused with the server's detail;
an unused key is deleted. At 390 px the pages fit the screen; a viewer sees no generate, import, rename, deploy,
revoke or delete control. The server's state is checked through the API afterwards."""
import pwd
from pathlib import Path

import pytest

from support import API, ADMIN_PASSWORD, admin_login, create_user, ssh_keygen, ssh_keygen_l, start_identity, unique
from tasks_support import add_server, get_task
from ui_support import run_scenario, ui_args

VIEWER_PASSWORD = "ui-Keys-viewer-7Qp"


@pytest.fixture(scope="module")
def ui_gh(start_module_server):
    return start_identity(start_module_server, *ui_args())


def generate(gh, headers, name) -> dict:
    resp = gh.request("POST", f"{API}/ssh-keys/generate", headers=headers, json={"name": name, "type": "ed25519"})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_keys_page_generates_deploys_revokes_imports_and_deletes(ui_gh, sshd, tmp_path):
    gh = ui_gh
    admin = admin_login(gh).headers
    viewer = unique("keys-viewer")
    create_user(gh, admin_login(gh).access, viewer, VIEWER_PASSWORD, "viewer")
    # More keys than one page holds, so the list has to page on the server.
    for i in range(50):
        generate(gh, admin, unique(f"bulk-{i:02d}"))
    server = add_server(gh, admin, sshd, name=unique("ui-srv"))
    used_key = generate(gh, admin, unique("used"))
    resp = gh.request("POST", f"{API}/servers", headers=admin,
                      json={"name": unique("logs-in"), "address": "127.0.0.1", "ssh_port": sshd.port,
                            "ssh_user": sshd.user, "auth_method": "key", "ssh_key_id": used_key["id"]})
    assert resp.status_code == 201, resp.text
    used_server = resp.json()

    pasted = ssh_keygen(tmp_path / "pasted", "-t", "ed25519", "-C", "pasted@ui")
    uploaded = ssh_keygen(tmp_path / "uploaded", "-t", "ed25519", "-C", "uploaded@file")
    home = Path(pwd.getpwnam(sshd.user).pw_dir)
    names = {"gen_name": unique("ui-gen"), "paste_name": unique("ui-pasted"), "upload_name": unique("ui-upload")}

    report = run_scenario(
        "keys", base=gh.url, password=ADMIN_PASSWORD, viewer={"username": viewer, "password": VIEWER_PASSWORD},
        server_name=server["name"], authorized_keys=str(home / ".ssh" / "authorized_keys"),
        used_key_id=used_key["id"], used_server_name=used_server["name"],
        paste_public=pasted.with_suffix(".pub").read_text().strip(),
        paste_fingerprint=ssh_keygen_l(pasted.with_suffix(".pub"))[1],
        upload_private=str(uploaded), upload_fingerprint=ssh_keygen_l(uploaded.with_suffix(".pub"))[1], **names)
    m = report["measures"]
    assert set(report["pages"]) >= {"keys-list", "keys-generate", "keys-detail", "keys-deployed", "keys-import-refused",
                                    "keys-import-file", "keys-used", "keys-list-390", "keys-detail-390", "keys-viewer"}
    assert m["listed_after_more"] > 50

    # The generated key, renamed, and its download equal to the API's.
    key = gh.request("GET", f"{API}/ssh-keys/{m['generated']['id']}", headers=admin).json()
    assert key["name"] == names["gen_name"] + "-renamed" and key["comment"] == "ui@keys", key
    public = gh.request("GET", f"{API}/ssh-keys/{key['id']}/public", headers=admin)
    assert public.status_code == 200 and m["download"]["text"] == public.text

    # The tasks the UI started: deploy added the key on the server, revoke removed it.
    expected = ((m["deploy_task"], "deploy_key", "added"), (m["revoke_task"], "revoke_key", "removed"))
    for task_id, kind, result in expected:
        task = get_task(gh, admin, task_id)
        assert task["kind"] == kind and task["params"]["key_id"] == key["id"] and task["state"] == "succeeded", task
        assert [(t["server_id"], t["result"]) for t in task["targets"]] == [(server["id"], result)], task
    assert key["public_key"].split()[1] not in (home / ".ssh" / "authorized_keys").read_text()

    # Imports: the pasted key was then deleted; the uploaded one holds its private part.
    assert gh.request("GET", f"{API}/ssh-keys/{m['pasted']}", headers=admin).status_code == 404
    uploaded_key = gh.request("GET", f"{API}/ssh-keys/{m['uploaded']}", headers=admin).json()
    assert uploaded_key["has_private_key"] is True and uploaded_key["comment"] == "uploaded@ui", uploaded_key
    assert uploaded_key["name"] == names["upload_name"]

    # The refused delete left the key and its server as they were.
    assert gh.request("GET", f"{API}/ssh-keys/{used_key['id']}", headers=admin).status_code == 200
    got = gh.request("GET", f"{API}/servers/{used_server['id']}", headers=admin).json()
    assert got["auth_method"] == "key" and got["ssh_key_id"] == used_key["id"], got
