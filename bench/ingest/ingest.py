#!/usr/bin/python3
"""Load generator of bench/ingest/run.sh: simulated collectors pushing to gatehouse's mTLS listener.

  fleet:  N collectors, each pushing S samples every P seconds on a new connection with its TLS session resumed;
          reports push latency percentiles and the server's CPU (from /proc/PID/stat) over the phase.
  max:    C connections (keep-alive) pushing batches of B samples back to back for T seconds; reports samples/s.
Prints one JSON object per phase on stdout."""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

API = "/api/v1"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Collector:
    def __init__(self, reg: dict, host: str, port: int, workdir: Path):
        self.id = reg["collector_id"]
        self.token = reg["token"]
        base = workdir / self.id
        base.mkdir(parents=True, exist_ok=True)
        (base / "c.pem").write_text(reg["certificate"])
        (base / "k.pem").write_text(reg["private_key"])
        (base / "ca.pem").write_text(reg["ca_certificate"])
        self.context = ssl.create_default_context(cafile=str(base / "ca.pem"))
        self.context.load_cert_chain(str(base / "c.pem"), str(base / "k.pem"))
        self.host, self.port = host, port
        self.session = None
        self.resumed = 0
        self.pushes = 0

    def template(self, samples: int) -> bytes:
        """A push body with @ID@ for the batch id and @TS@ for the time of every sample: filled in with
        bytes.replace, so the client keeps up with the server in the max phase."""
        items = ",".join(
            f'{{"name":"bench_metric_{i % 10}","labels":{{"collector":"{self.id[-12:]}","i":"{i}"}},'
            f'"time":@TS@,"value":{i % 1000}}}' for i in range(samples))
        return f'{{"batch_id":"@ID@","samples":[{items}]}}'.encode()

    def body(self, samples: int, t: float) -> bytes:
        items = ",".join(
            f'{{"name":"bench_metric_{i % 10}","labels":{{"collector":"{self.id[-12:]}","i":"{i}"}},'
            f'"time":{t:.3f},"value":{(i * 7 + int(t)) % 1000}}}' for i in range(samples))
        return f'{{"batch_id":"{uuid.uuid4().hex}","samples":[{items}]}}'.encode()

    def request(self, body: bytes) -> bytes:
        return (f"POST {API}/metrics HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {self.token}"
                f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    def push_fresh_connection(self, samples: int) -> float:
        """One push on a new connection (TLS resumed when the server allows): seconds from connect to answer."""
        payload = self.request(self.body(samples, time.time()))
        started = time.perf_counter()
        raw = socket.create_connection((self.host, self.port), timeout=30)
        tls = self.context.wrap_socket(raw, server_hostname=self.host, session=self.session)
        try:
            tls.sendall(payload)
            answer = read_response(tls)
        finally:
            if tls.session_reused:
                self.resumed += 1
            self.session = tls.session
            tls.close()
        elapsed = time.perf_counter() - started
        if not answer.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(answer[:300].decode(errors="replace"))
        self.pushes += 1
        return elapsed


def read_response(sock) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def enrol(api: str, token: str, count: int, host: str, port: int, workdir: Path) -> list[Collector]:
    session = requests.Session()
    session.trust_env = False

    def one(i: int) -> Collector:
        resp = session.post(f"{api}{API}/collectors/register", headers={"Authorization": f"Bearer {token}"},
                            json={"name": f"bench-{i}", "hostname": f"host-{i}"}, timeout=30)
        resp.raise_for_status()
        return Collector(resp.json(), host, port, workdir)

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(count)))


def fleet(collectors: list[Collector], samples: int, period: float, seconds: float, pid: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = time.monotonic() + 1.0
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()

    def run(offset: float, c: Collector) -> None:
        due = start + offset
        while due < start + seconds:
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                elapsed = c.push_fresh_connection(samples)
                with lock:
                    latencies.append(elapsed)
            except Exception as e:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(str(e)[:200])
            due += period

    threads = [threading.Thread(target=run, args=(i * period / len(collectors), c), daemon=True)
               for i, c in enumerate(collectors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - wall_before
    cpu = cpu_seconds(pid) - cpu_before
    pushes = len(latencies)
    return {"phase": "fleet", "collectors": len(collectors), "pushes": pushes, "errors": len(errors),
            "first_error": errors[0] if errors else None, "samples_per_s": pushes * samples / wall,
            "p50_ms": pct(latencies, 0.50) * 1000, "p99_ms": pct(latencies, 0.99) * 1000,
            "max_ms": max(latencies) * 1000 if latencies else 0,
            "server_cpu_pct": 100 * cpu / wall,
            # The first push of each collector has no session to resume yet.
            "tls_resumed_pct": 100 * sum(c.resumed for c in collectors) /
            max(1, sum(max(0, c.pushes - 1) for c in collectors))}


def max_rate(collectors: list[Collector], connections: int, batch: int, seconds: float, pid: int) -> dict:
    accepted = [0] * connections
    errors: list[str] = []
    stop_at = time.monotonic() + seconds
    cpu_before = cpu_seconds(pid)
    wall_before = time.monotonic()

    def run(k: int) -> None:
        c = collectors[k % len(collectors)]
        raw = socket.create_connection((c.host, c.port), timeout=60)
        tls = c.context.wrap_socket(raw, server_hostname=c.host)
        t = time.time() - 3600 + k  # distinct times per connection: every sample is a new row
        template = c.template(batch)
        try:
            while time.monotonic() < stop_at:
                t += connections
                body = template.replace(b"@ID@", uuid.uuid4().hex.encode()).replace(b"@TS@", f"{t:.3f}".encode())
                tls.sendall(c.request(body))
                answer = read_response(tls)
                if not answer.startswith(b"HTTP/1.1 200"):
                    errors.append(answer[:200].decode(errors="replace"))
                    return
                accepted[k] += batch
        finally:
            tls.close()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - wall_before
    return {"phase": "max", "connections": connections, "batch": batch, "samples": sum(accepted),
            "samples_per_s": sum(accepted) / wall, "errors": len(errors),
            "first_error": errors[0] if errors else None,
            "server_cpu_pct": 100 * (cpu_seconds(pid) - cpu_before) / wall}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--collectors-url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--collectors", type=int, default=500)
    p.add_argument("--samples", type=int, default=100)
    p.add_argument("--period", type=float, default=10.0)
    p.add_argument("--fleet-seconds", type=float, default=30.0)
    p.add_argument("--max-seconds", type=float, default=20.0)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--batch", type=int, default=1000)
    args = p.parse_args()
    host, port = args.collectors_url.removeprefix("https://").rsplit(":", 1)
    collectors = enrol(args.api, args.token, args.collectors, host, int(port), Path(args.workdir))
    print(json.dumps(fleet(collectors, args.samples, args.period, args.fleet_seconds, args.pid)), flush=True)
    print(json.dumps(max_rate(collectors, args.connections, args.batch, args.max_seconds, args.pid)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
