"""Password-check rate limits: every attempt per source address, failures per username and address, failures
per username from clients without that account's device cookie (so strangers cannot lock the real user out);
429 with Retry-After; X-Forwarded-For believed only from trusted proxies."""

from __future__ import annotations

import pytest

from support import ADMIN_PASSWORD, API, assert_problem, create_user, login, login_ok, start_identity

LIMIT = 3
ACCOUNT_LIMIT = 5


@pytest.fixture(scope="module")
def proxied(start_module_server):
    """Behind a trusted proxy (127.0.0.1): X-Forwarded-For names the client, so each test can use
    addresses of its own and the windows of different tests do not mix."""
    return start_identity(start_module_server, "--auth-trusted-proxies", "127.0.0.1",
                          "--auth-registration-enabled", "true", "--auth-login-failures-per-account-per-minute",
                          ACCOUNT_LIMIT, attempts_per_minute=LIMIT)


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
    for i in range(ACCOUNT_LIMIT):
        assert_problem(login(server, "victim", "wrong-password", headers=from_ip(f"198.51.100.{i + 1}")), 401)
    check_429(login(server, "victim", "wrong-password", headers=from_ip("198.51.100.50")))
    # Case does not give a fresh window.
    check_429(login(server, "VICTIM", "wrong-password", headers=from_ip("198.51.100.51")))
    # Other usernames from those addresses still get through.
    assert_problem(login(server, "bystander", "wrong-password", headers=from_ip("198.51.100.1")), 401)


def admin_token(server) -> str:
    return login_ok(server, "admin", ADMIN_PASSWORD, headers=from_ip("192.0.2.200")).access


def test_strangers_cannot_lock_the_real_user_out(proxied):
    """Ten wrong passwords from other addresses: the user's own browser (device cookie from an earlier login)
    still logs in; so does the user from an address of their own while the account's limit for strangers holds."""
    server = proxied
    create_user(server, admin_token(server), "lockout-target", "lockout-Pw-123", "operator")
    first = login(server, "lockout-target", "lockout-Pw-123", headers=from_ip("192.0.2.40"))
    assert first.status_code == 200, first.text
    device = first.cookies.get("gatehouse_device")
    assert device, first.headers.get("Set-Cookie")
    cookie_header = first.headers["Set-Cookie"]
    assert "gatehouse_device=" in cookie_header and "HttpOnly" in cookie_header

    # A stranger, from many addresses: below the per-address limit each, past the account's limit overall.
    for i in range(10):
        resp = login(server, "lockout-target", "guess-" + str(i), headers=from_ip(f"203.0.113.{100 + i}"))
        assert resp.status_code in (401, 429), resp.text
    check_429(login(server, "lockout-target", "lockout-Pw-123", headers=from_ip("203.0.113.200")))

    # The real user's browser, with its device cookie, from its own address: in.
    resp = login(server, "lockout-target", "lockout-Pw-123", headers=from_ip("192.0.2.41"),
                 cookies={"gatehouse_device": device})
    assert resp.status_code == 200, resp.text
    # A forged or foreign device cookie is no cookie at all.
    check_429(login(server, "lockout-target", "lockout-Pw-123", headers=from_ip("192.0.2.42"),
                    cookies={"gatehouse_device": "AAAA.BBBB"}))
    # The device's own wrong passwords are limited too (per device), without locking other devices out.
    for _ in range(LIMIT):
        assert_problem(login(server, "lockout-target", "wrong", headers=from_ip(f"192.0.2.{50 + _}"),
                             cookies={"gatehouse_device": device}), 401)
    check_429(login(server, "lockout-target", "lockout-Pw-123", headers=from_ip("192.0.2.60"),
                    cookies={"gatehouse_device": device}))


def test_failures_from_elsewhere_below_the_account_limit_leave_the_user_in(proxied):
    server = proxied
    create_user(server, admin_token(server), "lockout-two", "lockout-Pw-456", "viewer")
    for i in range(ACCOUNT_LIMIT - 1):
        assert_problem(login(server, "lockout-two", "guess", headers=from_ip(f"203.0.113.{20 + i}")), 401)
    # No device cookie, an address of its own: the per-address and per-address-and-account windows are empty.
    assert login(server, "lockout-two", "lockout-Pw-456", headers=from_ip("192.0.2.70")).status_code == 200


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
