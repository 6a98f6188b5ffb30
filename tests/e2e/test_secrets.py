"""No secret leaks: after a full identity scenario with distinctive passwords and tokens, none of
them appears in an error body, the logs, an audit event, or the raw database files (which hold
hashes only)."""

from __future__ import annotations

import subprocess

from support import (
    API,
    FAST_HASH_ARGS,
    events_through,
    bearer,
    bin_path,
    clean_env,
    jwt_key,
    login,
    login_ok,
    refresh_cookie_of,
    start_identity,
)

ADMIN_PW = "Adm1n-SECRET-pw-Zq81"
ALICE_PW = "Alice-SECRET-pw-Kx42"
ALICE_NEW_PW = "Alice-SECRET-new-Tr55"
BOB_PW = "Bob-SECRET-pw-Mm09"
BOB_RESET_PW = "Bob-SECRET-reset-Lp77"
WRONG_PW = "Wrong-SECRET-guess-Hh66"
REG_PW = "Reg-SECRET-pw-Nn12"
CLI_PW = "Cli-SECRET-pw-Vv31"
BAD_USER_PW = "BadUser-SECRET-pw-Jj20"
PASSWORDS = [ADMIN_PW, ALICE_PW, ALICE_NEW_PW, BOB_PW, BOB_RESET_PW, WRONG_PW, REG_PW, CLI_PW, BAD_USER_PW]


class Recorder:
    """Wraps the server so every response is kept for the error-body check."""

    def __init__(self, server):
        self.server = server
        self.responses = []

    def request(self, method, path, **kw):
        resp = self.server.request(method, path, **kw)
        self.responses.append((method, path, resp))
        return resp


