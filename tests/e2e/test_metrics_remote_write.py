"""metrics.remote_write_url: accepted samples are also forwarded to a Prometheus remote-write endpoint (a local
receiver decoding snappy and the WriteRequest protobuf), retried while it fails."""

from __future__ import annotations

import os
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors_support import enrol, sample
from support import start_identity

snappy = pytest.importorskip("snappy")


def varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def fields(data: bytes):
    """(field number, wire type, value) of a protobuf message: bytes for length-delimited, int or float."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 1:
            value, i = struct.unpack("<d", data[i:i + 8])[0], i + 8
        elif wire == 2:
            length, i = varint(data, i)
            value, i = data[i:i + length], i + length
        else:
            raise AssertionError(f"wire type {wire}")
        yield number, wire, value


def decode_write_request(body: bytes) -> list[tuple[dict, list[tuple[int, float]]]]:
    series = []
    for number, _, ts in fields(snappy.uncompress(body)):
        assert number == 1
        labels, samples = {}, []
        for n, _, v in fields(ts):
            if n == 1:
                pair = {k: val.decode() for k, _, val in fields(v)}
                labels[pair[1]] = pair[2]
            elif n == 2:
                parts = dict((k, val) for k, _, val in fields(v))
                samples.append((parts[2], parts[1]))
        assert list(labels) == sorted(labels), "labels must be sorted"
        series.append((labels, samples))
    return series


class Receiver:
    def __init__(self, fail_first: int = 0):
        self.requests: list[dict] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.requests) < receiver.fail_first else 204
                receiver.requests.append({"headers": dict(self.headers), "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1/write"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[tuple[dict, list]]:
        out = []
        for r in self.requests:
            if r["status"] == 204:
                out += decode_write_request(r["body"])
        return out


def test_pushed_samples_are_forwarded_and_retried(start_server, roles_for, tmp_path):
    receiver = Receiver(fail_first=2)
    try:
        gh, headers = roles_for(start_server, tmp_path, "--metrics-remote-write-url", receiver.url)
        collector = enrol(gh, headers, tmp_path)
        name = f"rw_{uuid.uuid4().hex[:6]}"
        t = round(time.time() - 5, 3)
        resp = collector.push([sample(name, 1.5, t=t, job="a"), sample(name, 2.5, t=t + 1, job="a"),
                               sample(name, 7.0, t=t, job="b"), {"name": "bad name", "time": t, "value": 1}])
        assert resp.json()["accepted"] == 3
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sum(len(s) for _, s in receiver.delivered()) < 3:
            time.sleep(0.2)
        got = {(labels["job"], ts, value) for labels, samples in receiver.delivered() if labels["__name__"] == name
               for ts, value in samples}
        assert got == {("a", int(t * 1000), 1.5), ("a", int(t * 1000) + 1000, 2.5), ("b", int(t * 1000), 7.0)}
        first = receiver.requests[0]["headers"]
        assert first["Content-Encoding"] == "snappy" and first["Content-Type"] == "application/x-protobuf"
        assert first["X-Prometheus-Remote-Write-Version"] == "0.1.0"
        assert [r["status"] for r in receiver.requests[:3]] == [500, 500, 204], "retried after failures"
    finally:
        receiver.server.shutdown()


@pytest.fixture
def roles_for():
    from support import admin_login

    def start(start_server, tmp_path, *args):
        gh = start_identity(start_server, *args, data_dir=tmp_path / "data")
        return gh, admin_login(gh).headers

    return start


def test_samples_arrive_in_a_real_prometheus(start_server, roles_for, tmp_path):
    """Debian's Prometheus with its remote-write receiver: what gatehouse forwards is queryable there."""
    import shutil
    import subprocess

    import requests

    from support import free_port

    binary = shutil.which("prometheus") or "/usr/bin/prometheus"
    if not os.path.exists(binary):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("prometheus not installed")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\n")
    prom = subprocess.Popen([binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--web.enable-remote-write-receiver"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.trust_env = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if session.get(f"{base}/-/ready", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        gh, headers = roles_for(start_server, tmp_path, "--metrics-remote-write-url", f"{base}/api/v1/write")
        collector = enrol(gh, headers, tmp_path)
        name = f"rw_prom_{uuid.uuid4().hex[:6]}"
        t = round(time.time() - 2, 3)
        assert collector.push([sample(name, 42.5, t=t, job="x")]).json()["accepted"] == 1
        result = []
        while time.monotonic() < deadline + 30 and not result:
            answer = session.get(f"{base}/api/v1/query", params={"query": name, "time": t}, timeout=5).json()
            result = answer["data"]["result"]
            time.sleep(0.3)
        assert result, "the sample never reached Prometheus"
        assert result[0]["metric"] == {"__name__": name, "job": "x"}
        assert float(result[0]["value"][1]) == 42.5
    finally:
        prom.terminate()
        prom.wait(timeout=30)
