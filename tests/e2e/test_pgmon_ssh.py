"""Monitoring through SSH (`via_ssh: true`): the connection to PostgreSQL is a direct-tcpip channel of the server's
SSH session to 127.0.0.1:port on the server, so a PostgreSQL that listens only on the server's loopback can be
monitored. Against the real sshd fixture and a real PostgreSQL 15; the host key is pinned as for any connection."""

from __future__ import annotations

import shutil
import subprocess


from support import API, assert_problem, free_port
from pgmon_support import add_pg_server


def ssh_fields(sshd) -> dict:
    return {"ssh_port": sshd.port, "ssh_user": sshd.user, "auth_method": "password", "password": sshd.password}


def owner_of_local_port(port: int) -> str:
    """The process owning the TCP socket whose local port is `port` (from `ss -tnp`)."""
    ss = shutil.which("ss") or "/usr/bin/ss"
    out = subprocess.run([ss, "-Htnp", f"sport = :{port}"], capture_output=True, text=True, timeout=10).stdout
    return out


def test_via_ssh_reaches_postgres_through_the_tunnel(gh, roles, monitored_pg, sshd):
    server = add_pg_server(gh, roles.admin, monitored_pg, via_ssh=True, host="127.0.0.1", ssh=ssh_fields(sshd))
    assert server["postgres"]["via_ssh"] is True and server["postgres"]["host"] == "127.0.0.1"
    assert server["postgres"]["sslmode"] == "prefer"
    resp = gh.request("GET", f"{API}/servers/{server['id']}/postgres/activity?fresh=true", headers=roles.operator,
                      timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.json()["max_connections"] == 300

    # The monitoring session's TCP connection to PostgreSQL belongs to sshd, not to gatehouse: it came through SSH.
    ports = monitored_pg.sql("SELECT client_port FROM pg_stat_activity "
                             "WHERE application_name = 'gatehouse-monitor' AND usename = 'monitor'").split()
    assert ports, "no monitoring session on the server"
    owners = [owner_of_local_port(int(p)) for p in ports]
    assert all("sshd" in o and "gatehouse" not in o for o in owners), owners

    # The first connection pinned the SSH host key, as every connection does.
    pinned = gh.request("GET", f"{API}/servers/{server['id']}", headers=roles.viewer, timeout=30).json()
    assert pinned["host_key_fingerprint"] == sshd.host_fingerprint()

    stats = gh.request("GET", f"{API}/servers/{server['id']}/postgres/stats", headers=roles.viewer, timeout=60)
    assert stats.status_code == 200, stats.text
    assert stats.json()["version"].startswith("PostgreSQL 15")


def test_tunnel_failures_have_their_kind(gh, roles, monitored_pg, sshd):
    # The SSH server is fine, but nothing listens on the remote port.
    nothing = add_pg_server(gh, roles.admin, monitored_pg, via_ssh=True, port=free_port(), ssh=ssh_fields(sshd))
    resp = gh.request("GET", f"{API}/servers/{nothing['id']}/postgres/activity?fresh=true", headers=roles.operator,
                      timeout=60)
    problem = assert_problem(resp, 502)
    assert problem["kind"] == "tunnel_failed", problem

    # The SSH login itself fails.
    bad_login = dict(ssh_fields(sshd), password="wrong-ssh-password")
    refused = add_pg_server(gh, roles.admin, monitored_pg, via_ssh=True, ssh=bad_login)
    resp = gh.request("GET", f"{API}/servers/{refused['id']}/postgres/activity?fresh=true", headers=roles.operator,
                      timeout=60)
    problem = assert_problem(resp, 502)
    assert problem["kind"] == "tunnel_failed" and "wrong-ssh-password" not in problem["detail"]
