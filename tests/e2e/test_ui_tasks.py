"""A task's page in Debian's headless Chromium against a real gatehouse and the real sshd fixture: ANSI colours are
drawn as classes (also where a colour set in one piece of output goes on in the next), output that is not UTF-8 is
shown with replacement characters and a note and markup in the output stays text, auto-scroll stops when the user
scrolls up and resumes with "Follow", the raw log downloaded from the page is the server's stored output byte for
byte, cancel stops the task, and the history filters by state."""
import shlex
import shutil
import tempfile
from pathlib import Path

from support import API, FAST_HASH_ARGS, admin_login
from tasks_support import add_server, output_bytes
from ui_support import run_scenario, ui_args

PASSWORD = "ui-tasks-Admin-pw1"


def command(go_file: Path) -> str:
    """Colours (one of them set in one piece of output and still in force in the next), bytes that are not UTF-8,
    400 lines; then, once the scenario has scrolled up and made `go_file`
    (waited for at most 60 s), 200 more lines while the user reads; then it sleeps until cancelled."""
    go = shlex.quote(str(go_file))
    return ("printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m\\n'; sleep 0.3; "
            "printf '\\033[35mmagenta from '; sleep 0.3; printf 'one piece to the next\\033[0m\\n'; sleep 0.3; "
            "printf 'bin:\\377\\376 <b>not markup</b>\\n'; sleep 0.3; "
            "for i in $(seq 1 400); do echo line $i; done; "
            f"for i in $(seq 1 600); do [ -e {go} ] && break; sleep 0.1; done; "
            "for i in $(seq 1 200); do echo more $i; done; sleep 60")


def test_task_page_colours_binary_scrolling_download_cancel(start_module_server, sshd, tmp_path):
    gh = start_module_server(*FAST_HASH_ARGS, *ui_args(), env={"GATEHOUSE_ADMIN_PASSWORD": PASSWORD})
    admin = admin_login(gh, PASSWORD)
    server = add_server(gh, admin.headers, sshd)
    # The command runs as the sshd fixture's unprivileged user: the go file lives where it may look, not under
    # pytest's 0700 tree.
    signals = Path(tempfile.mkdtemp(prefix="gh-ui-tasks-", dir="/tmp"))
    signals.chmod(0o755)
    go_file = signals / "go"
    try:
        report = run_scenario("tasks", base=gh.url, password=PASSWORD, server_id=server["id"],
                              command=command(go_file), go_file=str(go_file), download_dir=str(tmp_path))
    finally:
        shutil.rmtree(signals, ignore_errors=True)
    task = gh.request("GET", f"{API}/tasks", headers=admin.headers, params={"limit": 1}).json()["items"][0]
    assert task["state"] == "cancelled", task["state"]
    stored = output_bytes(gh, admin.headers, task["id"], server["id"])
    downloaded = (tmp_path / "raw.log").read_bytes()
    # Downloaded before the cancel: what the server had stored by then, a prefix of what it has now.
    assert downloaded and stored.startswith(downloaded), (len(downloaded), len(stored))
    assert b"\xff\xfe <b>not markup</b>" in downloaded and b"more 200" in downloaded
    assert report["measures"]["raw_log_bytes"] == len(downloaded)