def test_no_secret_in_bodies_logs_audit_or_database(start_server, tmp_path):
    data_dir = tmp_path / "data"
    server = start_identity(start_server, "--auth-registration-enabled", "true", "--log-level", "debug",
                            data_dir=data_dir, admin_password=ADMIN_PW)
    r = Recorder(server)
    tokens: list[str] = []  # every access JWT, refresh token and API token handed out

    def remember_login(resp):
        assert resp.status_code == 200, resp.text
        tokens.append(resp.json()["access_token"])
        tokens.append(refresh_cookie_of(resp))
        return resp.json()["access_token"], refresh_cookie_of(resp)

    admin_access, _ = remember_login(r.request("POST", f"{API}/auth/login",
                                               json={"username": "admin", "password": ADMIN_PW}))
    remember_login(r.request("POST", f"{API}/auth/token",
                             data={"grant_type": "password", "username": "admin", "password": ADMIN_PW}))
    admin_h = bearer(admin_access)
    alice = r.request("POST", f"{API}/users", headers=admin_h,
                      json={"username": "alice", "password": ALICE_PW, "role": "operator"})
    bob = r.request("POST", f"{API}/users", headers=admin_h,
                    json={"username": "bob", "password": BOB_PW, "role": "viewer"})
    assert alice.status_code == 201 and bob.status_code == 201
    # refusals that carry passwords in the request
    assert r.request("POST", f"{API}/users", headers=admin_h,
                     json={"username": "ALICE", "password": BAD_USER_PW, "role": "viewer"}).status_code == 409
    assert r.request("POST", f"{API}/users", headers=admin_h,
                     json={"username": "bad user", "password": BAD_USER_PW, "role": "viewer"}).status_code == 400
    assert r.request("POST", f"{API}/users", headers=admin_h,
                     json={"username": "x", "password": BAD_USER_PW, "role": "viewer", "extra": BAD_USER_PW}
                     ).status_code == 400
    assert r.request("POST", f"{API}/auth/login", data=('{"username":"alice","password":"' + WRONG_PW).encode(),
                     headers={"Content-Type": "application/json"}).status_code == 400
    assert r.request("POST", f"{API}/auth/login", json={"username": "alice", "password": WRONG_PW}).status_code == 401
    assert r.request("POST", f"{API}/auth/login", json={"username": "nobody", "password": WRONG_PW}).status_code == 401
    assert r.request("POST", f"{API}/auth/token", data={"grant_type": "client_credentials", "username": "alice",
                                                        "password": WRONG_PW}).status_code == 400

    alice_access, alice_refresh = remember_login(r.request("POST", f"{API}/auth/login",
                                                           json={"username": "alice", "password": ALICE_PW}))
    rotated = r.request("POST", f"{API}/auth/refresh", cookies={"gatehouse_refresh": alice_refresh})
    remember_login(rotated)
    # replay the used refresh token: reuse detection, audited
    assert r.request("POST", f"{API}/auth/refresh", json={"refresh_token": alice_refresh}).status_code == 401
    alice_access, alice_refresh = remember_login(r.request("POST", f"{API}/auth/login",
                                                           json={"username": "alice", "password": ALICE_PW}))
    alice_h = bearer(alice_access)
    made = r.request("POST", f"{API}/api-tokens", headers=alice_h, json={"name": "deploy"})
    assert made.status_code == 201
    api_token = made.json()["token"]
    tokens.append(api_token)
    assert r.request("GET", f"{API}/users/me", headers=bearer(api_token)).status_code == 200
    assert r.request("POST", f"{API}/api-tokens", headers=bearer(api_token), json={"name": "child"}).status_code == 201
    tokens.append(r.responses[-1][2].json()["token"])
    # credentials where they do not belong: in the query string, in a broken header
    assert r.request("GET", f"{API}/users/me", params={"access_token": alice_access, "password": ALICE_PW}
                     ).status_code == 401
    assert r.request("GET", f"{API}/users/me", headers={"Authorization": f"Basic {api_token}"}).status_code == 401
    assert r.request("GET", f"{API}/users/me", headers={"Authorization": f"Bearer {api_token}x"}).status_code == 401
    # password changes
    assert r.request("PATCH", f"{API}/users/me", headers=alice_h,
                     json={"current_password": WRONG_PW, "password": ALICE_NEW_PW}).status_code in (400, 401, 403)
    assert r.request("PATCH", f"{API}/users/me", headers=alice_h,
                     json={"current_password": ALICE_PW, "password": ALICE_NEW_PW}).status_code == 204
    assert r.request("PATCH", f"{API}/users/{bob.json()['id']}", headers=admin_h,
                     json={"password": BOB_RESET_PW}).status_code == 200
    remember_login(r.request("POST", f"{API}/auth/login", json={"username": "bob", "password": BOB_RESET_PW}))
    assert r.request("POST", f"{API}/auth/register", json={"username": "carol", "password": REG_PW}).status_code == 201
    carol_access, carol_refresh = remember_login(r.request("POST", f"{API}/auth/login",
                                                           json={"username": "carol", "password": REG_PW}))
    assert r.request("POST", f"{API}/auth/logout", headers=bearer(carol_access),
                     cookies={"gatehouse_refresh": carol_refresh}).status_code == 204

    # the CLI, while the server runs
    cli = subprocess.run([bin_path(), "user", "--data-dir", str(data_dir), *FAST_HASH_ARGS, "add", "dave",
                          "--role", "viewer"], env=clean_env({"GATEHOUSE_USER_PASSWORD": CLI_PW}),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    cli_stdin = subprocess.run([bin_path(), "user", "--data-dir", str(data_dir), *FAST_HASH_ARGS, "passwd", "dave"],
                               env=clean_env(), input=CLI_PW + "-2\n", capture_output=True, text=True, timeout=60)
    assert cli_stdin.returncode == 0, cli_stdin.stderr
    assert login_ok(server, "dave", CLI_PW + "-2")
    last = login(server, "dave", CLI_PW)
    assert last.status_code == 401

    key_hex = jwt_key(data_dir).hex()
    secrets = PASSWORDS + [CLI_PW + "-2"] + [t for t in tokens if t] + [key_hex]
    assert len(tokens) >= 10

    # 1. error bodies and headers: no password, hash or key; tokens only where they are handed out
    for method, path, resp in r.responses:
        text = resp.text + str(dict(resp.headers))
        for pw in PASSWORDS + [key_hex, "$argon2"]:
            assert pw not in text, f"{method} {path} -> {resp.status_code} echoes a secret: {text[:300]}"
        if resp.status_code >= 400:
            for t in tokens:
                assert t not in text, f"{method} {path} -> {resp.status_code} echoes a token"
    for out in (cli.stdout, cli.stderr, cli_stdin.stdout, cli_stdin.stderr):
        assert CLI_PW not in out and "$argon2" not in out

    # 2. audit events (after the asynchronous writer caught up with the last request)
    admin_access = login_ok(server, "admin", ADMIN_PW).access
    events = events_through(server, admin_access, last.headers["X-Request-Id"])
    assert {"auth.logout", "auth.refresh_reuse"} <= {e["action"] for e in events}
    assert len(events) >= 15, len(events)
    blob = str(events)
    for s in secrets + ["$argon2"]:
        assert s not in blob, f"an audit event holds a secret ({s[:12]}...)"

    # 3. logs, after a clean stop
    assert server.terminate() == 0
    log = server.log_path.read_bytes()
    assert b"http.request" in log, "the access log is not in the captured output"
    for s in secrets + ["$argon2"]:
        assert s.encode() not in log, f"the server log holds a secret ({s[:12]}...)"

    # 4. the raw database: hashes only
    raw = b""
    for name in ("gatehouse.db", "gatehouse.db-wal", "gatehouse.db-shm"):
        path = data_dir / name
        if path.exists():
            raw += path.read_bytes()
    assert b"$argon2id$" in raw, "expected argon2id hashes in the database"
    for s in secrets:
        assert s.encode() not in raw, f"the database holds a secret in plain text ({s[:12]}...)"
        assert s.encode("utf-16-le") not in raw
