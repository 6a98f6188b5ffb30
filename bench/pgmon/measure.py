"""Times gatehouse's PostgreSQL snapshot (activity + stats, ?fresh=true) against one postgres_exporter scrape of
the same PostgreSQL, in the same run, alternating in rounds. Run by bench/pgmon/run.sh, which starts everything.

CPU is read from /proc/<pid>/task/*/schedstat (nanoseconds on CPU, every thread): of the gatehouse process, of the
exporter process, and of the PostgreSQL backends serving each (found by application_name in pg_stat_activity)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import requests


def cpu_ns(pid: int) -> int:
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass  # a thread that ended: its time is lost (threads of these processes are long-lived)
    except FileNotFoundError:
        pass
    return total


def backend_pids(psql: list[str], application: str) -> list[int]:
    out = subprocess.run(psql + ["-At", "-c", f"SELECT pid FROM pg_stat_activity WHERE application_name = "
                                              f"'{application}'"], capture_output=True, text=True, timeout=30)
    return [int(p) for p in out.stdout.split()]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gatehouse", required=True)
    ap.add_argument("--gatehouse-pid", type=int, required=True)
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--exporter-pid", type=int, required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--pg-port", type=int, required=True)
    ap.add_argument("--monitor-password", required=True)
    ap.add_argument("--superuser-url", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--snapshots", type=int, default=200)
    args = ap.parse_args()
    psql = ["psql", args.superuser_url, "-X", "-q"]

    gh = requests.Session()
    token = gh.post(f"{args.gatehouse}/api/v1/auth/login", json={"username": "admin", "password": args.password},
                    timeout=30).json()["access_token"]
    gh.headers["Authorization"] = f"Bearer {token}"
    server = gh.post(f"{args.gatehouse}/api/v1/servers", timeout=30, json={
        "name": "bench-pg", "address": "127.0.0.1", "ssh_user": "nobody", "auth_method": "password",
        "password": "unused", "postgres": {"port": args.pg_port, "user": "monitor", "password": args.monitor_password,
                                           "database": "postgres", "sslmode": "disable"}})
    assert server.status_code == 201, server.text
    base = f"{args.gatehouse}/api/v1/servers/{server.json()['id']}/postgres"
    exporter = requests.Session()

    def gatehouse_snapshot() -> None:
        for kind in ("activity", "stats"):
            resp = gh.get(f"{base}/{kind}?fresh=true", timeout=30)
            assert resp.status_code == 200 and resp.headers["X-Cache"] == "miss", resp.text[:300]

    def exporter_scrape() -> None:
        resp = exporter.get(f"{args.exporter}/metrics", timeout=30)
        assert resp.status_code == 200 and "pg_up 1" in resp.text, resp.text[:300]

    # Warm-up: both hold their connection to PostgreSQL from here on (each keeps it open between scrapes).
    for _ in range(5):
        gatehouse_snapshot()
        exporter_scrape()
    tools = {
        "gatehouse": (gatehouse_snapshot, args.gatehouse_pid, "gatehouse-monitor"),
        "postgres_exporter": (exporter_scrape, args.exporter_pid, "pg_exporter"),
    }
    results: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": [], "pg_cpu": []} for name in tools}
    for round_no in range(args.rounds):
        order = list(tools) if round_no % 2 == 0 else list(reversed(tools))
        for name in order:
            fn, pid, application = tools[name]
            backends = backend_pids(psql, application)
            assert backends, f"no PostgreSQL backend with application_name {application}"
            cpu0, pg0 = cpu_ns(pid), sum(cpu_ns(b) for b in backends)
            walls = []
            for _ in range(args.snapshots):
                t0 = time.perf_counter()
                fn()
                walls.append((time.perf_counter() - t0) * 1000)
            cpu1, pg1 = cpu_ns(pid), sum(cpu_ns(b) for b in backends)
            assert backend_pids(psql, application) == backends, f"{name} changed its PostgreSQL connections"
            r = results[name]
            r["wall"].extend(walls)
            r["cpu"].append((cpu1 - cpu0) / args.snapshots / 1e6)
            r["pg_cpu"].append((pg1 - pg0) / args.snapshots / 1e6)
            print(f"round {round_no + 1}: {name:18s} wall p50 {statistics.median(walls):7.3f} ms  "
                  f"own CPU {r['cpu'][-1]:7.3f} ms  PostgreSQL backend CPU {r['pg_cpu'][-1]:7.3f} ms per snapshot",
                  file=sys.stderr)

    summary = {}
    for name, r in results.items():
        summary[name] = {"wall_p50_ms": statistics.median(r["wall"]), "wall_p95_ms": pct(r["wall"], 0.95),
                         "cpu_ms": statistics.median(r["cpu"]), "pg_cpu_ms": statistics.median(r["pg_cpu"])}
    g, e = summary["gatehouse"], summary["postgres_exporter"]
    print()
    print(f"{'per snapshot':18s} {'wall p50 ms':>12s} {'wall p95 ms':>12s} {'own CPU ms':>11s} "
          f"{'PostgreSQL CPU ms':>18s}")
    for name, s in summary.items():
        print(f"{name:18s} {s['wall_p50_ms']:12.3f} {s['wall_p95_ms']:12.3f} {s['cpu_ms']:11.3f} "
              f"{s['pg_cpu_ms']:18.3f}")
    print()
    print(f"ratio exporter/gatehouse: wall {e['wall_p50_ms'] / g['wall_p50_ms']:.2f}x, own CPU "
          f"{e['cpu_ms'] / g['cpu_ms']:.2f}x, CPU on the monitored PostgreSQL {e['pg_cpu_ms'] / g['pg_cpu_ms']:.2f}x")
    goals = {"snapshot under 5 ms (p50)": g["wall_p50_ms"] < 5.0,
             "under a fifth of the exporter's CPU on PostgreSQL": g["pg_cpu_ms"] * 5 < e["pg_cpu_ms"]}
    for goal, met in goals.items():
        print(f"goal: {goal}: {'met' if met else 'MISSED'}")
    print(json.dumps(summary))
    return 0 if all(goals.values()) or not os.environ.get("BENCH_STRICT") else 3


if __name__ == "__main__":
    sys.exit(main())
