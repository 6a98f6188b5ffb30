"""The gateway's reverse proxy, black-box: every way to present an access token and every refusal, what crosses
to the upstream and back (hop-by-hop headers, the gateway's cookie and token, X-Forwarded-*, Location and
Set-Cookie), streamed bodies of 200 MB each way with bounded memory, and upstream failures."""

from __future__ import annotations

import hashlib
import socket
import threading
import time

import pytest
import requests

from gateway_support import Upstream, buy_ok, create_route, rss_kib
from support import API, admin_login, assert_problem, create_user, login_ok, unique, wait_audit

PASSWORD = "e2e-Proxy-pw-8Wq"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    up = Upstream(tmp_path_factory.mktemp("upstream"))
    yield up
    up.stop()


@pytest.fixture(scope="module")
def gw(start_module_server):
    from support import start_identity

    return start_identity(start_module_server, "--gateway-read-timeout-s", "2", "--gateway-sync-interval-s", "1")


@pytest.fixture(scope="module")
def ctx(gw, upstream):
    admin = admin_login(gw)
    slug = unique("app")
    route = create_route(gw, admin.headers, slug, upstream.url + "/base", extra_headers={"X-Team": "ops"},
                         allowed_roles=["operator", "admin"])
    name = unique("proxy-op")
    user = create_user(gw, admin.access, name, PASSWORD, "operator")
    op = login_ok(gw, name, PASSWORD).headers
    token = buy_ok(gw, op, slug, 1)
    return {"admin": admin, "slug": slug, "route": route, "user": user, "op": op, "token": token["token"],
            "token_id": token["id"], "op_name": name}


