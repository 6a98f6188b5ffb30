"""The web UI's fleet pages in Debian's headless Chromium, against a real gatehouse and the real sshd fixture: the
sshd's host key changes, test SSH from the UI shows the mismatch with the pinned and the presented fingerprints, an
admin accepts the new key from the UI and test SSH works again; a server edit refused by the server shows the error
next to the field; filters live in the URL; the dashboard counts the servers by status and the failed login; the pages
fit 390 px in the dark theme; the admin deletes the other server from the UI."""
from support import API, FAST_HASH_ARGS, admin_login, unique
from tasks_support import add_server
from ui_support import run_scenario, ui_args

PASSWORD = "ui-fleet-Admin-pw1"


def test_host_key_change_is_accepted_from_the_ui(start_module_server, start_sshd):
    sshd = start_sshd()
    gh = start_module_server(*FAST_HASH_ARGS, *ui_args(), env={"GATEHOUSE_ADMIN_PASSWORD": PASSWORD})
    admin = admin_login(gh, PASSWORD)
    server = add_server(gh, admin.headers, sshd, name=unique("db"))
    other = add_server(gh, admin.headers, sshd, name=unique("other"))
    first = gh.request("POST", f"{API}/servers/{server['id']}/test-ssh", headers=admin.headers, json={}).json()
    assert first["ok"], first
    old = first["host_key_fingerprint"]
    sshd.restart_new_host_key()
    new = sshd.host_fingerprint()
    assert new != old
    # A failed login for the dashboard's count (audited as denied).
    wrong = gh.request("POST", f"{API}/auth/login", json={"username": "admin", "password": "wrong-Pw-1"})
    assert wrong.status_code == 401, wrong.text
    report = run_scenario("fleet", base=gh.url, password=PASSWORD, server_id=server["id"], server_name=server["name"],
                          other_name=other["name"], other_id=other["id"], sshd_port=sshd.port, old_fingerprint=old,
                          new_fingerprint=new, servers=2)
    gone = gh.request("GET", f"{API}/servers/{other['id']}", headers=admin.headers)
    assert gone.status_code == 404, gone.text
    after = gh.request("GET", f"{API}/servers/{server['id']}", headers=admin.headers).json()
    assert after["host_key_fingerprint"] == new and after["pending_host_key_fingerprint"] is None
    assert after["tags"] == ["web", "eu-west"], after["tags"]
    assert "already" in report["measures"]["name_error"] or "taken" in report["measures"]["name_error"] or \
        "exists" in report["measures"]["name_error"], report["measures"]["name_error"]
