"""The web UI's users and API tokens, in Debian's headless Chromium: the admin adds an operator through the form
(a taken name, a 409, is shown next to the name field first); the new user signs in in another browser context at
390 px, changes the password (a wrong current password shows next to its field), creates an API token that is shown
once and works against /auth/verify, and revokes it (then it is refused); the admin changes the user's role, disables
the user, sets a new password, is refused demoting the last admin, deletes another user and lists everyone's tokens;
a viewer has no Users link, sees "Not for your role" on /users and can make tokens only as a viewer. Afterwards the
server's state is checked through the API."""
from support import (ADMIN_PASSWORD, API, admin_login, assert_problem, create_api_token, create_user, login,
                     login_ok, start_identity, unique)
from ui_support import run_scenario, ui_args

PASSWORD = "ui-users-pw-5521"


def test_admin_manages_users_and_people_manage_their_tokens(start_module_server):
    server = start_identity(start_module_server, *ui_args())
    admin = admin_login(server)
    viewer = create_user(server, admin.access, unique("ui-viewer"), PASSWORD, "viewer")
    viewer_token = create_api_token(server, login_ok(server, viewer["username"], PASSWORD).access, "viewer reports")
    doomed = create_user(server, admin.access, unique("ui-leaver"), PASSWORD, "operator")
    new_user = {"username": unique("ops-carol"), "password": "first-Pw-1234", "newPassword": "second-Pw-5678",
                "adminPassword": "third-Pw-9012"}

    report = run_scenario(
        "users", base=server.url, password=ADMIN_PASSWORD,
        viewer={**viewer, "password": PASSWORD, "tokenName": viewer_token["name"]},
        doomed=doomed, newUser=new_user,
    )
    assert {"users-list", "users-create-error", "account-token-shown-390", "account-390", "user-detail",
            "tokens-everyone", "users-viewer-forbidden", "account-viewer"} <= set(report["pages"])
    assert report["measures"]["token_verify"] == {"status": 200, "auth": "api_token", "role": "operator"}
    assert report["measures"]["token_after_revoke"] == 401

    # What the UI changed, as the API sees it.
    users = server.get(f"{API}/users", headers=admin.headers, params={"limit": 500}).json()["items"]
    made = [u for u in users if u["username"] == new_user["username"]]
    assert len(made) == 1, users
    assert made[0]["role"] == "viewer" and made[0]["disabled"] is True, made[0]
    assert not [u for u in users if u["username"].lower() == "admin" and u["id"] != admin.user["id"]]
    assert_problem(server.get(f"{API}/users/{doomed['id']}", headers=admin.headers), 404)
    assert server.get(f"{API}/users/me", headers=admin.headers).json()["role"] == "admin"
    # Disabled: no password signs in, not even the one the admin set last.
    for password in (new_user["password"], new_user["newPassword"], new_user["adminPassword"]):
        assert login(server, new_user["username"], password).status_code in (401, 403)
    # Enabled again, the admin's password is the one that works (the user's own change came before it).
    resp = server.request("PATCH", f"{API}/users/{made[0]['id']}", headers=admin.headers, json={"disabled": False})
    assert resp.status_code == 200, resp.text
    assert login(server, new_user["username"], new_user["newPassword"]).status_code == 401
    assert login_ok(server, new_user["username"], new_user["adminPassword"]).user["role"] == "viewer"
    # The revoked token is gone from everyone's list; the viewer's is still there.
    tokens = server.get(f"{API}/api-tokens", headers=admin.headers, params={"all": "true", "limit": 500}).json()
    names = {(t["user_id"], t["name"]) for t in tokens["items"]}
    assert (made[0]["id"], "ci deploy") not in names
    assert (viewer["id"], "viewer reports") in names

