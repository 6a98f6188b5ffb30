"""Gateway routes, wallets and access tokens through the API: purchase, refund, idempotency, and concurrent
purchases that can never overspend (SQLite, and two instances sharing PostgreSQL)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from gateway_support import (assert_ledger_consistent, balance, buy, buy_ok, create_route, ledger, top_up)
from support import (API, admin_login, assert_problem, bearer, create_user, login_ok, unique, wait_audit)

PASSWORD = "e2e-Gateway-pw-4Rt"
PRICES = {"1": 1, "12": 10, "24": 24, "168": 100, "720": 400}


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def users(gh, roles):
    """(admin headers, operator {id, headers}, viewer {id, headers})."""
    admin = admin_login(gh)
    out = {"admin": admin.headers, "admin_token": admin.access}
    for role in ("operator", "viewer"):
        name = unique(f"gw-{role}")
        user = create_user(gh, admin.access, name, PASSWORD, role)
        out[role] = {"id": user["id"], "headers": login_ok(gh, name, PASSWORD).headers}
    return out


def test_routes_are_admin_written_viewer_read_and_validated(gh, users):
    admin, viewer = users["admin"], users["viewer"]["headers"]
    slug = unique("app")
    body = {"slug": slug, "name": "App", "upstream_url": "http://127.0.0.1:9/base/", "prices": PRICES,
            "allowed_roles": ["admin", "operator"], "extra_headers": {"X-Team": "ops"},
            "allowed_origins": ["https://ops.example.com"], "identity_header": "X-Gatehouse-Assertion"}
    assert_problem(gh.request("POST", f"{API}/gateway/routes", headers=viewer, json=body), 403)
    resp = gh.request("POST", f"{API}/gateway/routes", headers=admin, json=body)
    assert resp.status_code == 201, resp.text
    route = resp.json()
    assert route["upstream_url"] == "http://127.0.0.1:9/base"
    assert route["path"] == f"/gw/{slug}/"
    assert route["prices"] == PRICES
    assert route["extra_headers"] == {"x-team": "ops"}
    assert route["websocket"] is True and route["rewrite"] is False and route["enabled"] is True
    assert gh.request("GET", f"{API}/gateway/routes/{slug}", headers=viewer).json()["id"] == route["id"]
    listed = gh.request("GET", f"{API}/gateway/routes", headers=viewer, params={"limit": 500}).json()["items"]
    assert route["id"] in [r["id"] for r in listed]
    assert_problem(gh.request("POST", f"{API}/gateway/routes", headers=admin, json=body), 409)

    bad = [
        {"slug": "Has Space"}, {"slug": "status"}, {"upstream_url": "ftp://x"}, {"upstream_url": "http://u:p@h/"},
        {"upstream_url": "not a url"}, {"prices": {"2": 5}}, {"prices": {"1": -1}}, {"allowed_roles": []},
        {"allowed_roles": ["root"]}, {"extra_headers": {"Host": "x"}}, {"extra_headers": {"X-A": "a\r\nb"}},
        {"allowed_origins": ["not an origin"]}, {"host": "bad host:80"}, {"identity_header": "Bad Header"},
        {"ca_file": "relative.pem"}, {"unknown": 1},
    ]
    for change in bad:
        fields = {**body, "slug": unique("bad"), **change}
        resp = gh.request("POST", f"{API}/gateway/routes", headers=admin, json=fields)
        assert_problem(resp, 400), change
    patched = gh.request("PATCH", f"{API}/gateway/routes/{route['id']}", headers=admin, json={"enabled": False})
    assert patched.status_code == 200, patched.text
    assert patched.json()["enabled"] is False and patched.json()["prices"] == PRICES
    assert gh.request("DELETE", f"{API}/gateway/routes/{route['id']}", headers=admin).status_code == 204
    assert_problem(gh.request("GET", f"{API}/gateway/routes/{route['id']}", headers=admin), 404)


def test_purchase_issues_a_hashed_token_for_an_allowed_role_and_exact_durations(gh, users):
    admin, op, viewer = users["admin"], users["operator"], users["viewer"]
    slug = unique("buy")
    route = create_route(gh, admin, slug, "http://127.0.0.1:9", prices=PRICES, allowed_roles=["operator", "admin"])
    top_up(gh, admin, op["id"], 1000)
    before = balance(gh, op["headers"])
    t0 = datetime.now(timezone.utc)
    token = buy_ok(gh, op["headers"], slug, 24)
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", token["token"]), token
    assert token["route"] == slug and token["route_id"] == route["id"]
    assert token["duration_hours"] == 24 and token["price"] == 24
    expires = parse_time(token["expires_at"])
    assert abs((expires - t0 - timedelta(hours=24)).total_seconds()) < 60
    assert balance(gh, op["headers"]) == before - 24
    # by id too
    assert buy_ok(gh, op["headers"], route["id"], 1)["price"] == 1

    for hours in (0, 2, 48, 721, -1):
        assert_problem(buy(gh, op["headers"], slug, hours), 400)
    assert_problem(buy(gh, viewer["headers"], slug, 1), 403)
    assert_problem(buy(gh, op["headers"], unique("nope"), 1), 404)
    # the token is never listed, never stored in clear
    listed = gh.request("GET", f"{API}/access-tokens", headers=op["headers"]).json()["items"]
    assert token["id"] in [t["id"] for t in listed] and all("token" not in t for t in listed)
    assert token["token"] not in (gh.data_dir / "gatehouse.db").read_bytes().decode("latin-1")
    # a disabled route sells nothing
    gh.request("PATCH", f"{API}/gateway/routes/{slug}", headers=admin, json={"enabled": False})
    assert_problem(buy(gh, op["headers"], slug, 1), 409)
    wait_audit(gh, users["admin_token"], lambda e: e["resource"]["id"] == token["id"] and e["outcome"] == "success",
               action="gateway.token_purchase")


def test_insufficient_credits_is_402_and_free_routes_need_none(gh, users):
    admin, op = users["admin"], users["operator"]
    slug = unique("dear")
    create_route(gh, admin, slug, "http://127.0.0.1:9", prices={"720": 10 ** 9})
    body = assert_problem(buy(gh, op["headers"], slug, 720), 402)
    assert body["kind"] == "insufficient_credits" and "insufficient_credits" in body["detail"]
    assert_problem(buy(gh, op["headers"], slug, 1), 400)  # not sold for 1 h
    free = unique("free")
    create_route(gh, admin, free, "http://127.0.0.1:9")  # no prices: every duration free
    before = balance(gh, op["headers"])
    assert buy_ok(gh, op["headers"], free, 720)["price"] == 0
    assert balance(gh, op["headers"]) == before


def test_idempotency_key_answers_the_first_purchase_and_charges_once(gh, users):
    admin, op = users["admin"], users["operator"]
    slug = unique("idem")
    create_route(gh, admin, slug, "http://127.0.0.1:9", prices=PRICES)
    top_up(gh, admin, op["id"], 100)
    before = balance(gh, op["headers"])
    key = unique("key")
    first = buy_ok(gh, op["headers"], slug, 12, idempotency_key=key)
    again = buy_ok(gh, op["headers"], slug, 12, idempotency_key=key)
    assert again == first
    assert balance(gh, op["headers"]) == before - 10
    assert_problem(buy(gh, op["headers"], slug, 24, idempotency_key=key), 409)
    # concurrent repeats of a new key: one charge
    key2 = unique("key")
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: buy(gh, op["headers"], slug, 1, idempotency_key=key2), range(8)))
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["id"] for r in results}) == 1 and len({r.json()["token"] for r in results}) == 1
    assert balance(gh, op["headers"]) == before - 11


def test_revoke_refunds_unused_whole_hours(gh, users):
    admin, op, viewer = users["admin"], users["operator"], users["viewer"]
    slug = unique("refund")
    create_route(gh, admin, slug, "http://127.0.0.1:9", prices=PRICES)
    top_up(gh, admin, op["id"], 500)
    before = balance(gh, op["headers"])
    token = buy_ok(gh, op["headers"], slug, 168)  # 100 credits for 168 h
    assert_problem(gh.request("DELETE", f"{API}/access-tokens/{token['id']}", headers=viewer["headers"]), 404)
    resp = gh.request("DELETE", f"{API}/access-tokens/{token['id']}", headers=op["headers"])
    assert resp.status_code == 200, resp.text
    # 167 whole hours of 168 unused: 100 * 167 // 168 = 99
    assert resp.json()["refund"] == 99 and resp.json()["active"] is False and resp.json()["revoked_at"]
    assert balance(gh, op["headers"]) == before - 100 + 99
    assert_problem(gh.request("DELETE", f"{API}/access-tokens/{token['id']}", headers=op["headers"]), 409)
    entries = ledger(gh, op["headers"])
    assert entries[0]["kind"] == "refund" and entries[0]["amount"] == 99 and entries[0]["token_id"] == token["id"]
    assert entries[1]["kind"] == "purchase" and entries[1]["amount"] == -100
    assert_ledger_consistent(entries, balance(gh, op["headers"]))
    active = gh.request("GET", f"{API}/access-tokens", headers=op["headers"],
                        params={"active_only": "true", "route": slug}).json()["items"]
    assert active == []
    wait_audit(gh, users["admin_token"], lambda e: e["resource"]["id"] == token["id"] and e["details"].get("refund") == 99,
               action="gateway.token_revoke")


def test_wallet_is_own_unless_admin_and_top_up_is_admin_only(gh, users):
    admin, op, viewer = users["admin"], users["operator"], users["viewer"]
    assert_problem(gh.request("POST", f"{API}/wallet/top-up", headers=op["headers"],
                              json={"user_id": op["id"], "amount": 5}), 403)
    assert_problem(gh.request("GET", f"{API}/wallet", headers=viewer["headers"], params={"user_id": op["id"]}), 403)
    assert balance(gh, admin, user_id=op["id"]) == balance(gh, op["headers"])
    for amount in (0, 1.5, "5", 10 ** 13):
        assert_problem(gh.request("POST", f"{API}/wallet/top-up", headers=admin,
                                  json={"user_id": op["id"], "amount": amount}), 400)
    assert_problem(gh.request("POST", f"{API}/wallet/top-up", headers=admin,
                              json={"user_id": "no-such-user", "amount": 5}), 404)
    fresh = create_user(gh, users["admin_token"], unique("gw-fresh"), PASSWORD, "viewer")
    tx = top_up(gh, admin, fresh["id"], 7, note="welcome")
    assert tx["kind"] == "top_up" and tx["balance_after"] == 7 and tx["note"] == "welcome"
    assert_problem(gh.request("POST", f"{API}/wallet/top-up", headers=admin,
                              json={"user_id": fresh["id"], "amount": -8}), 402)
    adj = top_up(gh, admin, fresh["id"], -7, note="correction")
    assert adj["kind"] == "adjustment" and adj["balance_after"] == 0
    entries = ledger(gh, admin, user_id=fresh["id"])
    assert [e["kind"] for e in entries] == ["adjustment", "top_up"]
    assert_ledger_consistent(entries, 0)
    wait_audit(gh, users["admin_token"], lambda e: e["resource"]["id"] == fresh["id"], action="wallet.top_up")


def concurrent_purchases(servers, headers: dict, slug: str, count: int = 100) -> list[requests.Response]:
    sessions = [requests.Session() for _ in servers]

    def one(i: int) -> requests.Response:
        server = servers[i % len(servers)]
        return sessions[i % len(servers)].post(f"{server.url}{API}/access-tokens", headers=headers,
                                               json={"route": slug, "duration_hours": 1}, timeout=60)

    with ThreadPoolExecutor(50) as pool:
        return list(pool.map(one, range(count)))


def assert_exactly_ten(results: list[requests.Response], servers, headers: dict) -> None:
    codes = [r.status_code for r in results]
    assert codes.count(201) == 10, codes
    assert codes.count(402) == 90, codes
    for r in results:
        if r.status_code == 402:
            assert r.json()["kind"] == "insufficient_credits"
    for server in servers:
        assert balance(server, headers) == 0
    entries = ledger(servers[0], headers)
    assert len([e for e in entries if e["kind"] == "purchase"]) == 10
    assert_ledger_consistent(entries, 0, ordered=False)


def test_hundred_concurrent_purchases_with_credits_for_ten(gh, users):
    admin = users["admin"]
    name = unique("gw-buyer")
    user = create_user(gh, users["admin_token"], name, PASSWORD, "viewer")
    headers = login_ok(gh, name, PASSWORD).headers
    slug = unique("race")
    create_route(gh, admin, slug, "http://127.0.0.1:9", prices={"1": 7})
    top_up(gh, admin, user["id"], 70)
    results = concurrent_purchases([gh], headers, slug)
    assert_exactly_ten(results, [gh], headers)


@pytest.mark.pg
def test_hundred_concurrent_purchases_on_two_instances_sharing_postgres(instance_pair):
    a, b = instance_pair
    admin = bearer(admin_login(a).access)
    name = unique("gw-buyer")
    user = create_user(a, admin["Authorization"].split()[1], name, PASSWORD, "viewer")
    headers = login_ok(a, name, PASSWORD).headers
    slug = unique("race")
    create_route(a, admin, slug, "http://127.0.0.1:9", prices={"1": 3})
    top_up(a, admin, user["id"], 30)
    # b learns the route through NOTIFY; it must sell it too
    deadline = time.monotonic() + 5
    while b.request("GET", f"{API}/gateway/routes/{slug}", headers=headers).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    results = concurrent_purchases([a, b], headers, slug)
    assert_exactly_ten(results, [a, b], headers)
