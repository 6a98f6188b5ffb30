"""Starting and stopping apps against the real sshd fixture, with a docker compose TEST DOUBLE on
the remote side (there is no Docker engine here; see apps_support.py for what the double does and
where it is installed): compose_up / compose_down tasks, the status they lead to, conflicts while a
task runs, a failing compose, the `docker-compose` fallback, cd_path reaching the remote side as one
literal directory, and auto-stop (live, and after a restart, from the deadline in the database).

gatehouse runs with `--apps-auto-stop-check-s 1`."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from apps_support import app_dir, create_app, create_project, get_app, set_deadline, wait_status
from support import API, admin_login, assert_problem, audit_events, bearer, start_identity, unique, wait_audit
from tasks_support import add_server, break_task_output, get_task, output_bytes, wait_task


@pytest.fixture(scope="module")
def gh(start_module_server):
    return start_identity(start_module_server, "--apps-auto-stop-check-s", "1")



@pytest.fixture(scope="module")
def server(gh, roles, sshd, double):
    return add_server(gh, roles.operator, sshd)


@pytest.fixture(scope="module")
def project(gh, roles):
    return create_project(gh, roles.operator)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def start(gh, headers, app_id, body=None) -> dict:
    resp = gh.request("POST", f"{API}/apps/{app_id}/start", headers=headers, json=body)
    assert resp.status_code == 202, resp.text
    assert resp.headers["Location"] == f"{API}/tasks/{resp.json()['task_id']}"
    return resp.json()


def stop(gh, headers, app_id) -> dict:
    resp = gh.request("POST", f"{API}/apps/{app_id}/stop", headers=headers)
    assert resp.status_code == 202, resp.text
    return resp.json()


def calls_in(double, path: str) -> list[str]:
    """What the double was asked in `path`, without the `compose version` probes."""
    return [args for _, cwd, args in double.calls() if cwd == path and args != "version"]


def test_start_and_stop_run_compose_in_the_app_directory(gh, roles, double, base, server, project):
    path = app_dir(base, unique("plain"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path, app_url="http://127.0.0.1:9/")
    started = start(gh, roles.operator, app["id"])
    assert started["app"]["status"] == "starting" and started["app"]["id"] == app["id"]
    task = wait_task(gh, roles.viewer, started["task_id"])
    assert task["kind"] == "compose_up" and task["state"] == "succeeded", task
    assert task["params"]["app_id"] == app["id"] and task["targets"][0]["server_id"] == server["id"]
    running = wait_status(gh, roles.viewer, app["id"], "running")
    assert running["last_task_id"] == started["task_id"]
    assert when(running["auto_stop_at"]) - when(running["started_at"]) == timedelta(minutes=60)
    assert abs(when(running["started_at"]) - datetime.now().astimezone()) < timedelta(minutes=1)
    assert [args for _, cwd, args in double.calls() if cwd == path] == ["version", "up -d"]
    assert (Path(path) / ".compose-state").read_text() == "up\n"
    assert b"Started" in output_bytes(gh, roles.viewer, task["id"], server["id"])

    stopped = stop(gh, roles.operator, app["id"])
    assert stopped["app"]["status"] == "stopping"
    task = wait_task(gh, roles.viewer, stopped["task_id"])
    assert task["kind"] == "compose_down" and task["state"] == "succeeded", task
    app = wait_status(gh, roles.viewer, app["id"], "stopped")
    assert app["started_at"] is None and app["auto_stop_at"] is None
    assert calls_in(double, path)[-1] == "down"
    assert not (Path(path) / ".compose-state").exists()

    wait_audit(gh, roles.admin_token, lambda e: e["details"].get("task_id") == started["task_id"], action="app.start")
    wait_audit(gh, roles.admin_token, lambda e: e["details"].get("task_id") == stopped["task_id"], action="app.stop")


def test_start_overrides_minutes_for_one_run_and_restarts_a_running_app(gh, roles, base, server, project):
    app = create_app(gh, roles.operator, project["id"], server["id"], app_dir(base, unique("override")),
                     auto_stop_minutes=7)
    first = start(gh, roles.operator, app["id"], {"auto_stop_minutes": 2})
    assert get_task(gh, roles.viewer, first["task_id"])["params"]["auto_stop_minutes"] == 2
    running = wait_status(gh, roles.viewer, app["id"], "running")
    assert when(running["auto_stop_at"]) - when(running["started_at"]) == timedelta(minutes=2)
    assert running["auto_stop_minutes"] == 7

    # Starting a running app runs `up -d` again and sets a new deadline (here: none).
    again = start(gh, roles.operator, app["id"], {"auto_stop_minutes": 0})
    wait_task(gh, roles.viewer, again["task_id"])
    rerun = wait_status(gh, roles.viewer, app["id"], "running")
    assert rerun["last_task_id"] == again["task_id"] and rerun["auto_stop_at"] is None
    assert rerun["started_at"] >= running["started_at"]

    # Without an override the app's own value counts again.
    third = start(gh, roles.operator, app["id"])
    wait_task(gh, roles.viewer, third["task_id"])
    app = wait_status(gh, roles.viewer, app["id"], "running")
    assert app["last_task_id"] == third["task_id"]
    assert when(app["auto_stop_at"]) - when(app["started_at"]) == timedelta(minutes=7)
    for bad in ({"auto_stop_minutes": -1}, {"auto_stop_minutes": "1"}, {"minutes": 1}, [1]):
        assert_problem(gh.request("POST", f"{API}/apps/{app['id']}/start", headers=roles.operator, json=bad), 400)
    assert get_app(gh, roles.viewer, app["id"]) == app


def test_a_new_limit_applies_to_the_running_app(gh, roles, double, base, server, project):
    path = app_dir(base, unique("limit"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path, auto_stop_minutes=60)
    wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"], {"auto_stop_minutes": 5})["task_id"])
    running = wait_status(gh, roles.viewer, app["id"], "running")
    definition = {k: running[k] for k in ("name", "project_id", "server_id", "cd_path", "app_url", "auto_stop_minutes")}

    def put(**change) -> dict:
        resp = gh.request("PUT", f"{API}/apps/{app['id']}", headers=roles.operator, json={**definition, **change})
        assert resp.status_code == 200, resp.text
        assert resp.json() == get_app(gh, roles.viewer, app["id"])
        return resp.json()

    # The same limit (another field changed): the run keeps its own override.
    same = put(app_url="http://example.test/")
    assert same["auto_stop_at"] == running["auto_stop_at"]
    # A new limit counts from the run's start; 0 means the run never stops by itself.
    never = put(auto_stop_minutes=0)
    assert never["auto_stop_at"] is None and never["started_at"] == running["started_at"]
    later = put(auto_stop_minutes=3)
    assert when(later["auto_stop_at"]) - when(later["started_at"]) == timedelta(minutes=3)
    time.sleep(2)
    assert get_app(gh, roles.viewer, app["id"])["status"] == "running"

    set_deadline(gh.data_dir, app["id"], int(time.time()) - 5)
    stopped = wait_status(gh, roles.viewer, app["id"], "stopped", timeout=20)
    assert calls_in(double, path) == ["up -d", "down"]
    event = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == app["id"], action="app.auto_stop")[0]
    assert event["details"]["auto_stop_minutes"] == 3  # the limit in force, not the start's override
    # Stopped: a new limit waits for the next start.
    assert put(auto_stop_minutes=9)["auto_stop_at"] is None and stopped["started_at"] is None


def test_a_failing_compose_marks_the_app_failed(gh, roles, double, base, server, project):
    path = app_dir(base, unique("broken"), fail=True)
    app = create_app(gh, roles.operator, project["id"], server["id"], path)
    started = start(gh, roles.operator, app["id"])
    task = wait_task(gh, roles.viewer, started["task_id"])
    assert task["state"] == "failed" and task["targets"][0]["exit_code"] == 1, task
    failed = wait_status(gh, roles.viewer, app["id"], "failed")
    assert failed["auto_stop_at"] is None and failed["last_task_id"] == started["task_id"]
    assert b".fail-compose" in output_bytes(gh, roles.viewer, task["id"], server["id"])

    # A failed app may be stopped (and started) again; once compose works it is stopped.
    wait_task(gh, roles.viewer, stop(gh, roles.operator, app["id"])["task_id"])
    wait_status(gh, roles.viewer, app["id"], "failed")
    (Path(path) / ".fail-compose").unlink()
    wait_task(gh, roles.viewer, stop(gh, roles.operator, app["id"])["task_id"])
    wait_status(gh, roles.viewer, app["id"], "stopped")
    assert calls_in(double, path) == ["up -d", "down", "down"]


def test_stopping_a_stopped_app_is_allowed(gh, roles, double, base, server, project):
    path = app_dir(base, unique("idle"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path)
    task = wait_task(gh, roles.viewer, stop(gh, roles.operator, app["id"])["task_id"])
    assert task["state"] == "succeeded"
    assert wait_status(gh, roles.viewer, app["id"], "stopped")["started_at"] is None
    assert calls_in(double, path) == ["down"]


def test_no_second_task_while_one_runs(gh, roles, base, server, project):
    path = app_dir(base, unique("slow"), slow=3)
    app = create_app(gh, roles.operator, project["id"], server["id"], path)
    started = start(gh, roles.operator, app["id"])
    assert get_app(gh, roles.viewer, app["id"])["status"] == "starting"
    for action in ("start", "stop"):
        problem = assert_problem(gh.request("POST", f"{API}/apps/{app['id']}/{action}", headers=roles.operator), 409)
        assert "starting" in problem["detail"]
    # Its stop would run somewhere else: moving a busy app is refused, renaming it is not.
    body = {"name": app["name"], "project_id": project["id"], "server_id": server["id"], "cd_path": path + "-moved"}
    assert_problem(gh.request("PUT", f"{API}/apps/{app['id']}", headers=roles.operator, json=body), 409)
    body.update(cd_path=path, name=unique("renamed"))
    assert gh.request("PUT", f"{API}/apps/{app['id']}", headers=roles.operator, json=body).status_code == 200
    wait_task(gh, roles.viewer, started["task_id"])
    assert wait_status(gh, roles.viewer, app["id"], "running")["name"] == body["name"]
    stopping = stop(gh, roles.operator, app["id"])
    assert_problem(gh.request("POST", f"{API}/apps/{app['id']}/start", headers=roles.operator), 409)
    wait_task(gh, roles.viewer, stopping["task_id"])
    wait_status(gh, roles.viewer, app["id"], "stopped")


@pytest.mark.parametrize("name", ["$(touch /tmp/pwned-{u})", "'; rm -rf ~ #", "a \"b\" `touch /tmp/pwned-{u}` $HOME"])
def test_cd_path_reaches_the_remote_side_literally(gh, roles, double, server, project, name):
    marker = unique("q")
    root = Path("/tmp") / marker
    pwned = Path(f"/tmp/pwned-{marker}")
    try:
        root.mkdir(mode=0o755)
        path = app_dir(root, name.format(u=marker))
        assert path == f"/tmp/{marker}/" + name.format(u=marker)
        app = create_app(gh, roles.operator, project["id"], server["id"], path)
        assert app["cd_path"] == path
        task = wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"])["task_id"])
        assert task["state"] == "succeeded", (task, output_bytes(gh, roles.viewer, task["id"], server["id"]))
        wait_status(gh, roles.viewer, app["id"], "running")
        assert calls_in(double, path)[-1] == "up -d", double.calls()[-3:]
        assert (Path(path) / ".compose-state").exists()
        wait_task(gh, roles.viewer, stop(gh, roles.operator, app["id"])["task_id"])
        wait_status(gh, roles.viewer, app["id"], "stopped")
        assert calls_in(double, path)[-1] == "down"
        assert not pwned.exists()
        assert Path("/home/gatehouse-test").is_dir()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        pwned.unlink(missing_ok=True)


def test_falls_back_to_docker_compose(gh, roles, double, base, server, project):
    path = app_dir(base, unique("fallback"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path)
    double.plugin_available(False)
    try:
        # Neither `docker compose` nor `docker-compose`: the task says so and the app failed.
        task = wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"])["task_id"])
        assert task["state"] == "failed" and task["targets"][0]["exit_code"] == 127, task
        assert b"neither docker compose nor docker-compose" in output_bytes(gh, roles.viewer, task["id"], server["id"])
        wait_status(gh, roles.viewer, app["id"], "failed")

        standalone = double.install_standalone()
        try:
            task = wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"])["task_id"])
            assert task["state"] == "succeeded", task
            wait_status(gh, roles.viewer, app["id"], "running")
            task = wait_task(gh, roles.viewer, stop(gh, roles.operator, app["id"])["task_id"])
            wait_status(gh, roles.viewer, app["id"], "stopped")
        finally:
            double.uninstall(standalone)
    finally:
        double.plugin_available(True)
    assert [(via, args) for via, cwd, args in double.calls() if cwd == path and args != "version"] == \
        [("standalone", "up -d"), ("standalone", "down")]


def test_auto_stop_when_the_deadline_has_passed(gh, roles, double, base, server, project):
    path = app_dir(base, unique("auto"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path, auto_stop_minutes=1)
    forever = create_app(gh, roles.operator, project["id"], server["id"], app_dir(base, unique("forever")),
                         auto_stop_minutes=0)
    wait_task(gh, roles.viewer, start(gh, roles.operator, forever["id"])["task_id"])
    wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"], {"auto_stop_minutes": 2})["task_id"])
    running = wait_status(gh, roles.viewer, app["id"], "running")
    time.sleep(2)  # several scheduler rounds: nothing is due yet
    assert get_app(gh, roles.viewer, app["id"])["status"] == "running"

    set_deadline(gh.data_dir, app["id"], int(time.time()) - 5)
    stopped = wait_status(gh, roles.viewer, app["id"], "stopped", timeout=20)
    assert stopped["started_at"] is None and stopped["auto_stop_at"] is None
    assert calls_in(double, path)[-1] == "down"
    task = get_task(gh, roles.viewer, stopped["last_task_id"])
    assert task["kind"] == "compose_down" and task["state"] == "succeeded"
    assert task["created_by"] is None and task["created_by_name"] == "scheduler"
    assert task["params"]["reason"] == "auto_stop"

    event = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == app["id"], action="app.auto_stop")[0]
    assert event["actor"]["kind"] == "system" and event["resource"]["type"] == "app"
    assert event["outcome"] == "success"
    details = event["details"]
    assert details["reason"] == "auto_stop_minutes elapsed"
    assert details["auto_stop_minutes"] == 2  # the run's value, not the app's
    assert details["started_at"] == running["started_at"]
    assert details["task_id"] == task["id"]
    assert get_app(gh, roles.viewer, forever["id"])["status"] == "running"
    assert not [e for e in audit_events(gh, roles.admin_token, action="app.auto_stop")
                if e["resource"]["id"] == forever["id"]]


def test_the_deadline_survives_a_restart(start_server, tmp_path, sshd, double, base):
    data_dir = tmp_path / "restart-data"
    args = ("--apps-auto-stop-check-s", "1")
    first = start_identity(start_server, *args, data_dir=data_dir)
    admin = admin_login(first).headers
    server = add_server(first, admin, sshd)
    project = create_project(first, admin)
    path = app_dir(base, unique("restart"))
    app = create_app(first, admin, project["id"], server["id"], path, auto_stop_minutes=30)
    wait_task(first, admin, start(first, admin, app["id"])["task_id"])
    running = wait_status(first, admin, app["id"], "running")
    assert first.terminate() == 0

    set_deadline(data_dir, app["id"], int(time.time()) - 60)
    second = start_identity(start_server, *args, data_dir=data_dir)
    token = admin_login(second).access
    stopped = wait_status(second, bearer(token), app["id"], "stopped", timeout=20)
    assert calls_in(double, path) == ["up -d", "down"]
    event = wait_audit(second, token, lambda e: e["resource"]["id"] == app["id"], action="app.auto_stop")[0]
    assert event["actor"]["kind"] == "system"
    assert event["details"]["auto_stop_minutes"] == 30
    assert event["details"]["started_at"] == running["started_at"]
    assert event["details"]["task_id"] == stopped["last_task_id"]


def test_an_interrupted_start_leaves_the_app_failed_after_a_restart(start_server, tmp_path, sshd, double, base):
    data_dir = tmp_path / "crash-data"
    first = start_identity(start_server, data_dir=data_dir)
    admin = admin_login(first).headers
    server = add_server(first, admin, sshd)
    project = create_project(first, admin)
    app = create_app(first, admin, project["id"], server["id"], app_dir(base, unique("crash"), slow=5))
    started = start(first, admin, app["id"])
    assert get_app(first, admin, app["id"])["status"] == "starting"
    first.proc.kill()  # no chance to finish anything
    first.proc.wait()

    second = start_identity(start_server, data_dir=data_dir)
    headers = admin_login(second).headers
    app = get_app(second, headers, app["id"])
    assert app["status"] == "failed", app
    assert get_task(second, headers, started["task_id"])["state"] == "interrupted"
    # It can be started again.
    wait_task(second, headers, start(second, headers, app["id"])["task_id"])
    wait_status(second, headers, app["id"], "running")


def test_auto_stop_after_one_real_minute(gh, roles, double, base, server, project):
    """No shortcut: an app started with auto_stop_minutes=1 is stopped by the scheduler once its
    minute is up, and not before."""
    path = app_dir(base, unique("minute"))
    app = create_app(gh, roles.operator, project["id"], server["id"], path, auto_stop_minutes=1)
    wait_task(gh, roles.viewer, start(gh, roles.operator, app["id"])["task_id"])
    running = wait_status(gh, roles.viewer, app["id"], "running")
    started = datetime.fromisoformat(running["started_at"].replace("Z", "+00:00"))
    deadline = datetime.fromisoformat(running["auto_stop_at"].replace("Z", "+00:00"))
    assert (deadline - started).total_seconds() == 60
    while datetime.now(timezone.utc) < deadline - timedelta(seconds=3):
        assert get_app(gh, roles.viewer, app["id"])["status"] == "running"
        time.sleep(1)
    stopped = wait_status(gh, roles.viewer, app["id"], "stopped", timeout=30)
    assert datetime.now(timezone.utc) >= deadline
    assert calls_in(double, path)[-1] == "down"
    task = get_task(gh, roles.viewer, stopped["last_task_id"])
    assert task["created_by_name"] == "scheduler" and task["params"]["reason"] == "auto_stop"
    event = wait_audit(gh, roles.admin_token, lambda e: e["resource"]["id"] == app["id"], action="app.auto_stop")[0]
    assert event["details"]["auto_stop_minutes"] == 1


def test_an_app_whose_task_cannot_be_recorded_ends_failed(start_server, tmp_path, sshd, double, base):
    """The compose task's run gives up (its output table is dropped under it): the app follows the
    task to failed instead of staying starting until the next start."""
    data_dir = tmp_path / "broken-data"
    gh = start_identity(start_server, data_dir=data_dir)
    admin = admin_login(gh).headers
    server = add_server(gh, admin, sshd)
    project = create_project(gh, admin)
    app = create_app(gh, admin, project["id"], server["id"], app_dir(base, unique("broken"), slow=2))
    started = start(gh, admin, app["id"])
    assert get_app(gh, admin, app["id"])["status"] == "starting"
    break_task_output(data_dir)
    failed = wait_status(gh, admin, app["id"], "failed", timeout=60)
    assert failed["last_task_id"] == started["task_id"] and failed["auto_stop_at"] is None
    assert get_task(gh, admin, started["task_id"])["state"] == "failed"
