"""Sign-in, silent renewal and the end of a session in the web UI, in Debian's headless Chromium against a real
gatehouse whose access tokens live 30 s (the least allowed): a deep link signs in and lands where it pointed; a
viewer sees no control for operators (and the page of an operator route says so); pages keep loading past the
token's life through the refresh cookie, and a renewal that cannot reach the server does not end the session; a
reload keeps the session, and two tabs restoring it at once do not end it; a session the server ended (the user disabled
and enabled again) sends the user to the login page and back to the same page after signing in; logout ends it."""
import threading
import time

from support import API, FAST_HASH_ARGS, admin_login, create_user, unique
from ui_support import run_scenario, ui_args


def test_sign_in_renewal_and_session_end(start_module_server, tmp_path):
    gh = start_module_server(*FAST_HASH_ARGS, "--auth-access-ttl-s", "30", *ui_args(),
                             env={"GATEHOUSE_ADMIN_PASSWORD": "ui-session-Admin-pw1"})
    admin = admin_login(gh, "ui-session-Admin-pw1")
    viewer = {"username": unique("viewer"), "password": "ui-viewer-Pw-8xQ"}
    user = create_user(gh, admin.access, viewer["username"], viewer["password"], "viewer")
    server = gh.request("POST", f"{API}/servers", headers=admin.headers,
                        json={"name": unique("web"), "address": "10.9.0.1", "ssh_user": "ops",
                              "auth_method": "password", "password": "unused-Pw-1"}).json()
    request, done = tmp_path / "end-session", tmp_path / "session-ended"

    def end_session_when_asked():
        deadline = time.monotonic() + 120
        while not request.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not request.exists():
            return
        # Fresh admin token: the one from the start has expired (30 s).
        headers = admin_login(gh, "ui-session-Admin-pw1").headers
        for disabled in (True, False):
            resp = gh.request("PATCH", f"{API}/users/{user['id']}", headers=headers, json={"disabled": disabled})
            assert resp.status_code == 200, resp.text
        done.write_text("done")

    helper = threading.Thread(target=end_session_when_asked, daemon=True)
    helper.start()
    report = run_scenario("session", base=gh.url, viewer=viewer, server_id=server["id"], server_name=server["name"],
                          end_session_request=str(request), end_session_done=str(done))
    helper.join(timeout=5)
    assert done.exists(), "the session was never ended"
    assert 200 in report["measures"]["renewals"]
    # The two tabs that restored at once took turns: no refresh cookie was presented twice.
    audit = gh.request("GET", f"{API}/audit/events", headers=admin_login(gh, "ui-session-Admin-pw1").headers,
                       params={"action": "auth.refresh_reuse"})
    assert audit.status_code == 200 and audit.json()["items"] == [], audit.text
