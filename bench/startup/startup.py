"""Time from exec to the first answer: gatehouse `serve` to /readyz 200 on an existing SQLite data directory (and
its very first start), against nginx to its first 200 on a static file, 5 starts each, same run. Prints medians
and the ratio. Usage: startup.py GATEHOUSE_BIN NGINX [STARTS]"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

gatehouse, nginx = sys.argv[1], sys.argv[2]
starts = int(sys.argv[3]) if len(sys.argv) > 3 else 5
work = tempfile.mkdtemp(prefix="gh-bench-startup-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_200(args: list[str], url: str, env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = started + 10
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        return (time.monotonic() - started) * 1000
            except OSError:
                time.sleep(0.001)
        raise SystemExit(f"no 200 from {url} within 10 s")
    finally:
        proc.terminate()
        proc.wait(10)


def gatehouse_start() -> float:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
    env["GATEHOUSE_ADMIN_PASSWORD"] = "bench-startup-pw-1"
    return time_to_200([gatehouse, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", f"{work}/data"],
                       f"http://127.0.0.1:{port}/readyz", env)


def nginx_start() -> float:
    port = free_port()
    root = f"{work}/nginx"
    os.makedirs(f"{root}/html", exist_ok=True)
    with open(f"{root}/html/index.html", "w") as f:
        f.write("ok\n")
    with open(f"{root}/nginx.conf", "w") as f:
        f.write(f"daemon off; master_process off; worker_processes 1; pid {root}/nginx.pid;\n"
                f"error_log {root}/error.log;\nevents {{ worker_connections 64; }}\n"
                f"http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {root}/html; }} }}\n")
    return time_to_200([nginx, "-p", root, "-c", f"{root}/nginx.conf"], f"http://127.0.0.1:{port}/index.html",
                       dict(os.environ))


first = gatehouse_start()
gatehouse_ms = [gatehouse_start() for _ in range(starts)]
nginx_ms = [nginx_start() for _ in range(starts)]
g, n = statistics.median(gatehouse_ms), statistics.median(nginx_ms)
print(f"gatehouse first start (new data dir) to /readyz 200: {first:.0f} ms")
print(f"gatehouse restart (existing SQLite data dir) to /readyz 200: {' '.join(f'{m:.0f}' for m in gatehouse_ms)} ms,"
      f" median {g:.0f} ms (target < 100 ms)")
print(f"nginx start to its first 200: {' '.join(f'{m:.0f}' for m in nginx_ms)} ms, median {n:.0f} ms")
print(f"gatehouse/nginx time to ready: {g / n:.2f}")
print("verdict: " + ("target met" if g < 100 else "target missed"))
