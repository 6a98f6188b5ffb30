"""`gatehouse agent` as a real process against a real gatehouse and a real PostgreSQL: enrolment with a CSR (its key
stays 0600 in its state directory), collection with the monitoring queries, config changes followed, and samples
buffered on disk while the server is down, delivered after it restarts, none twice."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time

import pytest

from pgmon_support import MONITOR_PASSWORD, MonitoredPg
from support import API, admin_login, bin_path, clean_env, free_port, start_identity, wait_for


@pytest.fixture(scope="module")
def pg():
    server = MonitoredPg()
    yield server
    server.stop()


class AgentProcess:
    def __init__(self, args: list[str], log_path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([bin_path(), "agent", *args], stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=clean_env())

    def stop(self) -> int:
        if self.log.closed:
            return self.proc.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")


def get(server, headers, path, **params):
    resp = server.request("GET", f"{API}{path}", headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_agent_enrols_collects_follows_config_and_survives_a_server_restart(start_server, tmp_path, pg):
    collectors_port = free_port()
    data = tmp_path / "server"
    args = ("--collectors-listen", f"127.0.0.1:{collectors_port}", "--metrics-rollup-interval-s", "1")
    gh = start_identity(start_server, *args, data_dir=data)
    admin = admin_login(gh).headers
    token = gh.request("POST", f"{API}/collectors/enrolment-tokens", headers=admin, json={}).json()["token"]
    state = tmp_path / "agent"
    pg_url = f"postgresql://monitor:{MONITOR_PASSWORD}@127.0.0.1:{pg.port}/postgres"
    agent = AgentProcess(["--server", f"https://127.0.0.1:{collectors_port}", "--api-url", gh.url,
                          "--enrol-token", token, "--postgres", pg_url, "--state-dir", str(state),
                          "--name", "db-agent", "--config-poll-s", "1"], tmp_path / "agent.log")
    try:
        collector_id = wait_for(lambda: (state / "collector.json").exists() and
                                __import__("json").loads((state / "collector.json").read_text())["collector_id"],
                                20, "enrolment")
        assert stat.S_IMODE(os.stat(state / "key.pem").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
        assert MONITOR_PASSWORD not in agent.text()
        # Faster collection through the config; the agent follows it.
        fast = {"intervals": {"connections": 1, "transactions": 1, "activity": 1, "replication": 1}}
        assert gh.request("PUT", f"{API}/collectors/{collector_id}/config", headers=admin, json=fast).status_code == 200
        target = f"127.0.0.1:{pg.port}/postgres"
        up = wait_for(lambda: get(gh, admin, "/metrics/latest", name="pg_up", **{"match[target]": target})["series"],
                      30, "pg_up from the agent")
        assert up[0]["value"] == 1
        wait_for(lambda: "agent.config" in agent.text() and '"version":2' in agent.text(), 15, "config version 2")
        got = get(gh, admin, f"/collectors/{collector_id}")
        assert got["status"] == "online" and got["version"] and got["samples_rejected"] == 0

        # Kill the server (no goodbye) while the agent pushes every second; it spools meanwhile.
        gh.proc.send_signal(signal.SIGKILL)
        gh.proc.wait(timeout=10)
        down_from = time.time()
        wait_for(lambda: list((state / "spool").glob("*.json")), 20, "spooled batches")
        time.sleep(4)
        down_to = time.time()
        gh = start_identity(start_server, *args, data_dir=data)
        wait_for(lambda: not list((state / "spool").glob("*.json")), 60, "the spool to drain")
        time.sleep(1.5)
        admin = admin_login(gh).headers
        points = get(gh, admin, "/metrics/query", name="pg_up", step=1, agg="count",
                     **{"match[target]": target, "from": down_from - 60, "to": time.time() + 1})["series"][0]["points"]
        during = [t for t, _ in points if down_from + 1 <= t <= down_to - 1]
        assert len(during) >= 2, (down_from, down_to, points)
        assert all(v == 1 for _, v in points), "a point stored twice would count 2"
        # Every sample the server acknowledged is stored once: the accepted counter equals what is stored. The agent
        # stops first, so nothing arrives while the series are counted one by one.
        assert agent.stop() == 0, agent.text()[-3000:]
        stored = 0
        cursor = None
        for _ in range(100):
            page = get(gh, admin, "/metrics/series", **{"match[target]": target, "limit": 500,
                                                          **({"cursor": cursor} if cursor else {})})
            for s in page["items"]:
                match = {f"match[{k}]": v for k, v in s["labels"].items()}
                # step 30 s: raw samples (a coarser step would count rollups, which lag behind)
                series = get(gh, admin, "/metrics/query", name=s["name"], step=30, agg="count",
                             **match, **{"from": time.time() - 3600, "to": time.time() + 1})["series"]
                stored += sum(v for sr in series for _, v in sr["points"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        got = get(gh, admin, f"/collectors/{collector_id}")
        assert stored == got["samples_accepted"], (stored, got)
    finally:
        code = agent.stop()
    assert code == 0, agent.text()[-3000:]


def test_agent_with_a_refused_enrolment_token_exits_non_zero(start_server, tmp_path):
    gh = start_identity(start_server, data_dir=tmp_path / "s")
    # Settings from a TOML file (the flags' keys), one given as a flag too: the flag wins.
    config = tmp_path / "agent.toml"
    config.write_text(f'server = "{gh.collectors_url}"\napi_url = "{gh.url}"\nenrol_token = "gce_{"0" * 48}"\n'
                      f'state_dir = "{tmp_path / "ignored"}"\n')
    result = subprocess.run([bin_path(), "agent", "--config", str(config), "--state-dir", str(tmp_path / "a")],
                            capture_output=True, text=True, timeout=30, env=clean_env())
    assert result.returncode == 1
    assert "enrolment token unknown" in result.stdout + result.stderr
    assert (tmp_path / "a" / "key.pem").exists() and not (tmp_path / "ignored").exists()
