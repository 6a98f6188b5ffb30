"""Login rate limits per username and per source address, 429 with Retry-After, X-Forwarded-For
believed only from trusted proxies."""

from __future__ import annotations

import pytest

from support import ADMIN_PASSWORD, API, assert_problem, login, start_identity

LIMIT = 3


@pytest.fixture(scope="module")
def proxied(start_module_server):
    """Behind a trusted proxy (127.0.0.1): X-Forwarded-For names the client, so each test can use
    addresses of its own and the windows of different tests do not mix."""
    return start_identity(start_module_server, "--auth-trusted-proxies", "127.0.0.1",
                          "--auth-registration-enabled", "true", attempts_per_minute=LIMIT)


def from_ip(ip: str) -> dict:
    return {"X-Forwarded-For": ip}


def check_429(resp):
    body = assert_problem(resp, 429)
    retry = resp.headers.get("Retry-After")
    assert retry is not None and retry.isdigit(), f"Retry-After {retry!r}"
    assert 0 < int(retry) <= 61, retry
    return body


def test_same_username_same_address(start_server, tmp_path):
    """No proxy: four attempts at one username from one address; the fourth is throttled, even
    with the right password, and the rate limit does not say whether the user exists."""
    server = start_identity(start_server, data_dir=tmp_path / "plain", attempts_per_minute=LIMIT)
    for _ in range(LIMIT):
        assert_problem(login(server, "admin", "wrong-password"), 401)
    check_429(login(server, "admin", ADMIN_PASSWORD))
    # X-Forwarded-For from an untrusted peer is ignored: spoofing an address does not help.
    check_429(login(server, "someone-else", "wrong-password", headers=from_ip("203.0.113.99")))
    # The OAuth2 form endpoint shares the limit.
    resp = server.request("POST", f"{API}/auth/token",
                          data={"grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD})
    check_429(resp)
    # Protected routes are not affected by the login limit.
    assert server.get("/healthz").status_code == 200


def test_per_username_across_addresses(proxied):
    server = proxied
    for i in range(LIMIT):
        assert_problem(login(server, "victim", "wrong-password", headers=from_ip(f"198.51.100.{i + 1}")), 401)
    check_429(login(server, "victim", "wrong-password", headers=from_ip("198.51.100.50")))
    # Case does not give a fresh window.
    check_429(login(server, "VICTIM", "wrong-password", headers=from_ip("198.51.100.51")))
    # Other usernames from those addresses still get through.
    assert_problem(login(server, "bystander", "wrong-password", headers=from_ip("198.51.100.1")), 401)


def test_per_address_across_usernames(proxied):
    server = proxied
    ip = from_ip("203.0.113.7")
    for i in range(LIMIT):
        assert_problem(login(server, f"spray-{i}", "wrong-password", headers=ip), 401)
    check_429(login(server, "spray-new", "wrong-password", headers=ip))
    check_429(login(server, "admin", ADMIN_PASSWORD, headers=ip))
    # Another address is not affected (and throttled attempts did not count against the username).
    assert_problem(login(server, "spray-new", "wrong-password", headers=from_ip("203.0.113.8")), 401)


def test_successful_logins_count_too(proxied):
    """(The only test on this server that logs in as admin: the username window is shared.)"""
    server = proxied
    ip = from_ip("192.0.2.10")
    for _ in range(LIMIT):
        assert login(server, "admin", ADMIN_PASSWORD, headers=ip).status_code == 200
    check_429(login(server, "admin", ADMIN_PASSWORD, headers=ip))


def test_register_is_limited(proxied):
    server = proxied
    ip = from_ip("192.0.2.20")
    for i in range(LIMIT):
        resp = server.request("POST", f"{API}/auth/register", headers=ip,
                              json={"username": f"reg-limit-{i}", "password": "reg-limit-pw-1"})
        assert resp.status_code == 201, resp.text
    resp = server.request("POST", f"{API}/auth/register", headers=ip,
                          json={"username": "reg-limit-x", "password": "reg-limit-pw-1"})
    check_429(resp)
    assert_problem(login(server, "reg-limit-x", "reg-limit-pw-1", headers=from_ip("192.0.2.21")), 401)


def test_forwarded_chain_is_read_from_the_right(proxied):
    """Only the hop the trusted proxy saw counts: a client-supplied left-most entry is not the key."""
    server = proxied
    for i in range(LIMIT):
        headers = from_ip(f"10.9.9.{i}, 192.0.2.30")  # spoofed first hop, real client last
        assert_problem(login(server, f"chain-{i}", "wrong-password", headers=headers), 401)
    check_429(login(server, "chain-x", "wrong-password", headers=from_ip("10.9.9.200, 192.0.2.30")))
