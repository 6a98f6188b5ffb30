"""WebSockets through the gateway: the token by ?token=, header or cookie; Origin checks; frames relayed both
ways; and the 4401 close within a second of the token's revocation or expiry."""

from __future__ import annotations

import json
import sqlite3
import struct
import time

import pytest
import requests
import websocket

from gateway_support import Upstream, buy_ok, create_route
from support import API, admin_login, create_user, login_ok, unique

PASSWORD = "e2e-Ws-pw-3Hh"


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    up = Upstream(tmp_path_factory.mktemp("ws-upstream"))
    yield up
    up.stop()


@pytest.fixture(scope="module")
def gw(start_module_server):
    from support import start_identity

    return start_identity(start_module_server, "--gateway-sync-interval-s", "1")


@pytest.fixture(scope="module")
def ctx(gw, upstream):
    admin = admin_login(gw)
    slug = unique("ws")
    create_route(gw, admin.headers, slug, upstream.url, allowed_origins=["https://allowed.example"])
    name = unique("ws-user")
    create_user(gw, admin.access, name, PASSWORD, "viewer")
    user = login_ok(gw, name, PASSWORD).headers
    return {"admin": admin, "slug": slug, "user": user}


def ws_url(gw, path: str) -> str:
    return gw.url.replace("http://", "ws://") + path


def open_ws(gw, slug: str, token: str | None = None, how: str = "query", **kw) -> websocket.WebSocket:
    path = f"/gw/{slug}/ws"
    headers = kw.pop("header", [])
    if how == "query":
        path += f"?token={token}&keep=1"
    elif how == "header":
        headers.append(f"X-Access-Token: {token}")
    elif how == "cookie":
        kw["cookie"] = f"gatehouse_access={token}; theirs=1"
    return websocket.create_connection(ws_url(gw, path), header=headers, timeout=10, **kw)


def close_code(ws: websocket.WebSocket, timeout: float) -> tuple[int, float]:
    """Reads until the server's close frame; returns its code and when it came."""
    ws.settimeout(timeout)
    while True:
        opcode, frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return struct.unpack(">H", frame.data[:2])[0], time.monotonic()


@pytest.mark.parametrize("how", ["query", "header", "cookie"])
def test_frames_are_relayed_both_ways_with_every_token_kind(gw, ctx, how):
    token = buy_ok(gw, ctx["user"], ctx["slug"], 1)["token"]
    ws = open_ws(gw, ctx["slug"], token, how)
    hello = json.loads(ws.recv())
    # what reached the upstream: no gateway token or cookie, the query without ?token=
    assert hello["x_access_token"] is None
    assert "gatehouse_access" not in (hello["cookie"] or "")
    assert "token=" not in hello["path"]
    if how == "query":
        assert hello["path"] == "/ws?keep=1"
    ws.send("text frame ✓")
    assert ws.recv() == "text frame ✓"
    blob = bytes(range(256)) * 1000
    ws.send_binary(blob)
    assert ws.recv() == blob
    ws.close()


def test_origin_is_checked_against_the_route(gw, ctx):
    token = buy_ok(gw, ctx["user"], ctx["slug"], 1)["token"]
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_ws(gw, ctx["slug"], token, origin="https://evil.example")
    assert refused.value.status_code == 403
    ws = open_ws(gw, ctx["slug"], token, origin="https://allowed.example")
    assert json.loads(ws.recv())["origin"] == "https://allowed.example"
    ws.close()
    # the gateway's own origin is always allowed
    own = open_ws(gw, ctx["slug"], token, origin=gw.url)
    assert json.loads(own.recv())["origin"] == gw.url
    own.close()


def test_refused_without_a_valid_token(gw, ctx):
    for token in (None, "y" * 64):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            open_ws(gw, ctx["slug"], token, "header" if token else "query")
        assert refused.value.status_code == 401


def test_revocation_closes_an_open_websocket_with_4401_within_a_second(gw, ctx):
    bought = buy_ok(gw, ctx["user"], ctx["slug"], 1)
    ws = open_ws(gw, ctx["slug"], bought["token"], "header")
    ws.recv()
    ws.send("still here")
    assert ws.recv() == "still here"
    revoked_at = time.monotonic()
    resp = gw.request("DELETE", f"{API}/access-tokens/{bought['id']}", headers=ctx["user"])
    assert resp.status_code == 200
    code, at = close_code(ws, 5)
    assert code == 4401
    assert at - revoked_at < 1.0, f"closed {at - revoked_at:.2f} s after the revocation"
    ws.close()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_ws(gw, ctx["slug"], bought["token"], "header")
    assert refused.value.status_code == 401


def test_expiry_closes_an_open_websocket_with_4401_within_a_second(gw, ctx):
    bought = buy_ok(gw, ctx["user"], ctx["slug"], 1)
    ws = open_ws(gw, ctx["slug"], bought["token"], "query")
    ws.recv()
    # Tokens live at least an hour: bring this one's end close by in the store, as time passing would; the
    # gateway learns it with its next sync (every second here).
    expires = int(time.time()) + 3
    with sqlite3.connect(gw.data_dir / "gatehouse.db", timeout=10) as db:
        db.execute("UPDATE access_tokens SET expires_epoch = ? WHERE id = ?", (expires, bought["id"]))
    code, _ = close_code(ws, 10)
    closed_after = time.time() - expires
    assert code == 4401
    assert -0.05 <= closed_after < 1.0, f"closed {closed_after:.2f} s after the expiry"
    ws.close()
    # and plain HTTP with the expired token is refused too
    resp = requests.get(f"{gw.url}/gw/{ctx['slug']}/echo", headers={"X-Access-Token": bought["token"]}, timeout=10)
    assert resp.status_code == 401 and resp.json()["kind"] == "token_invalid"
