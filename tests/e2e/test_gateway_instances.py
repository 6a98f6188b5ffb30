"""The gateway on two instances sharing PostgreSQL: a token bought on one works on the other at once, and its
revocation on one is refused by the other within a second (LISTEN/NOTIFY), open WebSockets included."""

from __future__ import annotations

import struct
import time

import pytest
import requests
import websocket

from gateway_support import Upstream, buy_ok, create_route
from support import API, admin_login, create_user, login_ok, unique

PASSWORD = "e2e-GwInst-pw-5Tt"


@pytest.fixture
def upstream(tmp_path):
    up = Upstream(tmp_path)
    yield up
    up.stop()


@pytest.mark.pg
def test_revocation_on_one_instance_reaches_the_other_within_a_second(instance_pair, upstream):
    a, b = instance_pair
    admin = admin_login(a)
    slug = unique("shared")
    create_route(a, admin.headers, slug, upstream.url)
    name = unique("gw-inst")
    create_user(a, admin.access, name, PASSWORD, "viewer")
    user = login_ok(a, name, PASSWORD).headers
    bought = buy_ok(a, user, slug, 1)
    headers = {"X-Access-Token": bought["token"]}
    # bought on a, used on b right away (b has not heard of it yet: it asks the database once)
    deadline = time.monotonic() + 5
    while True:
        resp = requests.get(f"{b.url}/gw/{slug}/echo", headers=headers, timeout=10)
        if resp.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)  # the route itself reaches b through NOTIFY
    assert resp.status_code == 200, resp.text
    ws = websocket.create_connection(f"{b.url.replace('http', 'ws')}/gw/{slug}/ws", header=[
        f"X-Access-Token: {bought['token']}"], timeout=10)
    ws.recv()
    revoked_at = time.monotonic()
    assert a.request("DELETE", f"{API}/access-tokens/{bought['id']}", headers=user).status_code == 200
    refused_at = None
    while time.monotonic() - revoked_at < 3:
        if requests.get(f"{b.url}/gw/{slug}/echo", headers=headers, timeout=10).status_code == 401:
            refused_at = time.monotonic()
            break
        time.sleep(0.02)
    assert refused_at is not None and refused_at - revoked_at < 1.0, "b still accepted the revoked token"
    ws.settimeout(3)
    while True:
        opcode, frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            break
    assert struct.unpack(">H", frame.data[:2])[0] == 4401
    assert time.monotonic() - revoked_at < 1.0
    ws.close()