def get(gw, path, token=None, **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["X-Access-Token"] = token
    return requests.get(gw.url + path, headers=headers, timeout=30, allow_redirects=False, **kw)


def echo(resp) -> dict:
    assert resp.status_code == 200, resp.text[:300]
    body = resp.json()
    body["h"] = {k.lower(): v for k, v in body["headers"]}
    return body


def test_header_token_reaches_the_upstream_under_its_base_path(gw, ctx):
    body = echo(get(gw, f"/gw/{ctx['slug']}/echo/a/b?q=1&r=two", ctx["token"]))
    assert body["path"] == "/base/echo/a/b?q=1&r=two"
    assert body["h"]["host"] == ctx["route"]["upstream_url"].split("//")[1].split("/")[0]
    assert body["h"]["x-forwarded-for"] == "127.0.0.1"
    assert body["h"]["x-forwarded-proto"] == "http"
    assert body["h"]["x-forwarded-host"] == gw.url.split("//")[1]
    assert body["h"]["x-forwarded-prefix"] == f"/gw/{ctx['slug']}"
    assert body["h"]["x-team"] == "ops"
    assert "x-access-token" not in body["h"]


def test_slug_without_slash_redirects_and_unknown_slug_is_404(gw, ctx):
    resp = get(gw, f"/gw/{ctx['slug']}?x=1", ctx["token"])
    assert resp.status_code == 301 and resp.headers["Location"] == f"/gw/{ctx['slug']}/?x=1"
    assert_problem(get(gw, f"/gw/{unique('none')}/", ctx["token"]), 404)


def test_refusals_missing_wrong_revoked_other_route_role_and_disabled_user(gw, ctx, upstream):
    slug = ctx["slug"]
    assert assert_problem(get(gw, f"/gw/{slug}/echo"), 401)["kind"] == "token_missing"
    assert assert_problem(get(gw, f"/gw/{slug}/echo", "x" * 64), 401)["kind"] == "token_invalid"
    # another route's token
    other = unique("other")
    create_route(gw, ctx["admin"].headers, other, upstream.url)
    other_token = buy_ok(gw, ctx["op"], other, 1)["token"]
    assert assert_problem(get(gw, f"/gw/{slug}/echo", other_token), 403)["kind"] == "wrong_route"
    assert echo(get(gw, f"/gw/{other}/echo", other_token))["path"] == "/echo"
    # revoked: refused on the very next request
    victim = buy_ok(gw, ctx["op"], slug, 1)
    assert get(gw, f"/gw/{slug}/echo", victim["token"]).status_code == 200
    assert gw.request("DELETE", f"{API}/access-tokens/{victim['id']}", headers=ctx["op"]).status_code == 200
    assert assert_problem(get(gw, f"/gw/{slug}/echo", victim["token"]), 401)["kind"] == "token_invalid"
    # the user's role changed since the purchase: no longer allowed
    name = unique("demoted")
    user = create_user(gw, ctx["admin"].access, name, PASSWORD, "operator")
    demoted = buy_ok(gw, login_ok(gw, name, PASSWORD).headers, slug, 1)["token"]
    assert get(gw, f"/gw/{slug}/echo", demoted).status_code == 200
    gw.request("PATCH", f"{API}/users/{user['id']}", headers=ctx["admin"].headers, json={"role": "viewer"})
    assert assert_problem(get(gw, f"/gw/{slug}/echo", demoted), 403)["kind"] == "role_not_allowed"
    gw.request("PATCH", f"{API}/users/{user['id']}", headers=ctx["admin"].headers, json={"disabled": True})
    assert assert_problem(get(gw, f"/gw/{slug}/echo", demoted), 401)["kind"] == "user_disabled"
    # a disabled route
    gw.request("PATCH", f"{API}/gateway/routes/{other}", headers=ctx["admin"].headers, json={"enabled": False})
    assert assert_problem(get(gw, f"/gw/{other}/echo", other_token), 403)["kind"] == "route_disabled"


def test_browser_cookie_authenticate_status_and_logout(gw, ctx):
    slug = ctx["slug"]
    session = requests.Session()
    assert_problem(session.post(gw.url + "/gw/authenticate", json={"token": "nope" * 16}, timeout=10), 401)
    resp = session.post(gw.url + "/gw/authenticate", json={"token": ctx["token"]}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_id"] == ctx["token_id"] and body["route"] == slug and body["user_id"] == ctx["user"]["id"]
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("gatehouse_access=" + ctx["token"])
    for attribute in ("HttpOnly", "Path=/gw/", "SameSite=Lax", "Max-Age="):
        assert attribute in cookie, cookie
    status = session.get(gw.url + "/gw/status", timeout=10).json()
    assert 3500 < status["remaining_seconds"] <= 3600
    upstream_view = echo(session.get(gw.url + f"/gw/{slug}/echo", timeout=10,
                                     cookies={"theirs": "kept"}))
    # the gateway's cookie never reaches the upstream; the upstream's own cookies do
    assert "gatehouse_access" not in upstream_view["h"].get("cookie", "")
    assert "theirs=kept" in upstream_view["h"]["cookie"]
    resp = session.delete(gw.url + "/gw/logout", timeout=10)
    assert resp.status_code == 204 and "Max-Age=0" in resp.headers["Set-Cookie"]
    assert_problem(session.get(gw.url + f"/gw/{slug}/echo", timeout=10), 401)
    wait_audit(gw, ctx["admin"].access, lambda e: e["resource"]["id"] == ctx["token_id"],
               action="gateway.authenticate")


def test_hop_by_hop_and_gateway_secrets_are_stripped_both_ways(gw, ctx):
    slug = ctx["slug"]
    headers = {"Connection": "keep-alive, X-Private", "X-Private": "drop me", "Keep-Alive": "timeout=5",
               "Proxy-Authorization": "Basic abc", "TE": "trailers", "X-Other": "stays",
               "Cookie": "gatehouse_access=" + ctx["token"] + "; gatehouse_refresh=r; app=1"}
    body = echo(get(gw, f"/gw/{slug}/echo", headers=headers))
    for name in ("x-private", "keep-alive", "proxy-authorization", "te", "x-access-token"):
        assert name not in body["h"], name
    assert body["h"]["x-other"] == "stays"
    assert body["h"]["cookie"] == "app=1"
    resp = get(gw, f"/gw/{slug}/hop", ctx["token"])
    assert resp.status_code == 200
    assert "X-Hop" not in resp.headers and "Keep-Alive" not in resp.headers
    assert resp.headers["X-Kept"] == "yes"


def test_location_and_set_cookie_are_mapped_under_the_route(gw, ctx):
    slug = ctx["slug"]
    # under a base path: /base/redirect answers with the upstream's absolute /landing, outside the base
    resp = get(gw, f"/gw/{slug}/redirect", ctx["token"])
    assert resp.status_code == 302 and resp.headers["Location"] == f"http://{ctx['route']['upstream_url'].split('//')[1].split('/')[0]}/landing?x=1"
    # a route without a base path, for the upstream's own redirect and cookie pages
    root = unique("root")
    create_route(gw, ctx["admin"].headers, root, gw_upstream_url(ctx))
    token = buy_ok(gw, ctx["op"], root, 1)["token"]
    resp = get(gw, f"/gw/{root}/redirect", token)
    assert resp.status_code == 302 and resp.headers["Location"] == f"/gw/{root}/landing?x=1"
    resp = get(gw, f"/gw/{root}/redirect-root", token)
    assert resp.headers["Location"] == f"/gw/{root}/landing"
    resp = get(gw, f"/gw/{root}/cookies", token)
    cookies = resp.raw.headers.get_all("Set-Cookie")
    assert f"a=1; Path=/gw/{root}/; HttpOnly" in cookies, cookies
    assert f"b=2; Path=/gw/{root}/" in cookies, cookies
    assert f"c=3; Path=/gw/{root}/sub; Secure" in cookies, cookies
    assert not any("Domain" in c for c in cookies)


def gw_upstream_url(ctx) -> str:
    return ctx["route"]["upstream_url"].rsplit("/base", 1)[0]


def test_pass_access_token_header_when_the_route_asks(gw, ctx):
    slug = unique("pass")
    create_route(gw, ctx["admin"].headers, slug, gw_upstream_url(ctx), pass_access_token_header=True)
    token = buy_ok(gw, ctx["op"], slug, 1)["token"]
    assert echo(get(gw, f"/gw/{slug}/echo", token))["h"]["x-access-token"] == token


def test_upstream_down_is_502_and_slow_is_504(gw, ctx):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    dead = port.getsockname()[1]
    port.close()
    slug = unique("dead")
    create_route(gw, ctx["admin"].headers, slug, f"http://127.0.0.1:{dead}")
    token = buy_ok(gw, ctx["op"], slug, 1)["token"]
    assert assert_problem(get(gw, f"/gw/{slug}/x", token), 502)["kind"] == "refused"
    root = unique("slow")
    create_route(gw, ctx["admin"].headers, root, gw_upstream_url(ctx))
    token = buy_ok(gw, ctx["op"], root, 1)["token"]
    started = time.monotonic()
    assert assert_problem(get(gw, f"/gw/{root}/slow", token), 504)["kind"] == "timeout"
    assert time.monotonic() - started < 3
    # the gateway still serves
    assert get(gw, f"/gw/{ctx['slug']}/echo", ctx["token"]).status_code == 200


def test_200_mb_each_way_stream_with_bounded_gateway_memory(gw, ctx):
    root = unique("bulk")
    create_route(gw, ctx["admin"].headers, root, gw_upstream_url(ctx))
    token = buy_ok(gw, ctx["op"], root, 1)["token"]
    pid = gw.pid
    before = rss_kib(pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        mib = 200
        resp = requests.get(gw.url + f"/gw/{root}/big?mb={mib}", headers={"X-Access-Token": token}, stream=True,
                            timeout=120)
        assert resp.status_code == 200
        pattern = bytes(range(256)) * 4096
        expected = hashlib.sha256()
        for _ in range(mib):
            expected.update(pattern)
        got = hashlib.sha256()
        total = 0
        for piece in resp.iter_content(1 << 20):
            got.update(piece)
            total += len(piece)
        assert total == mib << 20 and got.hexdigest() == expected.hexdigest()

        def upload():
            for _ in range(mib):
                yield pattern

        resp = requests.post(gw.url + f"/gw/{root}/echo", headers={"X-Access-Token": token}, data=upload(),
                             timeout=120)
        body = echo(resp)
        assert body["body_length"] == mib << 20 and body["body_sha256"] == expected.hexdigest()
        assert body["h"]["transfer-encoding"] == "chunked"
    finally:
        done.set()
        sampler.join()
    grown_mib = (peak[0] - before) / 1024
    print(f"gateway RSS grew by {grown_mib:.1f} MiB while streaming {mib} MiB each way")
    assert grown_mib < 48, f"RSS grew by {grown_mib:.1f} MiB"


def test_usage_is_counted_per_token(gw, ctx):
    slug = unique("usage")
    create_route(gw, ctx["admin"].headers, slug, gw_upstream_url(ctx))
    token = buy_ok(gw, ctx["op"], slug, 1)
    for _ in range(3):
        assert get(gw, f"/gw/{slug}/echo", token["token"], headers={"User-Agent": "usage-test/1"}).status_code == 200

    def mine():
        items = gw.request("GET", f"{API}/gateway/sessions", headers=ctx["op"]).json()["items"]
        return [s for s in items if s["token_id"] == token["id"] and s["requests"] == 3]

    deadline = time.monotonic() + 10
    while not mine():
        assert time.monotonic() < deadline, "usage not flushed"
        time.sleep(0.2)
    session = mine()[0]
    assert session["user_agent"] == "usage-test/1" and session["client_address"] == "127.0.0.1"
    assert session["bytes_out"] > 0
    metrics = requests.get(gw.url + "/metrics", timeout=10).text
    assert "gatehouse_gateway_requests_total" in metrics


def test_chunked_uploads_end_once_so_the_kept_connection_stays_clean(gw, ctx):
    """Chunked uploads (large pieces; the last chunk in a read of its own) leave the kept upstream connection
    clean: a stray byte after a body would reach the upstream as the start of another request, and its error page
    would answer the next request sent on that connection."""
    root = unique("chunks")
    create_route(gw, ctx["admin"].headers, root, gw_upstream_url(ctx))
    token = buy_ok(gw, ctx["op"], root, 1)["token"]
    pattern = bytes(range(256)) * 4096
    body = echo(requests.post(gw.url + f"/gw/{root}/echo", headers={"X-Access-Token": token},
                              data=iter([pattern] * 8), timeout=30))
    assert body["body_length"] == 8 * len(pattern)
    assert echo(get(gw, f"/gw/{root}/echo", token))["method"] == "GET"
    for size in (1, 70000):
        with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as sock:
            sock.sendall(f"POST /gw/{root}/echo HTTP/1.1\r\nHost: x\r\nX-Access-Token: {token}\r\n"
                         f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{size:x}\r\n".encode()
                         + b"a" * size + b"\r\n")
            time.sleep(0.2)  # the last chunk in a read of its own
            sock.sendall(b"0\r\n\r\n")
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
        assert f'"body_length": {size}'.encode() in reply
        for _ in range(3):
            assert echo(get(gw, f"/gw/{root}/echo", token))["method"] == "GET"
