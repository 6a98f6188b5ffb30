"""Command line: version, help, migrate, configuration sources and their precedence."""

import re
import socket

import pytest

from support import free_port, run_cli

SERVE_OPTIONS = (
    "--listen",
    "--data-dir",
    "--database-url",
    "--config",
    "--http-max-body-bytes",
    "--http-max-header-bytes",
    "--http-read-timeout-s",
    "--http-idle-timeout-s",
    "--http-shutdown-grace-s",
)


def test_version():
    result = run_cli(["version"])
    assert result.returncode == 0, result.stderr
    assert re.search(r"\d+\.\d+\.\d+", result.stdout), result.stdout


def test_version_flag():
    result = run_cli(["--version"])
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"gatehouse \d+\.\d+\.\d+\S*\n", result.stdout), result.stdout


def test_serve_on_a_busy_port_fails_and_creates_nothing(tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        data = tmp_path / "never"
        result = run_cli(["serve", "--listen", f"127.0.0.1:{busy.getsockname()[1]}", "--data-dir", str(data)])
        assert result.returncode != 0, result.stdout
        assert "cannot listen" in result.stderr, result.stderr
        assert not data.exists(), "a failed start created the data directory"
        assert "password" not in result.stderr  # no admin password printed (and used up)
    finally:
        busy.close()


@pytest.mark.parametrize("command", [["vault", "rotate"], ["user", "list"]])
def test_commands_on_a_missing_data_directory_create_nothing(tmp_path, command):
    data = tmp_path / "absent"
    result = run_cli([*command, "--data-dir", str(data)])
    assert result.returncode != 0, result.stdout
    assert str(data) in result.stderr and "--data-dir" in result.stderr, result.stderr
    assert not data.exists()


def test_serve_help_lists_every_option():
    result = run_cli(["serve", "--help"])
    assert result.returncode == 0, result.stderr
    text = result.stdout + result.stderr
    for option in SERVE_OPTIONS:
        assert option in text, f"{option} missing from `gatehouse serve --help`"


def test_each_help_lists_its_own_options_with_types():
    serve = run_cli(["serve", "--help"]).stdout
    for flag, kind in (("--listen", "HOST:PORT"), ("--data-dir", "PATH"), ("--http-read-timeout-s", "SECONDS"),
                       ("--database-url", "URL"), ("--http-max-body-bytes", "BYTES"), ("--config", "PATH")):
        assert re.search(re.escape(flag) + r" " + re.escape(kind), serve), (flag, kind)
    for command in (["user"], ["vault"], ["migrate"]):
        text = run_cli([*command, "--help"]).stdout
        assert "--data-dir PATH" in text and "--database-url URL" in text, (command, text)
        for foreign in ("--listen", "--http-", "--tls-", "--fleet-", "--auth-cors-origins"):
            assert foreign not in text, (command, foreign)
    assert "--auth-argon2-memlimit-kib KIB" in run_cli(["user", "--help"]).stdout
    assert "--auth-argon2" not in run_cli(["vault", "--help"]).stdout


def test_unknown_command_fails():
    result = run_cli(["no-such-command"])
    assert result.returncode != 0


def applied_count(result) -> int:
    """The number of applied migrations the command reported."""
    for text in (result.stdout, result.stderr):
        for line in text.splitlines():
            if "migration" not in line.lower():
                continue
            m = re.search(r"(\d+)\s+migrations?\b", line, re.I) or re.search(
                r"migrations?\D{0,30}?(\d+)", line, re.I
            )
            if m:
                return int(m.group(1))
    raise AssertionError(f"no migration count in output:\n{result.stdout}\n{result.stderr}")


def test_migrate_sqlite_twice(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    first = run_cli(["migrate", "--data-dir", str(data)])
    assert first.returncode == 0, first.stderr
    assert applied_count(first) > 0
    assert (data / "gatehouse.db").is_file()
    second = run_cli(["migrate", "--data-dir", str(data)])
    assert second.returncode == 0, second.stderr
    assert applied_count(second) == 0


@pytest.mark.pg
def test_migrate_postgresql_twice(tmp_path, pg_database):
    args = ["migrate", "--data-dir", str(tmp_path / "data"), "--database-url", pg_database]
    first = run_cli(args)
    assert first.returncode == 0, first.stderr
    assert applied_count(first) > 0
    second = run_cli(args)
    assert second.returncode == 0, second.stderr
    assert applied_count(second) == 0


# ---------------------------------------------------------------------------------------------
# precedence: flags > environment > config file > defaults


def write_config(path, listen: str, data_dir, max_header: int | None = None):
    text = f'listen = "{listen}"\ndata_dir = "{data_dir}"\n'
    if max_header is not None:
        text += f"\n[http]\nmax_header_bytes = {max_header}\n"
    path.write_text(text)
    return path


@pytest.fixture
def three_ports():
    ports = set()
    while len(ports) < 3:
        ports.add(free_port())
    return [f"127.0.0.1:{p}" for p in ports]


def test_listen_precedence(start_server, tmp_path, three_ports):
    file_addr, env_addr, flag_addr = three_ports
    config = write_config(tmp_path / "gatehouse.toml", file_addr, tmp_path / "data")
    env = {"GATEHOUSE_LISTEN": env_addr}

    cases = [
        (["--config", config, "--listen", flag_addr], env, flag_addr),
        (["--config", config], env, env_addr),
        (["--config", config], None, file_addr),
    ]
    for args, case_env, expected in cases:
        server = start_server(*args, env=case_env, listen=None, data_dir=None)
        assert server.url == f"http://{expected}", (args, case_env, server.url)
        assert server.get("/healthz").status_code == 200
        assert server.terminate() == 0


def test_data_dir_from_environment(start_server, tmp_path):
    data = tmp_path / "env-data"
    server = start_server(env={"GATEHOUSE_DATA_DIR": str(data)}, data_dir=None)
    assert server.get("/readyz").status_code == 200
    assert (data / "gatehouse.db").is_file()


def test_nested_key_precedence(start_server, tmp_path):
    """[http] max_header_bytes from the file, GATEHOUSE_HTTP_MAX_HEADER_BYTES, --http-max-header-bytes."""
    config = write_config(tmp_path / "gatehouse.toml", "127.0.0.1:0", tmp_path / "data", max_header=2048)
    headers = {"X-Pad": "x" * 4000}  # ~4 KiB of headers

    def status(*args, env=None):
        server = start_server("--config", config, *args, env=env, listen=None, data_dir=None)
        code = server.get("/healthz", headers=headers).status_code
        assert server.terminate() == 0
        return code

    assert status() == 431  # file: 2 KiB
    assert status(env={"GATEHOUSE_HTTP_MAX_HEADER_BYTES": "65536"}) == 200  # env beats file
    env = {"GATEHOUSE_HTTP_MAX_HEADER_BYTES": "65536"}
    assert status("--http-max-header-bytes", "3072", env=env) == 431  # flag beats env


def test_bad_option_value_fails_cleanly(tmp_path):
    args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path / "d"), "--http-read-timeout-s", "x1"]
    result = run_cli(args, timeout=10)
    assert result.returncode != 0
    assert "read" in (result.stdout + result.stderr).lower()
