"""Running the web UI's browser scenarios (tests/browser/ui/*.mjs: Debian's headless Chromium driven by
playwright-core) against a real gatehouse, and reading their findings."""
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSER_DIR = Path(__file__).resolve().parents[1] / "browser"


def ensure_browser_packages() -> None:
    """npm ci in tests/browser when its lock file changed; one module at a time (ctest runs modules side by side)."""
    marker = BROWSER_DIR / "node_modules" / ".package-lock.json.copy"
    lock = BROWSER_DIR / "package-lock.json"
    with open(BROWSER_DIR / ".npm.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if marker.exists() and marker.read_bytes() == lock.read_bytes():
            return
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BROWSER_DIR, check=True,
                       stdin=subprocess.DEVNULL, timeout=300)
        shutil.copyfile(lock, marker)


def screenshot_dir(scenario: str) -> str:
    """Where a scenario's screenshots go: the build's test output folder under ctest, else a temporary one."""
    base = os.environ.get("GATEHOUSE_TEST_OUTPUT") or tempfile.mkdtemp(prefix="gh-ui-")
    return str(Path(base) / "ui" / scenario)


def run_scenario(scenario: str, timeout: float = 300, **config) -> dict:
    """Runs tests/browser/ui/SCENARIO.mjs with `config` (base URL, credentials, fixtures) and returns its findings;
    fails with the scenario's own message when one of its checks failed."""
    ensure_browser_packages()
    config.setdefault("screenshots", screenshot_dir(scenario))
    env = {**os.environ, "UI_TEST_CONFIG": json.dumps(config)}
    result = subprocess.run(["node", str(BROWSER_DIR / "ui" / f"{scenario}.mjs")], capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL, env=env, cwd=BROWSER_DIR)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{scenario}: no report (exit {result.returncode})\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    report = json.loads(lines[-1])
    print(json.dumps({k: v for k, v in report.items() if k != "screenshots"}, indent=1)[:20000])
    assert report["ok"], f"{scenario} failed:\n{report['failure']}\n{result.stderr[-2000:]}"
    assert result.returncode == 0, result.stderr[-2000:]
    # Every page visited was photographed; every screenshot the report lists was written, a PNG with something in it.
    if config["screenshots"]:
        assert len(report["screenshots"]) >= len(report["pages"]), (report["pages"], report["screenshots"])
    for shot in report["screenshots"]:
        path = Path(shot)
        assert path.is_file(), f"{scenario}: screenshot {shot} is missing"
        head = path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") and path.stat().st_size > len(head), \
            f"{scenario}: screenshot {shot} is not a PNG ({path.stat().st_size} bytes, starts {head!r})"
    return report


def ui_args() -> list[str]:
    """`--ui-dir DIR` when GATEHOUSE_UI_TEST_DIR names a ui/build.sh output (UI development without relinking);
    otherwise the binary's embedded UI is tested."""
    folder = os.environ.get("GATEHOUSE_UI_TEST_DIR")
    return ["--ui-dir", folder] if folder else []
