"""Request limits and hostile clients, mostly over raw sockets."""

import json
import resource
import select
import socket
import time

import pytest

from support import connect, raw_exchange, read_response, send_quietly

PROBLEM_JSON = "application/problem+json"


def assert_alive(server):
    assert server.running(), server.log_tail()
    assert server.get("/healthz").status_code == 200


def assert_raw_problem(resp, status):
    assert resp.status == status, resp
    assert resp.headers.get("content-type", "").split(";")[0].strip() == PROBLEM_JSON, resp
    body = resp.json()
    assert body["status"] == status and "title" in body and "type" in body and "detail" in body, body


def test_malformed_request_line_is_400(server):
    resp = raw_exchange(server.port, b"GARBAGE\r\n\r\n")
    assert resp.status == 400, resp
    assert_alive(server)


def test_huge_header_is_431(server):
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
    resp = raw_exchange(server.port, request)
    assert resp.status == 431, resp
    assert_alive(server)


def test_body_over_limit_is_413_without_reading_it(start_server):
    server = start_server("--http-max-body-bytes", "1024")
    with connect(server.port) as sock:
        start = time.monotonic()
        send_quietly(
            sock,
            b"POST /api/v1/echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n{\"a\": ",
        )
        resp = read_response(sock)
        elapsed = time.monotonic() - start
    assert_raw_problem(resp, 413)
    assert elapsed < 2.0, f"413 took {elapsed:.2f}s: the server waited for the body"
    # A complete body that is merely too large is refused too. (Routes may set their own limit
    # below or above the server default; 256 KiB is over both here.)
    body = json.dumps({"pad": "x" * (256 * 1024)}).encode()
    resp = server.request("POST", "/api/v1/echo", data=body, headers={"Content-Type": "application/json"})
    assert resp.status_code == 413, resp.text
    assert_alive(server)


@pytest.fixture
def echo_server(start_server):
    # 1 MiB body limit, so that the deep document below reaches the JSON parser.
    return start_server("--http-max-body-bytes", str(1024 * 1024))


def post_json(server, body: bytes):
    return server.request("POST", "/api/v1/echo", data=body, headers={"Content-Type": "application/json"})


def test_echo_valid_json(echo_server):
    doc = {"a": [1, 2.5, {"b": "c"}], "d": None, "e": True, "u": "h\u00e9"}
    resp = post_json(echo_server, json.dumps(doc).encode())
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"received": doc}
    assert_alive(echo_server)


@pytest.mark.parametrize(
    "body",
    [b'{"a": ', b"{'a': 1}", b"[1, 2,]", b"\xff\xfe", b'{"a": 1} trailing'],
    ids=["truncated", "single-quotes", "trailing-comma", "not-utf8", "trailing-garbage"],
)
def test_echo_invalid_json_is_400(echo_server, body):
    resp = post_json(echo_server, body)
    assert resp.status_code == 400, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert resp.json()["status"] == 400
    assert_alive(echo_server)


NESTINGS = [(b"[", b"]"), (b'{"a":', b"}")]
NESTING_IDS = ["arrays", "objects"]


@pytest.mark.parametrize("opener,closer", NESTINGS, ids=NESTING_IDS)
def test_echo_deeply_nested_json_is_400(echo_server, opener, closer):
    # 10,000 levels still fit in a small body limit, so this reaches the JSON parser.
    depth = 10_000
    resp = post_json(echo_server, opener * depth + b"1" + closer * depth)
    assert resp.status_code == 400, resp.text
    assert resp.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert_alive(echo_server)


@pytest.mark.parametrize("opener,closer", NESTINGS, ids=NESTING_IDS)
def test_echo_100k_deep_json_is_refused(echo_server, opener, closer):
    # 100,000 levels (200-600 KB, under the 1 MiB default body limit): the parser refuses the
    # depth with 400, without recursing or crashing.
    depth = 100_000
    resp = post_json(echo_server, opener * depth + b"1" + closer * depth)
    assert resp.status_code == 400, resp.text
    assert "deeper" in resp.json()["detail"]
    assert resp.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    assert_alive(echo_server)


def test_slow_client_is_disconnected(start_server):
    server = start_server("--http-read-timeout-s", "2")
    trickle = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 100
    with connect(server.port) as sock:
        start = time.monotonic()
        closed_at = None
        for byte in trickle:
            if not send_quietly(sock, bytes([byte])):
                closed_at = time.monotonic()
                break
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                # The server may answer (408) before closing; drain until EOF.
                try:
                    sock.settimeout(2)
                    while sock.recv(4096):
                        pass
                except (ConnectionResetError, socket.timeout):
                    pass
                closed_at = time.monotonic()
                break
            if time.monotonic() - start > 8:
                break
    assert closed_at is not None, "server kept a trickling client for 8 s"
    assert closed_at - start <= 6.0, f"slow client closed only after {closed_at - start:.1f}s"
    assert_alive(server)


IDLE_CONNECTIONS = 2000


@pytest.fixture
def many_fds():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * IDLE_CONNECTIONS + 512
    if hard != resource.RLIM_INFINITY and hard < want:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {want}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_idle_keepalive_connections_do_not_starve_new_clients(many_fds, start_server):
    # Started after many_fds, so the server inherits the raised limit.
    server = start_server()
    socks = []
    try:
        # Half say nothing at all; half made one keep-alive request and went quiet.
        opening_deadline = time.monotonic() + 30
        for i in range(IDLE_CONNECTIONS):
            assert time.monotonic() < opening_deadline, f"only {i} connections accepted within 30 s"
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            socks.append(sock)
            if i % 2:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        for sock in socks[1::2]:
            resp = read_response(sock)
            assert resp.status == 200, resp
        start = time.monotonic()
        resp = raw_exchange(server.port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", timeout=1.0)
        elapsed = time.monotonic() - start
        assert resp.status == 200, resp
        assert elapsed < 1.0, f"/healthz took {elapsed:.2f}s with {IDLE_CONNECTIONS} idle connections"
    finally:
        for sock in socks:
            sock.close()
    assert_alive(server)
