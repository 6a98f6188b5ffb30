"""Helpers of the gateway tests: routes, wallets, access tokens, and the upstreams the proxy reaches."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

from support import API, Server


def create_route(server: Server, admin: dict, slug: str, upstream_url: str, **fields) -> dict:
    body = {"slug": slug, "name": fields.pop("name", slug.title()), "upstream_url": upstream_url, **fields}
    resp = server.request("POST", f"{API}/gateway/routes", headers=admin, json=body)
    assert resp.status_code == 201, f"create route {slug!r}: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def top_up(server: Server, admin: dict, user_id: str, amount: int, note: str = "test credits") -> dict:
    resp = server.request("POST", f"{API}/wallet/top-up", headers=admin,
                          json={"user_id": user_id, "amount": amount, "note": note})
    assert resp.status_code == 201, f"top-up: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def buy(server: Server, headers: dict, route: str, hours: int = 1, **fields):
    return server.request("POST", f"{API}/access-tokens", headers=headers,
                          json={"route": route, "duration_hours": hours, **fields})


def buy_ok(server: Server, headers: dict, route: str, hours: int = 1, **fields) -> dict:
    resp = buy(server, headers, route, hours, **fields)
    assert resp.status_code == 201, f"buy {route!r} {hours} h: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def balance(server: Server, headers: dict, **params) -> int:
    resp = server.request("GET", f"{API}/wallet", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["balance"]


def ledger(server: Server, headers: dict, **params) -> list[dict]:
    """Every wallet transaction, newest first, following next_cursor (bounded)."""
    items: list[dict] = []
    cursor = None
    for _ in range(100):
        query = dict(params, limit=500, **({"cursor": cursor} if cursor else {}))
        resp = server.request("GET", f"{API}/wallet/transactions", headers=headers, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("wallet ledger paging did not end")


def assert_ledger_consistent(entries: list[dict], final_balance: int, ordered: bool = True) -> None:
    """The ledger (newest first) sums to the balance; with `ordered` (no concurrent writers, so ids follow commit
    order), each entry's balance_after follows from the one before."""
    assert sum(e["amount"] for e in entries) == final_balance, entries
    assert all(e["balance_after"] >= 0 for e in entries)
    if not ordered:
        return
    running = 0
    for entry in reversed(entries):
        running += entry["amount"]
        assert entry["balance_after"] == running, entry
        assert running >= 0


class Upstream:
    """tests/e2e/gateway_upstream.py in a process of its own (see there for its routes)."""

    def __init__(self, tmp_dir: Path):
        port_file = tmp_dir / f"upstream-{uuid.uuid4().hex[:8]}.port"
        script = Path(__file__).with_name("gateway_upstream.py")
        self.proc = subprocess.Popen(["/usr/bin/python3", str(script), str(port_file)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_file.exists() or not port_file.read_text().strip():
            assert self.proc.poll() is None, "the upstream exited"
            assert time.monotonic() < deadline, "the upstream did not start"
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")
