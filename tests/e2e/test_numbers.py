"""JSON numbers as people write them (issue 11, item 3): every number in a response is a plain decimal
(265.26, 0, 3), never exponent notation such as 2.6526E2, and durations in ms have at most 3 decimals."""

from __future__ import annotations

import json

from support import API, unique


def number_literals(text: str) -> list[str]:
    """Every number in a JSON text as written (Python's parser hands over the literal)."""
    found: list[str] = []

    def keep(literal: str):
        found.append(literal)
        return 0

    json.loads(text, parse_float=keep, parse_int=keep)
    return found


def assert_plain_numbers(text: str) -> list[str]:
    literals = number_literals(text)
    written_with_exponent = [n for n in literals if "e" in n.lower()]
    assert not written_with_exponent, f"exponent notation in {text}"
    return literals


def test_fractions_come_back_as_written(server):
    body = '{"a": 265.26, "b": 1392.23, "c": 0.0, "d": -0.5, "e": 1e2, "f": [0.08, 1.5e-7], "g": 7}'
    resp = server.request("POST", f"{API}/echo", data=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert assert_plain_numbers(resp.text) == ["265.26", "1392.23", "0", "-0.5", "100", "0.08", "0.00000015", "7"]
    assert resp.json()["received"] == json.loads(body)


def test_ssh_durations_load_and_uptime_are_plain_decimals(gh, roles, sshd):
    created = gh.request("POST", f"{API}/servers", headers=roles.operator,
                         json={"name": unique("numbers"), "address": "127.0.0.1", "ssh_port": sshd.port,
                               "ssh_user": sshd.user, "auth_method": "password", "password": sshd.password})
    assert created.status_code == 201, created.text
    server_id = created.json()["id"]
    tested = gh.request("POST", f"{API}/servers/{server_id}/test-ssh", headers=roles.operator, timeout=30)
    assert tested.status_code == 200 and tested.json()["ok"], tested.text
    assert_plain_numbers(tested.text)
    for field in ("latency_ms", "handshake_ms", "login_ms"):
        value = tested.json()[field]
        assert value > 0 and round(value, 3) == value, (field, value)
        literal = json.dumps(value)
        assert len(literal.partition(".")[2]) <= 3, (field, literal)

    status = gh.request("GET", f"{API}/servers/{server_id}/status", headers=roles.viewer, timeout=30)
    assert status.status_code == 200 and status.json()["status"] == "online", status.text
    literals = assert_plain_numbers(status.text)
    assert len(literals) >= 4, status.text  # uptime and three load averages
    disk = gh.request("GET", f"{API}/servers/{server_id}/disk", headers=roles.viewer, timeout=30)
    assert disk.status_code == 200, disk.text
    assert_plain_numbers(disk.text)
