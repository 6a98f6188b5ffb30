"""URL rewriting through the gateway: every construct of an HTML page (absolute upstream links, root-relative
links, srcset, <base>, inline style and <style> url(), meta refresh, scripts), CSS url()/@import and JS, plain,
gzip and br; other types and routes without `rewrite` stream untouched; a page over the cap streams unrewritten."""

from __future__ import annotations

import gzip

import brotli
import pytest
import requests

from gateway_support import Upstream, buy_ok, create_route
from support import admin_login, unique


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    up = Upstream(tmp_path_factory.mktemp("rewrite-upstream"))
    yield up
    up.stop()


@pytest.fixture(scope="module")
def gw(start_module_server):
    from support import start_identity

    return start_identity(start_module_server, "--gateway-rewrite-max-bytes", str(1 << 20))


@pytest.fixture(scope="module")
def routes(gw, upstream):
    admin = admin_login(gw)
    out = {}
    for rewrite in (True, False):
        slug = unique("rw" if rewrite else "raw")
        create_route(gw, admin.headers, slug, upstream.url, rewrite=rewrite)
        out[rewrite] = (slug, buy_ok(gw, admin.headers, slug, 1)["token"])
    return out


def fetch(gw, slug, token, path, encoding=None):
    headers = {"X-Access-Token": token, "Accept-Encoding": encoding or "identity"}
    resp = requests.get(f"{gw.url}/gw/{slug}{path}", headers=headers, timeout=30, stream=True)
    raw = resp.raw.read()
    return resp, raw


def decode(resp, raw: bytes) -> str:
    coding = resp.headers.get("Content-Encoding", "")
    if coding == "gzip":
        raw = gzip.decompress(raw)
    elif coding == "br":
        raw = brotli.decompress(raw)
    return raw.decode()


@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
def test_every_construct_of_a_page_is_mapped_under_the_route(gw, routes, upstream, encoding):
    slug, token = routes[True]
    p = f"/gw/{slug}"
    resp, raw = fetch(gw, slug, token, f"/page.html?enc={encoding if encoding != 'identity' else ''}", encoding)
    assert resp.status_code == 200
    if encoding != "identity":
        assert resp.headers["Content-Encoding"] == encoding, "re-encoded as it came"
    assert int(resp.headers["Content-Length"]) == len(raw)
    assert resp.headers["ETag"] == 'W/"v1"'
    page = decode(resp, raw)
    assert upstream.url not in page, page
    for expected in (f'<base href="{p}/">', f'href="{p}/app.css"', f"url('{p}/h1.png')", f"url={p}/later",
                     f"src=\"{p}/app.js\"", f"url({p}/body.png)", f'href="{p}/next?a=1&amp;b=2"',
                     f"href='{p}/root'", f'src="{p}/i.png"', f'srcset="{p}/i1.png 1x, {p}/i2.png 2x"',
                     f'poster="{p}/poster.jpg"', f'action="{p}/post"', f'formaction="{p}/go"',
                     '<!-- <a href="/in-comment"> -->', f'fetch("{p}/api/data")', 'var closing = "</div>";'):
        assert expected in page, expected


@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
def test_css_and_js_are_mapped(gw, routes, upstream, encoding):
    slug, token = routes[True]
    p = f"/gw/{slug}"
    enc = encoding if encoding != "identity" else ""
    resp, raw = fetch(gw, slug, token, f"/app.css?enc={enc}", encoding)
    css = decode(resp, raw)
    assert f"url({p}/bg.png)" in css and f"@import '{p}/more.css'" in css
    resp, raw = fetch(gw, slug, token, f"/app.js?enc={enc}", encoding)
    js = decode(resp, raw)
    assert f'fetch("{p}/api/data")' in js and f'"{p}/ws"' in js and upstream.url not in js


def test_routes_without_rewrite_and_other_types_stream_untouched(gw, routes, upstream):
    slug, token = routes[False]
    resp, raw = fetch(gw, slug, token, "/page.html")
    assert upstream.url in raw.decode() and resp.headers["ETag"] == '"v1"'
    slug, token = routes[True]
    resp, raw = fetch(gw, slug, token, "/echo")
    assert resp.headers["Content-Type"] == "application/json" and upstream.url not in raw.decode()


def test_a_page_over_the_cap_streams_unrewritten_with_a_warning(gw, routes):
    slug, token = routes[True]
    resp, raw = fetch(gw, slug, token, "/huge.html")
    assert resp.status_code == 200 and len(raw) == len('<a href="/far">') + (3 << 20)
    assert raw.startswith(b'<a href="/far">')
    assert "gateway.rewrite_skipped" in gw.log_tail(200)
