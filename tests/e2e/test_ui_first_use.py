"""The web UI's first use, in Debian's headless Chromium: the login page loads under 300 KB and is interactive
within a second; the admin signs in with the password gatehouse printed at its first start, adds a server (the
real sshd fixture), tests SSH, runs `uname -a` and sees the output while the command still runs. No CSP violation,
no serious axe-core finding, no request to another origin on any page on the way."""
import re
import time

from support import FAST_HASH_ARGS, wait_for
from ui_support import run_scenario, ui_args


def printed_password(server) -> str:
    def found():
        match = re.search(r"created user 'admin' with password: (\S+)", server.log_path.read_text(errors="replace"))
        return match.group(1) if match else None

    return wait_for(found, 10, "the printed admin password")


def test_new_user_adds_a_server_and_watches_a_command_live(start_module_server, sshd):
    server = start_module_server(*FAST_HASH_ARGS, *ui_args())
    password = printed_password(server)
    started = time.monotonic()
    report = run_scenario("first_use", base=server.url, password=password,
                          sshd={"port": sshd.port, "user": sshd.user, "password": sshd.password})
    load = report["measures"]["first_load"]
    print(f"first load: {load['transferred_bytes']} bytes transferred, interactive after {load['interactive_ms']} ms; "
          f"scenario {time.monotonic() - started:.1f} s")
    assert load["transferred_bytes"] < 300 * 1024
    assert load["interactive_ms"] < 1000
    assert set(report["pages"]) >= {"login", "dashboard", "server-new", "server-detail", "task-new", "task-detail"}
    assert "Linux" in report["measures"]["while_running"]["output"]
