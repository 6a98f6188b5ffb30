"""The gatehouse side of bench/fanout/run.sh: log in, import the SSH key, create the servers, run one
exec task on them and check its outputs. Only Debian's /usr/bin/python3 with python3-requests.

    gatehouse_client.py setup   --state FILE --url URL --key PRIVATE_KEY_FILE   (admin password in
                                $BENCH_ADMIN_PASSWORD, so that it is not on a command line)
    gatehouse_client.py servers --state FILE --targets FILE --prefix P --out IDS_FILE
    gatehouse_client.py run     --state FILE --ids IDS_FILE --command CMD --expect TEXT
                                --concurrency N --timeout S [--pid GATEHOUSE_PID]

`targets` lines are "name host port user". `run` prints "seconds=<wall> cpu=<s> ok=<targets>" on
stdout: the wall time from just before POST /api/v1/tasks to the first GET /api/v1/tasks/{id} that
shows a final state (polled every 20 ms), and the CPU time (user + system) the gatehouse process
with --pid used over the same span (0 without --pid). Fetching and checking the outputs happens
after that, untimed.
Any failure (HTTP error, a target not succeeded, an output without TEXT) exits 1 with a message.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from typing import NoReturn

import requests

API = "/api/v1"
POLL_S = 0.02
HTTP_TIMEOUT_S = 30


def fail(message: str) -> NoReturn:
    print(f"gatehouse_client: {message}", file=sys.stderr)
    sys.exit(1)


def expect(resp: requests.Response, *codes: int) -> dict:
    if resp.status_code not in codes:
        fail(f"{resp.request.method} {resp.request.path_url}: {resp.status_code} {resp.text[:500]}")
    return resp.json() if resp.content else {}


class Client:
    def __init__(self, state: dict):
        self.url = state["url"].rstrip("/")
        self.http = requests.Session()
        if state.get("token"):
            self.http.headers["Authorization"] = f"Bearer {state['token']}"

    def call(self, method: str, path: str, *codes: int, **kw) -> dict:
        kw.setdefault("timeout", HTTP_TIMEOUT_S)
        return expect(self.http.request(method, self.url + API + path, **kw), *codes)


def load_state(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cmd_setup(args) -> None:
    client = Client({"url": args.url})
    password = os.environ.get("BENCH_ADMIN_PASSWORD") or fail("BENCH_ADMIN_PASSWORD is not set")
    body = client.call("POST", "/auth/login", 200, json={"username": "admin", "password": password})
    token = body["access_token"]
    client.http.headers["Authorization"] = f"Bearer {token}"
    with open(args.key, encoding="utf-8") as f:
        private_key = f.read()
    key = client.call("POST", "/ssh-keys/import", 200, 201, json={"name": "bench-fanout", "private_key": private_key})
    # Holds a bearer token: for this user only, although the bench's temporary directory is 0755.
    with os.fdopen(os.open(args.state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        json.dump({"url": args.url, "token": token, "key_id": key["id"]}, f)


def cmd_servers(args) -> None:
    state = load_state(args.state)
    client = Client(state)
    ids = []
    with open(args.targets, encoding="utf-8") as f:
        targets = [line.split() for line in f if line.strip()]
    for name, host, port, user in targets:
        server = client.call("POST", "/servers", 200, 201, json={
            "name": f"{args.prefix}-{name}",
            "address": host,
            "ssh_port": int(port),
            "ssh_user": user,
            "auth_method": "key",
            "ssh_key_id": state["key_id"],
            "tags": ["bench-fanout", args.prefix],
        })
        ids.append(server["id"])
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(ids) + "\n")


FINAL_STATES_EXCLUDED = ("queued", "running")


def output_text(items: list[dict]) -> str:
    parts = []
    for item in sorted(items, key=lambda i: i.get("seq", 0)):
        if item.get("stream") not in ("stdout", 1, "1"):
            continue
        data = item.get("data") or ""
        if item.get("encoding") == "base64":
            data = base64.b64decode(data).decode("utf-8", "replace")
        parts.append(data)
    return "".join(parts)


def cpu_seconds(pid: int | None) -> float:
    """utime + stime of `pid` from /proc/PID/stat (fields 14 and 15, after the parenthesised name)."""
    if not pid:
        return 0.0
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cmd_run(args) -> None:
    client = Client(load_state(args.state))
    with open(args.ids, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    body = {"targets": ids, "kind": "exec", "command": args.command, "timeout_s": min(args.timeout, 3600),
            "concurrency": args.concurrency}

    cpu_before = cpu_seconds(args.pid)
    started = time.monotonic()
    deadline = started + args.timeout
    task_id = client.call("POST", "/tasks", 200, 201, 202, json=body)["id"]
    while True:
        task = client.call("GET", f"/tasks/{task_id}", 200)
        if task.get("state") not in FINAL_STATES_EXCLUDED:
            break
        if time.monotonic() > deadline:
            fail(f"task {task_id} still {task.get('state')} after {args.timeout} s: progress {task.get('progress')}")
        time.sleep(POLL_S)
    seconds = time.monotonic() - started
    cpu = cpu_seconds(args.pid) - cpu_before

    # Correctness, untimed: every target succeeded with exit code 0 and printed the expected text.
    problems = []
    if task.get("state") != "succeeded":
        problems.append(f"task state {task.get('state')!r}")
    targets = {t.get("server_id"): t for t in task.get("targets") or []}
    missing = [i for i in ids if i not in targets]
    if missing:
        problems.append(f"{len(missing)} targets missing from the task")
    ok = 0
    for server_id in ids:
        target = targets.get(server_id)
        if target is None:
            continue
        if target.get("state") != "succeeded" or target.get("exit_code") != 0:
            problems.append(f"target {server_id}: state {target.get('state')!r} exit_code {target.get('exit_code')!r}"
                            f" {json.dumps({k: v for k, v in target.items() if k not in ('server_id',)})[:300]}")
            continue
        out = client.call("GET", f"/tasks/{task_id}/output", 200, params={"target": server_id})
        text = output_text(out.get("items") or [])
        if args.expect not in text:
            problems.append(f"target {server_id}: output lacks {args.expect!r}: {text[:200]!r}")
            continue
        ok += 1
    if problems:
        shown = "\n  ".join(problems[:10])
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        fail(f"task {task_id}: {ok}/{len(ids)} targets correct:\n  {shown}{more}")
    print(f"seconds={seconds:.4f} cpu={cpu:.2f} ok={ok} task={task_id}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command_name", required=True)

    p = sub.add_parser("setup")
    p.add_argument("--state", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("servers")
    p.add_argument("--state", required=True)
    p.add_argument("--targets", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_servers)

    p = sub.add_parser("run")
    p.add_argument("--state", required=True)
    p.add_argument("--ids", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--expect", required=True)
    p.add_argument("--concurrency", type=int, required=True)
    p.add_argument("--timeout", type=int, required=True)
    p.add_argument("--pid", type=int)
    p.set_defaults(func=cmd_run)

    args = parser.parse_args()
    try:
        args.func(args)
    except requests.RequestException as e:
        fail(f"HTTP error: {e}")


if __name__ == "__main__":
    main()
