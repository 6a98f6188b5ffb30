"""A page with absolute upstream links, srcset, CSS url() and a JS fetch of the upstream origin, served by nginx
(Debian), loads completely through the gateway in headless Chromium (Debian's, driven by playwright-core from npm),
with no request escaping to the upstream origin directly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

from gateway_support import buy_ok, create_route
from support import admin_login, free_port, unique
from ui_support import BROWSER_DIR, ensure_browser_packages

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000105fe02fea70000000049454e44ae426082")


def nginx_config(root: Path, port: int) -> str:
    return f"""daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/png png; application/json json; }}
    access_log {root}/access.log;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    gzip on; gzip_types text/css application/javascript; gzip_min_length 1;
    server {{ listen 127.0.0.1:{port}; root {root}/www; }}
}}
"""


@pytest.fixture
def site():
    """nginx serving a page whose every link names nginx's own origin (or its root)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("chromium is not installed")
    root = Path(tempfile.mkdtemp(prefix="gh-site-", dir="/tmp"))
    os.chmod(root, 0o755)
    www = root / "www"
    www.mkdir(mode=0o755)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    (www / "index.html").write_text(f"""<!doctype html><html><head>
<link rel="stylesheet" href="{origin}/style.css"><script src="{origin}/app.js" defer></script></head>
<body><h1>through the gateway</h1><a href="{origin}/other.html">other</a>
<img src="{origin}/one.png" srcset="{origin}/one.png 1x, /two.png 2x" alt="">
<div class="bg">background</div></body></html>""")
    (www / "style.css").write_text(f".bg {{ background: url({origin}/bg.png); }} h1 {{ background: url('/h1.png') }}")
    (www / "app.js").write_text(f"""fetch("{origin}/data.json").then(r => r.json())
  .then(d => {{ document.body.dataset.fetched = d.ok ? "yes" : "no"; }});""")
    (www / "data.json").write_text('{"ok": true}')
    for name in ("one.png", "two.png", "bg.png", "h1.png"):
        (www / name).write_bytes(PNG)
    for path in www.iterdir():
        os.chmod(path, 0o644)
    (root / "nginx.conf").write_text(nginx_config(root, port))
    proc = subprocess.Popen([nginx, "-c", str(root / "nginx.conf"), "-p", str(root), "-e", str(root / "error.log")],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            if requests.get(origin + "/index.html", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "nginx did not start"
        time.sleep(0.05)
    yield origin, root
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


def test_page_loads_completely_through_the_gateway_without_escaping(gh, site):
    origin, root = site
    ensure_browser_packages()
    admin = admin_login(gh)
    slug = unique("site")
    create_route(gh, admin.headers, slug, origin, rewrite=True)
    token = buy_ok(gh, admin.headers, slug, 1)["token"]
    result = subprocess.run(["node", str(BROWSER_DIR / "page_load.mjs"), gh.url, f"/gw/{slug}/index.html", token,
                             origin], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.stdout.strip(), result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    urls = [r["url"] for r in report["requests"]]
    print(json.dumps(report, indent=1))
    assert report["auth"] == 200
    assert report["escaped"] == [], "requests went to the upstream directly"
    assert report["failed"] == [], report["failed"]
    assert report["marker"] == "yes", "the page's fetch of its origin did not come back"
    for name in ("index.html", "style.css", "app.js", "data.json", "one.png", "bg.png", "h1.png"):
        assert any(u == f"{gh.url}/gw/{slug}/{name}" for u in urls), (name, urls)
    assert result.returncode == 0, result.stderr
    # nginx saw them all, through the gateway
    log = (root / "access.log").read_text()
    for name in ("/style.css", "/app.js", "/data.json", "/bg.png"):
        assert f"GET {name} " in log, name
