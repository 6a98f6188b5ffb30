"""Ops routes (/healthz, /readyz, /metrics, /openapi.json, /docs) and the error conventions."""

import re

import requests

from support import connect, read_until_closed

PROBLEM_JSON = "application/problem+json"
METRIC_LINE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+\S+(\s+-?\d+)?$")


def assert_problem(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers.get("Content-Type", "").split(";")[0].strip() == PROBLEM_JSON
    body = resp.json()
    for field in ("type", "title", "status", "detail"):
        assert field in body, f"problem body lacks {field!r}: {body}"
    assert body["status"] == status
    return body


def test_healthz(server):
    resp = server.get("/healthz")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.json()["status"] == "ok"


def test_readyz(server):
    resp = server.get("/readyz")
    assert resp.status_code == 200, resp.text


def parse_metrics(text: str) -> dict[str, float]:
    """Sum of the samples of every metric name (labels ignored)."""
    sums: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        assert METRIC_LINE.match(line), f"not a Prometheus sample line: {line!r}"
        name = re.split(r"[{\s]", line, maxsplit=1)[0]
        value = line.rsplit("}", 1)[-1].split()[0] if "}" in line else line.split()[1]
        sums[name] = sums.get(name, 0.0) + float(value)
    return sums


def test_metrics(server):
    assert server.get("/healthz").status_code == 200
    resp = server.get("/metrics")
    assert resp.status_code == 200
    ctype = resp.headers["Content-Type"]
    assert ctype.startswith("text/plain") and "version=0.0.4" in ctype, ctype
    text = resp.text
    for name in (
        "gatehouse_http_requests_total",
        "gatehouse_http_request_duration_seconds_bucket",
        "gatehouse_http_requests_in_flight",
        "gatehouse_db_pool_size",
        "gatehouse_db_pool_in_use",
        "gatehouse_build_info",
        "process_resident_memory_bytes",
        "process_open_fds",
    ):
        assert re.search(rf"^{name}[{{ ]", text, re.M), f"{name} has no sample in /metrics"
    sums = parse_metrics(text)
    assert sums["process_resident_memory_bytes"] > 0
    assert sums["process_open_fds"] > 0


def test_metrics_count_requests(server):
    # A counter has no sample before its first increment: start from 0 then.
    before = parse_metrics(server.get("/metrics").text).get("gatehouse_http_requests_total", 0.0)
    for _ in range(5):
        assert server.get("/healthz").status_code == 200
    after = parse_metrics(server.get("/metrics").text).get("gatehouse_http_requests_total", 0.0)
    assert after >= before + 5, (before, after)


def test_openapi(server):
    resp = server.get("/openapi.json")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    doc = resp.json()
    assert str(doc["openapi"]).startswith("3.1"), doc.get("openapi")
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"):
        assert path in doc["paths"], f"{path} missing from openapi paths"


EXTERNAL_REF = re.compile(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.I)


def test_docs_page_is_self_contained(server):
    resp = server.get("/docs")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    html = resp.text
    assert "/openapi.json" in html
    for url in EXTERNAL_REF.findall(html):
        host = url.split("//", 1)[1].split("/", 1)[0].split(":", 1)[0]
        assert host in ("127.0.0.1", "localhost"), f"/docs loads an external URL: {url}"
    # Nor through CSS or script imports.
    assert not re.search(r"""(?:url\(|import\s*\(|@import)\s*["']?https?://""", html, re.I)


def test_unknown_route_is_404_problem(server):
    # Paths without a file extension outside the API are the web UI's pages (tests/e2e/test_ui_serving.py).
    assert_problem(server.get("/no/such/file.txt"), 404)
    assert_problem(server.get("/api/v1/no-such-route"), 404)


def test_wrong_method_is_405_with_allow(server):
    resp = server.request("POST", "/healthz", data=b"")
    assert_problem(resp, 405)
    assert "GET" in [m.strip() for m in resp.headers.get("Allow", "").split(",")], resp.headers


def test_head_healthz_has_no_body(server):
    resp = server.request("HEAD", "/healthz")
    assert resp.status_code == 200
    # requests never reads a HEAD body: check on the wire that none is sent.
    with connect(server.port) as sock:
        sock.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = read_until_closed(sock, 5)
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, data
    assert head.startswith(b"HTTP/1.1 200"), head
    assert body == b"", f"HEAD response carried a body: {body[:100]!r}"


def test_request_id_echoed(server):
    for path in ("/healthz", "/no/such/route"):
        resp = server.get(path, headers={"X-Request-Id": "e2e-test-4711"})
        assert resp.headers.get("X-Request-Id") == "e2e-test-4711", (path, resp.headers)


def test_request_id_generated(server):
    ids = {server.get("/healthz").headers.get("X-Request-Id") for _ in range(3)}
    assert None not in ids and "" not in ids
    assert len(ids) == 3, f"generated request ids are not unique: {ids}"
