"""A task's page in Debian's headless Chromium against a real gatehouse and the real sshd fixture: ANSI colours are
drawn as classes, output that is not UTF-8 is shown with replacement characters and a note and markup in the output
stays text, auto-scroll stops when the user scrolls up and resumes with "Follow", the raw log downloaded from the
page is the server's stored output byte for byte, cancel stops the task, and the history filters by state."""
from support import API, FAST_HASH_ARGS, admin_login
from tasks_support import add_server, output_bytes
from ui_support import run_scenario, ui_args

PASSWORD = "ui-tasks-Admin-pw1"
COMMAND = ("printf '\\033[31mred\\033[0m \\033[1;32mbold green\\033[0m\\n'; sleep 0.3; "
           "printf 'bin:\\377\\376 <b>not markup</b>\\n'; sleep 0.3; "
           "for i in $(seq 1 400); do echo line $i; done; sleep 3; "
           "for i in $(seq 1 200); do echo more $i; done; sleep 60")


def test_task_page_colours_binary_scrolling_download_cancel(start_module_server, sshd, tmp_path):
    gh = start_module_server(*FAST_HASH_ARGS, *ui_args(), env={"GATEHOUSE_ADMIN_PASSWORD": PASSWORD})
    admin = admin_login(gh, PASSWORD)
    server = add_server(gh, admin.headers, sshd)
    report = run_scenario("tasks", base=gh.url, password=PASSWORD, server_id=server["id"], command=COMMAND,
                          download_dir=str(tmp_path))
    task = gh.request("GET", f"{API}/tasks", headers=admin.headers, params={"limit": 1}).json()["items"][0]
    assert task["state"] == "cancelled", task["state"]
    stored = output_bytes(gh, admin.headers, task["id"], server["id"])
    downloaded = (tmp_path / "raw.log").read_bytes()
    # Downloaded before the cancel: what the server had stored by then, a prefix of what it has now.
    assert downloaded and stored.startswith(downloaded), (len(downloaded), len(stored))
    assert b"\xff\xfe <b>not markup</b>" in downloaded and b"more 200" in downloaded
    assert report["measures"]["raw_log_bytes"] == len(downloaded)
