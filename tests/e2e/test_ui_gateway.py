"""The web UI's gateway page, in Debian's headless Chromium against a real gatehouse and a real upstream: the admin
creates a route through the UI (a browser-side and a server-side field error on the way), edits it and tops up an
operator's wallet; the operator buys a 12-hour token seeing the price and the balance before, sees the balance
fall by the price and opens the route in the browser with the token (the upstream answers through /gw/{slug}/).
pytest then requests through the proxy with that token; the operator (390 px wide) sees the session in the live
sessions list, revokes the token and sees the 11-credit refund in the ledger; the admin deletes another route; a
viewer sees no route create, edit or delete control. The server's state is checked through the API after each
phase. No CSP violation, no serious axe-core finding, no request to another origin on any page."""
from __future__ import annotations

import pytest
import requests

from gateway_support import Upstream, balance, create_route, ledger
from support import ADMIN_PASSWORD, API, admin_login, create_user, login_ok, start_identity, unique
from ui_support import run_scenario, ui_args

PASSWORD = "e2e-UiGateway-pw-7Lm"
TOP_UP = 50


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    up = Upstream(tmp_path_factory.mktemp("upstream"))
    yield up
    up.stop()


def test_gateway_routes_tokens_wallet_and_sessions(start_module_server, upstream):
    gh = start_identity(start_module_server, *ui_args())
    admin = admin_login(gh)
    people = {}
    for role in ("operator", "viewer"):
        name = unique(f"ui-gw-{role}")
        people[role] = {"username": name, "password": PASSWORD,
                        "id": create_user(gh, admin.access, name, PASSWORD, role)["id"]}
    slug = unique("ui-app")
    scratch = create_route(gh, admin.headers, unique("scratch"), upstream.url, name="Scratch route")
    common = dict(base=gh.url, password=ADMIN_PASSWORD, slug=slug, top_up=TOP_UP,
                  upstream_url=upstream.url + "/echo", route_name="Echo app", route_renamed="Echo app (team)",
                  operator={k: people["operator"][k] for k in ("username", "password")},
                  viewer={k: people["viewer"][k] for k in ("username", "password")})

    report = run_scenario("gateway", phase="buy", **common)
    # The route the admin made through the UI, as the API sees it.
    route = gh.request("GET", f"{API}/gateway/routes/{slug}", headers=admin.headers).json()
    assert route["name"] == "Echo app (team)"
    assert route["upstream_url"] == upstream.url + "/echo"
    assert route["prices"] == {"1": 1, "12": 12, "168": 100}
    assert route["extra_headers"] == {"x-team": "ops"}
    assert route["allowed_roles"] == ["viewer", "operator", "admin"] and route["enabled"] is True
    assert report["measures"]["route_url"].endswith(f"/gateway/{route['id']}")
    op = login_ok(gh, people["operator"]["username"], PASSWORD).headers
    assert balance(gh, op) == TOP_UP - 12
    kinds = [(e["kind"], e["amount"], e["note"]) for e in ledger(gh, op)]
    assert kinds[-1] == ("top_up", TOP_UP, "UI top-up") and kinds[0][:2] == ("purchase", -12), kinds
    tokens = gh.request("GET", f"{API}/access-tokens", headers=op).json()["items"]
    assert len(tokens) == 1 and tokens[0]["active"] and tokens[0]["duration_hours"] == 12
    token = report["measures"]["token"]
    assert report["measures"]["opened"] == "/echo/"

    # Requests through the proxy with the token the UI showed.
    for _ in range(3):
        resp = requests.get(f"{gh.url}/gw/{slug}/ping", headers={"X-Access-Token": token}, timeout=10)
        assert resp.status_code == 200, resp.text[:300]
        assert resp.json()["path"] == "/echo/ping"
        assert ["X-Team", "ops"] in resp.json()["headers"] or ["x-team", "ops"] in resp.json()["headers"]

    report = run_scenario("gateway", phase="revoke", token_id=tokens[0]["id"], requests=3,
                          scratch_id=scratch["id"], scratch_name="Scratch route", **common)
    assert report["measures"]["session_requests"] >= 3
    revoked = gh.request("GET", f"{API}/access-tokens", headers=op).json()["items"][0]
    assert revoked["revoked_at"] and not revoked["active"] and revoked["refunded"] == 11
    assert balance(gh, op) == TOP_UP - 1
    assert [e["kind"] for e in ledger(gh, op)] == ["refund", "purchase", "top_up"]
    assert requests.get(f"{gh.url}/gw/{slug}/ping", headers={"X-Access-Token": token}, timeout=10).status_code != 200
    assert gh.request("GET", f"{API}/gateway/routes/{scratch['id']}", headers=admin.headers).status_code == 404
    assert set(report["pages"]) >= {"gateway-sessions-390", "gateway-tokens-390", "gateway-wallet-390",
                                    "gateway-routes-viewer-390", "gateway-route-viewer-390"}
