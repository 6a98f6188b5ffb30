"""Credentials minted through the API never out-rank or outlive their maker (hardening issue, item 3); every
password check is throttled and hashed on a bounded pool (item 4)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import time

import pytest

from support import (
    ADMIN_PASSWORD,
    API,
    admin_login,
    assert_problem,
    bearer,
    create_api_token,
    create_user,
    login,
    login_ok,
    start_identity,
)


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def gh(start_module_server):
    return start_identity(start_module_server, "--auth-trusted-proxies", "127.0.0.1")


def test_a_token_made_with_a_token_expires_no_later_and_ranks_no_higher(gh):
    admin = admin_login(gh)
    create_user(gh, admin.access, "minter", "minter-Pw-123", "operator")
    me = login_ok(gh, "minter", "minter-Pw-123")
    parent_expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    parent = create_api_token(gh, me.access, "parent", role="operator", expires_at=iso(parent_expiry))
    as_parent = bearer(parent["token"])

    # No expiry asked: it inherits its maker's.
    child = gh.request("POST", f"{API}/api-tokens", headers=as_parent, json={"name": "child"})
    assert child.status_code == 201, child.text
    assert parse(child.json()["expires_at"]) <= parse(parent["expires_at"])
    assert child.json()["role"] == "operator"
    # Later than its maker: refused.
    later = iso(parent_expiry + dt.timedelta(days=30))
    assert_problem(gh.request("POST", f"{API}/api-tokens", headers=as_parent,
                              json={"name": "too-long", "expires_at": later}), 403)
    # Higher than its maker: refused. A lower role and an earlier expiry are fine.
    assert_problem(gh.request("POST", f"{API}/api-tokens", headers=as_parent,
                              json={"name": "too-high", "role": "admin"}), 403)
    sooner = iso(parent_expiry - dt.timedelta(minutes=30))
    resp = gh.request("POST", f"{API}/api-tokens", headers=as_parent,
                      json={"name": "viewer-child", "role": "viewer", "expires_at": sooner})
    assert resp.status_code == 201, resp.text
    # Grandchildren inherit the bound too.
    grandchild = gh.request("POST", f"{API}/api-tokens", headers=bearer(child.json()["token"]),
                            json={"name": "grandchild"})
    assert grandchild.status_code == 201
    assert parse(grandchild.json()["expires_at"]) <= parse(parent["expires_at"])

    # A session (not a token) may still make a token without an expiry.
    free = gh.request("POST", f"{API}/api-tokens", headers=me.headers, json={"name": "session-made"})
    assert free.status_code == 201 and free.json()["expires_at"] is None
    # A token capped by its user's role cannot mint above the cap either.
    viewer_token = create_api_token(gh, me.access, "capped", role="viewer")
    assert_problem(gh.request("POST", f"{API}/api-tokens", headers=bearer(viewer_token["token"]),
                              json={"name": "escalate", "role": "operator"}), 403)


def test_changing_ones_password_is_a_throttled_password_check(start_server, tmp_path):
    # Every password check from the address counts: the admin's login, the user's, then three wrong ones.
    server = start_identity(start_server, data_dir=tmp_path / "pw", attempts_per_minute=5)
    admin = admin_login(server)
    create_user(server, admin.access, "pw-changer", "pw-changer-Pw-1", "viewer")
    me = login_ok(server, "pw-changer", "pw-changer-Pw-1")
    for i in range(3):
        assert_problem(server.request("PATCH", f"{API}/users/me", headers=me.headers,
                                      json={"current_password": f"wrong-{i}", "password": "new-Pw-12345"}), 403)
    resp = server.request("PATCH", f"{API}/users/me", headers=me.headers,
                          json={"current_password": "wrong-4", "password": "new-Pw-12345"})
    body = assert_problem(resp, 429)
    assert resp.headers.get("Retry-After", "").isdigit(), resp.headers
    assert "try again" in body["detail"]
    # Even the right password waits: guessing cannot go faster than the limit.
    assert_problem(server.request("PATCH", f"{API}/users/me", headers=me.headers,
                                  json={"current_password": "pw-changer-Pw-1", "password": "new-Pw-12345"}), 429)


def test_a_flood_of_password_checks_is_refused_quickly_and_starves_nothing(start_server, tmp_path):
    # Real argon2 cost, one hashing thread and a short queue: the flood must be turned away, not queued.
    server = start_identity(start_server, "--auth-trusted-proxies", "127.0.0.1", "--workers-password-threads", "1",
                            "--workers-password-max-queued", "2", data_dir=tmp_path / "flood", fast_hash=False)
    admin = admin_login(server)

    def attempt(i: int):
        started = time.monotonic()
        resp = login(server, f"flood-{i}", "wrong-password", headers={"X-Forwarded-For": f"203.0.113.{i % 250}"},
                     timeout=30)
        return resp.status_code, time.monotonic() - started, resp.headers.get("Retry-After")

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        flood = [pool.submit(attempt, i) for i in range(120)]
        # While it runs, other routes answer at once.
        time.sleep(0.2)
        started = time.monotonic()
        me = server.request("GET", f"{API}/users/me", headers=admin.headers, timeout=10)
        other_route = time.monotonic() - started
        assert me.status_code == 200
        answers = [f.result() for f in flood]
    statuses = [s for s, _, _ in answers]
    busy = [a for a in answers if a[0] == 503]
    print(f"\npassword flood: {statuses.count(401)} checked, {len(busy)} turned away (503), "
          f"{statuses.count(429)} throttled; GET /users/me meanwhile {other_route * 1000:.1f} ms; "
          f"slowest refusal {max((t for s, t, _ in busy), default=0) * 1000:.1f} ms")
    assert set(statuses) <= {401, 429, 503}, statuses
    assert busy, "a flood of 120 password checks on one hashing thread was never turned away"
    assert all(retry == "1" for _, _, retry in busy)
    assert max(t for _, t, _ in busy) < 2.0, "refusals waited for the hashing pool"
    assert other_route < 0.5, f"GET /users/me took {other_route:.2f}s during the flood"
    # Another user's login gets through, retrying after a 503 as told by Retry-After.
    deadline = time.monotonic() + 20
    while True:
        resp = login(server, "admin", ADMIN_PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"})
        if resp.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
