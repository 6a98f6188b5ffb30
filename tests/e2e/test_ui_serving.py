"""How gatehouse serves its web UI (the HTTP contract; the browser scenarios are test_ui_*.py): index.html for
every client-side route with a strict CSP and no-cache, hashed assets cached for good in prepared gzip and brotli
copies, and the paths of the API, the gateway and the ops routes keeping their meaning."""
import gzip
import http.client
import re
import shutil
from pathlib import Path

import brotli
import pytest

from support import assert_problem, bin_path, connect, read_until_closed
from ui_support import ui_args


@pytest.fixture(scope="module")
def ui(start_module_server):
    return start_module_server(*ui_args())


def index(ui):
    resp = ui.get("/")
    assert resp.status_code == 200, resp.text
    return resp


def assets(ui) -> list[str]:
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', index(ui).text)


def test_index_is_the_app_shell_with_a_strict_policy(ui):
    resp = index(ui)
    assert resp.headers["Content-Type"].startswith("text/html")
    assert resp.headers["Cache-Control"] == "no-cache"
    policy = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = resp.text
    # Nothing inline for the policy to forbid, nothing from another origin.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), html
    assert "<style" not in html and " style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), html
    names = assets(ui)
    assert any(n.endswith(".js") for n in names) and any(n.endswith(".css") for n in names), names
    for name in names:
        assert re.fullmatch(r"/assets/[a-z]+-[A-Z0-9]{8}\.(js|css)", name), name


def test_revalidating_a_page_keeps_its_policy(ui):
    """A 304's headers replace the cached copy's: with the API's strict policy the reloaded page could not run."""
    first = index(ui)
    again = ui.get("/keys?add=import", headers={"If-None-Match": first.headers["ETag"],
                                                 "Accept-Encoding": first.headers.get("Content-Encoding", "")})
    assert again.status_code == 304, again.status_code
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert again.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/servers", "/servers/0192f0c4-1111-7000-8000-000000000000", "/tasks/x/y",
                                  "/audit?actor=admin&since=2026-01-01", "/login?next=%2Fservers"])
def test_client_side_routes_answer_index_html(ui, path):
    resp = ui.get(path)
    assert resp.status_code == 200, (path, resp.text[:200])
    assert resp.text == index(ui).text
    assert resp.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/api", "/api/v1/nope", "/gw/nope/x", "/docs/x", "/metrics/x", "/healthz/x",
                                  "/readyz/x", "/openapi.json/x", "/.well-known/nope", "/assets/app-AAAAAAAA.js",
                                  "/assets/nope", "/robots.txt", "/API/v1/users/me", "/Docs/x"])
def test_reserved_paths_and_missing_files_keep_their_404(ui, path):
    assert_problem(ui.get(path), 404)


@pytest.mark.parametrize("path", ["//api/v1/users/me", "//servers", "/servers/./x", "/x/../api/v1/users",
                                  "/%61pi/v1/users", "/servers/%2e%2e", "/servers/.."])
def test_other_spellings_of_a_path_are_nobodys_page(ui, path):
    """Sent as written (an HTTP library would tidy the dot segments away): no page answers them."""
    conn = http.client.HTTPConnection("127.0.0.1", ui.port, timeout=5)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.status == 404, (path, resp.status)
        assert resp.getheader("Content-Type") == "application/problem+json"
    finally:
        conn.close()


def test_ops_routes_keep_their_meaning(ui):
    assert ui.get("/healthz").json()["status"] == "ok"
    assert ui.get("/openapi.json").json()["openapi"].startswith("3.")
    assert "gatehouse API" in ui.get("/docs").text
    assert "# TYPE" in ui.get("/metrics").text
    assert ui.get("/readyz").status_code == 200


def test_assets_are_immutable_and_prepared_in_gzip_and_brotli(ui):
    for name in assets(ui):
        plain = ui.get(name, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert plain.headers["Vary"] == "Accept-Encoding"
        raw = {}
        for coding, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
            resp = ui.get(name, headers={"Accept-Encoding": f"{coding}"}, stream=True)
            assert resp.headers["Content-Encoding"] == coding
            body = resp.raw.read(decode_content=False)
            assert decode(body) == plain.content, (name, coding)
            raw[coding] = len(body)
            # One validator per representation; a match is 304 without a body.
            etag = resp.headers["ETag"]
            again = ui.get(name, headers={"Accept-Encoding": coding, "If-None-Match": etag})
            assert again.status_code == 304 and again.content == b""
        assert raw["br"] < len(plain.content) and raw["gzip"] < len(plain.content)
        # A refused coding (q=0) is not used.
        resp = ui.get(name, headers={"Accept-Encoding": "br;q=0, gzip"}, stream=True)
        assert resp.headers["Content-Encoding"] == "gzip"
    # Browsers prefer brotli when they offer it.
    resp = ui.get("/", headers={"Accept-Encoding": "gzip, deflate, br"}, stream=True)
    assert resp.headers["Content-Encoding"] == "br"


def test_the_whole_app_is_under_300_kb_gzipped(ui):
    total = len(ui.get("/", headers={"Accept-Encoding": "gzip"}, stream=True).raw.read(decode_content=False))
    for name in assets(ui):
        total += len(ui.get(name, headers={"Accept-Encoding": "gzip"}, stream=True).raw.read(decode_content=False))
    print(f"index.html + assets, gzip: {total} bytes")
    assert total < 300 * 1024


def test_ui_dir_serves_a_build_directory_read_per_request(start_module_server, tmp_path):
    """`--ui-dir` (UI development): the files of a ui/build.sh output, read at each request, so a rebuild shows
    without a restart. The binary's own build output is that directory (build/<preset>/src/webui/dist)."""
    dist = Path(bin_path()).resolve().parents[2] / "src" / "webui" / "dist"
    assert (dist / "manifest.json").is_file(), f"no UI build output at {dist}"
    folder = tmp_path / "ui"
    shutil.copytree(dist, folder)
    server = start_module_server("--ui-dir", str(folder))
    page = server.get("/servers", headers={"Accept-Encoding": "identity"})
    assert page.status_code == 200 and page.content == (folder / "index.html").read_bytes()
    changed = (folder / "index.html").read_bytes().replace(b"<noscript>", b"<noscript>rebuilt ")
    (folder / "index.html.gz").write_bytes(gzip.compress(changed))
    (folder / "index.html.br").write_bytes(brotli.compress(changed))
    assert server.get("/", headers={"Accept-Encoding": "br"}).content == changed
    assert server.get("/", headers={"Accept-Encoding": "gzip"}).content == changed
    assert_problem(server.get("/assets/not-built-AAAAAAAA.js"), 404)


def test_head_has_the_length_and_no_body(ui):
    length = len(ui.get("/servers", headers={"Accept-Encoding": "identity"}).content)
    with connect(ui.port) as sock:
        sock.sendall(b"HEAD /servers HTTP/1.1\r\nHost: t\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
        data = read_until_closed(sock, 5)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert f"content-length: {length}".encode() in head.lower(), head
    assert body == b""


def test_other_methods_on_pages_are_refused(ui):
    resp = ui.request("POST", "/servers", json={})
    assert resp.status_code in (404, 405), resp.text
    assert resp.headers["Content-Type"] == "application/problem+json"
