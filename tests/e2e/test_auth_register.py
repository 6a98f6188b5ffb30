"""Self-registration: off unless configured; registered users are viewers."""

from __future__ import annotations

from support import API, admin_login, assert_problem, login, login_ok, start_identity

REGISTER = f"{API}/auth/register"


def test_registration_is_off_by_default(start_server, tmp_path):
    server = start_identity(start_server, data_dir=tmp_path / "off")
    resp = server.request("POST", REGISTER, json={"username": "newcomer", "password": "newcomer-pw-1"})
    assert_problem(resp, 404)
    assert_problem(login(server, "newcomer", "newcomer-pw-1"), 401)
    admin = admin_login(server)
    names = [u["username"] for u in server.get(f"{API}/users", headers=admin.headers).json()["items"]]
    assert "newcomer" not in names


def test_registration_when_enabled(start_server, tmp_path):
    server = start_identity(start_server, "--auth-registration-enabled", "true", data_dir=tmp_path / "on")
    resp = server.request("POST", REGISTER, json={"username": "newcomer", "password": "newcomer-pw-1"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) >= {"id", "username", "role", "disabled", "created_at"}
    assert body["username"] == "newcomer" and body["role"] == "viewer" and body["disabled"] is False
    assert "newcomer-pw-1" not in resp.text
    session = login_ok(server, "newcomer", "newcomer-pw-1")
    assert session.user["role"] == "viewer"
    assert_problem(server.get(f"{API}/users", headers=session.headers), 403)
    # No way to pick a role, no duplicate names, the usual validation.
    assert_problem(server.request("POST", REGISTER, json={"username": "climber", "password": "climber-pw-1",
                                                          "role": "admin"}), 400)
    assert_problem(server.request("POST", REGISTER, json={"username": "NEWCOMER", "password": "newcomer-pw-2"}), 409)
    assert_problem(server.request("POST", REGISTER, json={"username": "bad name", "password": "newcomer-pw-2"}), 400)
    assert_problem(server.request("POST", REGISTER, json={"username": "shorty", "password": "short"}), 400)
    assert_problem(server.request("POST", REGISTER, data=b"username=a&password=b",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert_problem(login(server, "climber", "climber-pw-1"), 401)
    assert_problem(login(server, "newcomer", "newcomer-pw-2"), 401)
