"""The Projects and apps page in Debian's headless Chromium, against the real sshd fixture with a docker compose
TEST DOUBLE on the remote side: there is no Docker engine here, so `docker compose up -d` / `down` are answered by
apps_support.ComposeDouble (it records its calls and prints "Container double-1  Started" / "Removed").

An operator creates a project through the UI (a taken name is refused next to the field), edits it, creates an app
in it (a relative directory is refused before sending), starts it and sees compose's output arrive in the app's
page, the status become running and the auto-stop countdown tick; changes the limit and sees the countdown follow;
follows the dashboard's link to the project's apps, filters the apps by status and server on the server; stops the
app and sees the output and status; edits and deletes apps and deletes a project with its apps. A viewer sees the
same pages without any create/edit/delete/start/stop control. Each UI change is then checked through the API (and
the double's log), and every view passes axe-core and the CSP, at 1280 and 390 px."""

from __future__ import annotations

from apps_support import app_dir, create_app, create_project, get_app
from support import API, FAST_HASH_ARGS, admin_login, create_user, login_ok, unique
from tasks_support import add_server, get_task
from ui_support import run_scenario, ui_args

PASSWORD = "ui-Apps-pw-4Tz"



def test_projects_and_apps_through_the_ui(start_module_server, sshd, double, base):
    gh = start_module_server(*FAST_HASH_ARGS, *ui_args(), env={"GATEHOUSE_ADMIN_PASSWORD": PASSWORD})
    admin = admin_login(gh, PASSWORD)
    operator = {"username": unique("ui-op"), "password": PASSWORD}
    viewer = {"username": unique("ui-viewer"), "password": PASSWORD}
    create_user(gh, admin.access, operator["username"], PASSWORD, "operator")
    create_user(gh, admin.access, viewer["username"], PASSWORD, "viewer")
    headers = login_ok(gh, operator["username"], PASSWORD).headers

    # What the page starts with: the sshd fixture's server, a server never contacted, a project with an app on
    # each, and a spare project (with an app) and an app to delete through the UI.
    server = add_server(gh, headers, sshd, name=unique("ui-sshd"))
    far = add_server(gh, headers, sshd, name=unique("ui-far"), ssh_port=1)
    seeded = create_project(gh, headers, name=unique("seeded"), description="made through the API")
    kept = create_app(gh, headers, seeded["id"], server["id"], "/srv/kept", name="kept-app")
    elsewhere = create_app(gh, headers, seeded["id"], far["id"], "/srv/elsewhere", name="elsewhere-app")
    doomed = create_app(gh, headers, seeded["id"], server["id"], "/srv/doomed", name="doomed-app")
    spare = create_project(gh, headers, name=unique("spare"), description="to be deleted")
    spare_app = create_app(gh, headers, spare["id"], server["id"], "/srv/spare", name="spare-app")
    path = app_dir(base, unique("ui-app"))

    report = run_scenario(
        "apps", base=gh.url, operator=operator, viewer=viewer,
        server={"id": server["id"], "name": server["name"], "address": server["address"]},
        far={"id": far["id"], "name": far["name"]},
        seeded={"id": seeded["id"], "name": seeded["name"]}, spare={"id": spare["id"], "name": spare["name"]},
        kept=kept["id"], elsewhere=elsewhere["id"], doomed=doomed["id"],
        project_name=unique("ui-project"), app_name=unique("ui-app"), renamed=unique("ui-renamed"), cd_path=path)
    measures = report["measures"]
    assert {"apps-list", "apps-project-form", "apps-new", "apps-running", "apps-stopped", "apps-list-mobile",
            "apps-detail-mobile", "apps-viewer-list", "apps-viewer-detail"} <= set(report["pages"])

    # The project the UI created and edited.
    project = gh.request("GET", f"{API}/projects/{measures['project_id']}", headers=headers).json()
    assert project["description"] == "edited in the UI", project
    # The app: created with the UI's fields, renamed, its limit changed to 5, stopped after one start.
    app = get_app(gh, headers, measures["app_id"])
    assert app["project_id"] == project["id"] and app["server_id"] == server["id"], app
    assert app["name"] == measures["renamed"] and app["cd_path"] == path and app["app_url"] == "http://127.0.0.1:9/"
    assert app["auto_stop_minutes"] == 5 and app["status"] == "stopped" and app["auto_stop_at"] is None, app
    down = get_task(gh, headers, app["last_task_id"])
    assert down["kind"] == "compose_down" and down["state"] == "succeeded", down
    up = get_task(gh, headers, measures["start_task_id"])
    assert up["kind"] == "compose_up" and up["state"] == "succeeded" and up["params"]["app_id"] == app["id"], up
    # The limit the countdown showed after the change: 5 minutes from the run's start.
    assert measures["countdown_before"].startswith(("29:", "30:")), measures
    assert measures["countdown_after"].startswith(("4:", "5:")), measures
    # The double ran compose in the app's directory: up, then down.
    assert [args for _, cwd, args in double.calls() if cwd == path and args != "version"] == ["up -d", "down"]

    # Deleted through the UI: one app, and a project with its app.
    assert gh.request("GET", f"{API}/apps/{doomed['id']}", headers=headers).status_code == 404
    assert gh.request("GET", f"{API}/projects/{spare['id']}", headers=headers).status_code == 404
    assert gh.request("GET", f"{API}/apps/{spare_app['id']}", headers=headers).status_code == 404
    # Untouched: the seeded project and its other apps; the viewer changed nothing.
    assert gh.request("GET", f"{API}/projects/{seeded['id']}", headers=headers).json() == seeded
    assert get_app(gh, headers, kept["id"]) == kept
    assert get_app(gh, headers, elsewhere["id"]) == elsewhere
